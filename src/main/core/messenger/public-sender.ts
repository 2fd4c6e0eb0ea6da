import { hexToBytes } from '@noble/hashes/utils.js'
import type { MessengerContext } from './context'
import { type DeliveryStatus, isUnsent } from './delivery-status'
import type { OutboxEntry } from './outbox'

/** A public message that finds no peer to hand it to within this time is reported not-sent. */
export const PUBLIC_SEND_TIMEOUT_MS = 60_000

/**
 * Public messages: the signed wrapper on the chat's symmetric topic. One counts as sent once a peer has it;
 * posted while no peer is connected, it waits for one (and goes out when one connects) or is given up.
 */
export class PublicSender {
  /** Messages posted while no peer was connected, with their give-up timers. */
  private readonly awaitingPeers = new Map<string, unknown>()

  constructor(
    private readonly ctx: Pick<MessengerContext, 'transport' | 'timers' | 'log' | 'outbox' | 'serial' | 'stopped'>,
    private readonly status: DeliveryStatus
  ) {}

  /** Messages still sending at start go out again. */
  resume(): void {
    for (const entry of this.ctx.outbox.all()) {
      if (entry.message.chatKind === 'public' && isUnsent(entry.message.status)) void this.post(entry)
    }
  }

  /**
   * Posts a public message; it is sent once a connected peer takes it, waiting while none would (no peer,
   * or none content with the PoW we mine to), and not-sent if none turns up in time.
   */
  async post(entry: OutboxEntry): Promise<void> {
    const { message } = entry
    const { transport, timers } = this.ctx
    let reached: number
    try {
      reached = await transport.postPublic(message.chatId, hexToBytes(entry.wrapper))
    } catch (error) {
      if (this.ctx.stopped()) return
      this.ctx.log.warn('public message not posted', { error })
      await this.ctx.serial(() => this.status.set([message.id], 'not-sent'))
      return
    }
    // Locked while the proof of work was mined: the store is closed, the outbox still has it for next time.
    if (this.ctx.stopped()) return
    if (reached === 0) await this.ctx.serial(() => this.status.set([message.id], 'waiting'))
    if (reached > 0) {
      timers.clearTimeout(this.awaitingPeers.get(message.id))
      this.awaitingPeers.delete(message.id)
      await this.ctx.serial(() => this.status.set([message.id], 'sent'))
    } else if (!this.awaitingPeers.has(message.id)) {
      const timer = timers.setTimeout(() => {
        this.awaitingPeers.delete(message.id)
        void this.ctx.serial(() => this.status.set([message.id], 'not-sent'))
      }, PUBLIC_SEND_TIMEOUT_MS)
      this.awaitingPeers.set(message.id, timer)
    }
  }

  /** A peer connected, or one asks less PoW: everything waiting for one goes out now. */
  retryWaiting(): void {
    if (this.ctx.stopped()) return
    for (const [id, timer] of this.awaitingPeers) {
      const entry = this.ctx.outbox.get(id)
      this.ctx.timers.clearTimeout(timer)
      this.awaitingPeers.delete(id)
      if (entry) void this.post(entry)
    }
  }

  stop(): void {
    for (const timer of this.awaitingPeers.values()) this.ctx.timers.clearTimeout(timer)
    this.awaitingPeers.clear()
  }
}
