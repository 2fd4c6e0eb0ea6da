import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { Message } from '../../../shared/api'
import { type BatchNodeOptions, type BatchNodeSnapshot, BatchSyncNode, EPOCH_MS } from '../protocol/datasync/batch-node'
import { decodeSyncPayload, oneToOneGroupId, type SyncPayload, syncMessageId } from '../protocol/datasync/payload'
import { TokenBucket } from '../runtime/token-bucket'
import type { ChangeFeed } from './change-feed'
import type { MessengerContext } from './context'
import { type DeliveryStatus, isUnsent } from './delivery-status'
import { MAX_HISTORY_SECONDS } from './history-sync'
import type { FanoutRef, OutboxEntry, SyncRef } from './outbox'
import { Transaction } from './transaction'

/**
 * Flushes (MVDS steps that send what is new: messages, acks owed) run as soon as one is asked for and the
 * previous one has been handed to the network, up to FLUSH_BURST in a row, then at most FLUSHES_PER_SECOND:
 * whatever a flood queues meanwhile rides the next flush, so it costs neither a spinning CPU nor an
 * envelope per message. Resends keep MVDS's epochs of EPOCH_MS, counted on the wall clock.
 */
export const FLUSH_BURST = 8
export const FLUSHES_PER_SECOND = 20

/**
 * After a step that took d ms, the next flush waits FLUSH_GAP_FACTOR × d: a flush costs a ratchet step, a
 * synced commit and proof of work, and a flood must leave the serial queue to the sends it is flushing.
 */
export const FLUSH_GAP_FACTOR = 3

/** Sends asked for within this window go out in one payload (those queued meanwhile on the serial queue too). */
export const COALESCE_MS = 1

/**
 * Acknowledgements owed wait this long for company (more arrivals, or a message of ours to ride with): each
 * flush costs both sides a ratchet step, a synced commit and an envelope, and no one watches an ack's
 * latency as closely as a message's. status-go acknowledges once an epoch (300 ms).
 */
export const ACK_COALESCE_MS = 50

/**
 * How long a message that left can still reach its recipient: mailservers keep envelopes this long, so a
 * recipient offline until then still fetches it. Until then it stays sent and MVDS keeps resending it.
 */
export const RETENTION_MS = MAX_HISTORY_SECONDS * 1000

/**
 * 1:1 sending through MVDS: messages are queued when their transaction commits, each step (a flush or an
 * epoch) encrypts the node's payloads with the session manager and posts them after the step's own commit,
 * acknowledgements become delivered. A message that never left this node (no peer took it) is given up as not-sent after
 * MVDS's transmissions; one that left stays sent and is resent at the backoff's slowing pace while its
 * recipient can still fetch it (RETENTION_MS), then stays sent. Each message's transmissions and next
 * resend time are kept in its outbox entry, so the schedule goes on across restarts, and a given-up
 * message stays known to MVDS so a late acknowledgement still makes it delivered. New messages and owed
 * acknowledgements are flushed at once, coalesced and within the flush budget; otherwise the next step waits
 * for the next resend due.
 */
export class DirectSender {
  /** Replaced by its snapshot when a step that changed it fails to commit. */
  private sync: BatchSyncNode
  private tickTimer: unknown = null
  /** When the pending tick runs (ms). */
  private tickAt = 0
  /** Where the current epoch began (ms): epochs are whole EPOCH_MS steps of the wall clock, however often we flush. */
  private epochStart: number
  private readonly flushBudget: TokenBucket
  /** No flush before this (ms): the gap after the last step, FLUSH_GAP_FACTOR times its length. */
  private quietUntil = 0
  private acksPending = false

  constructor(
    private readonly ctx: Pick<MessengerContext, 'store' | 'sessions' | 'identity' | 'transport' | 'outbox' | 'timers' | 'now' | 'log' | 'serial' | 'stopped'>,
    private readonly status: DeliveryStatus,
    private readonly feed: ChangeFeed,
    private readonly options: Pick<BatchNodeOptions, 'backoff' | 'maxSendCount'> = {}
  ) {
    this.epochStart = ctx.now()
    this.flushBudget = new TokenBucket(FLUSHES_PER_SECOND, FLUSH_BURST, this.epochStart)
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
   * Runs the next MVDS step when the epoch `epochs` on from the current one begins (the next resend due),
   * or, `urgent` (a new message), within COALESCE_MS as the flush budget allows.
   */
  schedule(urgent = false, epochs = 1): void {
    if (urgent) this.flushWithin(COALESCE_MS)
    else this.runAt(this.epochStart + epochs * EPOCH_MS)
  }

  /** After a received payload: acknowledgements owed go out within ACK_COALESCE_MS. */
  acknowledgeSoon(): void {
    if (this.acksPending) this.flushWithin(ACK_COALESCE_MS)
  }

  stop(): void {
    this.ctx.timers.clearTimeout(this.tickTimer)
    this.tickTimer = null
  }

  private flushWithin(ms: number): void {
    const now = this.ctx.now()
    this.runAt(Math.max(now + Math.max(ms, this.flushBudget.waitFor(1, now)), this.quietUntil))
  }

  /** Times the next step for `at` (ms), unless one is already timed sooner. */
  private runAt(at: number): void {
    if (this.ctx.stopped()) return
    const now = this.ctx.now()
    const wait = Math.max(0, at - now)
    if (this.tickTimer !== null) {
      if (now + wait >= this.tickAt) return
      this.ctx.timers.clearTimeout(this.tickTimer)
    }
    this.tickAt = now + wait
    this.tickTimer = this.ctx.timers.setTimeout(() => {
      this.tickTimer = null
      void this.ctx.serial(() => this.tick()).catch((error: unknown) => this.ctx.log.error('MVDS tick failed', { error }))
    }, wait)
  }

  private async tick(): Promise<void> {
    if (this.ctx.stopped()) return
    const { outbox, sessions, transport } = this.ctx
    const now = this.ctx.now()
    // Only whole epochs of the wall clock count (none for a flush within one): backoffs keep their length.
    const epochs = Math.floor((now - this.epochStart) / EPOCH_MS)
    this.epochStart += epochs * EPOCH_MS
    this.flushBudget.spend(1, now)
    this.acksPending = false
    const before = this.sync.snapshot()
    const { payloads, events } = this.sync.tick(epochs)
    const tx = new Transaction()
    const updates: Message[] = []
    const gaveUp = events.flatMap((e) => (e.type === 'status' && e.status === 'not-sent' ? (outbox.bySync(e.messageId, tx) ?? []) : []))
    // Given up after leaving: past the retention window, it stays sent for good.
    for (const entry of gaveUp) if (entry.message.status === 'sent') outbox.remove(tx, entry.message.id)
    this.status.stage(tx, gaveUp.flatMap((entry) => (isUnsent(entry.message.status) ? [entry.message.id] : [])), 'not-sent', updates)
    const posts: Array<{ peer: Uint8Array; protocolMessage: Uint8Array; negotiated: Uint8Array | null }> = []
    const online = transport.reachablePeers() > 0
    for (const { peer, payload } of payloads) {
      const { protocolMessage, writes, sharedSecret } = await sessions.encrypt(peer, payload)
      tx.add(writes)
      // As status-go: listen on the negotiated topic before writing, so the answer cannot arrive unheard.
      await transport.watchNegotiated(sharedSecret.secret)
      posts.push({ peer, protocolMessage, negotiated: sharedSecret.agreed ? sharedSecret.secret : null })
      const carried = (decodeSyncPayload(payload)?.messages ?? []).map((m) => bytesToHex(syncMessageId(m)))
      for (const syncId of carried) this.recordProgress(tx, syncId, bytesToHex(peer), now)
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
    const finished = this.ctx.now()
    this.quietUntil = finished + FLUSH_GAP_FACTOR * (finished - now)
    const due = this.sync.nextDueIn()
    if (due === 0) this.schedule(true)
    else if (due !== null) this.schedule(false, due)
  }

  /** Keeps a transmission's count and the next resend time in the message's outbox entry (its copy, in a group). */
  private recordProgress(tx: Transaction, syncId: string, peer: string, now: number): void {
    const entry = this.ctx.outbox.bySync(syncId, tx)
    const progress = this.sync.progressOf(syncId, peer)
    if (!entry || !progress) return
    const update = (sync: SyncRef): SyncRef =>
      sync.id === syncId ? { ...sync, sends: progress.sendCount, nextSendAt: now + progress.dueIn * EPOCH_MS } : sync
    if (entry.sync) this.ctx.outbox.put(tx, { ...entry, sync: update(entry.sync) })
    else if (entry.fanout) this.ctx.outbox.put(tx, { ...entry, fanout: entry.fanout.map((copy) => ({ ...copy, sync: update(copy.sync) })) })
  }

  /** After MVDS's transmissions: a message that left goes on while its recipient can still fetch it. */
  private readonly keepSending = (syncId: string): boolean => {
    const entry = this.ctx.outbox.bySync(syncId)
    const sync = entry && trackedCopies(entry).find((copy) => copy.sync.id === syncId)?.sync
    return entry?.message.status === 'sent' && sync !== undefined && this.ctx.now() < Number(sync.timestamp) * 1000 + RETENTION_MS
  }

  /**
   * At start: 1:1 messages not yet acknowledged go back into MVDS under their old ids, each where its resend
   * schedule stood; given-up ones too, not to be resent but so that a late acknowledgement still counts.
   */
  private restore(): BatchSyncNode {
    const now = this.ctx.now()
    const tracked = this.ctx.outbox.all().flatMap((entry) => (entry.message.status !== 'delivered' ? trackedCopies(entry).map((copy) => ({ entry, ...copy })) : []))
    return BatchSyncNode.restore(
      {
        epoch: 0,
        messages: tracked.map(({ entry, sync }) => ({ id: sync.id, groupId: sync.groupId, timestamp: sync.timestamp, body: entry.wrapper })),
        outgoing: tracked.map(({ entry, sync, peer }) => ({
          id: sync.id,
          peer: peer.slice(2),
          sendCount: sync.sends ?? 0,
          sendEpoch: Math.max(1, Math.ceil(((sync.nextSendAt ?? now) - now) / EPOCH_MS)),
          status: entry.message.status === 'not-sent' ? ('not-sent' as const) : (sync.sends ?? 0) > 0 ? ('sent' as const) : ('sending' as const)
        })),
        pendingAcks: [],
        seen: []
      },
      this.syncOptions()
    )
  }

  private syncOptions(): BatchNodeOptions {
    return { ...this.options, now: this.ctx.now, keepSending: this.keepSending }
  }
}

/** The MVDS records of an outbox entry not yet acknowledged, with their recipients: one for 1:1, one per member in a group. */
function trackedCopies(entry: OutboxEntry): Array<{ sync: SyncRef; peer: string }> {
  if (entry.sync) return [{ sync: entry.sync, peer: entry.message.chatId }]
  return (entry.fanout ?? []).flatMap((copy) => (copy.delivered ? [] : [{ sync: copy.sync, peer: copy.peer }]))
}
