import { equalBytes } from '@noble/curves/utils.js'
import { type Message } from '../../../shared/api'
import { ProtocolMessageSchema } from '../crypto/gen/encryption/protocol_message_pb'
import { chatKeyId, matchChat } from '../protocol/chat-matching'
import { decodeSyncPayload } from '../protocol/datasync/payload'
import { decodeProto, DecodeError } from '../protocol/decode'
import { readInbound, type InboundResult } from '../protocol/inbound'
import { DropCounter } from '../protocol/validation'
import { MessageKind } from '../protocol/wrapper'
import { CryptoError } from '../primitives/crypto-error'
import type { SessionBatch } from '../crypto/session-manager'
import type { ReceivedMessage } from '../whisper/filters'
import type { BlockingService } from './blocking-service'
import type { BundleAdvertiser } from './bundle-advertiser'
import type { ChangeFeed } from './change-feed'
import type { ContactsService } from './contacts-service'
import type { MessengerContext } from './context'
import type { DirectSender } from './direct-sender'
import type { BatchNodeSnapshot } from '../protocol/datasync/batch-node'
import { receivedMessage } from './received-message'
import type { RequestsService } from './requests-service'
import type { GroupService } from './group-service'
import type { SeenIds } from './seen-ids'
import { Transaction } from './transaction'
import type { Inbound } from './transport'

/**
 * Most received messages handled in one turn of the serial queue, and the most time such a turn takes
 * (past it the turn ends after the message at hand): sends, acks and API calls queued meanwhile run
 * between turns instead of waiting behind a mailserver's whole history.
 */
const TURN_MESSAGES = 64
const TURN_MS = 16
/**
 * Bytes of records past which a turn stops taking messages and commits: a flood of large messages cannot
 * build a huge batch (a turn holds at most this plus one message, itself bounded by the Whisper size limit).
 */
export const TURN_BYTES = 512 * 1024

/** What the messages of one turn share: one transaction, committed once for all of them (group commit). */
interface Turn {
  tx: Transaction
  /** Tells the session manager its decrypts are committed together; dropped when a message is left out. */
  sessions: SessionBatch | null
  /** MVDS as it was before the turn's first direct message, to go back to if the commit fails. */
  mvdsBefore: BatchNodeSnapshot | null
  /** Senders lacking our bundle, answered once the turn is committed. */
  replies: Uint8Array[]
}

/**
 * The inbound pipeline, in turns on the serial queue: per message, Whisper signer → decrypt (or the public
 * path) → MVDS → wrapper, id and validation → chat matching → dedupe, staged into the turn's transaction;
 * then one commit for the whole turn with the session state that decrypted it, and only then the events,
 * confirmations and MVDS acknowledgements. A message that fails is left out of the turn whole; a failed
 * commit loses the turn's messages to redelivery (nothing is acknowledged, shown or confirmed).
 * Failures are counted by reason (debug.drops), never thrown at the network.
 */
export class Receiver {
  private readonly drops = new DropCounter()
  /** Drops before the payload layer (unsigned envelopes, undecryptable messages), by reason. */
  private readonly transportDrops = new Map<string, number>()
  /** Received messages waiting for a turn. */
  private readonly inbox: Inbound[] = []
  /** Received messages not yet processed (the inbox and the turn under way). */
  private queued = 0
  /** A turn is queued or running. */
  private draining = false
  private readonly idleWaiters: Array<() => void> = []

  constructor(
    private readonly ctx: Pick<MessengerContext, 'store' | 'sessions' | 'identity' | 'ownKeyId' | 'chats' | 'seen' | 'now' | 'log' | 'serial' | 'stopped'>,
    private readonly parts: {
      feed: ChangeFeed
      direct: DirectSender
      contacts: ContactsService
      advertiser: BundleAdvertiser
      requests: RequestsService
      blocking: BlockingService
      groups: GroupService
      /** Direct envelopes already processed, by hash. */
      envelopes: SeenIds
      /** A 1:1 chat started from another of our devices, once committed: watch it. */
      onChatStarted(chatId: string): void
    }
  ) {}

  readonly onInbound = (inbound: Inbound): void => {
    if (this.ctx.stopped()) return
    this.inbox.push(inbound)
    this.queued++
    if (this.draining) return
    this.draining = true
    this.queueTurn()
  }

  /** How many received messages wait to be processed (history sync asks for more only below a bound). */
  backlog(): number {
    return this.queued
  }

  /** Resolves once every message received so far has been processed. */
  idle(): Promise<void> {
    if (!this.draining) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private queueTurn(): void {
    this.ctx
      .serial(() => this.turn())
      .catch((error: unknown) => this.ctx.log.error('received messages not processed', { error }))
      .finally(() => {
        if (this.inbox.length > 0 && !this.ctx.stopped()) return this.queueTurn()
        this.inbox.length = 0
        this.queued = 0
        this.draining = false
        for (const resolve of this.idleWaiters.splice(0)) resolve()
      })
  }

  private async turn(): Promise<void> {
    const ends = performance.now() + TURN_MS
    const turn: Turn = { tx: new Transaction(), sessions: null, mvdsBefore: null, replies: [] }
    let taken = 0
    try {
      while (taken < TURN_MESSAGES && this.inbox.length > 0 && performance.now() < ends && turn.tx.size < TURN_BYTES) {
        const inbound = this.inbox.shift() as Inbound
        taken++
        const step = turn.tx.nested()
        try {
          await this.receive(inbound, step, turn)
          step.merge()
        } catch (error) {
          // Its session step may be in memory but is not in the batch: later steps of the batch must re-put its key.
          turn.sessions = null
          this.ctx.log.error('received message not processed', { error })
        }
        // Timers, sockets and the change events of the last turn run between messages, as they did between commits.
        await new Promise((resolve) => setImmediate(resolve))
      }
      await this.commit(turn)
    } finally {
      this.queued -= taken
    }
  }

  private async commit(turn: Turn): Promise<void> {
    const { direct, advertiser } = this.parts
    if (turn.mvdsBefore) await direct.commit(turn.tx, turn.mvdsBefore)
    else await turn.tx.commit(this.ctx.store)
    if (turn.mvdsBefore) direct.acknowledgeSoon()
    for (const sender of turn.replies) {
      try {
        await advertiser.replyTo(sender)
      } catch (error) {
        this.ctx.log.warn('bundle reply not sent', { error })
      }
    }
  }

  dropCounts(): Record<string, number> {
    return { ...this.drops.snapshot(), ...Object.fromEntries(this.transportDrops) }
  }

  private async receive(inbound: Inbound, tx: Transaction, turn: Turn): Promise<void> {
    if (this.ctx.stopped()) return
    const { message } = inbound
    // status-go drops every envelope that is not Whisper-signed: the signer is the sender.
    if (!message.signer) return this.countDrop('UNSIGNED_ENVELOPE')
    if (inbound.kind === 'public') return this.receivePublic(message, tx)
    // Our own posts on a shared (negotiated, contact-code) topic come back to us; nothing to do.
    if (equalBytes(message.signer, this.ctx.identity.publicKey)) return
    // A blocked key gets no session step, no acknowledgement and no request: dropped before decrypting.
    if (this.parts.blocking.isBlocked(chatKeyId(message.signer))) return this.countDrop('BLOCKED_SENDER')
    return this.receiveDirect(message.signer, message, tx, turn)
  }

  private receivePublic(message: ReceivedMessage, tx: Transaction): void {
    const envelope = `0x${message.envelopeHash}`
    // A copy queued while the first was processed, or staged earlier in this turn (the filters skip later ones).
    if (this.parts.envelopes.has(envelope, tx)) return
    const result = readInbound(publicPayload(message.payload), this.inboundContext(message), this.drops)
    const shown = this.stageReceived(tx, result, false)
    // Only once its message is shown (or was before) may a copy be skipped: a blocked author's is not kept.
    if (!result.ok || !this.ctx.seen.has(result.envelope.id, tx)) return
    this.parts.envelopes.add(tx, envelope, this.ctx.now())
    if (shown) tx.afterCommit(() => this.parts.feed.upserted([shown]))
  }

  /** A ProtocolMessage from `sender`: bundles, a DH/X3DH/ratchet-encrypted MVDS payload or bare message. */
  private async receiveDirect(sender: Uint8Array, message: ReceivedMessage, tx: Transaction, turn: Turn): Promise<void> {
    const envelope = `0x${message.envelopeHash}`
    // Processed before (a history re-fetch, a relay's repeat): its message key is spent, decrypting would fail.
    if (this.parts.envelopes.has(envelope, tx)) return
    let outcome
    try {
      turn.sessions ??= this.ctx.sessions.batch()
      outcome = await this.ctx.sessions.decrypt(sender, message.payload, turn.sessions)
    } catch (error) {
      // A step that failed part way may have handed out a key: later steps of the batch must re-put it.
      turn.sessions = null
      if (error instanceof CryptoError) return this.countDrop(`DECRYPT_${error.code}`)
      if (error instanceof DecodeError) return this.countDrop('MALFORMED_PROTOCOL_MESSAGE')
      throw error
    }
    tx.add(outcome.writes)
    this.parts.envelopes.add(tx, envelope, this.ctx.now())
    if (outcome.kind === 'not-for-us') {
      if (outcome.reason === 'other-device') turn.replies.push(sender)
      return
    }
    const { direct } = this.parts
    const shown: Message[] = []
    turn.mvdsBefore ??= direct.snapshot()
    if (outcome.kind === 'message') {
      const sync = decodeSyncPayload(outcome.payload)
      // An empty payload is no message: status-go's MVDS sends one in answer to an ack-only payload, and a
      // device-not-found reply carries only its bundle.
      const bodies = sync ? direct.receive(tx, sender, sync, shown) : outcome.payload.length > 0 ? [outcome.payload] : []
      for (const body of bodies) {
        const result = readInbound(body, this.inboundContext(message), this.drops)
        if (result.ok && result.payload.kind === MessageKind.MEMBERSHIP_UPDATE_MESSAGE) {
          const { message: update, chatMessage } = result.payload
          shown.push(...this.parts.groups.receive(tx, result.envelope, update, chatMessage, this.drops))
          continue
        }
        const received = this.stageReceived(tx, result, true)
        if (received) shown.push(received)
      }
      tx.afterCommit(() => outcome.confirm())
    }
    tx.afterCommit(() => this.parts.feed.upserted(shown))
  }

  /**
   * Files a validated message under its chat (status-go matchMessage), unless its id was seen before.
   * Only chat messages are shown (a public one with the chosen name it carried, contacts-service.ts
   * publicAuthor); a ContactUpdate sent to us directly updates its sender's contact,
   * other payload types are accepted and ignored. Nothing of a blocked author is kept (not even its id, so
   * unblocking and fetching history again brings it), and a 1:1 message from a key we have no chat with
   * becomes a message request instead of a chat.
   */
  private stageReceived(tx: Transaction, result: InboundResult, direct: boolean): Message | null {
    if (!result.ok) return null
    const { contacts, feed } = this.parts
    const authorId = chatKeyId(result.envelope.author)
    if (this.parts.blocking.isBlocked(authorId, tx)) {
      this.countDrop('BLOCKED_AUTHOR')
      return null
    }
    if (result.payload.kind === MessageKind.CONTACT_UPDATE) {
      if (!direct) return null
      const { clock, hushDisplayName } = result.payload.message
      const dropped = contacts.applyUpdate(tx, chatKeyId(result.envelope.author), clock, hushDisplayName)
      if (dropped) this.countDrop(dropped)
      return null
    }
    if (result.payload.kind !== MessageKind.CHAT_MESSAGE) return null
    const { envelope } = result
    const chatMessage = result.payload.message
    const { chats, seen } = this.ctx
    if (seen.has(envelope.id, tx)) return null
    const match = matchChat(chatMessage, envelope.author, {
      ownKey: this.ctx.identity.publicKey,
      findChat: (id) => chats.known(id, tx)
    })
    if (!match.ok) {
      this.drops.record(match.reason)
      return null
    }
    const now = this.ctx.now()
    const outgoing = authorId === this.ctx.ownKeyId
    const chatKind = chats.get(match.chatId, tx)?.kind ?? 'one-to-one'
    const named = chatKind === 'public' ? contacts.publicAuthor(tx, authorId, chatMessage.hushDisplayName) : null
    if (named?.dropped) this.countDrop(named.dropped)
    const message = receivedMessage(envelope, chatMessage, {
      chatId: match.chatId,
      chatKind,
      author: named?.author ?? contacts.authorOf(authorId),
      outgoing,
      receivedAt: now
    })
    if (match.createOneToOne && !outgoing) {
      const dropped = this.parts.requests.stage(tx, message)
      if (dropped) this.countDrop(dropped)
      else seen.add(tx, envelope.id, now)
      return null
    }
    if (match.createOneToOne) {
      chats.add(tx, { id: match.chatId, kind: 'one-to-one', joinedAt: now, lastClock: '0' })
      tx.afterCommit(() => this.parts.onChatStarted(match.chatId))
    }
    const chat = chats.get(match.chatId, tx)!
    if (chat.kind === 'one-to-one') contacts.ensure(tx, chat.id)
    chats.observe(tx, chat.id, chatMessage.clock)
    seen.add(tx, envelope.id, now)
    feed.storeNew(tx, message)
    return message
  }

  private inboundContext(message: ReceivedMessage) {
    return { transportSigner: message.signer, whisperTimestampMs: message.sent * 1000, nowMs: this.ctx.now() }
  }

  private countDrop(reason: string): void {
    this.transportDrops.set(reason, (this.transportDrops.get(reason) ?? 0) + 1)
  }
}

/**
 * The signed wrapper carried by a public-chat envelope. 2019 clients (status-go ≤ 0.34) put it in a
 * ProtocolMessage's public_message; a v0.52 wrapper does not parse as a ProtocolMessage with one.
 */
function publicPayload(payload: Uint8Array): Uint8Array {
  try {
    const legacy = decodeProto(ProtocolMessageSchema, payload)
    return legacy.publicMessage.length > 0 ? legacy.publicMessage : payload
  } catch {
    return payload
  }
}
