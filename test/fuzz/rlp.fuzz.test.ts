import assert from 'node:assert/strict'
import { RLP, type NestedUint8Array } from '@ethereumjs/rlp'
import * as fc from 'fast-check'
import { describe, it } from 'vitest'
import { RlpFormatError, readRlpListSpans, readRlpSpan, type RlpSpan } from '../../src/main/core/p2p/rlp-view'
import { assertProperty, mutated } from './harness'

type Item = Uint8Array | NestedUint8Array

/** The whole tree through the span reader, the way the node walks packets and envelopes. */
function decodeWithViews(data: Uint8Array): Item {
  const outer = readRlpSpan(data, 0)
  if (outer.end !== data.length) throw new RlpFormatError('trailing bytes')
  return materialise(data, outer)
}

function materialise(data: Uint8Array, span: RlpSpan): Item {
  return span.list ? readRlpListSpans(data, span).map((item) => materialise(data, item)) : data.subarray(span.payload, span.end)
}

const { tree } = fc.letrec<{ tree: Item; bytes: Uint8Array }>((tie) => ({
  // Lengths around the 55/56 boundary of the short and long forms matter most.
  bytes: fc.oneof(
    fc.uint8Array({ maxLength: 4 }),
    fc.uint8Array({ minLength: 54, maxLength: 58 }),
    fc.uint8Array({ maxLength: 300 })
  ),
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('bytes'), fc.array(tie('tree'), { maxLength: 6 }))
}))

const encodedTree = tree.map((t) => RLP.encode(t as NestedUint8Array))
/** Headers that claim lengths: long forms, zero-padded lengths, lengths past the end. */
const craftedHeader = fc
  .tuple(fc.constantFrom(0x80, 0xb7, 0xb8, 0xb9, 0xbf, 0xc0, 0xf7, 0xf8, 0xf9, 0xff), fc.uint8Array({ maxLength: 10 }))
  .map(([first, rest]) => Uint8Array.of(first, ...rest))
const input = fc.oneof(mutated(encodedTree), craftedHeader)

function sameTree(a: Item, b: Item): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a).equals(b)
  }
  return a.length === b.length && a.every((item, i) => sameTree(item, b[i] as Item))
}

function libraryDecode(data: Uint8Array): { ok: true; value: Item } | { ok: false } {
  try {
    return { ok: true, value: RLP.decode(data) }
  } catch {
    return { ok: false }
  }
}

describe('RLP views (differential against @ethereumjs/rlp)', () => {
  it('read every valid encoding back to the same tree', () => {
    assertProperty('rlp round trip', 500, fc.property(tree, (t) => {
      const encoded = RLP.encode(t as NestedUint8Array)
      assert.equal(sameTree(decodeWithViews(encoded), t), true)
    }))
  })

  it('accept exactly what the library accepts, with the same result, and throw only RlpFormatError', () => {
    assertProperty('rlp differential', 1500, fc.property(input.filter((b) => b.length > 0), (data) => {
      const reference = libraryDecode(data)
      let ours: Item | undefined
      try {
        ours = decodeWithViews(data)
      } catch (error) {
        if (!(error instanceof RlpFormatError)) throw error
      }
      assert.equal(ours !== undefined, reference.ok)
      if (reference.ok) assert.equal(sameTree(ours as Item, reference.value), true)
    }))
  })

  it('never read outside the limit it is given', () => {
    assertProperty('rlp limit', 1000, fc.property(input, fc.nat(), fc.nat(), (data, a, b) => {
      const offset = data.length === 0 ? 0 : a % data.length
      const limit = offset + (data.length - offset === 0 ? 0 : b % (data.length - offset + 1))
      try {
        const span = readRlpSpan(data, offset, limit)
        assert.equal(span.start, offset)
        assert.ok(span.payload > offset - 1)
        assert.ok(span.end <= limit)
        assert.ok(span.payload <= span.end)
      } catch (error) {
        if (!(error instanceof RlpFormatError)) throw error
      }
    }))
  })
})
