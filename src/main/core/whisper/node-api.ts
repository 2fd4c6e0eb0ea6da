import type { Enode } from '../p2p/enode'
import type { P2PHostOptions, PeerRemoval } from '../p2p/host'
import type { Timers } from '../runtime/timers'
import type { FilterSpec } from './filters'
import type { SealKey } from './message'
import type { PoolLimits, PooledEnvelope } from './pool'
import type { PeerBudgetLimits } from './peer-budget'
import type { PeerInfo } from './peer'

/* The WhisperNode's public types: its options, what post() and subscribe() take, status() and its events. */

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
