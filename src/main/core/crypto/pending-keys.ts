import type { MessageKeyRef, StoredMessageKey } from './ratchet'
import { messageKeyId } from './protocol-state'

/*
 * The ledger of message keys handed out with a decrypted message and not yet confirmed (see the two-phase
 * persistence in session-manager.ts and the record rules in protocol-state.ts). While a key is pending,
 * every later step of its session re-puts it, so losing the message's batch loses nothing; once it is
 * confirmed, its tombstone is deleted with the session's next write, unless a later step re-put the key
 * (then the tombstone must outlive this run, or a restart would resurrect the key).
 */

/**
 * Decrypt steps whose ops the caller commits together in one atomic store batch, or not at all (a received
 * batch): compared by identity. A key handed out within a batch need not be re-put by the batch's later
 * steps, since its message's ops land or are lost with theirs.
 */
export interface SessionBatch {
  readonly kind: 'session-batch'
}

interface PendingKey {
  ref: StoredMessageKey
  /** A later op re-put this key, so its tombstone must outlive this run. */
  reput: boolean
  /** The batch whose step handed it out, if any. */
  batch: SessionBatch | undefined
}

export interface StepKeys {
  /** Keys of messages handed out but not yet confirmed, to re-put with this step. */
  unconfirmed: StoredMessageKey[]
  /** Tombstones nothing can resurrect any more, to delete with this step. */
  expiredTombstones: MessageKeyRef[]
}

export class PendingKeys {
  /** Per session: keys of messages handed out and not yet confirmed. */
  private readonly pending = new Map<string, Map<string, PendingKey>>()
  /** Per session: tombstones nothing can resurrect any more, deleted with the session's next write. */
  private readonly expired = new Map<string, MessageKeyRef[]>()

  /**
   * What the next write of session `sid` carries; `consumedId` is the key that step itself uses up, `batch`
   * the batch the step's ops are committed with.
   */
  step(sid: string, consumedId?: string, batch?: SessionBatch): StepKeys {
    const unconfirmed: StoredMessageKey[] = []
    for (const [id, entry] of this.pending.get(sid) ?? []) {
      if (id === consumedId || (batch !== undefined && entry.batch === batch)) continue
      entry.reput = true
      unconfirmed.push(entry.ref)
    }
    const expiredTombstones = this.expired.get(sid) ?? []
    this.expired.delete(sid)
    return { unconfirmed, expiredTombstones }
  }

  /** Records the key of a message just decrypted in session `sid` (by a step of `batch`) as handed out. */
  handOut(sid: string, key: StoredMessageKey, batch?: SessionBatch): void {
    const pending = this.pending.get(sid) ?? new Map<string, PendingKey>()
    const id = messageKeyId(key)
    pending.set(id, { ref: key, reput: pending.get(id)?.reput ?? false, batch })
    this.pending.set(sid, pending)
  }

  /** The message of `ref` is committed: forget its key. False when it was not pending (already confirmed). */
  confirm(sid: string, ref: MessageKeyRef): boolean {
    const pending = this.pending.get(sid)
    const id = messageKeyId(ref)
    const entry = pending?.get(id)
    if (!pending || !entry) return false
    pending.delete(id)
    if (pending.size === 0) this.pending.delete(sid)
    if (!entry.reput) {
      const expired = this.expired.get(sid) ?? []
      expired.push(ref)
      this.expired.set(sid, expired)
    }
    return true
  }
}
