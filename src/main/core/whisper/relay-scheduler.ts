import type { Timers } from '../runtime/timers'
import type { RelayEntry, WhisperPeer } from './peer'

const MiB = 1024 * 1024
/** We never send packets above 1 MiB, geth's default limit, so no peer drops us (#17560). */
export const MAX_OUTBOUND_PACKET = 1 * MiB
/** A peer with this much unsent data gets nothing more until it drains (checked again shortly). */
export const MAX_WRITE_BACKLOG = 8 * MiB
export const BACKLOG_RETRY_MS = 50

/**
 * When the peers' queues are sent: relayed envelopes wait `delayMs` to be batched (a busy event loop
 * batches anyway), own posts go at once (flushNow), and a peer whose socket is backlogged is skipped and
 * tried again shortly. Only envelopes still pooled (`isLive`) go out.
 */
export class RelayScheduler {
  private timer: unknown = null
  private stopped = false

  constructor(
    private readonly peers: () => Iterable<WhisperPeer>,
    private readonly isLive: (entry: RelayEntry) => boolean,
    private readonly timers: Timers,
    private readonly delayMs: number
  ) {}

  schedule(): void {
    if (this.timer !== null || this.stopped) return
    this.timer = this.timers.setTimeout(() => this.flushNow(), this.delayMs)
  }

  flushNow(): void {
    this.timers.clearTimeout(this.timer)
    this.timer = null
    let backlogged = false
    for (const p of this.peers()) {
      if (p.shh.isClosed) continue
      if (p.host.pendingWrite() > MAX_WRITE_BACKLOG) backlogged = p.pending > 0 || backlogged
      else p.flush(MAX_OUTBOUND_PACKET, this.isLive)
    }
    if (backlogged && !this.stopped) this.timer = this.timers.setTimeout(() => this.flushNow(), BACKLOG_RETRY_MS)
  }

  stop(): void {
    this.stopped = true
    this.timers.clearTimeout(this.timer)
    this.timer = null
  }
}
