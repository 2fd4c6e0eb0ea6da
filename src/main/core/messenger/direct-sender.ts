import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { Message } from '../../../shared/api'
import { type BatchNodeOptions, type BatchNodeSnapshot, BatchSyncNode, EPOCH_MS } from '../protocol/datasync/batch-node'
import { decodeSyncPayload, oneToOneGroupId, type SyncPayload, syncMessageId } from '../protocol/datasync/payload'
import type { ChangeFeed } from './change-feed'
import type { MessengerContext } from './context'
import { type DeliveryStatus, isUnsent } from './delivery-status'
import type { FanoutRef, OutboxEntry, SyncRef } from './outbox'
import { Transaction } from './transaction'

/**
 * Epochs a new message or ack may run ahead of the 300 ms cadence (a token bucket refilled at one per
 * epoch): sends into a quiet conversation go out at once, while a busy one keeps MVDS's average epoch
 * length, so resend backoffs (counted in epochs) stay as long in wall-clock time as status-go's.
 */
export const EPOCH_BURST = 3

/**
 * 1:1 sending through MVDS: messages are queued when their transaction commits, each epoch encrypts the
 * node's payloads with the session manager and posts them after the epoch's own commit, acknowledgements
 * and give-ups become delivery states. Epochs run only while there is something to send or acknowledge.
 */
export class DirectSender {
  /** Replaced by its snapshot when a step that changed it fails to commit. */
  private sync: BatchSyncNode
  private tickTimer: unknown = null
  private lastTickAt = 0
  private epochTokens = EPOCH_BURST
  private epochTokensAt = 0
  private acksPending = false
  /** MVDS ids of our ContactUpdates not yet acknowledged or given up: they keep the epochs running. */
  private readonly contactUpdatesInFlight = new Set<string>()

  constructor(
    private readonly ctx: Pick<MessengerContext, 'store' | 'sessions' | 'identity' | 'transport' | 'outbox' | 'timers' | 'now' | 'log' | 'serial' | 'stopped'>,
    private readonly status: DeliveryStatus,
    private readonly feed: ChangeFeed,
    private readonly options: Pick<BatchNodeOptions, 'backoff' | 'maxSendCount'> = {}
  ) {
    this.sync = this.restore()
  }

  /**
   * Hands a message for the 1:1 channel with `chatId` (a "0x04…" key: the 1:1 chat, or one member of a
   * group) to MVDS once `tx` commits; it goes out on the next epoch after.
   */
  queue(tx: Transaction, chatId: string, wrapper: Uint8Array): SyncRef {
    const peer = hexToBytes(chatId.slice(2))
    const groupId = oneToOneGroupId(this.ctx.identity.publicKey, peer)
    const timestamp = BigInt(Math.floor(this.ctx.now() / 1000))
    const id = bytesToHex(syncMessageId({ groupId, timestamp, body: wrapper }))
    tx.onCommit(() => this.sync.send(groupId, [peer], wrapper, timestamp))
    return { id, groupId: bytesToHex(groupId), timestamp: timestamp.toString() }
  }

  /** Like `queue`, for a ContactUpdate (no outbox entry): it keeps the epochs running until final. */
  queueContactUpdate(tx: Transaction, chatId: string, wrapper: Uint8Array): void {
    this.queueUntracked(tx, chatId, wrapper)
  }

  /** A message without an outbox entry (a ContactUpdate, a group membership change): it keeps the epochs running until final. */
  queueUntracked(tx: Transaction, chatId: string, wrapper: Uint8Array): void {
    const { id } = this.queue(tx, chatId, wrapper)
    tx.onCommit(() => this.contactUpdatesInFlight.add(id))
  }

  /** A not-sent message goes back to MVDS when `tx` commits: the same record if the node still has it, else anew. */
  requeue(tx: Transaction, entry: OutboxEntry): SyncRef {
    const sync = entry.sync
    if (sync && this.sync.statusOf(sync.id).size > 0) {
      tx.onCommit(() => this.sync.retry(sync.id))
      return sync
    }
    return this.queue(tx, entry.message.chatId, hexToBytes(entry.wrapper))
  }

  /** `requeue` for a group message: each copy not yet acknowledged goes back to its recipient. */
  requeueFanout(tx: Transaction, entry: OutboxEntry): FanoutRef[] {
    return (entry.fanout ?? []).map((copy) => {
      if (copy.delivered) return copy
      if (this.sync.statusOf(copy.sync.id).size > 0) {
        tx.onCommit(() => this.sync.retry(copy.sync.id))
        return copy
      }
      return { ...copy, sync: this.queue(tx, copy.peer, hexToBytes(entry.wrapper)) }
    })
  }

  /** The node's state before a step, to go back to if the step does not commit. */
  snapshot(): BatchNodeSnapshot {
    return this.sync.snapshot()
  }

  /**
   * A decrypted MVDS payload from `sender`: acknowledgements become delivered states (staged into `tx`,
   * collected in `updates`); returns the bodies of the messages it carried for the first time.
   */
  receive(tx: Transaction, sender: Uint8Array, payload: SyncPayload, updates: Message[]): Uint8Array[] {
    this.acksPending ||= payload.messages.length > 0
    const events = this.sync.receive(sender, payload)
    const acknowledged = events.flatMap((e) => (e.type === 'status' && e.status === 'delivered' ? [e.messageId] : []))
    this.status.stageAcknowledged(tx, acknowledged, updates)
    return events.flatMap((event) => (event.type === 'received' ? [event.message.body] : []))
  }

  /** Commits `tx`; if that fails, MVDS goes back to `before`, so nothing unstored is acknowledged. */
  async commit(tx: Transaction, before: BatchNodeSnapshot): Promise<void> {
    try {
      await tx.commit(this.ctx.store)
    } catch (error) {
      this.sync = BatchSyncNode.restore(before, this.syncOptions())
      throw error
    }
  }

  /**
   * MVDS epochs run only while there is something to send or acknowledge, one per EPOCH_MS. `urgent`
   * (a new message, acks owed) runs the epoch now if the bucket has a token to spare.
   */
  schedule(urgent = false): void {
    if (this.ctx.stopped()) return
    const now = this.ctx.now()
    this.epochTokens = Math.min(EPOCH_BURST, this.epochTokens + (now - this.epochTokensAt) / EPOCH_MS)
    this.epochTokensAt = now
    const wait = urgent && this.epochTokens >= 1 ? 0 : Math.max(0, this.lastTickAt + EPOCH_MS - now)
    if (this.tickTimer !== null) {
      if (wait > 0) return
      this.ctx.timers.clearTimeout(this.tickTimer)
    }
    this.tickTimer = this.ctx.timers.setTimeout(() => {
      this.tickTimer = null
      void this.ctx.serial(() => this.tick()).catch((error: unknown) => this.ctx.log.error('MVDS tick failed', { error }))
    }, wait)
  }

  /** After a received payload: acknowledgements owed go out at once. */
  acknowledgeSoon(): void {
    if (this.acksPending) this.schedule(true)
  }

  stop(): void {
    this.ctx.timers.clearTimeout(this.tickTimer)
  }

  private async tick(): Promise<void> {
    if (this.ctx.stopped()) return
    const { outbox, sessions, transport } = this.ctx
    this.lastTickAt = this.ctx.now()
    this.epochTokens = Math.max(0, this.epochTokens - 1)
    this.acksPending = false
    const before = this.sync.snapshot()
    const { payloads, events } = this.sync.tick()
    const tx = new Transaction()
    const updates: Message[] = []
    const gaveUp = events.flatMap((e) => (e.type === 'status' && e.status === 'not-sent' ? [e.messageId] : []))
    this.status.stage(tx, gaveUp.flatMap((syncId) => outbox.bySync(syncId, tx)?.message.id ?? []), 'not-sent', updates)
    const posts: Array<{ peer: Uint8Array; protocolMessage: Uint8Array; negotiated: Uint8Array | null }> = []
    const online = transport.reachablePeers() > 0
    for (const { peer, payload } of payloads) {
      const { protocolMessage, writes, sharedSecret } = await sessions.encrypt(peer, payload)
      tx.add(writes)
      // As status-go: listen on the negotiated topic before writing, so the answer cannot arrive unheard.
      await transport.watchNegotiated(sharedSecret.secret)
      posts.push({ peer, protocolMessage, negotiated: sharedSecret.agreed ? sharedSecret.secret : null })
      const carried = (decodeSyncPayload(payload)?.messages ?? []).map((m) => bytesToHex(syncMessageId(m)))
      const ids = carried.flatMap((syncId) => outbox.bySync(syncId, tx)?.message.id ?? [])
      // No connected peer would take it (none, or all ask more PoW than we mine to): waiting, not sent.
      const unsent = ids.filter((id) => isUnsent(outbox.get(id, tx)?.message.status))
      this.status.stage(tx, unsent, online ? 'sent' : 'waiting', updates)
    }
    tx.afterCommit(() => this.feed.upserted(updates))
    await this.commit(tx, before)
    for (const { peer, protocolMessage, negotiated } of posts) {
      try {
        await transport.postDirect(peer, protocolMessage, negotiated)
      } catch (error) {
        this.ctx.log.warn('1:1 message not posted; MVDS will resend it', { error })
      }
    }
    if (this.hasWork()) this.schedule()
  }

  /** At start: 1:1 messages still waiting for an ACK go back into MVDS under their old ids. */
  private restore(): BatchSyncNode {
    const waiting = this.ctx.outbox.all().flatMap((e) => (isUnsent(e.message.status) || e.message.status === 'sent' ? pendingCopies(e) : []))
    return BatchSyncNode.restore(
      {
        epoch: 0,
        messages: waiting.map(({ sync, wrapper }) => ({ id: sync.id, groupId: sync.groupId, timestamp: sync.timestamp, body: wrapper })),
        outgoing: waiting.map(({ sync, peer }) => ({
          id: sync.id,
          peer: peer.slice(2),
          sendCount: 0,
          sendEpoch: 1,
          status: 'sending' as const
        })),
        pendingAcks: [],
        seen: []
      },
      this.syncOptions()
    )
  }

  private syncOptions(): BatchNodeOptions {
    return { ...this.options, now: this.ctx.now }
  }

  private hasWork(): boolean {
    if (this.acksPending) return true
    // Forgets ContactUpdates that reached a final state while checking for ones still on their way.
    for (const id of this.contactUpdatesInFlight) {
      if ([...this.sync.statusOf(id).values()].some((status) => status === 'sending' || status === 'sent')) return true
      this.contactUpdatesInFlight.delete(id)
    }
    return this.ctx.outbox.all().some((e) => (e.sync || e.fanout) && (isUnsent(e.message.status) || e.message.status === 'sent'))
  }
}

/** The MVDS records of an outbox entry still waiting for an acknowledgement, with their recipients. */
function pendingCopies(entry: OutboxEntry): Array<{ sync: SyncRef; peer: string; wrapper: string }> {
  if (entry.sync) return [{ sync: entry.sync, peer: entry.message.chatId, wrapper: entry.wrapper }]
  return (entry.fanout ?? []).flatMap((f) => (f.delivered ? [] : [{ sync: f.sync, peer: f.peer, wrapper: entry.wrapper }]))
}
