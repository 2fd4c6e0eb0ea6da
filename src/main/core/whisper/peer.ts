import type { HostPeer, PeerDirection } from '../p2p/host'
import { bloomMatches } from './bloom'
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
 * Outbound state for one shh/6 connection: what the peer wants (PoW, bloom), which envelopes it
 * already has, and the envelopes waiting for the next flush.
 */
export class WhisperPeer {
  readonly host: HostPeer
  readonly shh: ShhProtocol
  powRequirement = 0
  /** null = full node. */
  bloom: Uint8Array | null = null
  light = false
  trusted = false
  /** True once the remote Status was accepted; nothing is sent before. */
  ready = false
  private readonly known = new Set<string>()
  private queue: PooledEnvelope[] = []

  constructor(host: HostPeer, shh: ShhProtocol) {
    this.host = host
    this.shh = shh
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
  markKnown(hashHex: string): void {
    this.known.add(hashHex)
  }

  knows(hashHex: string): boolean {
    return this.known.has(hashHex)
  }

  forget(hashHex: string): void {
    this.known.delete(hashHex)
  }

  enqueue(envelope: PooledEnvelope): void {
    if (!this.known.has(envelope.hashHex)) this.queue.push(envelope)
  }

  get pending(): number {
    return this.queue.length
  }

  /**
   * Send every queued envelope the peer wants (PoW ≥ its requirement, topic inside its bloom, not
   * known, still live) as code-1 packets whose RLP stays within `maxPacketBytes`; one oversized
   * envelope still goes alone. Returns the number of envelopes sent.
   */
  flush(maxPacketBytes: number, isLive: (hashHex: string) => boolean): number {
    if (!this.ready || this.queue.length === 0) return 0
    const queue = this.queue
    this.queue = []
    let batch: Uint8Array[] = []
    let batchBytes = 0
    let sent = 0
    for (const e of queue) {
      if (this.known.has(e.hashHex) || e.pow < this.powRequirement || !bloomMatches(this.bloom, e.bloom)) continue
      if (!isLive(e.hashHex)) continue
      if (batch.length > 0 && rawListSize(batchBytes + e.encoded.length) > maxPacketBytes) {
        this.shh.sendEnvelopes(batch)
        batch = []
        batchBytes = 0
      }
      batch.push(e.encoded)
      batchBytes += e.encoded.length
      this.known.add(e.hashHex)
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
