import { EventEmitter } from 'node:events'
import { initHashing } from '../primitives/keccak'
import { parseEnode, type Enode } from '../p2p/enode'
import { DISCONNECT_REASON } from '@ethereumjs/devp2p'
import { P2PHost, type HostPeer, type PeerRemoval } from '../p2p/host'
import type { RlpSpan } from '../p2p/rlp-view'
import { systemTimers, type Timers } from '../runtime/timers'
import { bloomMatches } from './bloom'
import { DirectDelivery } from './direct-delivery'
import type { Envelope } from './envelope'
import { WhisperError } from './errors'
import type { ReceivedMessage } from './filters'
import { inboundEnvelopeSteps } from './inbound-envelopes'
import { LocalRequirements } from './local-requirements'
import { mineMessage } from './message'
import type { NodeStatus, PostOptions, SubscribeSpec, WhisperNodeEvents, WhisperNodeOptions } from './node-api'
import { OwnEnvelopes } from './own-envelopes'
import { EnvelopePool, type PoolLimits } from './pool'
import { DEFAULT_PEER_BUDGET, PeerBudget, type PeerBudgetLimits } from './peer-budget'
import { KNOWN_SLOTS, WhisperPeer, type RelayEntry } from './peer'
import { peerProtocol } from './peer-protocol'
import { RelayScheduler } from './relay-scheduler'
import { runInSlices } from './slices'
import { shhCapability, shhOf } from './shh-protocol'
import { Subscriptions } from './subscriptions'

export type { NodeStatus, PostOptions, SubscribeSpec, WhisperNodeEvents, WhisperNodeOptions } from './node-api'

const MiB = 1024 * 1024
const DEFAULT_MIN_POW = 0.002
const DEFAULT_TTL = 50
/** geth's MaxMessageSize upper bound: no packet is ever accepted above it. */
const MAX_INBOUND_PACKET = 10 * MiB
/** RLP list and envelope headers around the largest envelope. */
const PACKET_FRAMING = 1024
/**
 * Most envelopes in one code-1 packet. geth sends its pending envelopes in one bundle, which its peers
 * (1 MiB limit by default) drop above 1 MiB: that is ~24,000 of the smallest envelopes geth can seal
 * (29 data bytes), and a 10 MiB bundle of padded messages (≥ 284 data bytes) holds ~35,000.
 */
const MAX_ENVELOPES_PER_PACKET = 50_000
/** Longest stretch of envelope work before other peers and timers get a turn. */
const SLICE_MS = 4
const DEFAULT_POOL: Omit<PoolLimits, 'onEvict'> = { maxCount: 100_000, maxBytes: 64 * MiB, maxRetentionSeconds: 3600 }
const DEFAULT_BAN_MS = 60_000
const DEFAULT_MAX_SEND_POW = 1
const SWEEP_INTERVAL_MS = 1000

/**
 * A Whisper v6 node: an RLPx host whose shh peers (peer-protocol.ts) fill the envelope pool; pooled
 * envelopes go to our subscribers (subscriptions.ts) and are relayed to the other peers (relay-scheduler.ts).
 */
export class WhisperNode extends EventEmitter<WhisperNodeEvents> {
  readonly host: P2PHost
  readonly light: boolean
  private readonly now: () => number
  private readonly timers: Timers
  private readonly pool: EnvelopePool<RelayEntry>
  private readonly peerBudget: PeerBudgetLimits
  private readonly banMs: number
  private readonly maxSendPow: number
  private readonly requirements: LocalRequirements
  private readonly subscriptions = new Subscriptions((error) => this.reportError(error))
  private readonly direct: DirectDelivery
  private readonly relay: RelayScheduler
  private readonly own: OwnEnvelopes
  private readonly peers = new Map<HostPeer, WhisperPeer>()
  /** Free RelayEntry.knownBy bits, each cleared from every pooled entry before it is handed out again. */
  private readonly freeSlots = Array.from({ length: KNOWN_SLOTS }, (_, i) => KNOWN_SLOTS - 1 - i)
  private readonly trusted = new Set<string>()
  private sweepTimer: unknown = null
  private started = false
  private stopped = false

  constructor(options: WhisperNodeOptions = {}) {
    super()
    this.light = options.light ?? false
    const maxMessageSize = options.maxMessageSize ?? MiB
    if (maxMessageSize > MAX_INBOUND_PACKET) {
      throw new WhisperError('bad-argument', `maxMessageSize above ${MAX_INBOUND_PACKET} bytes`)
    }
    const maxPacketSize = options.maxPacketSize ?? maxMessageSize + PACKET_FRAMING
    if (!(maxPacketSize > 0) || maxPacketSize > MAX_INBOUND_PACKET + PACKET_FRAMING) {
      throw new WhisperError('bad-argument', `bad maxPacketSize ${maxPacketSize}`)
    }
    this.pool = new EnvelopePool<RelayEntry>({ ...DEFAULT_POOL, ...options.pool, onEvict: (hashHex) => this.forget(hashHex) })
    this.peerBudget = options.peerBudget ?? DEFAULT_PEER_BUDGET
    this.banMs = options.banMs ?? DEFAULT_BAN_MS
    this.maxSendPow = options.maxSendPow ?? DEFAULT_MAX_SEND_POW
    if (!(this.maxSendPow >= 0) || !Number.isFinite(this.maxSendPow)) {
      throw new WhisperError('bad-argument', `bad maxSendPow ${this.maxSendPow}`)
    }
    this.now = options.now ?? Date.now
    this.timers = options.timers ?? systemTimers
    this.requirements = new LocalRequirements(options.minPow ?? DEFAULT_MIN_POW, this.light ? this.subscriptions.bloom() : null, maxMessageSize, this.now)
    this.direct = new DirectDelivery((e) => this.subscriptions.deliver(e, true), {
      sliceMs: SLICE_MS,
      stopped: () => this.stopped,
      onError: (error) => this.reportError(error)
    })
    const isLive = (entry: RelayEntry): boolean => this.pool.get(entry.hashHex) === entry
    this.relay = new RelayScheduler(() => this.peers.values(), isLive, this.timers, options.broadcastDelayMs ?? 1)
    this.own = new OwnEnvelopes({
      maxSendPow: this.maxSendPow,
      now: this.now,
      pooled: (hashHex) => this.pool.get(hashHex),
      peers: () => this.peers.values(),
      validityContext: () => this.requirements.validityContext(),
      // The same message under a new nonce: our filters saw it (or were told not to) the first time.
      acceptResealed: (entry) => this.accept(entry, null, false),
      resealed: (from, to) => this.emit('resealed', { from, to }),
      onError: (error) => this.reportError(error)
    })
    this.host = new P2PHost({
      ...(options.privateKey !== undefined ? { privateKey: options.privateKey } : {}),
      listen: options.listen ?? { host: '127.0.0.1', port: 30303 },
      capabilities: [
        shhCapability({
          maxPacketBytes: maxPacketSize,
          maxEnvelopesPerPacket: MAX_ENVELOPES_PER_PACKET,
          localIsLight: () => this.light
        })
      ],
      ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
      staticPeers: (options.staticPeers ?? []).map(toEnode),
      bootnodes: (options.bootnodes ?? []).map(toEnode),
      discovery: options.discovery ?? false,
      ...options.handshake,
      timers: this.timers,
      now: this.now,
      ...(options.random !== undefined ? { random: options.random } : {})
    })
    this.host.on('peer:added', (hp) => this.onHostPeerAdded(hp))
    this.host.on('peer:removed', (hp, removal) => this.onHostPeerRemoved(hp, removal))
    this.host.on('peer:error', (hp, error) => this.emit('peer:error', { peerId: hp?.id ?? null, error }))
    this.host.on('error', (error) => this.reportError(error))
  }

  async start(): Promise<void> {
    if (this.started) throw new WhisperError('bad-argument', 'node already started')
    this.started = true
    await initHashing()
    await this.host.start()
    this.sweepTimer = this.timers.setInterval(() => this.sweep(), SWEEP_INTERVAL_MS)
    this.emitStatus()
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.timers.clearInterval(this.sweepTimer)
    this.relay.stop()
    await this.host.stop()
    this.emitStatus()
  }

  /** Our enode URL (after start). */
  get enode(): string {
    return this.host.enode
  }

  get id(): string {
    return this.host.id
  }

  /** Connect to this node now and keep reconnecting (a static peer). */
  addPeer(enodeUrl: string): void {
    this.host.addStaticPeer(parseEnode(enodeUrl))
  }

  /** Stop keeping this node connected and close a connection to it (the reverse of addPeer). */
  removePeer(enodeUrl: string): void {
    this.host.removeStaticPeer(parseEnode(enodeUrl).idHex)
  }

  /**
   * Seal, validate like any inbound envelope (with the PoW the mining reached, not hashed again), pool,
   * and send to every peer at once. Returns the hash hex.
   */
  async post(options: PostOptions): Promise<string> {
    const { envelope, pow } = mineMessage({
      payload: options.payload,
      topic: options.topic,
      key: options.key,
      ttl: options.ttl ?? DEFAULT_TTL,
      powTarget: options.powTarget ?? this.sendPow(),
      workTimeMs: options.workTimeMs ?? 2000,
      now: this.now,
      ...(options.signWith !== undefined ? { signWith: options.signWith } : {})
    })
    return this.postOwn(this.own.entry(envelope, pow), options.loopback ?? true)
  }

  /** Inject an already sealed envelope as our own (same checks and immediate send as post()). */
  postEnvelope(envelope: Envelope): string {
    return this.postOwn(this.own.entry(envelope), true)
  }

  private postOwn(pooled: RelayEntry, loopback: boolean): string {
    if (this.accept(pooled, null, loopback)) this.own.add(pooled.hashHex)
    this.relay.flushNow()
    return pooled.hashHex
  }

  /**
   * The PoW our envelopes are sealed to: the most any connected peer requires, as long as that is
   * within maxSendPow (a peer asking more is not served), and never less than our own minimum.
   */
  sendPow(): number {
    let pow = this.requirements.minPow
    for (const p of this.readyPeers()) if (p.powRequirement <= this.maxSendPow) pow = Math.max(pow, p.powRequirement)
    return pow
  }

  /**
   * How many connected peers have, or would take, the pooled envelope `hashHex` (its PoW meets their
   * requirement and its topic their bloom). 0: nobody on the network can get it from us right now.
   */
  reach(hashHex: string): number {
    const e = this.pool.get(hashHex)
    if (e === undefined) return 0
    return this.readyPeers().filter((p) => p.knows(e) || (e.pow >= p.powRequirement && bloomMatches(p.bloom, e.bloom))).length
  }

  /** Peers that completed the shh handshake and are still connected (what status().peers lists, without building it). */
  peerCount(): number {
    let count = 0
    for (const p of this.peers.values()) if (p.ready && !p.shh.isClosed) count++
    return count
  }

  /** Ids of the peers status().peers would list. */
  peerIds(): string[] {
    return this.readyPeers().map((p) => p.id)
  }

  /** The PoW we currently require of inbound envelopes (status().minPow). */
  get requiredPow(): number {
    return this.requirements.minPow
  }

  /** Connected peers that would take an envelope sealed to sendPow() (bloom aside). */
  reachablePeers(): number {
    return this.readyPeers().filter((p) => p.powRequirement <= this.maxSendPow).length
  }

  /** Install a filter; `handler` gets every matching message. Returns the unsubscribe function. */
  subscribe(spec: SubscribeSpec, handler: (message: ReceivedMessage) => void): () => void {
    const id = this.subscriptions.add(spec, handler)
    this.onFiltersChanged()
    return () => {
      if (this.subscriptions.remove(id)) this.onFiltersChanged()
    }
  }

  /** Change the PoW we require; peers are told (code 2) and the old value is tolerated for 10 s. */
  setMinPow(pow: number): void {
    this.requirements.setMinPow(pow)
    for (const p of this.readyPeers()) p.shh.sendPowRequirement(pow)
    this.emitStatus()
  }

  /** Accept direct (code 127/125) messages from this peer, as after sending it a mailserver request. */
  markTrusted(peerId: string): void {
    this.trusted.add(peerId)
    for (const p of this.peers.values()) if (p.id === peerId) p.trusted = true
  }

  /** Stop accepting direct messages from this peer (the reverse of markTrusted). */
  unmarkTrusted(peerId: string): void {
    this.trusted.delete(peerId)
    for (const p of this.peers.values()) if (p.id === peerId) p.trusted = false
  }

  isTrusted(peerId: string): boolean {
    return this.trusted.has(peerId)
  }

  /** Installed message filters (what this node decrypts for). */
  get filterCount(): number {
    return this.subscriptions.size
  }

  /** Code 126 with an RLP payload (an encoded envelope or MessagesRequest); marks the peer trusted. */
  sendP2PRequest(peerId: string, payload: Uint8Array): void {
    const peer = this.requirePeer(peerId)
    this.markTrusted(peerId)
    peer.shh.sendP2PRequest(payload)
  }

  /** Code 127 with a list of encoded envelopes (split the list yourself below 1 MiB). */
  sendP2PMessages(peerId: string, encodedEnvelopes: Uint8Array[]): void {
    this.requirePeer(peerId).shh.sendP2PMessages(encodedEnvelopes)
  }

  /** Code 125 carrying `payload` as one byte string. */
  sendRequestComplete(peerId: string, payload: Uint8Array): void {
    this.requirePeer(peerId).shh.sendRequestComplete(payload)
  }

  /** Direct (code 127) envelopes received but not yet through the filters. */
  get directBacklog(): number {
    return this.direct.backlog
  }

  /** Resolves once every direct envelope received so far has been through the filters. */
  directDelivered(): Promise<void> {
    return this.direct.delivered()
  }

  status(): NodeStatus {
    return {
      enode: this.host.listening ? this.host.enode : '',
      listening: this.host.listening,
      light: this.light,
      minPow: this.requirements.minPow,
      peers: this.readyPeers().map((p) => p.info()),
      envelopes: this.pool.size,
      ...(this.listenerCount('p2pRequest') > 0 ? { mailserver: true } : {})
    }
  }

  /* ---------------------------------------- peers ---------------------------------------- */

  private readyPeers(): WhisperPeer[] {
    return [...this.peers.values()].filter((p) => p.ready && !p.shh.isClosed)
  }

  private requirePeer(peerId: string): WhisperPeer {
    for (const p of this.peers.values()) if (p.id === peerId && p.ready && !p.shh.isClosed) return p
    throw new WhisperError('bad-argument', `no connected peer ${peerId}`)
  }

  private onHostPeerAdded(hp: HostPeer): void {
    const shh = shhOf(hp.peer)
    if (shh === undefined) return
    const peer = new WhisperPeer(hp, shh, this.freeSlots.pop() ?? null, new PeerBudget(this.peerBudget, this.now))
    peer.trusted = this.trusted.has(hp.id)
    this.peers.set(hp, peer)
    shh.start(this.protocolFor(peer), {
      pow: this.requirements.minPow,
      bloom: this.requirements.bloom,
      light: this.light
    })
  }

  private onHostPeerRemoved(hp: HostPeer, removal: PeerRemoval): void {
    const peer = this.peers.get(hp)
    if (peer === undefined) return
    this.peers.delete(hp)
    peer.gone = true
    // Broke a rule (ours or geth's): keep it away for a while, so reconnecting does not reset its budget.
    if (removal.byUs && removal.code === DISCONNECT_REASON.SUBPROTOCOL_ERROR) this.host.ban(hp.id, this.banMs)
    if (peer.slot !== null) {
      peer.releaseSlot(this.pool.values())
      this.freeSlots.push(peer.slot)
    }
    if (!peer.ready) return
    this.emit('peer:removed', peer.info(), removal)
    this.emitStatus()
  }

  private protocolFor(peer: WhisperPeer): ReturnType<typeof peerProtocol> {
    return peerProtocol(peer, {
      now: this.now,
      peerReady: (p) => {
        this.emit('peer:added', p.info())
        this.emitStatus()
        this.resealOwnFor(p)
        this.requeue(p)
      },
      envelopes: (from, packet, items) => this.onEnvelopes(from, packet, items),
      powChanged: (p, looser) => {
        if (looser) this.requeue(p)
        this.resealOwnFor(p)
        if (looser && p.ready) this.emit('peer:looser', p.info())
      },
      requeue: (p) => this.requeue(p),
      directEnvelopes: (p, envelopes) => {
        this.emit('p2pMessages', { peerId: p.id, envelopes })
        if (this.subscriptions.size > 0) this.direct.push(envelopes)
      },
      servesP2PRequests: () => this.listenerCount('p2pRequest') > 0,
      p2pRequest: (p, payload) => this.emit('p2pRequest', { peerId: p.id, payload }),
      requestComplete: (p, payload) => this.emit('requestComplete', { peerId: p.id, payload })
    })
  }

  /** Offer `peer` the pool (a light node: only our own posts). */
  private requeue(peer: WhisperPeer): void {
    for (const e of this.pool.values()) if (!this.light || this.own.has(e.hashHex)) peer.enqueue(e)
    this.relay.schedule()
  }

  private resealOwnFor(peer: WhisperPeer): void {
    if (this.own.resealFor(peer)) this.relay.flushNow()
  }

  /* -------------------------------------- envelopes -------------------------------------- */

  /** Large packets are worked on in slices (the peer's later messages wait meanwhile). */
  private onEnvelopes(from: WhisperPeer, packet: Uint8Array, items: RlpSpan[]): void | Promise<void> {
    const steps = inboundEnvelopeSteps(from, packet, items, {
      known: (hashHex) => this.pool.get(hashHex),
      validityContext: () => this.requirements.validityContext(),
      accept: (entry, peer) => this.accept(entry, peer)
    })
    return runInSlices(steps, SLICE_MS)
  }

  /** Pool it, tell listeners and (unless told not to) filters, queue it for relaying. False if we already had it. */
  private accept(pooled: RelayEntry, from: WhisperPeer | null, deliver = true): boolean {
    if (!this.pool.add(pooled)) return false
    this.emit('envelope', pooled)
    if (deliver) this.subscriptions.deliver(pooled, false)
    if (from === null || !this.light) {
      for (const p of this.peers.values()) if (p !== from) p.enqueue(pooled)
      this.relay.schedule()
    }
    return true
  }

  private onFiltersChanged(): void {
    if (!this.light) return
    const next = this.subscriptions.bloom()
    if (!this.requirements.setBloom(next)) return
    for (const p of this.readyPeers()) p.shh.sendBloom(next)
  }

  private sweep(): void {
    for (const hashHex of this.pool.sweep(Math.floor(this.now() / 1000))) this.forget(hashHex)
  }

  /** The envelope left the pool. */
  private forget(hashHex: string): void {
    this.own.forget(hashHex)
    for (const p of this.peers.values()) p.forget(hashHex)
  }

  /** Node-level trouble is reported, never thrown: without an 'error' listener it is dropped. */
  private reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error)
  }

  private emitStatus(): void {
    this.emit('status', this.status())
  }
}

function toEnode(e: string | Enode): Enode {
  return typeof e === 'string' ? parseEnode(e) : e
}
