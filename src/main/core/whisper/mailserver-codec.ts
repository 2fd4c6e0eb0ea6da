import { RLP, type NestedUint8Array } from '@ethereumjs/rlp'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { BLOOM_LENGTH, FULL_BLOOM } from './bloom'
import { decodeUint } from './envelope'
import { WhisperError } from './errors'

/*
 * Mailserver wire formats (spec whisper §4.3, status §2.9):
 * - 126 "MessagesRequest" form: RLP [id(32), from, to, limit, cursor, bloom(64)], unencrypted.
 * - 126 envelope form: a signed envelope whose decrypted payload is either RLP
 *   [lower, upper, bloom, (topics,) limit, cursor, (batch)] or the legacy binary lower(4) ‖ upper(4) [‖ bloom(64) [‖ limit(4) [‖ cursor]]].
 * - 125 completion: one byte string requestID(32) ‖ lastEnvelopeHash(32) ‖ cursor(0|36), or "ERROR=" ‖ requestID ‖ text.
 */

export const REQUEST_ID_LENGTH = 32
/** sentTime(4, BE) ‖ envelopeHash(32): the archive key of the last envelope sent. */
export const CURSOR_LENGTH = 36
/** Most envelopes answered per page (status-go), also what limit 0 means. */
export const MAX_PAGE_LIMIT = 1000
/** Widest time range one request may ask for (status-go). */
export const MAX_QUERY_RANGE_SECONDS = 24 * 3600

/** What to fetch: archived envelopes with lower ≤ sent ≤ upper whose topic bloom ⊆ `bloom`. */
export interface HistoryQuery {
  lower: number
  upper: number
  bloom: Uint8Array
  /** 0 = server default. */
  limit: number
  /** Empty = first page. */
  cursor: Uint8Array
}

export interface MessagesRequest extends HistoryQuery {
  id: Uint8Array
}

type RlpItem = Uint8Array | NestedUint8Array

export function encodeMessagesRequest(req: MessagesRequest): Uint8Array {
  if (req.id.length !== REQUEST_ID_LENGTH) throw new WhisperError('bad-argument', 'request id must be 32 bytes')
  return RLP.encode([req.id, req.lower, req.upper, req.limit, req.cursor, req.bloom])
}

export function decodeMessagesRequest(item: RlpItem): MessagesRequest {
  if (!Array.isArray(item) || item.length !== 6) throw badRequest('MessagesRequest must be a 6-item list')
  const [id, from, to, limit, cursor, bloom] = item as RlpItem[]
  const idBytes = bytes(id, 'id')
  if (idBytes.length !== REQUEST_ID_LENGTH) throw badRequest('request id must be 32 bytes')
  return {
    id: idBytes,
    lower: uint32(from as RlpItem, 'from'),
    upper: uint32(to as RlpItem, 'to'),
    limit: uint32(limit as RlpItem, 'limit'),
    cursor: cursorField(cursor as RlpItem),
    bloom: bloomField(bloom as RlpItem)
  }
}

/** Envelope-form payload as status clients sent it before 2020: RLP [lower, upper, bloom, limit, cursor, batch=true]. */
export function encodeRequestPayload(q: HistoryQuery): Uint8Array {
  return RLP.encode([q.lower, q.upper, q.bloom, q.limit, q.cursor, 1])
}

/** Any payload form a status-go or geth client may put inside a request envelope. */
export function decodeRequestPayload(payload: Uint8Array): HistoryQuery {
  let item: RlpItem | null = null
  try {
    item = RLP.decode(payload)
  } catch {
    item = null
  }
  if (Array.isArray(item) && item.length >= 5 && item.length <= 7) {
    // 7 items: [lower, upper, bloom, topics, limit, cursor, batch] (status-go ≥ 2020-01); otherwise no topics.
    const [lower, upper, bloom, ...rest] = item as RlpItem[]
    const tail = item.length === 7 ? rest.slice(1) : rest
    return {
      lower: uint32(lower as RlpItem, 'lower'),
      upper: uint32(upper as RlpItem, 'upper'),
      bloom: bloomField(bloom as RlpItem),
      limit: uint32(tail[0] as RlpItem, 'limit'),
      cursor: cursorField(tail[1] as RlpItem)
    }
  }
  return decodeBinaryPayload(payload)
}

function decodeBinaryPayload(p: Uint8Array): HistoryQuery {
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength)
  if (p.length === 8) return { lower: view.getUint32(0), upper: view.getUint32(4), bloom: FULL_BLOOM.slice(), limit: 0, cursor: new Uint8Array(0) }
  if (p.length !== 72 && p.length !== 76 && p.length !== 76 + CURSOR_LENGTH) {
    throw badRequest(`request payload of ${p.length} bytes is neither RLP nor lower ‖ upper [‖ bloom [‖ limit [‖ cursor]]]`)
  }
  return {
    lower: view.getUint32(0),
    upper: view.getUint32(4),
    bloom: p.slice(8, 72),
    limit: p.length >= 76 ? view.getUint32(72) : 0,
    cursor: p.slice(76)
  }
}

/** Server-side defaults and limits: limit 0/too big → 1000, upper 0 → now + 60 s, range ≤ 24 h, lower ≤ upper. */
export function normalizeQuery(q: HistoryQuery, nowSec: number): HistoryQuery {
  const upper = q.upper === 0 ? nowSec + 60 : q.upper
  if (q.lower > upper) throw badRequest(`query lower bound ${q.lower} is after upper bound ${upper}`)
  if (upper - q.lower > MAX_QUERY_RANGE_SECONDS) throw badRequest('query range is wider than 24 hours')
  const limit = q.limit === 0 || q.limit > MAX_PAGE_LIMIT ? MAX_PAGE_LIMIT : q.limit
  return { ...q, upper, limit }
}

export type RequestCompletion =
  | { kind: 'ok'; requestId: Uint8Array; lastEnvelopeHash: Uint8Array; cursor: Uint8Array }
  | { kind: 'error'; requestId: Uint8Array; message: string }

const ERROR_PREFIX = utf8ToBytes('ERROR=')

export function encodeRequestComplete(requestId: Uint8Array, lastEnvelopeHash: Uint8Array, cursor: Uint8Array): Uint8Array {
  return concatBytes(requestId, lastEnvelopeHash, cursor)
}

export function encodeRequestError(requestId: Uint8Array, message: string): Uint8Array {
  return concatBytes(ERROR_PREFIX, requestId, utf8ToBytes(message))
}

export function decodeRequestComplete(payload: Uint8Array): RequestCompletion {
  if (payload.length >= ERROR_PREFIX.length + REQUEST_ID_LENGTH && ERROR_PREFIX.every((b, i) => payload[i] === b)) {
    const idEnd = ERROR_PREFIX.length + REQUEST_ID_LENGTH
    return {
      kind: 'error',
      requestId: payload.slice(ERROR_PREFIX.length, idEnd),
      message: new TextDecoder().decode(payload.subarray(idEnd))
    }
  }
  if (payload.length !== 64 && payload.length !== 64 + CURSOR_LENGTH) {
    throw badRequest(`request completion of ${payload.length} bytes`)
  }
  return { kind: 'ok', requestId: payload.slice(0, 32), lastEnvelopeHash: payload.slice(32, 64), cursor: payload.slice(64) }
}

function badRequest(message: string): WhisperError {
  return new WhisperError('bad-request', message)
}

function bytes(item: RlpItem | undefined, field: string): Uint8Array {
  if (!(item instanceof Uint8Array)) throw badRequest(`${field} must be a byte string`)
  return item
}

function uint32(item: RlpItem, field: string): number {
  try {
    return Number(decodeUint(item, 4, field))
  } catch (cause) {
    throw new WhisperError('bad-request', `bad ${field}: ${(cause as Error).message}`, { cause })
  }
}

function cursorField(item: RlpItem): Uint8Array {
  const cursor = bytes(item, 'cursor')
  if (cursor.length !== 0 && cursor.length !== CURSOR_LENGTH) throw badRequest(`cursor must be empty or ${CURSOR_LENGTH} bytes`)
  return cursor
}

/** Empty means "everything", as status-go treats a missing bloom. */
function bloomField(item: RlpItem): Uint8Array {
  const bloom = bytes(item, 'bloom')
  if (bloom.length === 0) return FULL_BLOOM.slice()
  if (bloom.length !== BLOOM_LENGTH) throw badRequest(`bloom must be ${BLOOM_LENGTH} bytes`)
  return bloom
}
