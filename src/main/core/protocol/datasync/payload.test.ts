import { createHash } from 'node:crypto'
import { create, toBinary } from '@bufbuild/protobuf'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { keccak256 } from '../../primitives/keccak'
import { ApplicationMetadataMessageSchema } from '../gen/protobuf/application_metadata_message_pb'
import { decodeSyncPayload, encodeSyncPayload, oneToOneGroupId, syncMessageId } from './payload'

const keyA = secp256k1.getPublicKey(hexToBytes('c6cbd7d76bc5baca530c875663711b947efa6a86a900a9e8645ce32e5821484e'), false)
const keyB = secp256k1.getPublicKey(hexToBytes('d51dd64ad19ea84968a308dca246012c00d2b2101d41bce740acd1c650acc509'), false)

describe('MVDS wire format (§7, fields 5001+/6001+)', () => {
  it('uses the 5001+/6001+ field numbers on the wire', () => {
    const bytes = encodeSyncPayload({
      acks: [new Uint8Array([0xaa])],
      messages: [{ groupId: new Uint8Array([1]), timestamp: 2n, body: new Uint8Array([3]) }]
    })
    // acks (5001) = cab802 01 aa; messages (5004) = e2b802 0e, holding
    // group_id (6001) = 8af702 01 01, timestamp (6002) = 90f702 02, body (6003) = 9af702 01 03.
    expect(bytesToHex(bytes)).toBe('cab80201aae2b8020e8af702010190f702029af7020103')
  })

  it('round-trips', () => {
    const bytes = encodeSyncPayload({ acks: [new Uint8Array(32).fill(7)], requests: [new Uint8Array(32).fill(9)] })
    const decoded = decodeSyncPayload(bytes)
    expect(decoded?.acks.map(bytesToHex)).toEqual(['07'.repeat(32)])
    expect(decoded?.requests.map(bytesToHex)).toEqual(['09'.repeat(32)])
  })

  it('is not MVDS when every list is empty: an ApplicationMetadataMessage falls through', () => {
    const wrapper = toBinary(
      ApplicationMetadataMessageSchema,
      create(ApplicationMetadataMessageSchema, { signature: new Uint8Array(65), payload: utf8ToBytes('hi'), type: 1 })
    )
    expect(decodeSyncPayload(wrapper)).toBeNull()
    expect(decodeSyncPayload(new Uint8Array())).toBeNull()
    expect(decodeSyncPayload(hexToBytes('e2b802ff'))).toBeNull()
  })
})

describe('syncMessageId', () => {
  it('is sha256("MESSAGE_ID" ‖ group ‖ int64 LE timestamp ‖ body)', () => {
    const groupId = new Uint8Array(32).fill(0x11)
    const body = utf8ToBytes('hello')
    const ts = Buffer.alloc(8)
    ts.writeBigInt64LE(1_586_000_000n)
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from('MESSAGE_ID'), groupId, ts, body]))
      .digest('hex')
    expect(bytesToHex(syncMessageId({ groupId, timestamp: 1_586_000_000n, body }))).toBe(expected)
  })
})

describe('oneToOneGroupId', () => {
  it('is keccak256 of the compressed keys ordered by X, and symmetric', () => {
    const xa = secp256k1.Point.fromBytes(keyA).toAffine().x
    const xb = secp256k1.Point.fromBytes(keyB).toAffine().x
    const ca = secp256k1.Point.fromBytes(keyA).toBytes(true)
    const cb = secp256k1.Point.fromBytes(keyB).toBytes(true)
    const expected = xa < xb ? keccak256(concatBytes(ca, cb)) : keccak256(concatBytes(cb, ca))
    expect(bytesToHex(oneToOneGroupId(keyA, keyB))).toBe(bytesToHex(expected))
    expect(bytesToHex(oneToOneGroupId(keyB, keyA))).toBe(bytesToHex(expected))
    expect(bytesToHex(oneToOneGroupId(ca, keyB))).toBe(bytesToHex(expected))
  })
})
