import { bytesToHex } from '@noble/hashes/utils.js'
import type { RandomBytes } from '../primitives/secp256k1'
import { isChatKeyId } from './chat-matching'
import { MAX_GROUP_ID_LENGTH } from './group-limits'

/*
 * Private group chat ids: `<UUIDv4>-0x04<creator's uncompressed key, lowercase hex>`, as status-go's
 * NewGroupWithCreator makes them (uuid.New() + "-" + the creator's key).
 *
 * Two checks, on purpose of different strength:
 * - `groupIdNamesCreator` is the rule status-go applies to every received group (Group.validateChatID):
 *   the id ends with the key that signed CHAT_CREATED and is not that key alone. The prefix is not
 *   checked. Receiving uses this rule (plus MAX_GROUP_ID_LENGTH), so Hush accepts every group a
 *   status-go peer accepts.
 * - `parseGroupId` is strict (canonical lowercase UUID v4, a key on the curve) and is what Hush itself
 *   creates; use it for ids from anywhere but a verified group history (links, the page, storage).
 */

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const UUID_LENGTH = 36

export type ParsedGroupId =
  | { readonly ok: true; readonly uuid: string; readonly creator: string }
  | { readonly ok: false; readonly reason: 'GROUP_ID_INVALID'; readonly detail: string }

/** A UUID v4 (RFC 4122 §4.4) from 16 bytes of `random`, lowercase as Go's uuid.UUID.String(). */
export function uuidV4(random: RandomBytes): string {
  const bytes = random(16)
  if (bytes.length !== 16) throw new RangeError(`uuidV4 needs 16 random bytes, got ${bytes.length}`)
  const b = Uint8Array.from(bytes)
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const hex = bytesToHex(b)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** A fresh group id for a group created by `creatorId` ("0x04…"). */
export function newGroupId(creatorId: string, random: RandomBytes): string {
  if (!isChatKeyId(creatorId)) throw new RangeError('group creator must be a "0x04…" chat key id')
  return `${uuidV4(random)}-${creatorId}`
}

/** Strict parse: `<canonical lowercase UUID v4>-<0x04 key on secp256k1>`. */
export function parseGroupId(id: string): ParsedGroupId {
  if (id.length > MAX_GROUP_ID_LENGTH) return invalid(`group id longer than ${MAX_GROUP_ID_LENGTH} characters`)
  const uuid = id.slice(0, UUID_LENGTH)
  const creator = id.slice(UUID_LENGTH + 1)
  if (!UUID_V4.test(uuid) || id[UUID_LENGTH] !== '-') return invalid('group id does not start with a UUID v4 and "-"')
  if (!isChatKeyId(creator)) return invalid('group id does not end with a valid "0x04…" creator key')
  return { ok: true, uuid, creator }
}

/** status-go's received-group rule: the id ends with the creator's key and is more than that key. */
export function groupIdNamesCreator(id: string, creatorId: string): boolean {
  return creatorId.length > 0 && id.endsWith(creatorId) && id !== creatorId
}

function invalid(detail: string): ParsedGroupId {
  return { ok: false, reason: 'GROUP_ID_INVALID', detail }
}
