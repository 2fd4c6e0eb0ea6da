import { create, toBinary } from '@bufbuild/protobuf'
import { equalBytes } from '@noble/curves/utils.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import {
  type Author,
  type Chat,
  type Contact,
  type EventName,
  type EventPayload,
  type HistoryState,
  HushError,
  type Message,
  type MessageStatus,
  NetworkSettings,
  type SafetyNumberView,
  type ScanOutcome
} from '../../../shared/api'
import { CryptoError } from '../primitives/crypto-error'
import type { InstallationsEvent, SessionManager, SharedSecretEvent } from '../crypto/session-manager'
import type { Logger } from '../log/logger'
import { systemTimers, type Timers } from '../runtime/timers'
import { chatKeyId, matchChat } from '../protocol/chat-matching'
import { type BatchNodeOptions, BatchSyncNode, EPOCH_MS, type SyncEvent } from '../protocol/datasync/batch-node'
import { decodeSyncPayload, oneToOneGroupId, syncMessageId } from '../protocol/datasync/payload'
import { decodeProto, DecodeError } from '../protocol/decode'
import { ProtocolMessageSchema } from '../crypto/gen/encryption/protocol_message_pb'
import { ChatMessage_ContentType, ChatMessage_MessageType, ChatMessageSchema } from '../protocol/gen/protobuf/chat_message_pb'
import { ContactUpdateSchema } from '../protocol/gen/protobuf/contact_pb'
import { readInbound, type InboundResult } from '../protocol/inbound'
import { messageId } from '../protocol/message-id'
import { publicChatNameFromInput } from '../protocol/public-chat-name'
import { DropCounter } from '../protocol/validation'
import { MessageKind, wrapMessage } from '../protocol/wrapper'
import type { EncryptedStore, StoreError } from '../storage/encrypted-store'
import { getParsed } from '../storage/parsed-records'
import { RecordIds } from '../crypto/protocol-state'
import type { PeerInfo } from '../whisper/peer'
import type { ReceivedMessage } from '../whisper/filters'
import { safetyNumber } from '../trust/safety-number'
import { compareScannedQr, verificationQrPayload } from '../trust/verification-qr'
import type { WhisperNode } from '../whisper/node'
import { ChatList, toApiChat } from './chat-list'
import { ContactBook } from './contact-book'
import { ContactView } from './contact-view'
import { receivedDisplayName } from './display-name'
import { FIRST_SYNC_SECONDS, HistorySync } from './history-sync'
import { AuthorCache, parseChatKey } from './identities'
import { Journal } from './journal'
import { Outbox, type OutboxEntry, type SyncRef } from './outbox'
import { migrateRecordKeys, NETWORK_SETTINGS_KEY, RecordKeys } from './records'
import { SeenIds } from './seen-ids'
import { Transaction } from './transaction'
import { ChatTransport, type ChatIdentity, type Inbound } from './transport'

/** Drop reason of a stored record that could not be read (see skippedRecord). */
export const UNREADABLE_RECORD = 'unreadable-stored-record'
/** status-go's contact-code publisher: our bundle goes out every 6 h. */
export const BUNDLE_ADVERTISE_INTERVAL_MS = 6 * 3600_000
/** status-go deviceNotFoundAckInterval: how often a peer that lacks our bundle is sent it again. */
export const DEVICE_NOT_FOUND_REPLY_INTERVAL_MS = 7200_000
/** A public message that finds no peer to hand it to within this time is reported not-sent. */
export const PUBLIC_SEND_TIMEOUT_MS = 60_000
/**
 * Epochs a new message or ack may run ahead of the 300 ms cadence (a token bucket refilled at one per
 * epoch): sends into a quiet conversation go out at once, while a busy one keeps MVDS's average epoch
 * length, so resend backoffs (counted in epochs) stay as long in wall-clock time as status-go's.
 */
const EPOCH_BURST = 3
/** Largest messages.upserted event: a long journal replay goes out in slices. */
const UPSERT_SLICE = 500

type MessengerEvent = 'messages.upserted' | 'chats.changed' | 'history.state' | 'contacts.changed'
export type MessengerEmit = <E extends MessengerEvent & EventName>(event: E, payload: EventPayload<E>) => void

export interface MessengerOptions {
  node: WhisperNode
  /** The account's protocol-state store; the messenger owns its records, the caller opens and closes it. */
  store: EncryptedStore
  /** Initialised; the messenger commits its writes and confirms its messages. */
  sessions: SessionManager
  identity: ChatIdentity
  /** The name chosen at account creation ('' for none): sent to 1:1 contacts in Hush's ContactUpdate extension. */
  displayName: string
  /** Network settings for an account that has saved none. */
  defaultNetwork: NetworkSettings
  /** Dials the account's static peers, bootnodes and mailservers. */
  applyNetwork: (settings: NetworkSettings) => void
  emit: MessengerEmit
  log: Logger
  now?: () => number
  timers?: Timers
  /** Per mailserver page. */
  historyPageTimeoutMs?: number
  /** MVDS resend schedule (status-go's by default); tests shorten it. */
  sync?: Pick<BatchNodeOptions, 'backoff' | 'maxSendCount'>
}

/**
 * The façade over everything a chat needs: the account's joined chats and their Whisper filters, sending
 * (public: signed wrapper on the chat's symmetric topic; 1:1: MVDS → session encryption → partitioned or
 * negotiated topic), receiving (decrypt → MVDS → validate → match → dedupe → journal), delivery states,
 * history from the mailserver and the account's network settings.
 *
 * Every state change runs in one serial queue and commits atomically (messenger records together with the
 * session writes that produced them) before any event leaves or any envelope is posted. That is what makes
 * a crash at any point lose nothing and show nothing twice: an uncommitted receive is received again (the
 * session still holds its key, the mailserver still has the envelope), a committed one is a known id.
 */
export class Messenger {
  private readonly node: WhisperNode
  private readonly store: EncryptedStore
  private readonly sessions: SessionManager
  private readonly identity: ChatIdentity
  private readonly ownKeyId: string
  private readonly now: () => number
  private readonly timers: Timers
  private readonly log: Logger
  private readonly transport: ChatTransport
  private readonly authors = new AuthorCache()
  private readonly drops = new DropCounter()
  /** Drops before the payload layer (unsigned envelopes, undecryptable messages), by reason. */
  private readonly transportDrops = new Map<string, number>()
  /** When each peer that could not read our messages was last sent our bundle. */
  private readonly bundleReplies = new Map<string, number>()
  /** Public messages posted while no peer was connected: reposted when one connects, or given up. */
  private readonly awaitingPeers = new Map<string, unknown>()
  private queue: Promise<unknown> = Promise.resolve()
  private readonly sync: BatchSyncNode
  private history: HistorySync | null = null
  private settings: NetworkSettings
  private tickTimer: unknown = null
  private lastTickAt = 0
  private epochTokens = EPOCH_BURST
  private epochTokensAt = 0
  private acksPending = false
  private advertiseTimer: unknown = null
  private advertised = false
  private stopped = false
  /** MVDS ids of our ContactUpdates not yet acknowledged or given up: they keep the epochs running. */
  private readonly contactUpdatesInFlight = new Set<string>()
  /** Rebuilt after every change of the contact book. */
  private view: ContactView | null = null
  /** Transactions that will announce a contact change once committed (one event each). */
  private readonly announcing = new WeakSet<Transaction>()

  private constructor(
    private readonly options: MessengerOptions,
    private readonly chats: ChatList,
    private readonly journal: Journal,
    private readonly outbox: Outbox,
    private readonly seen: SeenIds,
    private readonly contacts: ContactBook,
    saved: NetworkSettings | undefined
  ) {
    this.node = options.node
    this.store = options.store
    this.sessions = options.sessions
    this.identity = options.identity
    this.ownKeyId = chatKeyId(options.identity.publicKey)
    this.now = options.now ?? Date.now
    this.timers = options.timers ?? systemTimers
    this.log = options.log
    this.settings = saved ?? options.defaultNetwork
    this.transport = new ChatTransport(this.node, this.identity, (inbound) => this.onInbound(inbound))
    this.sync = this.restoreSync()
  }

  /** Loads the account's chats, journal, outbox and settings. */
  static async open(options: MessengerOptions): Promise<Messenger> {
    const { store } = options
    const now = (options.now ?? Date.now)()
    const keys = new RecordKeys(new RecordIds(options.identity.privateKey))
    await migrateRecordKeys(store, keys)
    const unreadable: StoreError[] = []
    const skip = (error: StoreError): void => void unreadable.push(error)
    const cleanup = new Transaction()
    const [chats, journal, outbox, seen, contacts, saved] = await Promise.all([
      ChatList.load(store, keys, skip),
      Journal.load(store, keys, skip),
      Outbox.load(store, keys, skip),
      SeenIds.load(store, keys, cleanup, now, skip),
      ContactBook.load(store, keys, skip),
      getParsed(store, NETWORK_SETTINGS_KEY, NetworkSettings, skip)
    ])
    await cleanup.commit(store)
    const messenger = new Messenger(options, chats, journal, outbox, seen, contacts, saved)
    for (const error of unreadable) messenger.skippedRecord(error)
    return messenger
  }

  /** Installs the filters, resumes unfinished sends, replays the journal and asks for missed history. */
  async start(): Promise<void> {
    this.options.applyNetwork(this.settings)
    this.sessions.on('sharedSecret', this.onSharedSecret)
    this.sessions.on('installations', this.onInstallations)
    // Awaited: the history request below asks for exactly the topics watched by then.
    for (const { secret } of this.sessions.negotiatedSecrets()) await this.transport.watchNegotiated(secret)
    this.transport.watchPrivate()
    for (const chat of this.chats.all()) await this.watchChat(chat.id)
    this.history = await HistorySync.load({
      node: this.node,
      store: this.store,
      topics: () => this.transport.topics(),
      mailservers: () => this.settings.mailservers,
      onState: (state) => this.options.emit('history.state', state),
      onUnreadable: this.skippedRecord,
      drained: () => this.serial(async () => undefined),
      now: this.now,
      ...(this.options.historyPageTimeoutMs !== undefined ? { pageTimeoutMs: this.options.historyPageTimeoutMs } : {})
    })
    this.node.on('peer:added', this.onPeerAdded)
    this.options.emit('history.state', this.history.state())
    this.emitUpserted(this.journal.pending())
    for (const entry of this.outbox.all()) {
      if (entry.message.chatKind === 'public' && isUnsent(entry.message.status)) void this.postPublic(entry)
    }
    this.advertiseTimer = this.timers.setInterval(() => void this.advertise(), BUNDLE_ADVERTISE_INTERVAL_MS)
    if (this.transport.peerCount() > 0) void this.advertise()
    void this.history.request()
    this.scheduleTick()
  }

  /** Removes the filters and timers and waits for work in progress; the caller closes the store after. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.node.off('peer:added', this.onPeerAdded)
    this.sessions.off('sharedSecret', this.onSharedSecret)
    this.sessions.off('installations', this.onInstallations)
    this.timers.clearTimeout(this.tickTimer)
    this.timers.clearInterval(this.advertiseTimer)
    for (const timer of this.awaitingPeers.values()) this.timers.clearTimeout(timer)
    this.awaitingPeers.clear()
    this.transport.close()
    this.history?.close()
    await this.queue.catch(() => undefined)
  }

  /* ------------------------------------------ API ------------------------------------------ */

  listChats(): Chat[] {
    return this.chats.all().map(toApiChat)
  }

  joinPublic(input: string): Promise<Chat> {
    const check = publicChatNameFromInput(input)
    if (!check.ok) return Promise.reject(new HushError('BAD_REQUEST', check.message, [check.problem]))
    return this.serial(async () => {
      const chat = await this.addChat(check.name, 'public')
      // A chat joined now has no history yet: fetch the last day for it (and everything else).
      void this.history?.request(FIRST_SYNC_SECONDS)
      return chat
    })
  }

  startOneToOne(publicKey: string): Promise<Chat> {
    const key = parseChatKey(publicKey)
    if (equalBytes(key, this.identity.publicKey)) {
      return Promise.reject(new HushError('BAD_REQUEST', 'That is your own chat key.'))
    }
    return this.serial(async () => {
      const chat = await this.addChat(chatKeyId(key), 'one-to-one')
      await this.sendContactUpdate(chat.id)
      // Their bundle advertisement (and anything they sent us) may be waiting at the mailserver.
      void this.history?.request(FIRST_SYNC_SECONDS)
      return chat
    })
  }

  leave(chatId: string): Promise<void> {
    return this.serial(async () => {
      const chat = this.chats.get(chatId)
      if (!chat) throw new HushError('NOT_FOUND', 'You are not in that chat.')
      const tx = new Transaction()
      this.chats.remove(tx, chatId)
      await tx.commit(this.store)
      if (chat.kind === 'public') this.transport.unwatchPublic(chatId)
      else this.transport.unwatchContactCode(hexToBytes(chatId.slice(2)))
      this.emitChats()
    })
  }

  send(args: { chatId: string; text: string; responseTo?: string | undefined }): Promise<Message> {
    if (args.text.trim().length === 0) return Promise.reject(new HushError('BAD_REQUEST', 'A message needs some text.'))
    return this.serial(async () => {
      const chat = this.chats.get(args.chatId)
      if (!chat) throw new HushError('NOT_FOUND', 'You are not in that chat.')
      const tx = new Transaction()
      const { clock, timestamp } = this.chats.nextClock(tx, chat.id, this.now())
      const payload = create(ChatMessageSchema, {
        clock,
        timestamp,
        text: args.text,
        responseTo: args.responseTo ?? '',
        chatId: chat.id,
        messageType: chat.kind === 'public' ? ChatMessage_MessageType.PUBLIC_GROUP : ChatMessage_MessageType.ONE_TO_ONE,
        contentType: ChatMessage_ContentType.TEXT_PLAIN
      })
      const wrapper = wrapMessage(toBinary(ChatMessageSchema, payload), MessageKind.CHAT_MESSAGE, this.identity.privateKey)
      const message: Message = {
        id: messageId(this.identity.publicKey, wrapper),
        chatId: chat.id,
        chatKind: chat.kind,
        author: this.authorOf(this.ownKeyId),
        outgoing: true,
        text: args.text,
        clock: Number(clock),
        timestamp: Number(timestamp),
        receivedAt: this.now(),
        ...(args.responseTo ? { responseTo: args.responseTo } : {}),
        status: 'sending'
      }
      const entry: OutboxEntry = { message, wrapper: bytesToHex(wrapper) }
      if (chat.kind === 'one-to-one') entry.sync = this.queueDirect(chat.id, wrapper)
      this.seen.add(tx, message.id, this.now())
      this.journal.record(tx, message)
      this.outbox.put(tx, entry)
      tx.afterCommit(() => this.emitUpserted([message]))
      await tx.commit(this.store)
      if (chat.kind === 'public') void this.postPublic(entry)
      else this.scheduleTick(true)
      return message
    })
  }

  resend(id: string): Promise<Message> {
    return this.serial(async () => {
      const entry = this.outbox.get(id)
      if (!entry) throw new HushError('NOT_FOUND', 'That message is not waiting to be sent.')
      if (entry.message.status !== 'not-sent') throw new HushError('CONFLICT', 'That message is already on its way.')
      const next: OutboxEntry = { ...entry, message: { ...entry.message, status: 'sending' } }
      if (next.sync) next.sync = this.requeueDirect(next)
      const tx = new Transaction()
      this.outbox.put(tx, next)
      this.journal.record(tx, next.message)
      tx.afterCommit(() => this.emitUpserted([next.message]))
      await tx.commit(this.store)
      if (next.sync) this.scheduleTick(true)
      else void this.postPublic(next)
      return next.message
    })
  }

  ack(ids: readonly string[]): Promise<void> {
    return this.serial(async () => {
      const tx = new Transaction()
      this.journal.ack(tx, ids)
      await tx.commit(this.store)
    })
  }

  pending(): Message[] {
    return this.journal.pending()
  }

  requestHistory(sinceSeconds?: number): Promise<boolean> {
    return this.history ? this.history.request(sinceSeconds) : Promise.resolve(false)
  }

  historyState(): HistoryState | null {
    return this.history?.state() ?? null
  }

  /**
   * A stored record that could not be decrypted, decoded or validated: it stays on disk untouched, is left out
   * of what the account loads, and is counted with the drops (debug.drops) and logged by its opaque key.
   */
  private readonly skippedRecord = (error: StoreError): void => {
    this.countDrop(UNREADABLE_RECORD)
    this.log.warn('unreadable stored record skipped', { record: error.recordKey, error: error.message })
  }

  dropCounts(): Record<string, number> {
    return { ...this.drops.snapshot(), ...Object.fromEntries(this.transportDrops) }
  }

  listContacts(): Contact[] {
    return this.contactView().all()
  }

  /** What we know about any key; one without a record is checked for look-alikes like a newcomer. */
  contact(publicKey: string): Contact {
    const id = chatKeyId(parseChatKey(publicKey))
    return this.contactView().contact(id, this.contacts.get(id))
  }

  safetyNumber(publicKey: string): SafetyNumberView {
    const key = this.otherKey(publicKey)
    const { digits, groups } = safetyNumber(this.identity.publicKey, key)
    return { digits, groups, qrPayload: verificationQrPayload(this.identity.publicKey, key) }
  }

  setVerified(publicKey: string, verified: boolean): Promise<Contact> {
    const id = chatKeyId(this.otherKey(publicKey))
    return this.serial(async () => {
      const tx = new Transaction()
      this.contacts.setVerified(tx, id, verified, this.now())
      this.contactsChanged(tx)
      await tx.commit(this.store)
      return this.contact(id)
    })
  }

  /** A scanned code that matches marks the contact verified; anything else changes nothing. */
  async verifyScan(publicKey: string, text: string): Promise<{ outcome: ScanOutcome; contact: Contact }> {
    const key = this.otherKey(publicKey)
    const outcome = compareScannedQr(this.identity.publicKey, key, text)
    const contact = outcome === 'match' ? await this.setVerified(publicKey, true) : this.contact(publicKey)
    return { outcome, contact }
  }

  acknowledgeDevices(publicKey: string): Promise<Contact> {
    const id = chatKeyId(this.otherKey(publicKey))
    return this.serial(async () => {
      const tx = new Transaction()
      this.contacts.acknowledgeDevices(tx, id, this.now())
      this.contactsChanged(tx)
      await tx.commit(this.store)
      return this.contact(id)
    })
  }

  networkSettings(): NetworkSettings {
    return this.settings
  }

  setNetworkSettings(settings: NetworkSettings): Promise<NetworkSettings> {
    return this.serial(async () => {
      const tx = new Transaction()
      tx.putJson(NETWORK_SETTINGS_KEY, settings)
      await tx.commit(this.store)
      this.settings = settings
      this.options.applyNetwork(settings)
      void this.history?.request()
      return settings
    })
  }

  /* ---------------------------------------- chats ----------------------------------------- */

  private async addChat(id: string, kind: Chat['kind']): Promise<Chat> {
    const existing = this.chats.get(id)
    if (existing) return toApiChat(existing)
    const tx = new Transaction()
    const record = { id, kind, joinedAt: this.now(), lastClock: '0' }
    this.chats.add(tx, record)
    await tx.commit(this.store)
    await this.watchChat(id)
    this.emitChats()
    return toApiChat(record)
  }

  private async watchChat(id: string): Promise<void> {
    const chat = this.chats.get(id)
    if (chat?.kind === 'public') await this.transport.watchPublic(id)
    else if (chat) await this.transport.watchContactCode(hexToBytes(id.slice(2)))
  }

  /* ---------------------------------------- sending ---------------------------------------- */

  /**
   * Posts a public message; it is sent once a connected peer takes it, waiting while none would (no peer,
   * or none content with the PoW we mine to), and not-sent if none turns up in time.
   */
  private async postPublic(entry: OutboxEntry): Promise<void> {
    const { message } = entry
    let reached: number
    try {
      reached = await this.transport.postPublic(message.chatId, hexToBytes(entry.wrapper))
    } catch (error) {
      this.log.warn('public message not posted', { error })
      await this.serial(() => this.setStatus([message.id], 'not-sent'))
      return
    }
    // Stopped (locked) while sealing: the store is closed; the next start resumes this message from the outbox.
    if (this.stopped) return
    if (reached === 0) await this.serial(() => this.setStatus([message.id], 'waiting'))
    if (reached > 0) {
      this.timers.clearTimeout(this.awaitingPeers.get(message.id))
      this.awaitingPeers.delete(message.id)
      await this.serial(() => this.setStatus([message.id], 'sent'))
    } else if (!this.awaitingPeers.has(message.id)) {
      const timer = this.timers.setTimeout(() => {
        this.awaitingPeers.delete(message.id)
        void this.serial(() => this.setStatus([message.id], 'not-sent'))
      }, PUBLIC_SEND_TIMEOUT_MS)
      this.awaitingPeers.set(message.id, timer)
    }
  }

  /**
   * Our chosen name to a 1:1 contact, in Hush's extension of ContactUpdate (docs/contact-names.md),
   * reliably through MVDS like a chat message but without an outbox entry: it is sent again whenever the
   * chat is started or rejoined, so one lost to a crash is replaced soon enough.
   */
  private async sendContactUpdate(chatId: string): Promise<void> {
    const tx = new Transaction()
    if (!this.contacts.get(chatId)) {
      this.contacts.ensure(tx, chatId, this.now())
      this.contactsChanged(tx)
    }
    const { clock } = this.chats.nextClock(tx, chatId, this.now())
    const update = create(ContactUpdateSchema, { clock, hushDisplayName: this.options.displayName })
    const wrapper = wrapMessage(toBinary(ContactUpdateSchema, update), MessageKind.CONTACT_UPDATE, this.identity.privateKey)
    const { id } = this.queueDirect(chatId, wrapper)
    await tx.commit(this.store)
    this.contactUpdatesInFlight.add(id)
    this.scheduleTick(true)
  }

  /** Hands a 1:1 message to MVDS; it goes out on the next tick. */
  private queueDirect(chatId: string, wrapper: Uint8Array): SyncRef {
    const peer = hexToBytes(chatId.slice(2))
    const groupId = oneToOneGroupId(this.identity.publicKey, peer)
    const before = Math.floor(this.now() / 1000)
    const { id } = this.sync.send(groupId, [peer], wrapper)
    // The node stamps the record itself; find the second it used, as the clock may tick during the call.
    for (let second = before; second <= Math.floor(this.now() / 1000); second++) {
      const timestamp = BigInt(second)
      if (bytesToHex(syncMessageId({ groupId, timestamp, body: wrapper })) === id) {
        return { id, groupId: bytesToHex(groupId), timestamp: timestamp.toString() }
      }
    }
    throw new Error('MVDS stamped a message outside the time of the call')
  }

  /** A not-sent 1:1 message goes back to MVDS: the same record if the node still has it, else anew. */
  private requeueDirect(entry: OutboxEntry): SyncRef {
    const sync = entry.sync
    if (sync && this.sync.statusOf(sync.id).size > 0) {
      this.sync.retry(sync.id)
      return sync
    }
    return this.queueDirect(entry.message.chatId, hexToBytes(entry.wrapper))
  }

  /** At start: 1:1 messages still waiting for an ACK go back into MVDS under their old ids. */
  private restoreSync(): BatchSyncNode {
    const waiting = this.outbox.all().filter((e) => e.sync && (isUnsent(e.message.status) || e.message.status === 'sent'))
    return BatchSyncNode.restore(
      {
        epoch: 0,
        messages: waiting.map((e) => ({ id: e.sync!.id, groupId: e.sync!.groupId, timestamp: e.sync!.timestamp, body: e.wrapper })),
        outgoing: waiting.map((e) => ({
          id: e.sync!.id,
          peer: e.message.chatId.slice(2),
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
    return { ...this.options.sync, now: this.now }
  }

  private hasSyncWork(): boolean {
    if (this.acksPending) return true
    // Forgets ContactUpdates that reached a final state while checking for ones still on their way.
    for (const id of this.contactUpdatesInFlight) {
      if ([...this.sync.statusOf(id).values()].some((status) => status === 'sending' || status === 'sent')) return true
      this.contactUpdatesInFlight.delete(id)
    }
    return this.outbox.all().some((e) => e.sync && (isUnsent(e.message.status) || e.message.status === 'sent'))
  }

  /**
   * MVDS epochs run only while there is something to send or acknowledge, one per EPOCH_MS. `urgent`
   * (a new message, acks owed) runs the epoch now if the bucket has a token to spare.
   */
  private scheduleTick(urgent = false): void {
    if (this.stopped) return
    const now = this.now()
    this.epochTokens = Math.min(EPOCH_BURST, this.epochTokens + (now - this.epochTokensAt) / EPOCH_MS)
    this.epochTokensAt = now
    const wait = urgent && this.epochTokens >= 1 ? 0 : Math.max(0, this.lastTickAt + EPOCH_MS - now)
    if (this.tickTimer !== null) {
      if (wait > 0) return
      this.timers.clearTimeout(this.tickTimer)
    }
    this.tickTimer = this.timers.setTimeout(() => {
      this.tickTimer = null
      void this.serial(() => this.tick()).catch((error: unknown) => this.log.error('MVDS tick failed', { error }))
    }, wait)
  }

  private async tick(): Promise<void> {
    if (this.stopped) return
    this.lastTickAt = this.now()
    this.epochTokens = Math.max(0, this.epochTokens - 1)
    this.acksPending = false
    const { payloads, events } = this.sync.tick()
    const tx = new Transaction()
    const updates: Message[] = []
    const gaveUp = events.flatMap((e) => (e.type === 'status' && e.status === 'not-sent' ? [e.messageId] : []))
    this.stageStatus(tx, gaveUp.flatMap((syncId) => this.outbox.bySync(syncId)?.message.id ?? []), 'not-sent', updates)
    const posts: Array<{ peer: Uint8Array; protocolMessage: Uint8Array; negotiated: Uint8Array | null }> = []
    const online = this.transport.reachablePeers() > 0
    for (const { peer, payload } of payloads) {
      const { protocolMessage, writes, sharedSecret } = await this.sessions.encrypt(peer, payload)
      tx.add(writes)
      // As status-go: listen on the negotiated topic before writing, so the answer cannot arrive unheard.
      await this.transport.watchNegotiated(sharedSecret.secret)
      posts.push({ peer, protocolMessage, negotiated: sharedSecret.agreed ? sharedSecret.secret : null })
      const carried = (decodeSyncPayload(payload)?.messages ?? []).map((m) => bytesToHex(syncMessageId(m)))
      const ids = carried.flatMap((syncId) => this.outbox.bySync(syncId)?.message.id ?? [])
      // No connected peer would take it (none, or all ask more PoW than we mine to): waiting, not sent.
      const unsent = ids.filter((id) => isUnsent(this.outbox.get(id)?.message.status))
      this.stageStatus(tx, unsent, online ? 'sent' : 'waiting', updates)
    }
    tx.afterCommit(() => this.emitUpserted(updates))
    await tx.commit(this.store)
    for (const { peer, protocolMessage, negotiated } of posts) {
      try {
        await this.transport.postDirect(peer, protocolMessage, negotiated)
      } catch (error) {
        this.log.warn('1:1 message not posted; MVDS will resend it', { error })
      }
    }
    if (this.hasSyncWork()) this.scheduleTick()
  }

  /** Stages a status change of outbox messages; final states leave the outbox. */
  private stageStatus(tx: Transaction, ids: readonly string[], status: MessageStatus, updates: Message[]): void {
    for (const id of ids) {
      const entry = this.outbox.get(id)
      if (!entry || entry.message.status === status) continue
      const message = { ...entry.message, status }
      const final = status === 'delivered' || (status === 'sent' && message.chatKind === 'public')
      if (final) this.outbox.remove(tx, id)
      else this.outbox.put(tx, { ...entry, message })
      this.journal.record(tx, message)
      updates.push(message)
    }
  }

  private async setStatus(ids: readonly string[], status: MessageStatus): Promise<void> {
    const tx = new Transaction()
    const updates: Message[] = []
    this.stageStatus(tx, ids, status, updates)
    tx.afterCommit(() => this.emitUpserted(updates))
    await tx.commit(this.store)
  }

  /** Our bundle on our contact-code topic, so people can start an X3DH session with us. */
  private async advertise(): Promise<void> {
    if (this.stopped) return
    try {
      await this.transport.postContactCode(this.sessions.contactCodeMessage())
      this.advertised = true
    } catch (error) {
      this.log.warn('bundle advertisement not posted', { error })
    }
  }

  /* --------------------------------------- receiving --------------------------------------- */

  private readonly onPeerAdded = (peer: PeerInfo): void => {
    if (this.stopped) return
    for (const [id, timer] of this.awaitingPeers) {
      const entry = this.outbox.get(id)
      this.timers.clearTimeout(timer)
      this.awaitingPeers.delete(id)
      if (entry) void this.postPublic(entry)
    }
    if (!this.advertised) void this.advertise()
    if (this.history?.isMailserver(peer.id)) void this.history.request()
  }

  /** We listen on a negotiated topic as soon as the secret exists; sending moves there once it is agreed. */
  private readonly onSharedSecret = (event: SharedSecretEvent): void => {
    if (!this.stopped) void this.transport.watchNegotiated(event.secret)
  }

  /** Devices listed by a contact's bundle, for the contact page and the verified contact's new-device notice. */
  private readonly onInstallations = (event: InstallationsEvent): void => {
    if (this.stopped || event.peer === this.ownKeyId) return
    const devices = event.installations.map((i) => ({ installationId: i.id, firstSeen: i.firstSeen }))
    this.serial(async () => {
      const tx = new Transaction()
      if (!this.contacts.recordDevices(tx, event.peer, devices, this.now())) return
      this.contactsChanged(tx)
      await tx.commit(this.store)
    }).catch((error: unknown) => this.log.error('contact devices not recorded', { error }))
  }

  private onInbound(inbound: Inbound): void {
    if (this.stopped) return
    this.serial(() => this.receive(inbound)).catch((error: unknown) => this.log.error('received message not processed', { error }))
  }

  private async receive(inbound: Inbound): Promise<void> {
    if (this.stopped) return
    const { message } = inbound
    // status-go drops every envelope that is not Whisper-signed: the signer is the sender.
    if (!message.signer) return this.countDrop('UNSIGNED_ENVELOPE')
    if (inbound.kind === 'public') return this.receivePublic(message)
    // Our own posts on a shared (negotiated, contact-code) topic come back to us; nothing to do.
    if (equalBytes(message.signer, this.identity.publicKey)) return
    return this.receiveDirect(message.signer, message)
  }

  private async receivePublic(message: ReceivedMessage): Promise<void> {
    const result = readInbound(publicPayload(message.payload), this.inboundContext(message), this.drops)
    const tx = new Transaction()
    const shown = this.stageReceived(tx, result, false)
    if (!shown) return
    tx.afterCommit(() => this.emitUpserted([shown]))
    await tx.commit(this.store)
  }

  /** A ProtocolMessage from `sender`: bundles, a DH/X3DH/ratchet-encrypted MVDS payload or bare message. */
  private async receiveDirect(sender: Uint8Array, message: ReceivedMessage): Promise<void> {
    let outcome
    try {
      outcome = await this.sessions.decrypt(sender, message.payload)
    } catch (error) {
      if (error instanceof CryptoError) return this.countDrop(`DECRYPT_${error.code}`)
      if (error instanceof DecodeError) return this.countDrop('MALFORMED_PROTOCOL_MESSAGE')
      throw error
    }
    const tx = new Transaction()
    tx.add(outcome.writes)
    if (outcome.kind === 'not-for-us') {
      await tx.commit(this.store)
      if (outcome.reason === 'other-device') await this.replyWithBundle(sender)
      return
    }
    const shown: Message[] = []
    if (outcome.kind === 'message') {
      const sync = decodeSyncPayload(outcome.payload)
      const bodies: Uint8Array[] = []
      if (sync) {
        this.acksPending ||= sync.messages.length > 0
        const events = this.sync.receive(sender, sync)
        for (const event of events) if (event.type === 'received') bodies.push(event.message.body)
        this.stageStatus(tx, this.deliveredIds(events), 'delivered', shown)
      } else {
        bodies.push(outcome.payload)
      }
      for (const body of bodies) {
        const received = this.stageReceived(tx, readInbound(body, this.inboundContext(message), this.drops), true)
        if (received) shown.push(received)
      }
      tx.afterCommit(() => outcome.confirm())
    }
    tx.afterCommit(() => this.emitUpserted(shown))
    await tx.commit(this.store)
    if (this.acksPending) this.scheduleTick(true)
  }

  /**
   * Someone wrote to us without addressing this installation: they lack our current bundle (we were
   * restored, or our prekey changed). status-go answers with an empty DH message that carries it.
   */
  private async replyWithBundle(sender: Uint8Array): Promise<void> {
    const peer = bytesToHex(sender)
    const last = this.bundleReplies.get(peer)
    if (last !== undefined && this.now() - last < DEVICE_NOT_FOUND_REPLY_INTERVAL_MS) return
    this.bundleReplies.set(peer, this.now())
    try {
      await this.transport.postDirect(sender, this.sessions.buildDhMessage(sender, new Uint8Array(0)), null)
    } catch (error) {
      this.log.warn('bundle reply not posted', { error })
    }
  }

  private deliveredIds(events: readonly SyncEvent[]): string[] {
    return events.flatMap((e) =>
      e.type === 'status' && e.status === 'delivered' ? (this.outbox.bySync(e.messageId)?.message.id ?? []) : []
    )
  }

  /**
   * Files a validated message under its chat (status-go matchMessage), unless its id was seen before.
   * Only chat messages are shown; a ContactUpdate sent to us directly updates its sender's contact,
   * other payload types are accepted and ignored.
   */
  private stageReceived(tx: Transaction, result: InboundResult, direct: boolean): Message | null {
    if (!result.ok) return null
    if (result.payload.kind === MessageKind.CONTACT_UPDATE) {
      if (direct) this.stageContactUpdate(tx, chatKeyId(result.envelope.author), result.payload.message.clock, result.payload.message.hushDisplayName)
      return null
    }
    if (result.payload.kind !== MessageKind.CHAT_MESSAGE) return null
    const { envelope } = result
    const chatMessage = result.payload.message
    if (this.seen.has(envelope.id)) return null
    const match = matchChat(chatMessage, envelope.author, {
      ownKey: this.identity.publicKey,
      findChat: (id) => this.chats.known(id)
    })
    if (!match.ok) {
      this.drops.record(match.reason)
      return null
    }
    const now = this.now()
    if (match.createOneToOne) {
      this.chats.add(tx, { id: match.chatId, kind: 'one-to-one', joinedAt: now, lastClock: '0' })
      tx.afterCommit(() => {
        void this.watchChat(match.chatId)
        this.emitChats()
        // They started the chat: they learn our chosen name as we learnt theirs.
        this.serial(() => this.sendContactUpdate(match.chatId)).catch((error: unknown) => this.log.warn('contact update not sent', { error }))
      })
    }
    const chat = this.chats.get(match.chatId)!
    if (chat.kind === 'one-to-one' && !this.contacts.get(chat.id)) {
      this.contacts.ensure(tx, chat.id, now)
      this.contactsChanged(tx)
    }
    this.chats.observe(tx, chat.id, chatMessage.clock)
    this.seen.add(tx, envelope.id, now)
    const authorId = chatKeyId(envelope.author)
    const message: Message = {
      id: envelope.id,
      chatId: chat.id,
      chatKind: chat.kind,
      author: this.authorOf(authorId),
      outgoing: authorId === this.ownKeyId,
      text: chatMessage.text,
      clock: Number(chatMessage.clock),
      timestamp: Number(chatMessage.timestamp),
      receivedAt: now,
      ...(chatMessage.responseTo ? { responseTo: chatMessage.responseTo } : {}),
      status: authorId === this.ownKeyId ? 'sent' : 'received'
    }
    this.journal.record(tx, message)
    return message
  }

  /** Newer clock wins; a name that fails the extension's rules leaves the stored one as it is. */
  private stageContactUpdate(tx: Transaction, senderId: string, clock: bigint, rawName: string): void {
    if (senderId === this.ownKeyId) return
    const check = receivedDisplayName(rawName)
    if (!check.ok) return this.countDrop(`CONTACT_NAME_${check.reason}`)
    const known = this.contacts.get(senderId) !== undefined
    if (this.contacts.applyName(tx, senderId, clock, check.name, this.now()) || !known) this.contactsChanged(tx)
  }

  private authorOf(authorId: string): Author {
    const author = this.authors.of(authorId)
    const name = authorId === this.ownKeyId ? this.options.displayName : this.contacts.get(authorId)?.displayName
    return name ? { ...author, displayName: name } : author
  }

  /** A key given to a contact method, as long as it is not ours. */
  private otherKey(publicKey: string): Uint8Array {
    const key = parseChatKey(publicKey)
    if (equalBytes(key, this.identity.publicKey)) throw new HushError('BAD_REQUEST', 'That is your own chat key.')
    return key
  }

  private inboundContext(message: ReceivedMessage) {
    return { transportSigner: message.signer, whisperTimestampMs: message.sent * 1000, nowMs: this.now() }
  }

  private countDrop(reason: string): void {
    this.transportDrops.set(reason, (this.transportDrops.get(reason) ?? 0) + 1)
  }

  /* ---------------------------------------- plumbing --------------------------------------- */

  /** Runs `task` after every task queued before it; a failure is the caller's, the queue goes on. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }

  private emitUpserted(messages: readonly Message[]): void {
    if (this.stopped) return
    for (let i = 0; i < messages.length; i += UPSERT_SLICE) {
      this.options.emit('messages.upserted', { messages: messages.slice(i, i + UPSERT_SLICE) })
    }
  }

  private contactView(): ContactView {
    this.view ??= new ContactView(this.contacts.all())
    return this.view
  }

  /** The contact book changed in `tx`: the view is stale now, and the renderer hears once it is committed. */
  private contactsChanged(tx: Transaction): void {
    this.view = null
    if (this.announcing.has(tx)) return
    this.announcing.add(tx)
    tx.afterCommit(() => {
      if (!this.stopped) this.options.emit('contacts.changed', { contacts: this.listContacts() })
    })
  }

  private emitChats(): void {
    if (!this.stopped) this.options.emit('chats.changed', { chats: this.listChats() })
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

/** Posted or queued, but no peer has taken it yet. */
function isUnsent(status: MessageStatus | undefined): boolean {
  return status === 'sending' || status === 'waiting'
}
