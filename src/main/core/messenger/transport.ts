import { bytesToHex } from '@noble/hashes/utils.js'
import {
  contactCodeSymKey,
  contactCodeTopic,
  negotiatedSymKey,
  negotiatedTopic,
  partitionedTopic,
  personalDiscoveryTopic,
  publicChatSymKey,
  publicChatTopic
} from '../protocol/topics'
import type { ReceivedMessage } from '../whisper/filters'
import type { SealKey } from '../whisper/message'
import type { WhisperNode } from '../whisper/node'

/** status-go's send parameters for every protocol message (spec §2.6). */
export const WHISPER_TTL_SECONDS = 15
export const WHISPER_POW_TARGET = 0.002
export const WHISPER_POW_TIME_MS = 5000

/** Which pipeline a received envelope goes through. */
export type Inbound =
  | { kind: 'public'; message: ReceivedMessage }
  /** Partitioned, personal-discovery or negotiated topic: a ProtocolMessage from one person to us. */
  | { kind: 'direct'; message: ReceivedMessage }
  /** Someone's bundle advertisement. */
  | { kind: 'contact-code'; message: ReceivedMessage }

export interface ChatIdentity {
  privateKey: Uint8Array
  /** 65-byte uncompressed. */
  publicKey: Uint8Array
}

interface Watch {
  topics: Uint8Array[]
  unsubscribe: () => void
}

/**
 * The messenger's view of the Whisper node: which filters are installed for the account's chats, and how
 * each kind of message is posted (topic, key, signature, TTL and PoW of status-go). Every filter accepts
 * direct deliveries from a trusted mailserver, so history arrives through the same handlers.
 */
export class ChatTransport {
  private readonly watches = new Map<string, Watch>()
  /** PBKDF2 (65356 rounds) per password: computed once per chat, contact and secret. */
  private readonly symKeys = new Map<string, Promise<Uint8Array>>()

  constructor(
    private readonly node: WhisperNode,
    private readonly identity: ChatIdentity,
    private readonly onInbound: (inbound: Inbound) => void,
    /** Envelopes (by hash hex) already processed: the filters skip them before decrypting. */
    private readonly processed: (envelopeHashHex: string) => boolean = () => false
  ) {}

  /** Every topic we listen on, for mailserver requests. */
  topics(): Uint8Array[] {
    return [...this.watches.values()].flatMap((watch) => watch.topics)
  }

  /** The topics where a public chat's history is. */
  publicChatTopics(name: string): Uint8Array[] {
    return [publicChatTopic(name)]
  }

  /**
   * Where what a contact has for us may wait: their bundle advertisements, and what they sent to us before
   * a secret was agreed (our partitioned and personal-discovery topics).
   */
  contactTopics(publicKey: Uint8Array): Uint8Array[] {
    const own = this.identity.publicKey
    return [contactCodeTopic(publicKey), partitionedTopic(own), personalDiscoveryTopic(own)]
  }

  peerCount(): number {
    return this.node.peerCount()
  }

  /** Connected peers that would take what we post (their PoW requirement is within what we mine to). */
  reachablePeers(): number {
    return this.node.reachablePeers()
  }

  async watchPublic(name: string): Promise<void> {
    const symKey = await this.symKey(`public:${name}`, () => publicChatSymKey(name))
    this.watch(`public:${name}`, [publicChatTopic(name)], { symKey }, (message) => this.onInbound({ kind: 'public', message }))
  }

  /** Our own partitioned and personal-discovery topics: first contacts arrive there, ECIES to our key. */
  watchPrivate(): void {
    const { publicKey, privateKey } = this.identity
    this.watch('private', [partitionedTopic(publicKey), personalDiscoveryTopic(publicKey)], { privateKey }, (message) =>
      this.onInbound({ kind: 'direct', message })
    )
  }

  async watchContactCode(publicKey: Uint8Array): Promise<void> {
    const id = `contact-code:${bytesToHex(publicKey)}`
    const symKey = await this.symKey(id, () => contactCodeSymKey(publicKey))
    this.watch(id, [contactCodeTopic(publicKey)], { symKey }, (message) => this.onInbound({ kind: 'contact-code', message }))
  }

  async watchNegotiated(secret: Uint8Array): Promise<void> {
    const id = `negotiated:${bytesToHex(secret)}`
    const symKey = await this.symKey(id, () => negotiatedSymKey(secret))
    this.watch(id, [negotiatedTopic(secret)], { symKey }, (message) => this.onInbound({ kind: 'direct', message }))
  }

  unwatchPublic(name: string): void {
    this.unwatch(`public:${name}`)
  }

  unwatchContactCode(publicKey: Uint8Array): void {
    this.unwatch(`contact-code:${bytesToHex(publicKey)}`)
  }

  close(): void {
    for (const id of [...this.watches.keys()]) this.unwatch(id)
  }

  /** Resolves with the number of connected peers that took the envelope (0: waiting for the network). */
  async postPublic(name: string, payload: Uint8Array): Promise<number> {
    const symKey = await this.symKey(`public:${name}`, () => publicChatSymKey(name))
    return this.post(payload, publicChatTopic(name), { symKey })
  }

  /** Our bundle advertisement, on our own contact-code topic. */
  async postContactCode(payload: Uint8Array): Promise<number> {
    const { publicKey } = this.identity
    const symKey = await this.symKey(`contact-code:${bytesToHex(publicKey)}`, () => contactCodeSymKey(publicKey))
    return this.post(payload, contactCodeTopic(publicKey), { symKey })
  }

  /**
   * A ProtocolMessage for one person (spec §2.8): on the negotiated topic once a shared secret is agreed
   * with all their devices, else ECIES to their key on their partitioned topic.
   */
  async postDirect(recipient: Uint8Array, payload: Uint8Array, negotiated: Uint8Array | null): Promise<number> {
    if (negotiated) {
      const symKey = await this.symKey(`negotiated:${bytesToHex(negotiated)}`, () => negotiatedSymKey(negotiated))
      return this.post(payload, negotiatedTopic(negotiated), { symKey })
    }
    return this.post(payload, partitionedTopic(recipient), { publicKey: recipient })
  }

  private watch(id: string, topics: Uint8Array[], key: { symKey: Uint8Array } | { privateKey: Uint8Array }, handler: (m: ReceivedMessage) => void): void {
    if (this.watches.has(id)) return
    const unsubscribe = this.node.subscribe({ topics, key, allowP2P: true, processed: this.processed }, handler)
    this.watches.set(id, { topics, unsubscribe })
  }

  private unwatch(id: string): void {
    this.watches.get(id)?.unsubscribe()
    this.watches.delete(id)
  }

  private symKey(id: string, derive: () => Promise<Uint8Array>): Promise<Uint8Array> {
    let key = this.symKeys.get(id)
    if (!key) {
      key = derive()
      this.symKeys.set(id, key)
    }
    return key
  }

  /**
   * Sealed to the PoW the most demanding connected peer asks (within the node's cap), never below
   * status-go's; resolves with how many connected peers took it. Our own filters never decrypt it
   * back: what we send is already stored (and history from a mailserver still comes through them).
   */
  private async post(payload: Uint8Array, topic: Uint8Array, key: SealKey): Promise<number> {
    const hash = await this.node.post({
      payload,
      topic,
      key,
      signWith: this.identity.privateKey,
      ttl: WHISPER_TTL_SECONDS,
      powTarget: Math.max(WHISPER_POW_TARGET, this.node.sendPow()),
      workTimeMs: WHISPER_POW_TIME_MS,
      loopback: false
    })
    return this.node.reach(hash)
  }
}
