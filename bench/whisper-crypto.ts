import { secp256k1 } from '@noble/curves/secp256k1.js'
import { ecdhX, ecdhXNoble, eciesDecrypt, eciesEncrypt } from '../src/main/core/primitives/ecies'
import { nobleBackend, secp256k1Backend } from '../src/main/core/primitives/secp256k1-backend'
import { initHashing, keccak256, keccakWithPrefix } from '../src/main/core/primitives/keccak'
import { decodeEnvelope, encodeEnvelope, encodeEnvelopeWithoutNonce, envelopeHash } from '../src/main/core/whisper/envelope'
import { aesGcmOpen, aesGcmSeal } from '../src/main/core/primitives/aes-gcm'
import { checkEnvelope } from '../src/main/core/whisper/validity'
import type { BenchResult, BenchSuite } from './result'

/** Runs `step` repeatedly for about `ms` and returns calls per second. */
function rate(ms: number, step: () => void): number {
  for (let i = 0; i < 200; i++) step()
  let calls = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < ms) {
    for (let i = 0; i < 100; i++) step()
    calls += 100
    elapsed = performance.now() - start
  }
  return Math.round((calls * 1000) / elapsed)
}

const NOW = Math.floor(Date.now() / 1000)
const TOPIC = Uint8Array.of(0xcd, 0x42, 0x37, 0x60)

/** A 300-byte-data envelope, the size the relay benchmark uses. */
function sampleEnvelope(): Uint8Array {
  return encodeEnvelope({ expiry: NOW + 50, ttl: 50, topic: TOPIC, data: new Uint8Array(300).fill(0x5a), nonce: 12345n })
}

function powHashRate(prefixLength: number, ms: number): number {
  const hashNonce = keccakWithPrefix(new Uint8Array(prefixLength).fill(1))
  const nonce = new Uint8Array(8)
  let n = 0
  return rate(ms, () => {
    nonce[7] = n++
    hashNonce(nonce)
  })
}

function naiveHashRate(prefixLength: number, ms: number): number {
  const buf = new Uint8Array(prefixLength + 8).fill(1)
  let n = 0
  return rate(ms, () => {
    buf[prefixLength + 7] = n++
    keccak256(buf)
  })
}

export const suite: BenchSuite = {
  title: 'Whisper crypto (PoW hashing, open attempts, envelope validation)',
  async run(): Promise<BenchResult[]> {
    const results: BenchResult[] = []
    const shortRlpLength = encodeEnvelopeWithoutNonce({ expiry: NOW, ttl: 50, topic: TOPIC, data: new Uint8Array(300) }).length

    results.push({ name: 'PoW hashes/s, mid-state, noble (before initHashing)', value: powHashRate(shortRlpLength, 1500), unit: 'H/s', note: `${shortRlpLength}-byte shortRlp` })
    results.push({ name: 'PoW hashes/s, naive, noble, 16 KiB prefix', value: naiveHashRate(16384, 1000), unit: 'H/s' })
    await initHashing()
    results.push({
      name: 'PoW hashes/s, mid-state, hash-wasm (kept)',
      value: powHashRate(shortRlpLength, 2000),
      unit: 'H/s',
      target: 'spec §7: 90–99 k H/s with noble 1.8 mid-state',
      note: `${shortRlpLength}-byte shortRlp`
    })
    results.push({ name: 'PoW hashes/s, mid-state, hash-wasm, 16 KiB prefix', value: powHashRate(16384, 1000), unit: 'H/s', note: 'independent of size' })

    const symKey = new Uint8Array(32).fill(7)
    const wrongKey = new Uint8Array(32).fill(8)
    const symData = aesGcmSeal(symKey, new Uint8Array(256), new Uint8Array(12).fill(1))
    results.push({ name: 'symmetric open attempts/s (wrong key, 256-byte plaintext)', value: rate(1500, () => aesGcmOpen(wrongKey, symData)), unit: 'ops/s' })
    results.push({ name: 'symmetric opens/s (right key)', value: rate(1000, () => aesGcmOpen(symKey, symData)), unit: 'ops/s' })

    const recipient = secp256k1.utils.randomSecretKey()
    const stranger = secp256k1.utils.randomSecretKey()
    const asymData = eciesEncrypt(secp256k1.getPublicKey(recipient), new Uint8Array(256))
    results.push({
      name: `asymmetric open attempts/s, ${secp256k1Backend.name} ECDH (every runtime, Electron included)`,
      value: rate(2000, () => eciesDecrypt(stranger, asymData, ecdhX)),
      unit: 'ops/s',
      target: 'issue 15: ≥ 4,000/s'
    })
    results.push({
      name: 'asymmetric open attempts/s, noble ECDH (the fallback)',
      value: rate(1000, () => eciesDecrypt(stranger, asymData, ecdhXNoble)),
      unit: 'ops/s'
    })
    // Where an attempt's time goes: the same attempt with the shared secret precomputed is everything but the ECDH.
    const ephemeralKey = asymData.subarray(0, 65)
    const z = ecdhXNoble(stranger, ephemeralKey)
    results.push({
      name: 'asymmetric open attempt without its ECDH (KDF, key hash, HMAC check)',
      value: rate(1000, () => eciesDecrypt(stranger, asymData, () => z)),
      unit: 'ops/s',
      note: 'the rest of an attempt is the ECDH itself; filters already do one attempt per envelope and distinct key'
    })
    results.push({ name: 'secp256k1 ECDH alone, noble', value: rate(1000, () => ecdhXNoble(stranger, ephemeralKey)), unit: 'ops/s' })
    results.push({ name: `secp256k1 ECDH alone, ${secp256k1Backend.name}`, value: rate(1000, () => ecdhX(stranger, ephemeralKey)), unit: 'ops/s' })
    const digest = new Uint8Array(32).fill(0x42)
    const signature = secp256k1Backend.sign(digest, stranger)
    const rs = signature.subarray(0, 64)
    const v = signature[64] as 0 | 1
    for (const backend of [secp256k1Backend, nobleBackend]) {
      results.push({ name: `secp256k1 sign (RFC 6979), ${backend.name}`, value: rate(1000, () => backend.sign(digest, stranger)), unit: 'ops/s' })
      results.push({ name: `secp256k1 recover, ${backend.name}`, value: rate(1000, () => backend.recover(digest, rs, v)), unit: 'ops/s' })
      results.push({ name: `secp256k1 public key, ${backend.name}`, value: rate(1000, () => backend.publicKey(stranger, true)), unit: 'ops/s' })
    }

    const encoded = sampleEnvelope()
    const ctx = { now: NOW, minPow: 0, minPowTolerance: 0, bloom: null, bloomTolerance: null, maxMessageSize: 1 << 20 }
    results.push({
      name: 'envelope decode + hash + validity (PoW) per second, 300-byte data',
      value: rate(2000, () => {
        const envelope = decodeEnvelope(encoded)
        envelopeHash(encoded)
        checkEnvelope(envelope, ctx)
      }),
      unit: 'envelopes/s',
      target: 'relay reference: geth ~40,000 envelopes/s'
    })
    return results
  }
}
