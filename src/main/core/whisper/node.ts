import { EventEmitter } from 'node:events'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex } from '@noble/hashes/utils.js'
import { initHashing, keccak256 } from '../primitives/keccak'
import { parseEnode, type Enode } from '../p2p/enode'
import { DISCONNECT_REASON } from '@ethereumjs/devp2p'
import { P2PHost, type HostPeer, type P2PHostOptions, type PeerRemoval } from '../p2p/host'
import type { RlpSpan } from '../p2p/rlp-view'
import { systemTimers, type Timers } from '../runtime/timers'
import { bloomMatches, isFullBloom, topicToBloom } from './bloom'
import { decodeEnvelope, encodeEnvelope, type Envelope } from './envelope'
import { WhisperError } from './errors'
import { FilterSet, type FilterSpec, type ReceivedMessage } from './filters'
import { mineMessage, type SealKey } from './message'
import { EnvelopePool, type PoolLimits, type PooledEnvelope } from './pool'
import { DEFAULT_PEER_BUDGET, PeerBudget, type PeerBudgetLimits } from './peer-budget'
import { runInSlices } from './slices'
import { mine, powOf } from './pow'
import { checkEnvelope } from './validity'
import { KNOWN_SLOTS, WhisperPeer, type PeerInfo, type RelayEntry } from './peer'
import { ShhProtocolError, shhCapability, shhOf, type ShhHandler } from './shh-protocol'

export interface WhisperNodeOptions {
  /** 32-byte node key; generated when absent. */
  privateKey?: Uint8Array
  /** Default 127.0.0.1:30303; port 0 picks a free port. */
  listen?: { host: string; port: number }
  /** PoW we require of inbound envelopes and advertise (default 0.002, Status' setting). */
  minPow?: number
  /**
   * Most PoW we mine our own envelopes to when a peer asks for more than our minPow (default 1; geth
   * asks 0.2). A peer that requires more than this gets none of our envelopes.
   */
  maxSendPow?: number
  /** Largest envelope (20 + data bytes) we accept; default 1 MiB (geth DefaultMaxMessageSize). */
  maxMessageSize?: number
  /**
   * Largest inbound packet (any code, uncompressed); a larger one disconnects the peer before its body
   * is read. geth drops packets above its MaxMessageSize (1 MiB by default, at most 10 MiB). Default:
   * maxMessageSize plus room for the framing of one envelope that large.
   */
  maxPacketSize?: number
  /** Light node: advertises it, never relays other people's envelopes, refuses light peers. */
  light?: boolean
  bootnodes?: Array<string | Enode>
  staticPeers?: Array<string | Enode>
  maxPeers?: number
  discovery?: boolean
  /** Relayed envelopes wait this long to be batched per peer (own posts go at once). Default 1 ms: under load a busy event loop batches anyway. */
  broadcastDelayMs?: number
  /** Pool bounds; default 100,000 envelopes, 64 MiB, each kept at most 1 h (lowest PoW goes first when full). */
  pool?: Omit<PoolLimits, 'onEvict'>
  /** Work one peer may cause before it is disconnected and banned (DEFAULT_PEER_BUDGET). */
  peerBudget?: PeerBudgetLimits
  /** How long a peer we disconnected for breaking the rules is refused. Default 60 s. */
  banMs?: number
  /** RLPx handshake limits (P2PHost defaults: 10 s, 50 pending inbound sockets, 8 per address). */
  handshake?: Pick<P2PHostOptions, 'handshakeTimeoutMs' | 'maxPendingInbound' | 'maxPendingPerAddress'>
  /** Millisecond clock. */
  now?: () => number
  timers?: Timers
  random?: () => number
}

export interface PostOptions {
  payload: Uint8Array
  topic: Uint8Array
  key: SealKey
  /** Sign with this private key. */
  signWith?: Uint8Array
  /** Seconds, default 50 (geth DefaultTTL). */
  ttl?: number
  /** Default: sendPow(), the most any connected peer asks (within maxSendPow), at least our own minPow. */
  powTarget?: number
  /** Mining budget, default 2000 ms. */
  workTimeMs?: number
  /**
   * Whether our own filters see this envelope too (default true, as geth). A messenger that already
   * stored what it sends passes false: decrypting it back would only find a duplicate.
   */
  loopback?: boolean
}

/** A subscription: FilterSpec with the key given as in post(). */
export interface SubscribeSpec extends Omit<FilterSpec, 'key'> {
  key: { symKey: Uint8Array } | { privateKey: Uint8Array }
}

export interface NodeStatus {
  enode: string
  listening: boolean
  light: boolean
  minPow: number
  peers: PeerInfo[]
  envelopes: number
  /** Present and true while a mailserver listens for requests (code 126). */
  mailserver?: boolean
}

export interface WhisperNodeEvents {
  /** A peer completed the shh/6 handshake. */
  'peer:added': [PeerInfo]
  'peer:removed': [PeerInfo, PeerRemoval]
  /** A connected peer now asks less PoW: envelopes it refused before may go to it now. */
  'peer:looser': [PeerInfo]
  /** Why a peer was (or is about to be) disconnected, or any other per-peer error. */
  'peer:error': [{ peerId: string | null; error: Error }]
  status: [NodeStatus]
  /** One of our envelopes was mined again for a peer that asks more PoW; `to` replaces `from`. */
  resealed: [{ from: string; to: string }]
  /** Every envelope accepted into the pool, own ones included (mailserver archiving). */
  envelope: [PooledEnvelope]
  /** Code 126; only processed while someone listens (a mailserver is registered). */
  p2pRequest: [{ peerId: string; payload: Uint8Array }]
  /** Code 127 from a trusted peer: not validated, not pooled, already handed to allowP2P filters. */
  p2pMessages: [{ peerId: string; envelopes: PooledEnvelope[] }]
  /** Code 125 from a trusted peer. */
  requestComplete: [{ peerId: string; payload: Uint8Array }]
  error: [Error]
}

const MiB = 1024 * 1024
const DEFAULT_MIN_POW = 0.002
const DEFAULT_TTL = 50
/** geth's MaxMessageSize upper bound: no packet is ever accepted above it. */
const MAX_INBOUND_PACKET = 10 * MiB
/** RLP list and envelope headers around the largest envelope. */
const PACKET_FRAMING = 1024
/** We never send packets above 1 MiB, geth's default limit, so no peer drops us (#17560). */
const MAX_OUTBOUND_PACKET = 1 * MiB
/**
 * Most envelopes in one code-1 packet. geth sends its pending envelopes in one bundle, which its peers
 * (1 MiB limit by default) drop above 1 MiB: that is ~24,000 of the smallest envelopes geth can seal
 * (29 data bytes), and a 10 MiB bundle of padded messages (≥ 284 data bytes) holds ~35,000.
 */
const MAX_ENVELOPES_PER_PACKET = 50_000
/** geth would process them all, then disconnect; after this many we stop reading and disconnect. */
const MAX_INVALID_PER_PACKET = 16
/** Longest stretch of envelope work before other peers and timers get a turn. */
const SLICE_MS = 4
const DEFAULT_POOL: Omit<PoolLimits, 'onEvict'> = { maxCount: 100_000, maxBytes: 64 * MiB, maxRetentionSeconds: 3600 }
const DEFAULT_BAN_MS = 60_000
const DEFAULT_MAX_SEND_POW = 1
/** Mining budget for re-sealing one of our envelopes for a peer that asks more PoW than it has. */
const RESEAL_WORK_MS = 2000
/** How long a previous PoW/bloom requirement stays tolerated after a change (geth: 10 s). */
const TOLERANCE_MS = 10_000
const SWEEP_INTERVAL_MS = 1000
/** A peer with this much unsent data gets nothing more until it drains (checked again shortly). */
const MAX_WRITE_BACKLOG = 8 * MiB
const BACKLOG_RETRY_MS = 50

interface Tolerated<T> {
  current: T
  previous: T
  changedAt: number
}

/** A Whisper v6 node: RLPx host, envelope pool, filters, validity checks and per-peer broadcasting. */
export class WhisperNode extends EventEmitter<WhisperNodeEvents> {
  readonly host: P2PHost
  readonly light: boolean
  private readonly maxMessageSize: number
  private readonly broadcastDelayMs: number
  private readonly now: () => number
  private readonly timers: Timers
  private readonly pool: EnvelopePool<RelayEntry>
  private readonly peerBudget: PeerBudgetLimits
  private readonly banMs: number
  private readonly maxSendPow: number
  private readonly filters = new FilterSet()
  private readonly handlers = new Map<string, (message: ReceivedMessage) => void>()
  private readonly peers = new Map<HostPeer, WhisperPeer>()
  /** Free RelayEntry.knownBy bits, each cleared from every pooled entry before it is handed out again. */
  private readonly freeSlots = Array.from({ length: KNOWN_SLOTS }, (_, i) => KNOWN_SLOTS - 1 - i)
  /** Our own posts: a light node still sends these to peers that connect later. */
  private readonly own = new Set<string>()
  /** Direct (code 127) envelopes not yet through the filters, oldest first from directHead. */
  private directQueue: Array<PooledEnvelope | undefined> = []
  private directHead = 0
  private directDraining: Promise<void> | null = null
  private readonly trusted = new Set<string>()
  private minPow: Tolerated<number>
  private bloom: Tolerated<Uint8Array | null>
  private flushTimer: unknown = null
  private sweepTimer: unknown = null
  private started = false
  private stopped = false

  constructor(options: WhisperNodeOptions = {}) {
    super()
    this.light = options.light ?? false
    this.maxMessageSize = options.maxMessageSize ?? MiB
    if (this.maxMessageSize > MAX_INBOUND_PACKET) {
      throw new WhisperError('bad-argument', `maxMessageSize above ${MAX_INBOUND_PACKET} bytes`)
    }
    const maxPacketSize = options.maxPacketSize ?? this.maxMessageSize + PACKET_FRAMING
    if (!(maxPacketSize > 0) || maxPacketSize > MAX_INBOUND_PACKET + PACKET_FRAMING) {
      throw new WhisperError('bad-argument', `bad maxPacketSize ${maxPacketSize}`)
    }
    this.broadcastDelayMs = options.broadcastDelayMs ?? 1
    this.pool = new EnvelopePool<RelayEntry>({ ...DEFAULT_POOL, ...options.pool, onEvict: (hashHex) => this.forget(hashHex) })
    this.peerBudget = options.peerBudget ?? DEFAULT_PEER_BUDGET
    this.banMs = options.banMs ?? DEFAULT_BAN_MS
    this.maxSendPow = options.maxSendPow ?? DEFAULT_MAX_SEND_POW
    if (!(this.maxSendPow >= 0) || !Number.isFinite(this.maxSendPow)) {
      throw new WhisperError('bad-argument', `bad maxSendPow ${this.maxSendPow}`)
    }
    this.now = options.now ?? Date.now
    this.timers = options.timers ?? systemTimers
    const minPow = options.minPow ?? DEFAULT_MIN_POW
    if (!(minPow >= 0) || !Number.isFinite(minPow)) throw new WhisperError('bad-argument', `bad minPow ${minPow}`)
    this.minPow = { current: minPow, previous: minPow, changedAt: 0 }
    const bloom = this.light ? this.filters.bloom() : null
    this.bloom = { current: bloom, previous: bloom, changedAt: 0 }
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
    this.timers.clearTimeout(this.flushTimer)
    this.flushTimer = null
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
    return this.postOwn(this.ownEntry(envelope, pow), options.loopback ?? true)
  }

  /** Inject an already sealed envelope as our own (same checks and immediate send as post()). */
  postEnvelope(envelope: Envelope): string {
    return this.postOwn(this.ownEntry(envelope), true)
  }

  private postOwn(pooled: RelayEntry, loopback: boolean): string {
    if (this.accept(pooled, null, loopback)) this.own.add(pooled.hashHex)
    this.flushNow()
    return pooled.hashHex
  }

  /**
   * The PoW our envelopes are sealed to: the most any connected peer requires, as long as that is
   * within maxSendPow (a peer asking more is not served), and never less than our own minimum.
   */
  sendPow(): number {
    let pow = this.minPow.current
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
    return this.minPow.current
  }

  /** Connected peers that would take an envelope sealed to sendPow() (bloom aside). */
  reachablePeers(): number {
    return this.readyPeers().filter((p) => p.powRequirement <= this.maxSendPow).length
  }

  private ownEntry(envelope: Envelope, minedPow?: number): RelayEntry {
    const encoded = encodeEnvelope(envelope)
    const hash = keccak256(encoded)
    const verdict = checkEnvelope(envelope, this.validityContext(), minedPow)
    if (verdict.kind !== 'accept') {
      throw new WhisperError('bad-envelope', verdict.kind === 'violation' ? verdict.message : 'envelope already expired')
    }
    return {
      envelope,
      encoded,
      hash,
      hashHex: hexOf(hash),
      pow: verdict.pow,
      bloom: verdict.bloom,
      receivedAt: Math.floor(this.now() / 1000),
      knownBy: 0
    }
  }

  /**
   * Our own envelopes that `peer` does not have and whose PoW is below what it now asks (within
   * maxSendPow) are mined again: same content, new nonce, hence a new hash. Peers that had the old one
   * are marked as having the new one, so only those that needed it get it. Each re-seal at least
   * doubles the PoW, so a peer nudging its requirement up step by step costs us a few re-seals per
   * envelope, not one per step.
   */
  private resealOwnFor(peer: WhisperPeer): void {
    const want = peer.powRequirement
    if (want > this.maxSendPow || this.own.size === 0) return
    let resealed = false
    for (const hashHex of [...this.own]) {
      const old = this.pool.get(hashHex)
      if (old === undefined || old.pow >= want || peer.knows(old) || !bloomMatches(peer.bloom, old.bloom)) continue
      const { expiry, ttl, topic, data } = old.envelope
      let entry: RelayEntry
      try {
        const target = Math.min(this.maxSendPow, Math.max(want, 2 * old.pow))
        const mined = mine({ expiry, ttl, topic, data }, { target, workTimeMs: RESEAL_WORK_MS, now: this.now })
        entry = this.ownEntry(mined.envelope, mined.pow)
      } catch (error) {
        this.reportError(error instanceof Error ? error : new Error(String(error)))
        continue
      }
      for (const p of this.peers.values()) if (p.knows(old)) p.markKnown(entry)
      this.own.delete(hashHex)
      // The same message under a new nonce: our filters saw it (or were told not to) the first time.
      if (this.accept(entry, null, false)) this.own.add(entry.hashHex)
      this.emit('resealed', { from: hashHex, to: entry.hashHex })
      resealed = true
    }
    if (resealed) this.flushNow()
  }

  /** Install a filter; `handler` gets every matching message. Returns the unsubscribe function. */
  subscribe(spec: SubscribeSpec, handler: (message: ReceivedMessage) => void): () => void {
    const key = 'symKey' in spec.key ? { kind: 'sym' as const, symKey: spec.key.symKey } : { kind: 'asym' as const, privateKey: spec.key.privateKey }
    const id = this.filters.install({ ...spec, key })
    this.handlers.set(id, handler)
    this.onFiltersChanged()
    return () => {
      if (this.filters.uninstall(id)) {
        this.handlers.delete(id)
        this.onFiltersChanged()
      }
    }
  }

  /** Change the PoW we require; peers are told (code 2) and the old value is tolerated for 10 s. */
  setMinPow(pow: number): void {
    if (!(pow >= 0) || !Number.isFinite(pow)) throw new WhisperError('bad-argument', `bad minPow ${pow}`)
    this.minPow = { current: pow, previous: this.minPow.current, changedAt: this.now() }
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
    return this.filters.size
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

  status(): NodeStatus {
    return {
      enode: this.host.listening ? this.host.enode : '',
      listening: this.host.listening,
      light: this.light,
      minPow: this.minPow.current,
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
    shh.start(this.handlerFor(peer), {
      pow: this.minPow.current,
      bloom: this.bloom.current,
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

  private handlerFor(peer: WhisperPeer): ShhHandler {
    return {
      onStatus: (status) => {
        peer.applyStatus(status)
        this.emit('peer:added', peer.info())
        this.emitStatus()
        this.resealOwnFor(peer)
        for (const e of this.pool.values()) if (!this.light || this.own.has(e.hashHex)) peer.enqueue(e)
        this.scheduleFlush()
      },
      // A trusted peer (a mailserver we asked) may send history as fast as it can: no budget.
      onTraffic: (bytes) => {
        if (peer.trusted) return
        const exceeded = peer.budget.spendBytes(bytes)
        if (exceeded !== null) throw new ShhProtocolError(`peer sent ${exceeded}`)
      },
      onEnvelopes: (packet, items) => this.onEnvelopes(peer, packet, items),
      // Only a looser requirement can make pooled envelopes newly eligible; re-offering the pool on
      // every update would let a peer make us walk the whole pool per packet.
      onPowRequirement: (pow) => {
        const looser = pow < peer.powRequirement
        peer.powRequirement = pow
        if (looser) this.requeue(peer)
        this.resealOwnFor(peer)
        if (looser && peer.ready) this.emit('peer:looser', peer.info())
      },
      onBloom: (bloom) => {
        const looser = bloom === null ? peer.bloom !== null : peer.bloom !== null && !bloomMatches(peer.bloom, bloom)
        peer.bloom = bloom
        if (looser) this.requeue(peer)
      },
      onP2PMessages: (raws) => {
        if (!peer.trusted) return // geth ignores direct messages from untrusted peers
        const envelopes = raws.map((raw) => this.describe(decodeOrThrow(raw), raw))
        this.emit('p2pMessages', { peerId: peer.id, envelopes })
        if (this.handlers.size > 0) this.queueDirect(envelopes)
      },
      onP2PRequest: (payload) => {
        if (this.listenerCount('p2pRequest') === 0) return
        try {
          RLP.decode(payload)
        } catch (err) {
          throw new ShhProtocolError(`undecodable P2P request: ${(err as Error).message}`)
        }
        this.emit('p2pRequest', { peerId: peer.id, payload })
      },
      onRequestComplete: (payload) => {
        if (peer.trusted) this.emit('requestComplete', { peerId: peer.id, payload })
      }
    }
  }

  private requeue(peer: WhisperPeer): void {
    for (const e of this.pool.values()) if (!this.light || this.own.has(e.hashHex)) peer.enqueue(e)
    this.scheduleFlush()
  }

  /* -------------------------------------- envelopes -------------------------------------- */

  /**
   * geth: an undecodable packet is fatal at once; invalid envelopes are processed, then the peer is
   * dropped. Large packets are worked on in slices (the peer's later messages wait meanwhile).
   */
  private onEnvelopes(from: WhisperPeer, packet: Uint8Array, items: RlpSpan[]): void | Promise<void> {
    const exceeded = from.trusted ? null : from.budget.spendEnvelopes(items.length)
    if (exceeded !== null) throw new ShhProtocolError(`peer sent ${exceeded}`)
    return runInSlices(this.envelopeSteps(from, packet, items), SLICE_MS)
  }

  private *envelopeSteps(from: WhisperPeer, packet: Uint8Array, items: RlpSpan[]): Generator<void, void> {
    // First every envelope is hashed, and only unknown ones are copied out of the packet (a pooled
    // envelope must not pin the whole packet) and decoded, so an undecodable packet changes nothing.
    // geth never puts an envelope twice in one bundle, so a repeat is abuse, caught before any PoW.
    const inPacket = new Set<string>()
    const fresh: Array<{ raw: Uint8Array; hash: Uint8Array; hashHex: string; envelope: Envelope }> = []
    for (const item of items) {
      if (from.gone) return
      const view = packet.subarray(item.start, item.end)
      const hash = keccak256(view)
      const hashHex = hexOf(hash)
      if (inPacket.has(hashHex)) throw new ShhProtocolError(`envelope ${hashHex} repeated in one packet`)
      inPacket.add(hashHex)
      const known = this.pool.get(hashHex)
      if (known !== undefined) from.markKnown(known)
      else {
        const raw = view.slice()
        fresh.push({ raw, hash, hashHex, envelope: decodeOrThrow(raw) })
      }
      yield
    }
    let violation: string | null = null
    let invalid = 0
    for (const { raw, hash, hashHex, envelope } of fresh) {
      if (from.gone) return
      const ctx = this.validityContext()
      const verdict = checkEnvelope(envelope, ctx)
      if (verdict.kind === 'violation') {
        violation ??= verdict.message
        if (++invalid >= MAX_INVALID_PER_PACKET) break
        continue
      }
      if (verdict.kind === 'drop') continue
      const entry: RelayEntry = {
        envelope,
        encoded: raw,
        hash,
        hashHex,
        pow: verdict.pow,
        bloom: verdict.bloom,
        receivedAt: ctx.now,
        knownBy: 0
      }
      from.markKnown(entry)
      this.accept(entry, from)
      yield
    }
    if (violation !== null) throw new ShhProtocolError(`invalid envelope: ${violation}`)
  }

  /** Pool it, tell listeners and (unless told not to) filters, queue it for relaying. False if we already had it. */
  private accept(pooled: RelayEntry, from: WhisperPeer | null, deliver = true): boolean {
    if (!this.pool.add(pooled)) return false
    this.emit('envelope', pooled)
    if (deliver) this.deliver(pooled, false)
    if (from === null || !this.light) {
      for (const p of this.peers.values()) if (p !== from) p.enqueue(pooled)
      this.scheduleFlush()
    }
    return true
  }

  private deliver(pooled: PooledEnvelope, p2p: boolean): void {
    if (this.handlers.size === 0) return
    for (const { filterId, message } of this.filters.deliver(pooled, { p2p })) {
      try {
        this.handlers.get(filterId)?.(message)
      } catch (error) {
        this.reportError(error instanceof Error ? error : new Error(String(error)))
      }
    }
  }

  /**
   * Direct envelopes (a mailserver's history) go through the filters in slices, after the packet that
   * brought them: the peer's next packet (the page's completion) is read meanwhile, so the next page can
   * be asked for while this one is decrypted, and the event loop is never held for a whole page.
   */
  private queueDirect(envelopes: PooledEnvelope[]): void {
    for (const e of envelopes) this.directQueue.push(e)
    if (this.directDraining !== null) return
    const job = runInSlices(this.directSteps(), SLICE_MS)
    if (job === undefined) return
    this.directDraining = job
      .catch((error: unknown) => this.reportError(error instanceof Error ? error : new Error(String(error))))
      .finally(() => {
        this.directDraining = null
      })
  }

  private *directSteps(): Generator<void, void> {
    while (this.directHead < this.directQueue.length && !this.stopped) {
      const e = this.directQueue[this.directHead] as PooledEnvelope
      // Released as it goes: a long backlog must not keep delivered envelopes alive.
      this.directQueue[this.directHead++] = undefined
      this.deliver(e, true)
      yield
    }
    this.directQueue = []
    this.directHead = 0
  }

  /** Direct (code 127) envelopes received but not yet through the filters. */
  get directBacklog(): number {
    return this.directQueue.length - this.directHead
  }

  /** Resolves once every direct envelope received so far has been through the filters. */
  directDelivered(): Promise<void> {
    return this.directDraining ?? Promise.resolve()
  }

  /** A direct (code 127) envelope, never validated nor pooled, described like a pooled one for filters. */
  private describe(envelope: Envelope, raw: Uint8Array): PooledEnvelope {
    const hash = keccak256(raw)
    const pow = envelope.ttl === 0 ? 0 : powOf(envelope)
    return {
      envelope,
      encoded: raw,
      hash,
      hashHex: hexOf(hash),
      pow,
      bloom: topicToBloom(envelope.topic),
      receivedAt: Math.floor(this.now() / 1000)
    }
  }

  private validityContext() {
    const now = this.now()
    const tolerate = <T>(t: Tolerated<T>): T => (now - t.changedAt < TOLERANCE_MS ? t.previous : t.current)
    return {
      now: Math.floor(now / 1000),
      minPow: this.minPow.current,
      minPowTolerance: tolerate(this.minPow),
      bloom: this.bloom.current,
      bloomTolerance: tolerate(this.bloom),
      maxMessageSize: this.maxMessageSize
    }
  }

  private onFiltersChanged(): void {
    if (!this.light) return
    const next = this.filters.bloom()
    const prev = this.bloom.current
    if (prev !== null && bytesToHex(prev) === bytesToHex(next)) return
    this.bloom = { current: isFullBloom(next) ? null : next, previous: prev, changedAt: this.now() }
    for (const p of this.readyPeers()) p.shh.sendBloom(next)
  }

  /* ---------------------------------------- timers --------------------------------------- */

  private scheduleFlush(): void {
    if (this.flushTimer !== null || this.stopped) return
    this.flushTimer = this.timers.setTimeout(() => this.flushNow(), this.broadcastDelayMs)
  }

  private flushNow(): void {
    this.timers.clearTimeout(this.flushTimer)
    this.flushTimer = null
    const isLive = (entry: RelayEntry): boolean => this.pool.get(entry.hashHex) === entry
    let backlogged = false
    for (const p of this.peers.values()) {
      if (p.shh.isClosed) continue
      if (p.host.pendingWrite() > MAX_WRITE_BACKLOG) backlogged = p.pending > 0 || backlogged
      else p.flush(MAX_OUTBOUND_PACKET, isLive)
    }
    if (backlogged && !this.stopped) this.flushTimer = this.timers.setTimeout(() => this.flushNow(), BACKLOG_RETRY_MS)
  }

  private sweep(): void {
    for (const hashHex of this.pool.sweep(Math.floor(this.now() / 1000))) this.forget(hashHex)
  }

  /** The envelope left the pool. */
  private forget(hashHex: string): void {
    this.own.delete(hashHex)
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

/** Buffer's hex is a flat string; noble's bytesToHex builds a rope that every Map lookup then flattens. */
function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
}

function decodeOrThrow(raw: Uint8Array): Envelope {
  try {
    return decodeEnvelope(raw)
  } catch (err) {
    throw new ShhProtocolError(`undecodable envelope: ${(err as Error).message}`)
  }
}
