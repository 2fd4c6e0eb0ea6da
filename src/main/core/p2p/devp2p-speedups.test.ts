import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { createCipheriv } from 'node:crypto'
import { createRequire } from 'node:module'
import { MAC } from '@ethereumjs/devp2p'
import { describe, expect, it } from 'vitest'
import * as snappy from 'snappyjs'
import { createWasmMacHash, reuseMacCiphers, useFastSnappyLiterals, type SnappyDecompressorState } from './devp2p-speedups'
import { snappyLiteral } from './devp2p-workarounds'

type Decompressor = SnappyDecompressorState & { readUncompressedLength(): number; uncompressToBuffer(out: Uint8Array): boolean }
const { SnappyDecompressor } = createRequire(import.meta.url)('snappyjs/snappy_decompressor.js') as {
  SnappyDecompressor: { new (block: Uint8Array): Decompressor; prototype: Decompressor }
}
/** Taken before anything in this file installs the fast path. */
const originalUncompress = SnappyDecompressor.prototype.uncompressToBuffer

/** Deterministic xorshift for the generated blocks. */
function prng(seed: number): () => number {
  let x = seed
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 0x1_0000_0000
  }
}

/** A snappy literal element of `n` bytes, its length written with `extra` bytes (0 = in the tag). */
function literal(bytes: Uint8Array, extra: 0 | 1 | 2 | 3 | 4): number[] {
  const n = bytes.length - 1
  const tag = extra === 0 ? [n << 2] : [(59 + extra) << 2, ...Array.from({ length: extra }, (_, i) => (n >>> (8 * i)) & 0xff)]
  return [...tag, ...bytes]
}

function varint(n: number): number[] {
  const out: number[] = []
  for (; n >= 0x80; n >>>= 7) out.push((n & 0x7f) | 0x80)
  return [...out, n]
}

/** What a decoder makes of `block`: the returned flag and the whole output buffer. */
function run(block: Uint8Array, decode: (this: Decompressor, out: Uint8Array) => boolean): string {
  const d = new SnappyDecompressor(block)
  const length = d.readUncompressedLength()
  if (length < 0) return 'bad length'
  const out = new Uint8Array(length)
  return `${decode.call(d, out)} ${bytesToHex(out)}`
}

describe('wasm frame MAC hash', () => {
  it('gives the same running digests as the JS keccak the library uses, however updates and digests interleave', async () => {
    const wasm = await createWasmMacHash()
    const other = await createWasmMacHash()
    const js = keccak_256.create()
    const fromWasm: string[] = []
    const fromJs: string[] = []
    for (let i = 0; i < 200; i++) {
      const chunk = new Uint8Array((i * 37) % 300).fill(i)
      wasm.update(chunk)
      other.update(Uint8Array.of(i))
      js.update(chunk)
      fromWasm.push(bytesToHex(wasm.clone().digest()))
      fromJs.push(bytesToHex(js.clone().digest()))
    }
    expect(fromWasm).toEqual(fromJs)
  })
})

describe('fast snappy literals', () => {
  it('decodes every block exactly as snappyjs does: literal-only, mixed, truncated, mis-sized', () => {
    useFastSnappyLiterals()
    const patched = SnappyDecompressor.prototype.uncompressToBuffer
    expect(patched).not.toBe(originalUncompress)
    const random = prng(0xc0ffee)
    const byte = (): number => Math.floor(random() * 256)
    let literalOnly = 0
    for (let round = 0; round < 3000; round++) {
      const elements: number[] = []
      let total = 0
      for (let k = 1 + Math.floor(random() * 4); k > 0; k--) {
        const n = 1 + Math.floor(random() * (random() < 0.3 ? 300 : 60))
        const extra = (n > 60 ? 1 + Math.floor(random() * 4) : Math.floor(random() * 5)) as 0 | 1 | 2 | 3 | 4
        elements.push(...literal(Uint8Array.from({ length: n }, byte), extra))
        total += n
      }
      if (random() < 0.2) elements.push(0x01 | (byte() & 0xfc), 1) // a copy element: falls back to snappyjs
      else literalOnly++
      const declared = random() < 0.8 ? total : Math.floor(random() * (total + 20))
      let block = Uint8Array.from([...varint(declared), ...elements])
      if (random() < 0.2) block = block.subarray(0, Math.floor(random() * block.length))
      expect(run(block, patched)).toBe(run(block, originalUncompress))
    }
    expect(literalOnly).toBeGreaterThan(2000)
    const payload = Uint8Array.from({ length: 100_000 }, byte)
    expect(Buffer.from(snappy.uncompress(snappyLiteral(payload))).equals(Buffer.from(payload))).toBe(true)
    expect(Buffer.from(snappy.uncompress(snappy.compress(new Uint8Array(5000).fill(7)))).equals(Buffer.alloc(5000, 7))).toBe(true)
  })
})

describe('frame MAC with one ECB cipher per MAC', () => {
  it('gives the digests of the library algorithm with a fresh cipher per update', () => {
    reuseMacCiphers()
    const random = prng(0xa11ce)
    const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(random() * 256))
    const secret = bytes(32)
    const mac = new MAC(secret)
    const reference = keccak_256.create()
    const digest16 = (): Uint8Array => reference.clone().digest().subarray(0, 16)
    const seeded = (block: Uint8Array, seed: Uint8Array): Uint8Array => {
      const encrypted = createCipheriv('aes-256-ecb', secret, '').update(block)
      return Uint8Array.from(seed, (b, i) => b ^ (encrypted[i] as number))
    }
    for (let i = 0; i < 100; i++) {
      if (random() < 0.5) {
        const header = bytes(16)
        mac.updateHeader(header)
        reference.update(seeded(digest16(), header))
      } else {
        const body = bytes(16 * (1 + Math.floor(random() * 20)))
        mac.updateBody(body)
        reference.update(body)
        const prev = digest16()
        reference.update(seeded(prev, prev))
      }
      expect(bytesToHex(mac.digest())).toBe(bytesToHex(digest16()))
    }
  })
})
