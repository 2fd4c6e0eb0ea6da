import { EventEmitter } from 'node:events'
import { Common, Mainnet } from '@ethereumjs/common'
import {
  DISCONNECT_REASON,
  DisconnectReasonNames,
  RLPx,
  genPrivateKey,
  pk2id,
  type Capabilities,
  type DPT,
  type Peer
} from '@ethereumjs/devp2p'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { bufferSocketReads, reuseMacCiphers, useFastSnappyLiterals, useWasmFrameMacs } from './devp2p-speedups'
import { admitInbound, adoptBoundPort, createDpt, pendingDialSocket, peerSocket } from './devp2p-workarounds'
import { formatEnode, type Enode } from './enode'
import { PendingHandshakes } from './pending-handshakes'
import { systemTimers, type Timers } from '../runtime/timers'

export interface P2PHostOptions {
  /** 32-byte secp256k1 node key; generated when absent. */
  privateKey?: Uint8Array
  /** Exactly the address to bind (port 0 = any free port). */
  listen: { host: string; port: number }
  capabilities: Capabilities[]
  maxPeers?: number
  /** Always kept connected: redialled with capped exponential backoff and jitter. */
  staticPeers?: Enode[]
  /** Dialled once at start, and used to bootstrap discovery when it is on. */
  bootnodes?: Enode[]
  /**
   * discv4 on the same UDP port as RLPx; off by default. `findNeighbours: false` only answers
   * (peers that ping us are not dialled back), which avoids the duplicate-dial race (spec §6.9).
   */
  discovery?: boolean | { findNeighbours: boolean }
  clientId?: string
  timers?: Timers
  now?: () => number
  random?: () => number
  backoff?: { initialMs: number; maxMs: number }
  /** A socket that has not finished the RLPx handshake (Auth, Ack, Hello) by then is closed. Default 10 s. */
  handshakeTimeoutMs?: number
  /** Inbound sockets still in the RLPx handshake, at most (geth MaxPendingPeers: 50). */
  maxPendingInbound?: number
  /** The same, per remote IP address. */
  maxPendingPerAddress?: number
}

export type PeerDirection = 'inbound' | 'outbound'

/** One live RLPx connection, tracked by its Peer object (the library's own map is keyed by id and can lose entries). */
export interface HostPeer {
  readonly peer: Peer
  /** 128-hex node id. */
  readonly id: string
  readonly direction: PeerDirection
  /** `host:port`, the port being the remote's listening port when it advertised one. */
  readonly address: string
  readonly clientId: string
  readonly connectedAt: number
  readonly static: boolean
  bytesIn(): number
  bytesOut(): number
  /** Bytes written but not yet handed to the kernel: a slow peer's backlog. */
  pendingWrite(): number
}

export interface PeerRemoval {
  /** devp2p disconnect reason code. */
  code: number
  name: string
  /** True when we sent the disconnect. */
  byUs: boolean
  /** The error that made the library disconnect (SUBPROTOCOL_ERROR), if any. */
  error?: string
}

export interface P2PHostEvents {
  'peer:added': [HostPeer]
  'peer:removed': [HostPeer, PeerRemoval]
  'peer:error': [HostPeer | null, Error]
  'dial:failed': [Enode, Error]
  error: [Error]
}

const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 30_000 }
/** How long after TCP connect we wait for the RLPx handshake before closing the socket (and redialling a static peer). */
const HANDSHAKE_TIMEOUT_MS = 10_000
const MAX_PENDING_INBOUND = 50
const MAX_PENDING_PER_ADDRESS = 8
/** A static connection that lived this long resets its backoff (quick drops keep backing off). */
const STABLE_CONNECTION_MS = 10_000

interface StaticPeer {
  enode: Enode
  attempts: number
  timer: unknown
  dialing: boolean
  connectedAt: number | null
}

/** An RLPx listener/dialer with static peers, optional discv4 and self-kept peer bookkeeping. */
export class P2PHost extends EventEmitter<P2PHostEvents> {
  readonly privateKey: Uint8Array
  readonly id: string
  private readonly options: P2PHostOptions
  private readonly timers: Timers
  private readonly now: () => number
  private readonly random: () => number
  private rlpx: RLPx | null = null
  private dpt: DPT | null = null
  private bound: { host: string; port: number } | null = null
  private stopped = false
  private readonly peers = new Map<Peer, HostPeer & { lastError?: string }>()
  private readonly statics = new Map<string, StaticPeer>()
  private readonly pending: PendingHandshakes
  /** Node id → end of its ban (ms). */
  private readonly bans = new Map<string, number>()

  constructor(options: P2PHostOptions) {
    super()
    this.options = options
    this.privateKey = options.privateKey ?? genPrivateKey()
    this.timers = options.timers ?? systemTimers
    this.now = options.now ?? Date.now
    this.random = options.random ?? Math.random
    this.pending = new PendingHandshakes(
      {
        timeoutMs: options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
        maxTotal: options.maxPendingInbound ?? MAX_PENDING_INBOUND,
        maxPerAddress: options.maxPendingPerAddress ?? MAX_PENDING_PER_ADDRESS
      },
      this.timers
    )
    this.id = bytesToHex(pk2id(secp256k1.getPublicKey(this.privateKey, false)))
    for (const enode of options.staticPeers ?? []) this.addStaticPeer(enode, false)
  }

  /** Bind, start discovery if asked, dial bootnodes and static peers. */
  async start(): Promise<void> {
    if (this.rlpx !== null) throw new Error('P2PHost already started')
    await useWasmFrameMacs()
    useFastSnappyLiterals()
    reuseMacCiphers()
    bufferSocketReads()
    const { host, port } = this.options.listen
    const rlpx = new RLPx(this.privateKey, {
      capabilities: this.options.capabilities,
      common: COMMON,
      listenPort: port,
      maxPeers: this.options.maxPeers ?? 25,
      clientId: utf8ToBytes(this.options.clientId ?? 'hush/v0.1.0'),
      ...(this.options.discovery ? { dpt: this.createDiscovery(host, port) } : {})
    })
    this.rlpx = rlpx
    admitInbound(rlpx, (socket) => !this.stopped && this.pending.admit(socket))
    rlpx.events.on('peer:added', (peer) => this.onPeerAdded(peer))
    rlpx.events.on('peer:removed', (peer, reason, disconnectWe) => this.onPeerRemoved(peer, reason, disconnectWe))
    rlpx.events.on('peer:error', (peer, err) => this.onPeerError(peer, err))
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error): void => reject(err)
        rlpx.events.once('error', onError)
        rlpx.events.once('listening', () => {
          rlpx.events.off('error', onError)
          rlpx.events.on('error', (err) => this.reportError(err))
          resolve()
        })
        rlpx.listen(port, host)
      })
    } catch (err) {
      // RLPx and DPT start intervals in their constructors; without this a failed bind keeps the process alive.
      this.stopped = true
      rlpx.destroy()
      this.dpt?.destroy()
      throw err
    }
    this.bound = { host, port: adoptBoundPort(rlpx).port }
    if (this.dpt !== null) {
      this.dpt.bind(this.bound.port, host)
      for (const node of this.options.bootnodes ?? []) {
        this.dpt
          .bootstrap({ address: node.host, udpPort: node.discoveryPort ?? node.port, tcpPort: node.port })
          .catch((err: Error) => this.emit('dial:failed', node, err))
      }
    } else {
      for (const node of this.options.bootnodes ?? []) void this.connect(node)
    }
    for (const s of this.statics.values()) this.scheduleStatic(s, 0)
  }

  /** Disconnect everyone (CLIENT_QUITTING), close the listener and discovery, clear our timers. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    for (const s of this.statics.values()) this.timers.clearTimeout(s.timer)
    const rlpx = this.rlpx
    if (rlpx === null) return
    const closing = [...this.peers.values()].map((p) => closeSocket(p.peer, this.timers))
    this.pending.destroyAll()
    rlpx.destroy()
    this.dpt?.destroy()
    await Promise.all(closing)
  }

  get listening(): boolean {
    return this.bound !== null && !this.stopped
  }

  /** Our own enode URL (valid after start). */
  get enode(): string {
    if (this.bound === null) throw new Error('P2PHost not started')
    return formatEnode({ id: this.id, host: this.bound.host, port: this.bound.port })
  }

  get address(): { host: string; port: number } | null {
    return this.bound
  }

  connectedPeers(): HostPeer[] {
    return [...this.peers.values()]
  }

  /** Sockets still in the RLPx handshake (inbound and dialled). */
  get pendingHandshakes(): number {
    return this.pending.size
  }

  /**
   * Refuse this node for `ms`: a live connection is dropped now, a later one right after its handshake,
   * and we do not dial it meanwhile.
   */
  ban(idHex: string, ms: number): void {
    this.bans.set(idHex, this.now() + ms)
    for (const p of this.peers.values()) {
      if (p.id !== idHex) continue
      p.peer.disconnect(DISCONNECT_REASON.USELESS_PEER)
      peerSocket(p.peer).end()
    }
  }

  isBanned(idHex: string): boolean {
    const until = this.bans.get(idHex)
    if (until === undefined) return false
    if (until > this.now()) return true
    this.bans.delete(idHex)
    return false
  }

  /** Keep this node connected from now on (geth admin_addPeer semantics). */
  addStaticPeer(enode: Enode, dialNow = true): void {
    if (enode.idHex === this.id || this.statics.has(enode.idHex)) return
    const s: StaticPeer = { enode, attempts: 0, timer: null, dialing: false, connectedAt: null }
    this.statics.set(enode.idHex, s)
    if (dialNow && this.rlpx !== null && !this.stopped) this.scheduleStatic(s, 0)
  }

  /** Ids of the nodes kept connected (static peers). */
  staticPeerIds(): string[] {
    return [...this.statics.keys()]
  }

  /** Stop keeping this node connected: no more redials, and a connection to it is closed now. */
  removeStaticPeer(idHex: string): void {
    const s = this.statics.get(idHex)
    if (s === undefined) return
    this.timers.clearTimeout(s.timer)
    this.statics.delete(idHex)
    for (const entry of this.peers.values()) {
      if (entry.id === idHex) void closeSocket(entry.peer, this.timers, DISCONNECT_REASON.DISCONNECT_REQUESTED)
    }
  }

  private createDiscovery(host: string, port: number): DPT {
    if (port === 0) throw new Error('discovery needs a fixed listen port (UDP uses the same number)')
    const { discovery } = this.options
    this.dpt = createDpt(this.privateKey, {
      endpoint: { address: host, udpPort: port, tcpPort: port },
      shouldFindNeighbours: typeof discovery === 'object' ? discovery.findNeighbours : true,
      common: COMMON
    })
    this.dpt.events.on('error', (err) => this.reportError(err))
    return this.dpt
  }

  /** Dial once (no redial); false if the TCP connection failed. */
  async connect(node: Enode): Promise<boolean> {
    const rlpx = this.rlpx
    if (rlpx === null || this.stopped || this.isBanned(node.idHex)) return false
    try {
      await rlpx.connect({ id: node.id, address: node.host, tcpPort: node.port })
      const socket = pendingDialSocket(rlpx, node.idHex)
      if (socket !== null) this.pending.track(socket)
      return true
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      if (!this.stopped) this.emit('dial:failed', node, error)
      return false
    }
  }

  private isConnected(idHex: string): boolean {
    for (const p of this.peers.values()) if (p.id === idHex) return true
    return false
  }

  private scheduleStatic(s: StaticPeer, delayMs: number): void {
    this.timers.clearTimeout(s.timer)
    s.timer = this.timers.setTimeout(() => void this.dialStatic(s), delayMs)
  }

  private async dialStatic(s: StaticPeer): Promise<void> {
    if (this.stopped || s.dialing || this.isConnected(s.enode.idHex)) return
    s.dialing = true
    const ok = await this.connect(s.enode)
    s.dialing = false
    if (this.stopped || this.isConnected(s.enode.idHex)) return
    if (!ok) return this.retryStatic(s)
    // TCP is up; the RLPx handshake either ends in onPeerAdded (which cancels this) or silently fails.
    s.timer = this.timers.setTimeout(() => {
      if (!this.isConnected(s.enode.idHex)) this.retryStatic(s)
    }, this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS)
  }

  private retryStatic(s: StaticPeer): void {
    if (this.stopped) return
    const { initialMs, maxMs } = this.options.backoff ?? DEFAULT_BACKOFF
    const exp = Math.min(maxMs, initialMs * 2 ** Math.min(s.attempts, 30))
    // Jitter in [0.5, 1.5) keeps restarted fleets from redialling in lock-step.
    const delay = Math.min(maxMs, Math.round(exp * (0.5 + this.random())))
    s.attempts += 1
    this.scheduleStatic(s, delay)
  }

  private onPeerAdded(peer: Peer): void {
    const socket = peerSocket(peer)
    this.pending.done(socket)
    if (this.stopped) {
      void closeSocket(peer, this.timers)
      return
    }
    const idBytes = peer.getId()
    if (idBytes === null) return
    const id = bytesToHex(idBytes)
    if (this.isBanned(id)) {
      peer.disconnect(DISCONNECT_REASON.USELESS_PEER)
      socket.end()
      return
    }
    // Accepted sockets share our listening port locally; dialled ones get an ephemeral local port.
    const direction: PeerDirection = socket.localPort === this.bound?.port ? 'inbound' : 'outbound'
    const hello = peer.getHelloMessage()
    const remotePort = direction === 'outbound' || !hello?.port ? socket.remotePort : hello.port
    const s = this.statics.get(id)
    if (s !== undefined) {
      this.timers.clearTimeout(s.timer)
      s.connectedAt = this.now()
    }
    let bytesIn = 0
    let bytesOut = 0
    const entry: HostPeer & { lastError?: string } = {
      peer,
      id,
      direction,
      address: `${socket.remoteAddress ?? '?'}:${remotePort ?? '?'}`,
      clientId: hello?.clientId ?? '',
      connectedAt: this.now(),
      static: s !== undefined,
      bytesIn: () => (socket.destroyed ? bytesIn : (bytesIn = socket.bytesRead)),
      bytesOut: () => (socket.destroyed ? bytesOut : (bytesOut = socket.bytesWritten)),
      pendingWrite: () => socket.writableLength
    }
    socket.once('close', () => {
      bytesIn = socket.bytesRead
      bytesOut = socket.bytesWritten
    })
    this.peers.set(peer, entry)
    this.emit('peer:added', entry)
  }

  private onPeerRemoved(peer: Peer, reason: unknown, disconnectWe: boolean | null): void {
    const entry = this.peers.get(peer)
    if (entry === undefined) return // e.g. the losing side of a duplicate dial, never announced
    this.peers.delete(peer)
    const code = typeof reason === 'number' ? reason : DISCONNECT_REASON.DISCONNECT_REQUESTED
    const removal: PeerRemoval = {
      code,
      name: DisconnectReasonNames[code as keyof typeof DisconnectReasonNames] ?? `UNKNOWN_${code}`,
      byUs: disconnectWe === true,
      ...(entry.lastError !== undefined ? { error: entry.lastError } : {})
    }
    this.emit('peer:removed', entry, removal)
    const s = this.statics.get(entry.id)
    if (s !== undefined && !this.stopped) {
      if (s.connectedAt !== null && this.now() - s.connectedAt >= STABLE_CONNECTION_MS) s.attempts = 0
      s.connectedAt = null
      if (!this.isConnected(entry.id)) this.retryStatic(s)
    }
  }

  /** Socket/discovery trouble is reported, never thrown: without an 'error' listener it is dropped. */
  private reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error)
  }

  private onPeerError(peer: Peer, err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err))
    const entry = this.peers.get(peer) ?? null
    if (entry !== null) entry.lastError = error.message
    // An error before the handshake ended (garbage instead of Auth, a bad MAC): nothing to say goodbye to.
    // After it, the library has sent DISCONNECT but ends the socket only 2 s later: end it now, so a
    // peer that broke the rules is gone at once.
    const socket = peerSocket(peer)
    if (entry === null && this.pending.has(socket)) socket.destroy()
    else if (entry !== null) socket.end()
    this.emit('peer:error', entry, error)
  }
}

/** The chain config only matters for ETH fork ids; RLPx insists on one. */
const COMMON = new Common({ chain: Mainnet })

/**
 * Send DISCONNECT and end the socket now instead of the library's 2 s later, then wait for it to
 * close (destroying it after 1 s if the remote never answers).
 */
function closeSocket(peer: Peer, timers: Timers, reason: DISCONNECT_REASON = DISCONNECT_REASON.CLIENT_QUITTING): Promise<void> {
  const socket = peerSocket(peer)
  if (socket.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = timers.setTimeout(() => socket.destroy(), 1000)
    socket.once('close', () => {
      timers.clearTimeout(timer)
      resolve()
    })
    peer.disconnect(reason)
    socket.end()
  })
}
