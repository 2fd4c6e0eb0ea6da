import { hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import vectors from '../../../../test/vectors/status-go-groups.json'
import { groupIdNamesCreator, newGroupId, parseGroupId, uuidV4 } from './group-id'
import { MAX_GROUP_ID_LENGTH } from './group-limits'

const alice = vectors.keys.alice.publicKey
const bob = vectors.keys.bob.publicKey

describe('group ids: UUIDv4-0x04…creator', () => {
  it('reproduces status-go’s vector id from its fixed UUID', () => {
    const uuidBytes = hexToBytes(vectors.groups.uuid.replaceAll('-', ''))
    expect(newGroupId(alice, () => uuidBytes)).toBe(vectors.groups.chatId)
  })

  it('sets the version and variant bits whatever the random bytes', () => {
    expect(uuidV4(() => new Uint8Array(16).fill(0xff))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff')
    expect(uuidV4(() => new Uint8Array(16))).toBe('00000000-0000-4000-8000-000000000000')
    expect(() => uuidV4(() => new Uint8Array(15))).toThrow(RangeError)
  })

  it('refuses to make an id for a malformed creator key', () => {
    expect(() => newGroupId('0x04' + '00'.repeat(64), () => new Uint8Array(16))).toThrow(RangeError)
    expect(() => newGroupId(alice.toUpperCase(), () => new Uint8Array(16))).toThrow(RangeError)
  })

  it('parses a canonical id into its UUID and creator', () => {
    expect(parseGroupId(vectors.groups.chatId)).toEqual({ ok: true, uuid: vectors.groups.uuid, creator: alice })
  })

  it('strictly refuses malformed ids, a malformed creator key first of all', () => {
    const uuid = vectors.groups.uuid
    const bad = [
      `${uuid}-0x04${'00'.repeat(64)}`, // not a point on the curve
      `${uuid}-${alice.slice(0, -2)}`, // too short
      `${uuid}-${alice.toUpperCase()}`, // not lowercase
      `${uuid}-0x02${alice.slice(4, 68)}`, // compressed
      `${uuid}${alice}`, // no separator
      `00000000-0000-1000-8000-000000000001-${alice}`, // UUID v1
      `00000000-0000-4000-c000-000000000001-${alice}`, // wrong variant
      `ABCDEF00-0000-4000-8000-000000000001-${alice}`, // upper case
      alice,
      '',
      `${uuid}-${alice}${'0'.repeat(MAX_GROUP_ID_LENGTH)}`
    ]
    for (const id of bad) expect(parseGroupId(id), id).toMatchObject({ ok: false, reason: 'GROUP_ID_INVALID' })
  })

  it('status-go’s received-group rule checks only the creator suffix', () => {
    expect(groupIdNamesCreator(vectors.groups.chatId, alice)).toBe(true)
    expect(groupIdNamesCreator(`anything${alice}`, alice)).toBe(true)
    expect(groupIdNamesCreator(vectors.groups.chatId, bob)).toBe(false)
    expect(groupIdNamesCreator(alice, alice)).toBe(false)
    expect(groupIdNamesCreator('x', '')).toBe(false)
  })
})
