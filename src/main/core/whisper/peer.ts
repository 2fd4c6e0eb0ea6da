import type { HostPeer, PeerDirection } from '../p2p/host'
import { bloomMatches } from './bloom'
import { DEFAULT_PEER_BUDGET, PeerBudget } from './peer-budget'
import type { PooledEnvelope } from './pool'
import { rawListSize, type ShhProtocol, type ShhStatus } from './shh-protocol'

/** JSON-serialisable view of one Whisper peer (part of WhisperNode.status()). */
export interface PeerInfo {
  id: string
  address: string
  direction: PeerDirection
  /** The PoW the peer asks of envelopes we send it. */
  powRequirement: number
  /** The peer accepts every topic (no bloom restriction). */
  fullNode: boolean
  light: boolean
  /** We accept direct (code 127) messages from it. */
  trusted: boolean
  bytesIn: number
  bytesOut: number
  /** Milliseconds since the epoch. */
  connectedAt: number
}

/**
 * A pooled envelope with the peers that have it, one bit per peer slot: relaying asks "does this
 * peer have it?" for every envelope and peer, and a bit test costs no hash lookup nor per-peer set
 * growth (they were a fifth of a relay's CPU).
 */
export interface RelayEntry extends PooledEnvelope {
  knownBy: number
}

/** Peers that get a slot bit in RelayEntry.knownBy (bits 0..30 keep it a small integer); later ones keep a hash set. */
export const KNOWN_SLOTS = 31

/**
 * Outbound state for one shh/6 connection: what the peer wants (PoW, bloom), which envelopes it
 * already has, and the envelopes waiting for the next flush.
 */
export class WhisperPeer {
  readonly host: HostPeer
  readonly shh: ShhProtocol
  /** Index of this peer's bit in RelayEntry.knownBy, or null when every slot was taken. */
  readonly slot: number | null
  powRequirement = 0
  /** null = full node. */
  bloom: Uint8Array | null = null
  light = false
  trusted = false
  /** True once the remote Status was accepted; nothing is sent before. */
  ready = false
  /** Disconnected: unfinished work for it stops, and its slot may already belong to another peer. */
  gone = false
  private readonly bit: number
  /** Hashes this peer has, for a peer without a slot. */
  private readonly knownHashes: Set<string> | null
  private queue: RelayEntry[] = []

  /** A slot must be free of stale bits: clear it in every pooled entry (releaseSlot) before reusing it. */
  constructor(
    host: HostPeer,
    shh: ShhProtocol,
    slot: number | null = null,
    readonly budget = new PeerBudget(DEFAULT_PEER_BUDGET, Date.now)
  ) {
    this.host = host
    this.shh = shh
    this.slot = slot
    this.bit = slot === null ? 0 : 1 << slot
    this.knownHashes = slot === null ? new Set() : null
  }

  get id(): string {
    return this.host.id
  }

  applyStatus(status: ShhStatus): void {
    this.powRequirement = status.pow
    this.bloom = status.bloom
    this.light = status.light
    this.ready = true
  }

  /** The peer sent it to us, or we sent it to the peer: never send it (again). */
  markKnown(entry: RelayEntry): void {
    if (this.knownHashes === null) entry.knownBy |= this.bit
    else this.knownHashes.add(entry.hashHex)
  }

  knows(entry: RelayEntry): boolean {
    return this.knownHashes === null ? (entry.knownBy & this.bit) !== 0 : this.knownHashes.has(entry.hashHex)
  }

  /** The envelope left the pool. */
  forget(hashHex: string): void {
    this.knownHashes?.delete(hashHex)
  }

  /** The peer is gone: clear its bit from `entries` (every pooled entry) so its slot can be reused. */
  releaseSlot(entries: Iterable<RelayEntry>): void {
    if (this.knownHashes !== null) return
    const keep = ~this.bit
    for (const entry of entries) entry.knownBy &= keep
  }

  enqueue(entry: RelayEntry): void {
    if (!this.knows(entry)) this.queue.push(entry)
  }

  get pending(): number {
    return this.queue.length
  }

  /**
   * Send every queued envelope the peer wants (PoW ≥ its requirement, topic inside its bloom, not
   * known, still live) as code-1 packets whose RLP stays within `maxPacketBytes`; one oversized
   * envelope still goes alone. Returns the number of envelopes sent.
   */
  flush(maxPacketBytes: number, isLive: (entry: RelayEntry) => boolean): number {
    if (!this.ready || this.queue.length === 0) return 0
    const queue = this.queue
    this.queue = []
    let batch: Uint8Array[] = []
    let batchBytes = 0
    let sent = 0
    for (const e of queue) {
      if (this.knows(e) || e.pow < this.powRequirement || !bloomMatches(this.bloom, e.bloom)) continue
      if (!isLive(e)) continue
      if (batch.length > 0 && rawListSize(batchBytes + e.encoded.length) > maxPacketBytes) {
        this.shh.sendEnvelopes(batch)
        batch = []
        batchBytes = 0
      }
      batch.push(e.encoded)
      batchBytes += e.encoded.length
      this.markKnown(e)
      sent++
    }
    if (batch.length > 0) this.shh.sendEnvelopes(batch)
    return sent
  }

  info(): PeerInfo {
    return {
      id: this.host.id,
      address: this.host.address,
      direction: this.host.direction,
      powRequirement: this.powRequirement,
      fullNode: this.bloom === null,
      light: this.light,
      trusted: this.trusted,
      bytesIn: this.host.bytesIn(),
      bytesOut: this.host.bytesOut(),
      connectedAt: this.host.connectedAt
    }
  }
}
