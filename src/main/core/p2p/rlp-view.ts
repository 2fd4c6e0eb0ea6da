/**
 * Strict RLP reading into views of the input. It accepts exactly what @ethereumjs/rlp's decode
 * accepts (minimal length forms, no prefixed single byte below 0x80, nothing after the item) but
 * copies nothing: a relay reads every envelope of every packet, and the library's copies and hex
 * round-trips were a tenth of its CPU.
 */

export class RlpFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RlpFormatError'
  }
}

/** Where one item sits: its encoding is `data.subarray(start, end)`, its payload `data.subarray(payload, end)`. */
export interface RlpSpan {
  list: boolean
  start: number
  payload: number
  end: number
}

/** The item starting at `offset`, which must end by `limit`. */
export function readRlpSpan(data: Uint8Array, offset: number, limit = data.length): RlpSpan {
  const first = data[offset]
  if (first === undefined || offset >= limit) throw new RlpFormatError('truncated RLP')
  if (first < 0x80) return { list: false, start: offset, payload: offset, end: offset + 1 }
  const list = first >= 0xc0
  const short = first - (list ? 0xc0 : 0x80)
  if (short < 56) {
    const end = offset + 1 + short
    if (end > limit) throw new RlpFormatError('truncated RLP')
    if (!list && short === 1 && (data[offset + 1] as number) < 0x80) {
      throw new RlpFormatError('single byte below 0x80 must not be prefixed')
    }
    return { list, start: offset, payload: offset + 1, end }
  }
  const lengthOfLength = short - 55
  if (offset + 1 + lengthOfLength > limit) throw new RlpFormatError('truncated RLP length')
  if (data[offset + 1] === 0) throw new RlpFormatError('RLP length has leading zeros')
  let length = 0
  for (let i = 1; i <= lengthOfLength; i++) length = length * 256 + (data[offset + i] as number)
  if (length < 56) throw new RlpFormatError('RLP long form used for a length below 56')
  const payload = offset + 1 + lengthOfLength
  if (payload + length > limit) throw new RlpFormatError('truncated RLP')
  return { list, start: offset, payload, end: payload + length }
}

/** The items of the list `span` of `data`, as spans; more than `maxItems` items is an error. */
export function readRlpListSpans(data: Uint8Array, span: RlpSpan, maxItems = Number.POSITIVE_INFINITY): RlpSpan[] {
  const items: RlpSpan[] = []
  for (let offset = span.payload; offset < span.end; ) {
    if (items.length >= maxItems) throw new RlpFormatError(`more than ${maxItems} items`)
    const item = readRlpSpan(data, offset, span.end)
    items.push(item)
    offset = item.end
  }
  return items
}
