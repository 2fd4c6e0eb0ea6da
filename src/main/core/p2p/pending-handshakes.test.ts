import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { Timers } from '../runtime/timers'
import { PendingHandshakes } from './pending-handshakes'

/** A socket that only knows its address and whether it was destroyed (which emits 'close'). */
function fakeSocket(remoteAddress: string): Socket {
  const socket = Object.assign(new EventEmitter(), {
    remoteAddress,
    destroyed: false,
    destroy() {
      if (socket.destroyed) return
      socket.destroyed = true
      socket.emit('close')
    }
  })
  return socket as unknown as Socket
}

function manualTimers(): Timers & { fire(): void; count(): number } {
  const pending = new Set<{ fn: () => void }>()
  return {
    setTimeout: (fn) => {
      const t = { fn }
      pending.add(t)
      return t
    },
    clearTimeout: (handle) => void pending.delete(handle as { fn: () => void }),
    setInterval: () => null,
    clearInterval: () => undefined,
    fire: () => {
      for (const t of [...pending]) {
        pending.delete(t)
        t.fn()
      }
    },
    count: () => pending.size
  }
}

const LIMITS = { timeoutMs: 10_000, maxTotal: 3, maxPerAddress: 2 }

describe('PendingHandshakes', () => {
  it('refuses inbound sockets beyond the cap per address and in total, and admits again once one is done', () => {
    const pending = new PendingHandshakes(LIMITS, manualTimers())
    const a = [fakeSocket('10.0.0.1'), fakeSocket('10.0.0.1'), fakeSocket('10.0.0.1')]
    expect(a.map((s) => pending.admit(s))).toEqual([true, true, false])
    expect(pending.admit(fakeSocket('10.0.0.2'))).toBe(true)
    expect(pending.admit(fakeSocket('10.0.0.3'))).toBe(false)
    pending.done(a[0]!)
    expect(pending.size).toBe(2)
    expect(pending.admit(a[2]!)).toBe(true)
  })

  it('closes a socket whose handshake outlasts the timeout, and forgets it when it closes', () => {
    const timers = manualTimers()
    const pending = new PendingHandshakes(LIMITS, timers)
    const slow = fakeSocket('10.0.0.1')
    const quick = fakeSocket('10.0.0.1')
    pending.admit(slow)
    pending.track(quick)
    pending.track(quick)
    expect(pending.size).toBe(2)
    pending.done(quick)
    expect(timers.count()).toBe(1)
    timers.fire()
    expect(slow.destroyed).toBe(true)
    expect(quick.destroyed).toBe(false)
    expect(pending.size).toBe(0)
    expect(pending.has(slow)).toBe(false)
  })

  it('does not track a socket already destroyed, and destroys every pending one at stop', () => {
    const pending = new PendingHandshakes(LIMITS, manualTimers())
    const dead = fakeSocket('10.0.0.1')
    dead.destroy()
    pending.track(dead)
    expect(pending.size).toBe(0)
    const live = [fakeSocket('10.0.0.1'), fakeSocket('10.0.0.2')]
    for (const s of live) pending.track(s)
    pending.destroyAll()
    expect(live.every((s) => s.destroyed)).toBe(true)
    expect(pending.size).toBe(0)
  })
})
