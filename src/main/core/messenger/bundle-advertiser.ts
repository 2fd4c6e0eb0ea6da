import { bytesToHex } from '@noble/hashes/utils.js'
import type { MessengerContext } from './context'

/** status-go's contact-code publisher: our bundle goes out every 6 h. */
export const BUNDLE_ADVERTISE_INTERVAL_MS = 6 * 3600_000
/** status-go deviceNotFoundAckInterval: how often a peer that lacks our bundle is sent it again. */
export const DEVICE_NOT_FOUND_REPLY_INTERVAL_MS = 7200_000

/**
 * Our X3DH bundle where people look for it: on our contact-code topic at start, on the first peer and
 * every 6 hours, and to a peer that wrote to us without addressing this installation.
 */
export class BundleAdvertiser {
  private timer: unknown = null
  private advertised = false
  /** When each peer that could not read our messages was last sent our bundle. */
  private readonly replies = new Map<string, number>()

  constructor(private readonly ctx: Pick<MessengerContext, 'transport' | 'sessions' | 'timers' | 'now' | 'log' | 'stopped'>) {}

  start(): void {
    this.timer = this.ctx.timers.setInterval(() => void this.advertise(), BUNDLE_ADVERTISE_INTERVAL_MS)
    if (this.ctx.transport.peerCount() > 0) void this.advertise()
  }

  onPeerAdded(): void {
    if (!this.advertised && !this.ctx.stopped()) void this.advertise()
  }

  /**
   * Someone wrote to us without addressing this installation: they lack our current bundle (we were
   * restored, or our prekey changed). status-go answers with an empty DH message that carries it.
   */
  async replyTo(sender: Uint8Array): Promise<void> {
    const peer = bytesToHex(sender)
    const last = this.replies.get(peer)
    if (last !== undefined && this.ctx.now() - last < DEVICE_NOT_FOUND_REPLY_INTERVAL_MS) return
    this.replies.set(peer, this.ctx.now())
    try {
      // The peer counts this reply as an answer from this installation (status-go does too) and may write on
      // the negotiated topic from now on: listen there first.
      await this.ctx.transport.watchNegotiated(this.ctx.sessions.negotiatedSecretWith(sender))
      await this.ctx.transport.postDirect(sender, this.ctx.sessions.buildDhMessage(sender, new Uint8Array(0)), null)
    } catch (error) {
      this.ctx.log.warn('bundle reply not posted', { error })
    }
  }

  stop(): void {
    this.ctx.timers.clearInterval(this.timer)
  }

  private async advertise(): Promise<void> {
    if (this.ctx.stopped()) return
    try {
      await this.ctx.transport.postContactCode(this.ctx.sessions.contactCodeMessage())
      this.advertised = true
    } catch (error) {
      this.ctx.log.warn('bundle advertisement not posted', { error })
    }
  }
}
