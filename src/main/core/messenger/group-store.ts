import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import * as z from 'zod'
import { decodeGroupEvent, type GroupEvent } from '../protocol/group-events'
import { MAX_GROUP_EVENTS, MAX_GROUP_ID_LENGTH } from '../protocol/group-limits'
import { type GroupState, restoreGroup } from '../protocol/group-state'
import { type EncryptedStore, StoreError } from '../storage/encrypted-store'
import { chatHash, iterateJson } from './records'
import { StagedMap, type Transaction } from './transaction'

export const GROUP_PREFIX = 'messenger/group/'

const KEY_ID = /^0x04[0-9a-f]{128}$/

/**
 * A group as stored: its verified history (each event's bytes with the signer we recovered, so a
 * restart recovers no signature again). Read back through zod; the state is rebuilt by the same state
 * machine that accepted it.
 */
const GroupRecord = z
  .object({
    id: z.string().min(1).max(MAX_GROUP_ID_LENGTH),
    events: z
      .array(z.object({ raw: z.string().regex(/^[0-9a-f]+$/).max(16_384), author: z.string().regex(KEY_ID) }).strict())
      .min(1)
      .max(MAX_GROUP_EVENTS)
  })
  .strict()
type GroupRecord = z.infer<typeof GroupRecord>

export function groupRecordKey(groupId: string): string {
  return GROUP_PREFIX + chatHash(groupId)
}

/** The account's private groups, loaded once, changed through Transactions like the chat list. */
export class GroupStore {
  private constructor(private readonly groups: StagedMap<GroupState>) {}

  static async load(store: EncryptedStore): Promise<GroupStore> {
    const groups = new Map<string, GroupState>()
    for await (const [key, value] of iterateJson<unknown>(store, GROUP_PREFIX)) {
      const state = parseGroupRecord(key, value)
      groups.set(state.id, state)
    }
    return new GroupStore(new StagedMap(groups))
  }

  get(id: string, tx?: Transaction): GroupState | undefined {
    return this.groups.get(id, tx)
  }

  put(tx: Transaction, state: GroupState): void {
    this.groups.set(tx, state.id, state)
    const record: GroupRecord = { id: state.id, events: state.events.map((e) => ({ raw: bytesToHex(e.raw), author: e.author })) }
    tx.putJson(groupRecordKey(state.id), record)
  }

  remove(tx: Transaction, id: string): void {
    this.groups.delete(tx, id)
    tx.del(groupRecordKey(id))
  }
}

/** A stored record back to its state; anything that does not rebuild is a corrupt value, never a half group. */
export function parseGroupRecord(key: string, value: unknown): GroupState {
  const parsed = GroupRecord.safeParse(value)
  if (!parsed.success) throw new StoreError('VALUE_CORRUPT', `stored group "${key}" is malformed`, key)
  let events: GroupEvent[]
  try {
    events = parsed.data.events.map(({ raw, author }) => ({ ...decodeGroupEvent(hexToBytes(raw)), author }))
  } catch (error) {
    throw new StoreError('VALUE_CORRUPT', `stored group "${key}" holds an undecodable event`, key, { cause: error })
  }
  const restored = restoreGroup(parsed.data.id, events)
  if (!restored.ok) throw new StoreError('VALUE_CORRUPT', `stored group "${key}" does not rebuild: ${restored.detail}`, key)
  return restored.state
}
