import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes, numberToBytesBE } from '@noble/curves/utils.js'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chooseBackend, nobleBackend, secp256k1Backend, wasmBackend, type Secp256k1Backend, type TinySecp256k1 } from './secp256k1-backend'

const wasm = wasmBackend()
const N = secp256k1.Point.CURVE().n
const P = secp256k1.Point.CURVE().p

type Outcome = { ok: true; hex: string } | { ok: false }

/** What a backend call gives: its bytes, or the fact that it refused (the message may differ). */
function outcome(call: (backend: Secp256k1Backend) => Uint8Array, backend: Secp256k1Backend): Outcome {
  try {
    return { ok: true, hex: bytesToHex(call(backend)) }
  } catch {
    return { ok: false }
  }
}

function same(call: (backend: Secp256k1Backend) => Uint8Array): Outcome {
  const reference = outcome(call, nobleBackend)
  expect(outcome(call, wasm)).toEqual(reference)
  return reference
}

const scalar = (n: bigint) => numberToBytesBE(n, 32)
const privateKey = fc
  .oneof(
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fc.constantFrom(scalar(1n), scalar(2n), scalar(N - 1n), scalar(N - 2n), scalar((N - 1n) / 2n))
  )
  .filter((key) => secp256k1.utils.isValidSecretKey(key))
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 })
const RUNS = { numRuns: 100 }

describe('libsecp256k1 (WASM) against noble, same bytes for every primitive', () => {
  it('is the backend in use under Node', () => {
    expect(secp256k1Backend.name).toBe('wasm')
  })

  it('derives the same public keys, compressed and not', () => {
    fc.assert(
      fc.property(privateKey, fc.boolean(), (key, compressed) => {
        expect(same((b) => b.publicKey(key, compressed)).ok).toBe(true)
      }),
      RUNS
    )
  })

  it('computes the same ECDH X coordinate, from either encoding of the peer key, both ways', () => {
    fc.assert(
      fc.property(privateKey, privateKey, fc.boolean(), (a, b, compressed) => {
        const peer = nobleBackend.publicKey(b, compressed)
        const shared = same((backend) => backend.ecdhX(a, peer))
        expect(shared).toEqual(same((backend) => backend.ecdhX(b, nobleBackend.publicKey(a, !compressed))))
        expect(shared.ok && shared.hex.length).toBe(64)
      }),
      RUNS
    )
  })

  it('signs identically (RFC 6979, low S) and recovers the signer', () => {
    fc.assert(
      fc.property(privateKey, digest, (key, hash) => {
        const signature = same((b) => b.sign(hash, key))
        if (!signature.ok) throw new Error('signing failed')
        const bytes = hexToBytes(signature.hex)
        expect(bytes[64]! <= 1).toBe(true)
        expect(BigInt(`0x${signature.hex.slice(64, 128)}`) <= N / 2n).toBe(true)
        const signer = same((b) => b.recover(hash, bytes.subarray(0, 64), bytes[64] as 0 | 1))
        expect(signer).toEqual({ ok: true, hex: bytesToHex(nobleBackend.publicKey(key, false)) })
      }),
      RUNS
    )
  })

  it('recovers the same key (or none) from arbitrary R ‖ S and either recovery id', () => {
    const seen = new Set<boolean>()
    fc.assert(
      fc.property(digest, fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.constantFrom<0 | 1>(0, 1), (hash, rs, v) => {
        seen.add(same((b) => b.recover(hash, rs, v)).ok)
      }),
      RUNS
    )
    // Random R is a valid X about half the time: both outcomes were compared.
    expect(seen).toEqual(new Set([true, false]))
  })

  it('recovers the same key from a high-S signature (as geth does), with the recovery id flipped', () => {
    fc.assert(
      fc.property(privateKey, digest, (key, hash) => {
        const low = nobleBackend.sign(hash, key)
        const s = BigInt(`0x${bytesToHex(low.subarray(32, 64))}`)
        const high = Uint8Array.of(...low.subarray(0, 32), ...scalar(N - s))
        const signer = same((b) => b.recover(hash, high, (low[64]! ^ 1) as 0 | 1))
        expect(signer).toEqual({ ok: true, hex: bytesToHex(nobleBackend.publicKey(key, false)) })
      }),
      RUNS
    )
  })

  it('refuses R or S of zero or ≥ n alike', () => {
    const hash = new Uint8Array(32).fill(7)
    const good = nobleBackend.sign(hash, scalar(12345n))
    const r = good.subarray(0, 32)
    const s = good.subarray(32, 64)
    for (const bad of [scalar(0n), scalar(N), scalar(N + 1n), new Uint8Array(32).fill(0xff)]) {
      for (const v of [0, 1] as const) {
        expect(same((b) => b.recover(hash, Uint8Array.of(...bad, ...s), v)).ok).toBe(false)
        expect(same((b) => b.recover(hash, Uint8Array.of(...r, ...bad), v)).ok).toBe(false)
      }
    }
  })

  it('refuses zero and out-of-range private keys alike', () => {
    const peer = nobleBackend.publicKey(scalar(5n), true)
    for (const bad of [scalar(0n), scalar(N), scalar(N + 1n), new Uint8Array(32).fill(0xff)]) {
      expect(same((b) => b.publicKey(bad, true)).ok).toBe(false)
      expect(same((b) => b.sign(new Uint8Array(32), bad)).ok).toBe(false)
      expect(same((b) => b.ecdhX(bad, peer)).ok).toBe(false)
    }
  })

  it('accepts and refuses the same public key encodings', () => {
    const seen = new Set<boolean>()
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 32, maxLength: 32 }).map((x) => Uint8Array.of(2, ...x)),
          fc.uint8Array({ minLength: 32, maxLength: 32 }).map((x) => Uint8Array.of(3, ...x)),
          fc.uint8Array({ minLength: 64, maxLength: 64 }).map((xy) => Uint8Array.of(4, ...xy)),
          fc.uint8Array({ minLength: 33, maxLength: 33 }),
          fc.uint8Array({ minLength: 65, maxLength: 65 })
        ),
        fc.boolean(),
        (point, compressed) => {
          seen.add(same((b) => b.convertPoint(point, compressed)).ok)
          seen.add(same((b) => b.ecdhX(scalar(9n), point)).ok)
        }
      ),
      RUNS
    )
    expect(seen).toEqual(new Set([true, false]))
  })

  it('refuses off-curve, out-of-field, infinity and hybrid (0x06/0x07) points alike', () => {
    const valid = nobleBackend.publicKey(scalar(77n), false)
    const offCurve = valid.slice()
    offCurve[64] = offCurve[64]! ^ 1
    const hybrid = Uint8Array.of(6 + (valid[64]! & 1), ...valid.subarray(1))
    const xOverP = Uint8Array.of(2, ...scalar(P + 1n))
    const xOnly = valid.subarray(1, 33)
    const infinity = Uint8Array.of(0)
    for (const bad of [offCurve, hybrid, xOverP, xOnly, infinity, new Uint8Array(65), new Uint8Array(33)]) {
      expect(same((b) => b.convertPoint(bad, true)).ok).toBe(false)
      expect(same((b) => b.ecdhX(scalar(9n), bad)).ok).toBe(false)
    }
  })
})

describe('falling back to noble', () => {
  it('uses noble and says why when the WASM module cannot load', () => {
    const chosen = chooseBackend(() => {
      throw new Error('WebAssembly is not defined')
    })
    expect(chosen.backend).toBe(nobleBackend)
    expect(chosen.fallbackReason).toMatch(/did not load: WebAssembly is not defined/)
  })

  it('uses noble when the module loads but computes a wrong key', () => {
    const broken: TinySecp256k1 = {
      pointFromScalar: () => new Uint8Array(33).fill(2),
      pointCompress: (p) => p,
      pointMultiply: () => null,
      signRecoverable: () => ({ signature: new Uint8Array(64), recoveryId: 0 }),
      recover: () => null
    }
    const chosen = chooseBackend(() => broken)
    expect(chosen.backend).toBe(nobleBackend)
    expect(chosen.fallbackReason).toMatch(/wrong public key/)
  })

  it('uses the WASM module when it loads and computes right', () => {
    expect(chooseBackend()).toEqual({ backend: expect.objectContaining({ name: 'wasm' }) })
  })
})
