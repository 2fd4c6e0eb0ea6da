import { create, toBinary } from '@bufbuild/protobuf'
import { equalBytes } from '@noble/curves/utils.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import {
  type Chat,
  type HistoryState,
  type Message,
  NetworkSettings,
  refusal,
  type SearchResult
} from '../../../shared/api'
import { RecordIds } from '../crypto/protocol-state'
import type { SessionManager, SharedSecretEvent } from '../crypto/session-manager'
import type { Logger } from '../log/logger'
import { chatKeyId } from '../protocol/chat-matching'
import type { BatchNodeOptions } from '../protocol/datasync/batch-node'
import { ChatMessage_ContentType, ChatMessage_MessageType, ChatMessageSchema } from '../protocol/gen/protobuf/chat_message_pb'
import { messageId } from '../protocol/message-id'
import { MessageKind, wrapMessage } from '../protocol/wrapper'
import { systemTimers, type Timers } from '../runtime/timers'
import { chatNameReason, publicChatNameFromInput } from '../../../shared/public-chat-name'
import type { EncryptedStore } from '../storage/encrypted-store'
import { getParsed } from '../storage/parsed-records'
import type { WhisperNode } from '../whisper/node'
import type { PeerInfo } from '../whisper/peer'
import { BlockList } from './block-list'
import { BlockingService } from './blocking-service'
import { BundleAdvertiser } from './bundle-advertiser'
import { ChangeFeed } from './change-feed'
import { ChatHistory, migrateJournal } from './chat-history'
import { ChatList, toApiChat } from './chat-list'
import { ContactBook } from './contact-book'
import { ContactsService } from './contacts-service'
import type { MessengerContext, MessengerEmit } from './context'
import { DeliveryStatus } from './delivery-status'
import { DirectSender } from './direct-sender'
import { GroupService } from './group-service'
import { GroupStore } from './group-store'
import { FIRST_SYNC_SECONDS, HistorySync } from './history-sync'
import { HistoryStore } from './history-store'
import { parseChatKey } from './identities'
import { MessageSearch } from './message-search'
import { NameAnnouncer } from './name-announcer'
import { Outbox, type OutboxEntry } from './outbox'
import { PublicSender } from './public-sender'
import { Receiver } from './receiver'
import { ENVELOPE_PREFIX, migrateRecordKeys, NETWORK_SETTINGS_KEY, RecordKeys } from './records'
import { checkReplyTarget } from './reply-target'
import { RequestList } from './request-list'
import { RequestsService } from './requests-service'
import { SearchBackfill } from './search-backfill'
import { deriveSearchKey, SearchIndex } from './search-index'
import { SeenIds } from './seen-ids'
import { Transaction } from './transaction'
import { ChatTransport, type ChatIdentity } from './transport'
import { UnreadableRecords } from './unreadable-records'

export { BUNDLE_ADVERTISE_INTERVAL_MS, DEVICE_NOT_FOUND_REPLY_INTERVAL_MS } from './bundle-advertiser'
export type { MessengerEmit } from './context'
export { PUBLIC_SEND_TIMEOUT_MS } from './public-sender'

export interface MessengerOptions {
  node: WhisperNode
  /** The account's protocol-state store; the messenger owns its records, the caller opens and closes it. */
  store: EncryptedStore
  /** Initialised; the messenger commits its writes and confirms its messages. */
  sessions: SessionManager
  identity: ChatIdentity
  /** The name chosen at account creation ('' for none): sent to added contacts and in public-chat messages. */
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
 * The API surface over everything a chat needs, and the lifecycle and serial queue its parts share:
 * joined chats and their filters, the history (history-store.ts), public sending (public-sender.ts), 1:1
 * sending through MVDS (direct-sender.ts), receiving (receiver.ts), delivery states (delivery-status.ts),
 * contacts (contacts-service.ts), bundle advertising (bundle-advertiser.ts), history from the mailserver and
 * the account's network settings.
 *
 * Every state change runs in one serial queue and commits atomically (messenger records together with the
 * session writes that produced them) before memory changes, any event leaves or any envelope is posted.
 * That is what makes a crash at any point lose nothing and show nothing twice: an uncommitted receive is
 * received again (the session still holds its key, the mailserver still has the envelope), a committed one
 * is a known id.
 */
export class Messenger {
  private readonly node: WhisperNode
  private readonly store: EncryptedStore
  private readonly sessions: SessionManager
  private readonly identity: ChatIdentity
  private readonly ownKeyId: string
  private readonly now: () => number
  private readonly log: Logger
  private readonly transport: ChatTransport
  private readonly feed: ChangeFeed
  /** Pages of history, read points, drafts. */
  readonly conversations: ChatHistory
  /** The contacts API (names, verification, safety numbers, devices). */
  readonly contacts: ContactsService
  /** Message requests from keys we have no chat with. */
  readonly requests: RequestsService
  /** Blocked keys. */
  readonly blocking: BlockingService
  private readonly search: MessageSearch
  private readonly backfill: SearchBackfill
  /** Private group chats: creating, changing, sending and receiving (groups.* in the API). */
  readonly groups: GroupService
  private readonly publicSender: PublicSender
  private readonly direct: DirectSender
  private readonly advertiser: BundleAdvertiser
  private readonly receiver: Receiver
  private queue: Promise<unknown> = Promise.resolve()
  private history: HistorySync | null = null
  private settings: NetworkSettings
  private stopped = false
  private readonly names: NameAnnouncer

  private constructor(
    private readonly options: MessengerOptions,
    private readonly chats: ChatList,
    private readonly messages: HistoryStore,
    private readonly outbox: Outbox,
    private readonly seen: SeenIds,
    envelopes: SeenIds,
    book: ContactBook,
    groups: GroupStore,
    saved: NetworkSettings | undefined,
    private readonly unreadable: UnreadableRecords,
    lists: { blocked: BlockList; requests: RequestList; index: SearchIndex }
  ) {
    this.node = options.node
    this.store = options.store
    this.sessions = options.sessions
    this.identity = options.identity
    this.ownKeyId = chatKeyId(options.identity.publicKey)
    this.now = options.now ?? Date.now
    this.log = options.log
    this.settings = saved ?? options.defaultNetwork
    this.transport = new ChatTransport(
      this.node,
      this.identity,
      (inbound) => this.receiver.onInbound(inbound),
      (hashHex) => envelopes.has(`0x${hashHex}`)
    )
    const ctx: MessengerContext = {
      store: this.store,
      sessions: this.sessions,
      identity: this.identity,
      ownKeyId: this.ownKeyId,
      transport: this.transport,
      chats,
      messages,
      outbox,
      seen,
      emit: options.emit,
      log: this.log,
      now: this.now,
      timers: options.timers ?? systemTimers,
      serial: (task) => this.serial(task),
      stopped: () => this.stopped
    }
    this.feed = new ChangeFeed(ctx)
    const status = new DeliveryStatus(ctx, this.feed)
    this.contacts = new ContactsService(ctx, book, options.displayName, (id, tx) => ctx.chats.get(id, tx) !== undefined || lists.requests.get(id, tx) !== undefined)
    this.requests = new RequestsService(ctx, lists.requests, this.contacts, this.feed, (chatId) => void this.watchChat(chatId))
    this.blocking = new BlockingService(ctx, lists.blocked, this.requests, this.contacts)
    this.conversations = new ChatHistory(ctx, this.feed, this.blocking.hidden)
    this.backfill = new SearchBackfill(ctx, lists.index)
    this.search = new MessageSearch(ctx, lists.index, this.backfill, this.blocking.hidden)
    this.publicSender = new PublicSender(ctx, status)
    this.direct = new DirectSender(ctx, status, this.feed, options.sync)
    this.names = new NameAnnouncer(ctx, { contacts: this.contacts, direct: this.direct })
    this.advertiser = new BundleAdvertiser(ctx)
    this.groups = new GroupService(ctx, groups, {
      feed: this.feed,
      direct: this.direct,
      contacts: this.contacts,
      isBlocked: (id, tx) => this.blocking.isBlocked(id, tx)
    })
    this.receiver = new Receiver(ctx, {
      groups: this.groups,
      feed: this.feed,
      direct: this.direct,
      contacts: this.contacts,
      advertiser: this.advertiser,
      envelopes,
      requests: this.requests,
      blocking: this.blocking,
      onChatStarted: (chatId) => void this.watchChat(chatId)
    })
  }

  /**
   * Loads the account's chats, outbox, contacts and settings (moving records of older layouts onto salted
   * keys, and a pre-history journal into the history). What cannot be read is skipped and counted.
   */
  static async open(options: MessengerOptions): Promise<Messenger> {
    const { store } = options
    const now = (options.now ?? Date.now)()
    const keys = new RecordKeys(new RecordIds(options.identity.privateKey))
    const unreadable = new UnreadableRecords(options.log)
    const skip = unreadable.report
    await migrateRecordKeys(store, keys, skip)
    const cleanup = new Transaction()
    const [chats, outbox, seen, envelopes, contacts, groups, saved, blocked, requests] = await Promise.all([
      ChatList.load(store, keys, skip),
      Outbox.load(store, keys, skip),
      SeenIds.load(store, keys, cleanup, now, skip),
      SeenIds.load(store, keys, cleanup, now, skip, ENVELOPE_PREFIX),
      ContactBook.load(store, keys, skip),
      GroupStore.load(store, keys, skip),
      getParsed(store, NETWORK_SETTINGS_KEY, NetworkSettings, skip),
      BlockList.load(store, keys, skip),
      RequestList.load(store, keys, skip)
    ])
    const index = new SearchIndex(store, deriveSearchKey(options.identity.privateKey))
    const messages = new HistoryStore(store, keys, skip, index)
    await migrateJournal(store, cleanup, chats, messages, skip)
    await cleanup.commit(store)
    return new Messenger(options, chats, messages, outbox, seen, envelopes, contacts, groups, saved, unreadable, { blocked, requests, index })
  }

  /** Installs the filters, resumes unfinished sends and asks for missed history. */
  async start(): Promise<void> {
    this.options.applyNetwork(this.settings)
    this.sessions.on('sharedSecret', this.onSharedSecret)
    this.sessions.on('installations', this.contacts.onInstallations)
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
      onUnreadable: this.unreadable.report,
      log: this.log,
      drained: async () => {
        await this.receiver.idle()
        await this.serial(async () => undefined)
      },
      backlog: () => this.receiver.backlog(),
      now: this.now,
      ...(this.options.historyPageTimeoutMs !== undefined ? { pageTimeoutMs: this.options.historyPageTimeoutMs } : {})
    })
    this.node.on('peer:added', this.onPeerAdded)
    this.node.on('peer:looser', this.onPeerLooser)
    this.options.emit('history.state', this.history.state())
    this.publicSender.resume()
    this.advertiser.start()
    await this.backfill.start()
    void this.history.request()
    this.direct.schedule()
  }

  /** Removes the filters and timers and waits for work in progress; the caller closes the store after. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.node.off('peer:added', this.onPeerAdded)
    this.node.off('peer:looser', this.onPeerLooser)
    this.sessions.off('sharedSecret', this.onSharedSecret)
    this.sessions.off('installations', this.contacts.onInstallations)
    this.direct.stop()
    this.advertiser.stop()
    this.backfill.stop()
    this.publicSender.stop()
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
    if (!check.ok) return Promise.reject(refusal('BAD_REQUEST', chatNameReason(check.problem), check.message, [check.problem]))
    return this.serial(async () => {
      const chat = await this.addChat(check.name, 'public')
      // A chat joined now has no history yet: fetch the last day of its topic.
      void this.history?.requestTopics(this.transport.publicChatTopics(check.name), FIRST_SYNC_SECONDS)
      return chat
    })
  }

  /** Opens a 1:1 chat (a waiting message request from them becomes it); they are not added as a contact. */
  async startOneToOne(publicKey: string): Promise<Chat> {
    const key = parseChatKey(publicKey)
    if (equalBytes(key, this.identity.publicKey)) throw refusal('BAD_REQUEST', { reason: 'OWN_CHAT_KEY' }, 'That is your own chat key.')
    const id = chatKeyId(key)
    if (this.requests.list().some((request) => request.contact.publicKey === id)) await this.requests.accept(id)
    return this.serial(async () => {
      const chat = await this.addChat(id, 'one-to-one')
      // Their bundle advertisement (and anything they sent us) may be waiting at the mailserver.
      void this.history?.requestTopics(this.transport.contactTopics(key), FIRST_SYNC_SECONDS)
      return chat
    })
  }

  /**
   * The deliberate act of adding someone: their 1:1 chat is opened if it was not, and our chosen name goes
   * to them in a ContactUpdate (which a status-go client shows as "added you"). Nothing else sends one.
   */
  async addContact(publicKey: string): Promise<void> {
    const chat = await this.startOneToOne(publicKey)
    await this.serial(() => this.names.announceTo(chat.id))
  }

  setMuted(chatId: string, muted: boolean): Promise<void> {
    return this.serial(async () => {
      if (!this.chats.get(chatId)) throw refusal('NOT_FOUND', { reason: 'NOT_IN_CHAT' }, 'You are not in that chat.')
      const tx = new Transaction()
      this.chats.setMuted(tx, chatId, muted)
      this.feed.chatChanged(tx, chatId)
      await tx.commit(this.store)
    })
  }

  searchMessages(query: string, limit?: number): Promise<SearchResult> {
    return this.search.search(query, limit)
  }

  leave(chatId: string): Promise<void> {
    return this.serial(async () => {
      const chat = this.chats.get(chatId)
      if (!chat) throw refusal('NOT_FOUND', { reason: 'NOT_IN_CHAT' }, 'You are not in that chat.')
      const tx = new Transaction()
      if (chat.kind === 'group') this.groups.stageForget(tx, chatId)
      await this.messages.deleteChat(tx, chatId)
      this.chats.remove(tx, chatId)
      await tx.commit(this.store)
      if (chat.kind === 'group') this.direct.schedule(true)
      else if (chat.kind === 'public') this.transport.unwatchPublic(chatId)
      else this.transport.unwatchContactCode(hexToBytes(chatId.slice(2)))
      this.feed.chatRemoved(chatId)
    })
  }

  send(args: { chatId: string; text: string; responseTo?: string | undefined }): Promise<Message> {
    if (args.text.trim().length === 0) return Promise.reject(refusal('BAD_REQUEST', { reason: 'EMPTY_MESSAGE' }, 'A message needs some text.'))
    if (this.chats.get(args.chatId)?.kind === 'group') return this.groups.send(args)
    return this.serial(async () => {
      const chat = this.chats.get(args.chatId)
      if (!chat) throw refusal('NOT_FOUND', { reason: 'NOT_IN_CHAT' }, 'You are not in that chat.')
      await checkReplyTarget(this.messages, chat.id, args.responseTo)
      if (chat.kind === 'one-to-one' && this.blocking.isBlocked(chat.id)) {
        throw refusal('CONFLICT', { reason: 'RECIPIENT_BLOCKED' }, 'You blocked this person. Unblock them to write to them.')
      }
      const tx = new Transaction()
      const { clock, timestamp } = this.chats.nextClock(tx, chat.id, this.now())
      const payload = create(ChatMessageSchema, {
        clock,
        timestamp,
        text: args.text,
        responseTo: args.responseTo ?? '',
        chatId: chat.id,
        messageType: chat.kind === 'public' ? ChatMessage_MessageType.PUBLIC_GROUP : ChatMessage_MessageType.ONE_TO_ONE,
        contentType: ChatMessage_ContentType.TEXT_PLAIN,
        // Hush's extension: strangers in a public chat learn our chosen name from the message itself.
        hushDisplayName: chat.kind === 'public' ? this.contacts.ownName : ''
      })
      const wrapper = wrapMessage(toBinary(ChatMessageSchema, payload), MessageKind.CHAT_MESSAGE, this.identity.privateKey)
      const message: Message = {
        id: messageId(this.identity.publicKey, wrapper),
        chatId: chat.id,
        chatKind: chat.kind,
        author: this.contacts.authorOf(this.ownKeyId),
        outgoing: true,
        text: args.text,
        clock: Number(clock),
        timestamp: Number(timestamp),
        receivedAt: this.now(),
        ...(args.responseTo ? { responseTo: args.responseTo } : {}),
        status: 'sending'
      }
      const entry: OutboxEntry = { message, wrapper: bytesToHex(wrapper) }
      if (chat.kind === 'one-to-one') entry.sync = this.direct.queue(tx, chat.id, wrapper)
      this.seen.add(tx, message.id, this.now())
      this.feed.storeNew(tx, message)
      this.chats.setDraft(tx, chat.id, '')
      this.outbox.put(tx, entry)
      tx.afterCommit(() => this.feed.upserted([message]))
      await tx.commit(this.store)
      if (chat.kind === 'public') void this.publicSender.post(entry)
      else this.direct.schedule(true)
      return message
    })
  }

  resend(id: string): Promise<Message> {
    return this.serial(async () => {
      const entry = this.outbox.get(id)
      if (!entry) throw refusal('NOT_FOUND', { reason: 'MESSAGE_NOT_WAITING' }, 'That message is not waiting to be sent.')
      if (entry.message.status !== 'not-sent') throw refusal('CONFLICT', { reason: 'MESSAGE_ON_ITS_WAY' }, 'That message is already on its way.')
      const next: OutboxEntry = { ...entry, message: { ...entry.message, status: 'sending' } }
      const tx = new Transaction()
      if (next.sync) next.sync = this.direct.requeue(tx, next)
      if (next.fanout) next.fanout = this.direct.requeueFanout(tx, next)
      this.outbox.put(tx, next)
      this.messages.put(tx, next.message)
      tx.afterCommit(() => this.feed.upserted([next.message]))
      await tx.commit(this.store)
      if (next.sync || next.fanout) this.direct.schedule(true)
      else void this.publicSender.post(next)
      return next.message
    })
  }

  requestHistory(sinceSeconds?: number): Promise<boolean> {
    return this.history ? this.history.request(sinceSeconds) : Promise.resolve(false)
  }

  historyState(): HistoryState | null {
    return this.history?.state() ?? null
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

  dropCounts(): Record<string, number> {
    return { ...this.receiver.dropCounts(), ...this.unreadable.counts() }
  }

  /* ---------------------------------------- chats ----------------------------------------- */

  private async addChat(id: string, kind: Chat['kind']): Promise<Chat> {
    const existing = this.chats.get(id)
    if (existing) return toApiChat(existing)
    const tx = new Transaction()
    const record = { id, kind, joinedAt: this.now(), lastClock: '0' }
    this.chats.add(tx, record)
    this.feed.chatChanged(tx, id)
    await tx.commit(this.store)
    await this.watchChat(id)
    return toApiChat(record)
  }

  private async watchChat(id: string): Promise<void> {
    const chat = this.chats.get(id)
    if (chat?.kind === 'public') await this.transport.watchPublic(id)
    // A group has no topic of its own: its messages come over the members' 1:1 channels.
    else if (chat?.kind === 'one-to-one') await this.transport.watchContactCode(hexToBytes(id.slice(2)))
  }

  /** Our chosen name changed ('' for none): added contacts hear it now, public chats with our next message. */
  setDisplayName(name: string): Promise<void> {
    return this.names.rename(name)
  }

  /* ---------------------------------------- plumbing --------------------------------------- */

  private readonly onPeerLooser = (): void => {
    if (!this.stopped) this.publicSender.retryWaiting()
  }

  private readonly onPeerAdded = (peer: PeerInfo): void => {
    if (this.stopped) return
    this.publicSender.retryWaiting()
    this.advertiser.onPeerAdded()
    if (this.history?.isMailserver(peer.id)) void this.history.request()
  }

  /** We listen on a negotiated topic as soon as the secret exists; sending moves there once it is agreed. */
  private readonly onSharedSecret = (event: SharedSecretEvent): void => {
    if (!this.stopped) void this.transport.watchNegotiated(event.secret)
  }

  /** Runs `task` after every task queued before it; a failure is the caller's, the queue goes on. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }
}
