import { create, toBinary } from '@bufbuild/protobuf'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { keccak256 } from '../../primitives/keccak'
import { compressPublicKey } from '../../primitives/secp256k1'
import { DecodeError, decodeProto } from '../decode'
import { type Message as SyncMessage, type Payload as SyncPayload, PayloadSchema } from '../gen/mvds/sync_pb'

export type { SyncMessage, SyncPayload }

const MESSAGE_ID_PREFIX = utf8ToBytes('MESSAGE_ID')

/** MVDS message id as vacp2p/mvds computes it: sha256("MESSAGE_ID" ‖ group ‖ int64 LE seconds ‖ body). */
export function syncMessageId(message: Pick<SyncMessage, 'groupId' | 'timestamp' | 'body'>): Uint8Array {
  const timestamp = new Uint8Array(8)
  new DataView(timestamp.buffer).setBigInt64(0, message.timestamp, true)
  return sha256(concatBytes(MESSAGE_ID_PREFIX, message.groupId, timestamp, message.body))
}

/** status-go's 1:1 group id: keccak256 of both compressed keys, lower X coordinate first. */
export function oneToOneGroupId(keyA: Uint8Array, keyB: Uint8Array): Uint8Array {
  const a = compressPublicKey(keyA)
  const b = compressPublicKey(keyB)
  // Big-endian X after the one-byte prefix: byte order is numeric order.
  const [first, second] = Buffer.compare(a.subarray(1), b.subarray(1)) < 0 ? [a, b] : [b, a]
  return keccak256(concatBytes(first, second))
}

export function encodeSyncPayload(payload: {
  acks?: Uint8Array[]
  offers?: Uint8Array[]
  requests?: Uint8Array[]
  messages?: Array<Pick<SyncMessage, 'groupId' | 'timestamp' | 'body'>>
}): Uint8Array {
  return toBinary(PayloadSchema, create(PayloadSchema, payload))
}

/**
 * The MVDS payload inside decrypted bytes, or null when they are not one
 * (undecodable, or every list empty): the caller then treats the bytes as a
 * bare ApplicationMetadataMessage, as status-go falls through.
 */
export function decodeSyncPayload(bytes: Uint8Array): SyncPayload | null {
  let payload: SyncPayload
  try {
    payload = decodeProto(PayloadSchema, bytes)
  } catch (err) {
    if (err instanceof DecodeError) return null
    throw err
  }
  const hasContent =
    payload.acks.length + payload.offers.length + payload.requests.length + payload.messages.length > 0
  return hasContent ? payload : null
}
