import { RLP, type NestedUint8Array } from '@ethereumjs/rlp'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { RlpFormatError, readRlpListSpans, readRlpSpan, type RlpSpan } from './rlp-view'

type Decoded = Uint8Array | NestedUint8Array

function hexTree(item: Decoded): unknown {
  return item instanceof Uint8Array ? bytesToHex(item) : item.map(hexTree)
}

/** What the library makes of `bytes`: the decoded tree as hex, or 'error'. */
function reference(bytes: Uint8Array): unknown {
  try {
    return hexTree(RLP.decode(bytes))
  } catch {
    return 'error'
  }
}

/** RLP.decode rebuilt from our spans, with byte strings as views. */
function decodeRlpView(bytes: Uint8Array): Decoded {
  if (bytes.length === 0) return bytes
  const span = readRlpSpan(bytes, 0)
  if (span.end !== bytes.length) throw new RlpFormatError('trailing bytes')
  const itemOf = (s: RlpSpan): Decoded =>
    s.list ? (readRlpListSpans(bytes, s).map(itemOf) as NestedUint8Array) : bytes.subarray(s.payload, s.end)
  return itemOf(span)
}

function ours(bytes: Uint8Array): unknown {
  try {
    return hexTree(decodeRlpView(bytes))
  } catch (err) {
    if (!(err instanceof RlpFormatError)) throw err
    return 'error'
  }
}

/** Deterministic xorshift, so the mutation test is the same on every run. */
function prng(seed: number): () => number {
  let x = seed
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 0x1_0000_0000
  }
}

const VALID = [
  RLP.encode([0, 1, Uint8Array.of(0, 0, 0, 0), hexToBytes('deadbeef'), 276]),
  RLP.encode([0xffff_ffff, 50, Uint8Array.of(1, 2, 3, 4), new Uint8Array(300).fill(9), 2n ** 64n - 1n]),
  RLP.encode([[], [[]], Uint8Array.of(0x7f), Uint8Array.of(0x80), new Uint8Array(56)]),
  RLP.encode([new Uint8Array(70_000), [Uint8Array.of(1)]]),
  RLP.encode(Uint8Array.of(5)),
  RLP.encode(new Uint8Array(0))
]

describe('strict zero-copy RLP reading', () => {
  it('decodes exactly like @ethereumjs/rlp', () => {
    for (const bytes of VALID) expect(ours(bytes)).toEqual(reference(bytes))
    expect(ours(new Uint8Array(0))).toEqual(reference(new Uint8Array(0)))
  })

  it.each([
    ['truncated list', 'c5820114'],
    ['trailing bytes', 'c0c0'],
    ['prefixed single byte below 0x80', '8105'],
    ['long string form for a short length', 'b80100'],
    ['long list form for a short length', 'f80100'],
    ['length with a leading zero', 'b9003a' + '00'.repeat(58)],
    ['item overrunning its list', 'c2830102'],
    ['truncated length', 'b9']
  ])('refuses %s, as the library does', (_name, hex) => {
    const bytes = hexToBytes(hex)
    expect(reference(bytes)).toBe('error')
    expect(() => decodeRlpView(bytes)).toThrow(RlpFormatError)
  })

  it('agrees with the library on thousands of mutated encodings', () => {
    const random = prng(0x5eed)
    for (let round = 0; round < 4000; round++) {
      const base = VALID[round % 3] as Uint8Array
      const bytes = base.slice(0, base.length - Math.floor(random() * 3))
      for (let k = 0; k < 3; k++) bytes[Math.floor(random() * Math.min(bytes.length, 24))] = Math.floor(random() * 256)
      expect(ours(bytes)).toEqual(reference(bytes))
    }
  })

  it('returns views into the input, not copies', () => {
    const bytes = VALID[1] as Uint8Array
    const items = decodeRlpView(bytes) as Uint8Array[]
    expect((items[3] as Uint8Array).buffer).toBe(bytes.buffer)
    const span = readRlpSpan(bytes, 0)
    expect([span.list, span.start, span.end]).toEqual([true, 0, bytes.length])
  })
})
