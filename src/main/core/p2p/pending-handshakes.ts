import type { Socket } from 'node:net'
import type { Timers } from '../runtime/timers'

export interface HandshakeLimits {
  /** A socket that has not finished the RLPx handshake (Auth, Ack, Hello) by then is closed. */
  timeoutMs: number
  /** Inbound sockets still in the handshake, at most (geth MaxPendingPeers: 50). */
  maxTotal: number
  /** The same, per remote IP address. */
  maxPerAddress: number
}

/**
 * Sockets in the RLPx handshake, inbound and dialled: each is closed if its handshake outlasts the
 * timeout, and an inbound one is refused beyond the caps, in total and per address, so that a flood of
 * half-open connections costs us a bounded number of sockets and handshakes.
 */
export class PendingHandshakes {
  private readonly pending = new Map<Socket, { address: string; timer: unknown }>()
  private readonly byAddress = new Map<string, number>()

  constructor(
    private readonly limits: HandshakeLimits,
    private readonly timers: Timers
  ) {}

  get size(): number {
    return this.pending.size
  }

  has(socket: Socket): boolean {
    return this.pending.has(socket)
  }

  /** An inbound socket: tracked if within the caps, else false (close it). */
  admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? '?'
    if (this.pending.size >= this.limits.maxTotal || (this.byAddress.get(address) ?? 0) >= this.limits.maxPerAddress) return false
    this.track(socket)
    return true
  }

  /** Starts the socket's handshake timeout (a dialled socket is tracked without caps). */
  track(socket: Socket): void {
    if (this.pending.has(socket) || socket.destroyed) return
    const address = socket.remoteAddress ?? '?'
    const timer = this.timers.setTimeout(() => socket.destroy(), this.limits.timeoutMs)
    this.pending.set(socket, { address, timer })
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1)
    socket.once('close', () => this.done(socket))
  }

  /** The handshake ended (or the socket closed). */
  done(socket: Socket): void {
    const entry = this.pending.get(socket)
    if (entry === undefined) return
    this.pending.delete(socket)
    this.timers.clearTimeout(entry.timer)
    const left = (this.byAddress.get(entry.address) ?? 1) - 1
    if (left > 0) this.byAddress.set(entry.address, left)
    else this.byAddress.delete(entry.address)
  }

  /** Closes every socket still in the handshake. */
  destroyAll(): void {
    for (const socket of [...this.pending.keys()]) socket.destroy()
  }
}
