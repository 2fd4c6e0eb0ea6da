import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { encodeSyncPayload, type SyncMessage, type SyncPayload, syncMessageId } from './payload'

/** status-go ticks its MVDS node every 300 ms; one tick is one epoch. */
export const EPOCH_MS = 300

/**
 * Epochs to wait after the nth transmission before resending. status-go adds
 * the absolute epoch counter on every send, which makes resends drift apart
 * unpredictably; this keeps the intent (back off, bounded) explicitly: 30 s
 * doubling up to 1 h. The first wait covers a 15 s Whisper TTL plus the ACK's trip.
 */
export function defaultBackoff(sendCount: number): number {
  const first = 100
  const cap = 12_000
  return Math.min(first * 2 ** Math.max(0, sendCount - 1), cap)
}

/**
 * Transmissions without an ACK before a message is reported not-sent (status-go's envelope retry limit),
 * unless the caller's `keepSending` wants it sent on.
 */
export const DEFAULT_MAX_SEND_COUNT = 6

/** Received MVDS ids remembered for dedupe; older ones fall to the app-level message-id check. */
export const DEFAULT_MAX_REMEMBERED = 10_000

/**
 * Bodies per MVDS payload, leaving room for the encryption layer and Whisper
 * padding under Whisper's usual 1 MiB message limit.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 512 * 1024

// Tags, lengths and the timestamp of one Message record, rounded up.
const MESSAGE_OVERHEAD_BYTES = 32

/** Per-recipient delivery state shown in the UI. */
export type DeliveryStatus = 'sending' | 'sent' | 'delivered' | 'not-sent'

/**
 * One status for a message sent to several recipients (a group): any
 * not-sent wins, then anything still in flight; delivered only when all are.
 */
export function overallStatus(perRecipient: Iterable<DeliveryStatus>): DeliveryStatus {
  const all = new Set(perRecipient)
  if (all.has('not-sent')) return 'not-sent'
  if (all.has('sending')) return 'sending'
  if (all.has('sent')) return 'sent'
  return 'delivered'
}

export type SyncEvent =
  | { readonly type: 'status'; readonly messageId: string; readonly peer: string; readonly status: DeliveryStatus }
  | {
      readonly type: 'received'
      readonly messageId: string
      /** Uncompressed sender key, hex without 0x. */
      readonly sender: string
      readonly message: SyncMessage
    }

export interface OutgoingPayload {
  /** Recipient key as given to `send`/`receive` (bytes). */
  readonly peer: Uint8Array
  /** Encoded MVDS Payload, the plaintext for the encryption layer. */
  readonly payload: Uint8Array
}

export interface BatchNodeOptions {
  /** Wall clock in ms, for MVDS timestamps (seconds on the wire). */
  readonly now?: () => number
  readonly backoff?: (sendCount: number) => number
  readonly maxSendCount?: number
  /**
   * Asked once a message to `peer` reached maxSendCount transmissions: true keeps it going at the backoff's
   * pace (the recipient may come back and fetch it from a mailserver), false gives it up as not-sent.
   */
  readonly keepSending?: (messageId: string, peer: string) => boolean
  readonly maxRemembered?: number
  readonly maxPayloadBytes?: number
}

interface Outgoing {
  sendCount: number
  sendEpoch: number
  status: DeliveryStatus
}

/** JSON-serialisable node state, so pending deliveries survive a restart. */
export interface BatchNodeSnapshot {
  readonly epoch: number
  readonly messages: ReadonlyArray<{ id: string; groupId: string; timestamp: string; body: string }>
  readonly outgoing: ReadonlyArray<{ id: string; peer: string; sendCount: number; sendEpoch: number; status: DeliveryStatus }>
  readonly pendingAcks: ReadonlyArray<{ peer: string; ids: string[] }>
  readonly seen: readonly string[]
}

type Sendable = Pick<SyncMessage, 'groupId' | 'timestamp' | 'body'>

/**
 * MVDS in BATCH mode, as Status runs it for 1:1 and (pairwise) group chats:
 * messages go out whole, are resent with backoff until the peer ACKs or we
 * give up, received messages are ACKed on the next tick and surfaced once.
 * Pure state: the caller drives `tick()` every EPOCH_MS, encrypts and sends
 * the returned payloads, and feeds decoded payloads to `receive`.
 */
export class BatchSyncNode {
  private epochCounter = 0
  private readonly now: () => number
  private readonly backoff: (sendCount: number) => number
  private readonly maxSendCount: number
  private readonly keepSending: (messageId: string, peer: string) => boolean
  private readonly maxRemembered: number
  private readonly maxPayloadBytes: number
  /** message id → message, while any recipient still owes an ACK. */
  private readonly messages = new Map<string, Sendable>()
  /** message id → peer → state. */
  private readonly outgoing = new Map<string, Map<string, Outgoing>>()
  /** peer → ids to ACK on the next tick. */
  private readonly pendingAcks = new Map<string, Set<string>>()
  /** peer → ids the peer REQUESTed from us; transient (not persisted), the peer asks again. */
  private readonly pendingResends = new Map<string, Set<string>>()
  /** peer → OFFERed ids we have not seen and will REQUEST; transient like the above. */
  private readonly pendingRequests = new Map<string, Set<string>>()
  /** Received ids in arrival order, bounded by maxRemembered. */
  private readonly seen = new Set<string>()

  constructor(options: BatchNodeOptions = {}) {
    this.now = options.now ?? Date.now
    this.backoff = options.backoff ?? defaultBackoff
    this.maxSendCount = options.maxSendCount ?? DEFAULT_MAX_SEND_COUNT
    this.keepSending = options.keepSending ?? (() => false)
    this.maxRemembered = options.maxRemembered ?? DEFAULT_MAX_REMEMBERED
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES
  }

  get epoch(): number {
    return this.epochCounter
  }

  /**
   * Queues `body` for every peer; it goes out on the next tick. Returns the MVDS message id (hex), the
   * timestamp it is stamped with (unix seconds: now unless given, so a caller that recorded the message
   * first can queue exactly that one) and a 'sending' event per peer.
   */
  send(
    groupId: Uint8Array,
    peers: readonly Uint8Array[],
    body: Uint8Array,
    timestamp = BigInt(Math.floor(this.now() / 1000))
  ): { id: string; timestamp: bigint; events: SyncEvent[] } {
    const message: Sendable = { groupId, timestamp, body }
    const id = bytesToHex(syncMessageId(message))
    if (peers.length === 0) return { id, timestamp, events: [] }
    this.messages.set(id, message)
    const perPeer = this.outgoing.get(id) ?? new Map<string, Outgoing>()
    this.outgoing.set(id, perPeer)
    const events: SyncEvent[] = []
    for (const peerKey of peers) {
      const peer = bytesToHex(peerKey)
      // Due at the current epoch: the next tick takes it, a flush within the epoch (tick(0)) included.
      perPeer.set(peer, { sendCount: 0, sendEpoch: this.epochCounter, status: 'sending' })
      events.push({ type: 'status', messageId: id, peer, status: 'sending' })
    }
    return { id, timestamp, events }
  }

  /** Handles a decoded MVDS payload from `sender` (uncompressed key). */
  receive(sender: Uint8Array, payload: SyncPayload): SyncEvent[] {
    const peer = bytesToHex(sender)
    const events: SyncEvent[] = []
    for (const raw of payload.acks) {
      const event = this.onAck(peer, bytesToHex(raw))
      if (event) events.push(event)
    }
    for (const raw of payload.requests) {
      const id = bytesToHex(raw)
      if (this.messages.has(id) && this.outgoing.get(id)?.has(peer)) addTo(this.pendingResends, peer, id)
    }
    for (const raw of payload.offers) {
      const id = bytesToHex(raw)
      if (!this.seen.has(id)) addTo(this.pendingRequests, peer, id)
    }
    for (const message of payload.messages) {
      const id = bytesToHex(syncMessageId(message))
      // Always ACK, even duplicates: our earlier ACK may have been lost.
      addTo(this.pendingAcks, peer, id)
      if (this.remember(id)) events.push({ type: 'received', messageId: id, sender: peer, message })
    }
    return events
  }

  /**
   * Advances `epochs` epochs (one by default; a caller that slept through idle epochs passes how many went
   * by, so backoffs keep their wall-clock length) and returns what to send now: per peer one payload, more
   * if large. `tick(0)` flushes within the epoch: new messages, owed acks and requests go out, while
   * resends stay on their epoch schedule (every backoff is at least one epoch).
   */
  tick(epochs = 1): { payloads: OutgoingPayload[]; events: SyncEvent[] } {
    this.epochCounter += Math.max(0, Math.floor(epochs))
    const events: SyncEvent[] = []
    const due = new Map<string, Set<string>>()
    for (const [id, perPeer] of this.outgoing) {
      for (const [peer, state] of perPeer) {
        if (state.status === 'not-sent' || state.sendEpoch > this.epochCounter) continue
        if (state.sendCount >= this.maxSendCount && !this.keepSending(id, peer)) {
          state.status = 'not-sent'
          events.push({ type: 'status', messageId: id, peer, status: 'not-sent' })
          continue
        }
        state.sendCount += 1
        state.sendEpoch = this.epochCounter + this.backoff(state.sendCount)
        if (state.status === 'sending') {
          state.status = 'sent'
          events.push({ type: 'status', messageId: id, peer, status: 'sent' })
        }
        addTo(due, peer, id)
      }
    }
    for (const [peer, ids] of this.pendingResends) for (const id of ids) addTo(due, peer, id)
    this.pendingResends.clear()

    const peers = new Set([...due.keys(), ...this.pendingAcks.keys(), ...this.pendingRequests.keys()])
    const payloads: OutgoingPayload[] = []
    for (const peer of peers) {
      const messages = [...(due.get(peer) ?? [])].flatMap((id) => {
        const message = this.messages.get(id)
        return message ? [message] : []
      })
      const batches = this.splitBySize(messages)
      batches.forEach((batch, index) => {
        // Control records ride in the first payload only.
        const first = index === 0
        payloads.push({
          peer: hexToBytes(peer),
          payload: encodeSyncPayload({
            acks: first ? [...(this.pendingAcks.get(peer) ?? [])].map(hexToBytes) : [],
            requests: first ? [...(this.pendingRequests.get(peer) ?? [])].map(hexToBytes) : [],
            messages: batch
          })
        })
      })
    }
    this.pendingAcks.clear()
    this.pendingRequests.clear()
    return { payloads, events }
  }

  /** Puts not-sent recipients of a message back in the queue (the UI's "resend"). */
  retry(messageId: string): SyncEvent[] {
    const events: SyncEvent[] = []
    for (const [peer, state] of this.outgoing.get(messageId) ?? []) {
      if (state.status !== 'not-sent') continue
      Object.assign(state, { sendCount: 0, sendEpoch: this.epochCounter, status: 'sending' })
      events.push({ type: 'status', messageId, peer, status: 'sending' })
    }
    return events
  }

  /** Epochs the next tick must advance for a transmission to fall due (0: due now), null when none is pending. */
  nextDueIn(): number | null {
    let soonest: number | null = null
    for (const perPeer of this.outgoing.values()) {
      for (const state of perPeer.values()) {
        if (state.status === 'not-sent') continue
        const dueIn = Math.max(0, state.sendEpoch - this.epochCounter)
        soonest = soonest === null ? dueIn : Math.min(soonest, dueIn)
      }
    }
    return soonest
  }

  /** Transmissions so far and epochs until the next one, for a message still tracked for `peer` (hex). */
  progressOf(messageId: string, peer: string): { sendCount: number; dueIn: number } | undefined {
    const state = this.outgoing.get(messageId)?.get(peer)
    return state && { sendCount: state.sendCount, dueIn: Math.max(0, state.sendEpoch - this.epochCounter) }
  }

  /** Current state per recipient still being tracked (delivered ones are dropped). */
  statusOf(messageId: string): ReadonlyMap<string, DeliveryStatus> {
    return new Map([...(this.outgoing.get(messageId) ?? [])].map(([peer, state]) => [peer, state.status]))
  }

  snapshot(): BatchNodeSnapshot {
    return {
      epoch: this.epochCounter,
      messages: [...this.messages].map(([id, m]) => ({
        id,
        groupId: bytesToHex(m.groupId),
        timestamp: m.timestamp.toString(),
        body: bytesToHex(m.body)
      })),
      outgoing: [...this.outgoing].flatMap(([id, perPeer]) =>
        [...perPeer].map(([peer, state]) => ({ id, peer, ...state }))
      ),
      pendingAcks: [...this.pendingAcks].map(([peer, ids]) => ({ peer, ids: [...ids] })),
      seen: [...this.seen]
    }
  }

  static restore(snapshot: BatchNodeSnapshot, options: BatchNodeOptions = {}): BatchSyncNode {
    const node = new BatchSyncNode(options)
    node.epochCounter = snapshot.epoch
    for (const m of snapshot.messages) {
      node.messages.set(m.id, {
        groupId: hexToBytes(m.groupId),
        timestamp: BigInt(m.timestamp),
        body: hexToBytes(m.body)
      })
    }
    for (const { id, peer, sendCount, sendEpoch, status } of snapshot.outgoing) {
      const perPeer = node.outgoing.get(id) ?? new Map<string, Outgoing>()
      perPeer.set(peer, { sendCount, sendEpoch, status })
      node.outgoing.set(id, perPeer)
    }
    for (const { peer, ids } of snapshot.pendingAcks) for (const id of ids) addTo(node.pendingAcks, peer, id)
    for (const id of snapshot.seen) node.remember(id)
    return node
  }

  private onAck(peer: string, id: string): SyncEvent | null {
    const perPeer = this.outgoing.get(id)
    if (!perPeer?.delete(peer)) return null
    if (perPeer.size === 0) {
      this.outgoing.delete(id)
      this.messages.delete(id)
    }
    return { type: 'status', messageId: id, peer, status: 'delivered' }
  }

  /**
   * Groups messages so each payload stays under maxPayloadBytes (a message
   * larger than that still goes, alone). Always at least one, possibly empty, batch.
   */
  private splitBySize(messages: Sendable[]): Sendable[][] {
    const batches: Sendable[][] = [[]]
    let size = 0
    for (const message of messages) {
      const cost = message.body.length + message.groupId.length + MESSAGE_OVERHEAD_BYTES
      const current = batches[batches.length - 1]!
      if (current.length > 0 && size + cost > this.maxPayloadBytes) {
        batches.push([message])
        size = cost
      } else {
        current.push(message)
        size += cost
      }
    }
    return batches
  }

  /** Records a received id; false if it was already known. */
  private remember(id: string): boolean {
    if (this.seen.has(id)) return false
    this.seen.add(id)
    if (this.seen.size > this.maxRemembered) {
      const oldest = this.seen.values().next().value
      if (oldest !== undefined) this.seen.delete(oldest)
    }
    return true
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key)
  if (set) set.add(value)
  else map.set(key, new Set([value]))
}
