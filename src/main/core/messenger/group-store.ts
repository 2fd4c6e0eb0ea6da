import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import * as z from 'zod'
import { decodeGroupEvent, type GroupEvent } from '../protocol/group-events'
import { MAX_GROUP_EVENTS, MAX_GROUP_ID_LENGTH } from '../protocol/group-limits'
import { type GroupState, restoreGroup } from '../protocol/group-state'
import { type EncryptedStore, StoreError } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { GROUP_PREFIX, type RecordKeys } from './records'
import { StagedMap, type Transaction } from './transaction'

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

/** The account's private groups, loaded once, changed through Transactions like the chat list. */
export class GroupStore {
  private constructor(
    private readonly groups: StagedMap<GroupState>,
    private readonly keys: RecordKeys
  ) {}

  /**
   * Loads every group that parses and rebuilds; one that does not is reported to `onUnreadable` and left out
   * (never half a group), or, without it, ends the load with a StoreError.
   */
  static async load(store: EncryptedStore, keys: RecordKeys, onUnreadable?: OnUnreadable): Promise<GroupStore> {
    const groups = new Map<string, GroupState>()
    for await (const [key, record] of iterateParsed(store, GROUP_PREFIX, GroupRecord, onUnreadable)) {
      let state: GroupState
      try {
        state = rebuildGroup(key, record)
      } catch (error) {
        if (!onUnreadable || !(error instanceof StoreError)) throw error
        onUnreadable(error)
        continue
      }
      groups.set(state.id, state)
    }
    return new GroupStore(new StagedMap(groups), keys)
  }

  get(id: string, tx?: Transaction): GroupState | undefined {
    return this.groups.get(id, tx)
  }

  /** Committed groups. */
  all(): IterableIterator<GroupState> {
    return this.groups.values()
  }

  put(tx: Transaction, state: GroupState): void {
    this.groups.set(tx, state.id, state)
    const record: GroupRecord = { id: state.id, events: state.events.map((e) => ({ raw: bytesToHex(e.raw), author: e.author })) }
    tx.putJson(this.keys.group(state.id), record)
  }

  remove(tx: Transaction, id: string): void {
    this.groups.delete(tx, id)
    tx.del(this.keys.group(id))
  }
}

/** A validated record back to its state; anything that does not rebuild is a corrupt value, never a half group. */
function rebuildGroup(key: string, record: GroupRecord): GroupState {
  let events: GroupEvent[]
  try {
    events = record.events.map(({ raw, author }) => ({ ...decodeGroupEvent(hexToBytes(raw)), author }))
  } catch (error) {
    throw new StoreError('VALUE_CORRUPT', `stored group "${key}" holds an undecodable event`, key, { cause: error })
  }
  const restored = restoreGroup(record.id, events)
  if (!restored.ok) throw new StoreError('VALUE_CORRUPT', `stored group "${key}" does not rebuild: ${restored.detail}`, key)
  return restored.state
}
