import { EventEmitter } from 'node:events'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex } from '@noble/hashes/utils.js'
import { initHashing, keccak256 } from '../primitives/keccak'
import { parseEnode, type Enode } from '../p2p/enode'
import { P2PHost, type HostPeer, type PeerRemoval } from '../p2p/host'
import { systemTimers, type Timers } from '../runtime/timers'
import { bloomMatches, isFullBloom, topicToBloom } from './bloom'
import { decodeEnvelope, encodeEnvelope, type Envelope } from './envelope'
import { WhisperError } from './errors'
import { FilterSet, type FilterSpec, type ReceivedMessage } from './filters'
import { sealMessage, type SealKey } from './message'
import { EnvelopePool, type PooledEnvelope } from './pool'
import { powOf } from './pow'
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
  /** Largest envelope (20 + data bytes) we accept; default 1 MiB (geth DefaultMaxMessageSize). */
  maxMessageSize?: number
  /** Light node: advertises it, never relays other people's envelopes, refuses light peers. */
  light?: boolean
  bootnodes?: Array<string | Enode>
  staticPeers?: Array<string | Enode>
  maxPeers?: number
  discovery?: boolean
  /** Relayed envelopes wait this long to be batched per peer (own posts go at once). Default 1 ms: under load a busy event loop batches anyway. */
  broadcastDelayMs?: number
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
  /** Default: our own minPow. */
  powTarget?: number
  /** Mining budget, default 2000 ms. */
  workTimeMs?: number
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
  /** Why a peer was (or is about to be) disconnected, or any other per-peer error. */
  'peer:error': [{ peerId: string | null; error: Error }]
  status: [NodeStatus]
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
/** Inbound packets may be up to geth's MaxMessageSize even when our envelope limit is lower. */
const MAX_INBOUND_PACKET = 10 * MiB
/** We never send packets above 1 MiB, geth's default limit, so no peer drops us (#17560). */
const MAX_OUTBOUND_PACKET = 1 * MiB
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
  private readonly pool = new EnvelopePool<RelayEntry>()
  private readonly filters = new FilterSet()
  private readonly handlers = new Map<string, (message: ReceivedMessage) => void>()
  private readonly peers = new Map<HostPeer, WhisperPeer>()
  /** Free RelayEntry.knownBy bits, each cleared from every pooled entry before it is handed out again. */
  private readonly freeSlots = Array.from({ length: KNOWN_SLOTS }, (_, i) => KNOWN_SLOTS - 1 - i)
  /** Our own posts: a light node still sends these to peers that connect later. */
  private readonly own = new Set<string>()
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
    this.broadcastDelayMs = options.broadcastDelayMs ?? 1
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
      capabilities: [shhCapability({ maxPacketBytes: MAX_INBOUND_PACKET, localIsLight: () => this.light })],
      ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
      staticPeers: (options.staticPeers ?? []).map(toEnode),
      bootnodes: (options.bootnodes ?? []).map(toEnode),
      discovery: options.discovery ?? false,
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

  /** Seal, validate like any inbound envelope, pool, and send to every peer at once. Returns the hash hex. */
  async post(options: PostOptions): Promise<string> {
    const envelope = sealMessage({
      payload: options.payload,
      topic: options.topic,
      key: options.key,
      ttl: options.ttl ?? DEFAULT_TTL,
      powTarget: options.powTarget ?? this.minPow.current,
      workTimeMs: options.workTimeMs ?? 2000,
      now: this.now,
      ...(options.signWith !== undefined ? { signWith: options.signWith } : {})
    })
    return this.postEnvelope(envelope)
  }

  /** Inject an already sealed envelope as our own (same checks and immediate send as post()). */
  postEnvelope(envelope: Envelope): string {
    const encoded = encodeEnvelope(envelope)
    const hash = keccak256(encoded)
    const verdict = checkEnvelope(envelope, this.validityContext())
    if (verdict.kind !== 'accept') {
      throw new WhisperError('bad-envelope', verdict.kind === 'violation' ? verdict.message : 'envelope already expired')
    }
    const pooled: RelayEntry = {
      envelope,
      encoded,
      hash,
      hashHex: hexOf(hash),
      pow: verdict.pow,
      bloom: verdict.bloom,
      receivedAt: Math.floor(this.now() / 1000),
      knownBy: 0
    }
    if (this.accept(pooled, null)) this.own.add(pooled.hashHex)
    this.flushNow()
    return pooled.hashHex
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
    const peer = new WhisperPeer(hp, shh, this.freeSlots.pop() ?? null)
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
        for (const e of this.pool.values()) if (!this.light || this.own.has(e.hashHex)) peer.enqueue(e)
        this.scheduleFlush()
      },
      onEnvelopes: (raws) => this.onEnvelopes(peer, raws),
      // Only a looser requirement can make pooled envelopes newly eligible; re-offering the pool on
      // every update would let a peer make us walk the whole pool per packet.
      onPowRequirement: (pow) => {
        const looser = pow < peer.powRequirement
        peer.powRequirement = pow
        if (looser) this.requeue(peer)
      },
      onBloom: (bloom) => {
        const looser = bloom === null ? peer.bloom !== null : peer.bloom !== null && !bloomMatches(peer.bloom, bloom)
        peer.bloom = bloom
        if (looser) this.requeue(peer)
      },
      onP2PMessages: (raws) => {
        if (!peer.trusted) return // geth ignores direct messages from untrusted peers
        const envelopes = raws.map((raw) => this.describe(decodeOrThrow(raw), raw))
        for (const e of envelopes) this.deliver(e, true)
        this.emit('p2pMessages', { peerId: peer.id, envelopes })
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

  /** geth: an undecodable packet is fatal at once; invalid envelopes are all processed, then the peer is dropped. */
  private onEnvelopes(from: WhisperPeer, raws: Uint8Array[]): void {
    // Duplicates (the common case in a mesh) are known by hash and never decoded; everything else is
    // decoded before anything is accepted, so an undecodable packet changes nothing.
    const fresh: Array<{ raw: Uint8Array; hash: Uint8Array; hashHex: string; envelope: Envelope }> = []
    for (const raw of raws) {
      const hash = keccak256(raw)
      const hashHex = hexOf(hash)
      const known = this.pool.get(hashHex)
      if (known !== undefined) from.markKnown(known)
      else fresh.push({ raw, hash, hashHex, envelope: decodeOrThrow(raw) })
    }
    const ctx = this.validityContext()
    let violation: string | null = null
    for (const { raw, hash, hashHex, envelope } of fresh) {
      const verdict = checkEnvelope(envelope, ctx)
      if (verdict.kind === 'violation') {
        violation ??= verdict.message
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
    }
    if (violation !== null) throw new ShhProtocolError(`invalid envelope: ${violation}`)
  }

  /** Pool it, tell listeners and filters, queue it for relaying. False if we already had it. */
  private accept(pooled: RelayEntry, from: WhisperPeer | null): boolean {
    if (!this.pool.add(pooled)) return false
    this.emit('envelope', pooled)
    this.deliver(pooled, false)
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
    const removed = this.pool.sweep(Math.floor(this.now() / 1000))
    if (removed.length === 0) return
    for (const hashHex of removed) {
      this.own.delete(hashHex)
      for (const p of this.peers.values()) p.forget(hashHex)
    }
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
