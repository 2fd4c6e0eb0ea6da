import { describe, expect, it } from 'vitest'
import type { Timers } from '../runtime/timers'
import type { RelayEntry, WhisperPeer } from './peer'
import { BACKLOG_RETRY_MS, MAX_OUTBOUND_PACKET, MAX_WRITE_BACKLOG, RelayScheduler } from './relay-scheduler'

/** Timers run by hand: `fire()` runs what is due. */
function manualTimers(): Timers & { pending: Array<{ fn: () => void; ms: number }>; fire(): void } {
  const pending: Array<{ fn: () => void; ms: number }> = []
  return {
    pending,
    setTimeout: (fn, ms) => {
      const t = { fn, ms }
      pending.push(t)
      return t
    },
    clearTimeout: (handle) => {
      const i = pending.indexOf(handle as { fn: () => void; ms: number })
      if (i >= 0) pending.splice(i, 1)
    },
    setInterval: () => null,
    clearInterval: () => undefined,
    fire() {
      for (const t of pending.splice(0)) t.fn()
    }
  }
}

function fakePeer(backlog = 0): WhisperPeer & { flushes: number[]; backlog: number } {
  const peer = {
    flushes: [] as number[],
    backlog,
    pending: 3,
    shh: { isClosed: false },
    host: { pendingWrite: () => peer.backlog },
    flush(max: number, isLive: (e: RelayEntry) => boolean) {
      expect(isLive({} as RelayEntry)).toBe(true)
      peer.flushes.push(max)
      return 0
    }
  }
  return peer as unknown as WhisperPeer & { flushes: number[]; backlog: number }
}

describe('RelayScheduler', () => {
  it('batches: many schedule() calls arm one timer of the broadcast delay, which flushes every open peer', () => {
    const timers = manualTimers()
    const peers = [fakePeer(), fakePeer()]
    const relay = new RelayScheduler(() => peers, () => true, timers, 7)
    relay.schedule()
    relay.schedule()
    expect(timers.pending.map((t) => t.ms)).toEqual([7])
    expect(peers[0]!.flushes).toEqual([])
    timers.fire()
    expect(peers.map((p) => p.flushes)).toEqual([[MAX_OUTBOUND_PACKET], [MAX_OUTBOUND_PACKET]])
  })

  it('flushNow sends at once and cancels the pending timer', () => {
    const timers = manualTimers()
    const peer = fakePeer()
    const relay = new RelayScheduler(() => [peer], () => true, timers, 5)
    relay.schedule()
    relay.flushNow()
    expect(peer.flushes).toHaveLength(1)
    expect(timers.pending).toEqual([])
  })

  it('skips a peer whose socket is backlogged and tries it again shortly, until stopped', () => {
    const timers = manualTimers()
    const slow = fakePeer(MAX_WRITE_BACKLOG + 1)
    const fast = fakePeer()
    const relay = new RelayScheduler(() => [slow, fast], () => true, timers, 1)
    relay.flushNow()
    expect(slow.flushes).toEqual([])
    expect(fast.flushes).toHaveLength(1)
    expect(timers.pending.map((t) => t.ms)).toEqual([BACKLOG_RETRY_MS])
    slow.backlog = 0
    timers.fire()
    expect(slow.flushes).toHaveLength(1)
    slow.backlog = MAX_WRITE_BACKLOG + 1
    relay.stop()
    relay.flushNow()
    relay.schedule()
    expect(timers.pending).toEqual([])
  })
})
