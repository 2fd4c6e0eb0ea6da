import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../log/logger'
import { systemTimers } from '../runtime/timers'
import { BundleAdvertiser, DEVICE_NOT_FOUND_REPLY_INTERVAL_MS } from './bundle-advertiser'
import type { MessengerContext } from './context'

let stop: () => void = () => undefined
afterEach(() => stop())

describe('BundleAdvertiser', () => {
  it('answers a peer that cannot read us with our bundle, at most once per interval per peer', async () => {
    let now = 1_000_000
    const replies: string[] = []
    const watched: string[] = []
    const advertiser = new BundleAdvertiser({
      transport: {
        postDirect: async (to: Uint8Array) => void replies.push(String(to[0])),
        watchNegotiated: async (secret: Uint8Array) => void watched.push(String(secret[0])),
        peerCount: () => 0
      },
      sessions: { buildDhMessage: () => new Uint8Array([1]), negotiatedSecretWith: (peer: Uint8Array) => new Uint8Array([peer[0]! + 100]) },
      timers: systemTimers,
      now: () => now,
      log: silentLogger,
      stopped: () => false
    } as unknown as MessengerContext)
    stop = () => advertiser.stop()
    await advertiser.replyTo(new Uint8Array([7]))
    await advertiser.replyTo(new Uint8Array([7]))
    await advertiser.replyTo(new Uint8Array([8]))
    now += DEVICE_NOT_FOUND_REPLY_INTERVAL_MS - 1
    await advertiser.replyTo(new Uint8Array([7]))
    now += 1
    await advertiser.replyTo(new Uint8Array([7]))
    expect(replies).toEqual(['7', '8', '7'])
    // Each reply first listens on the negotiated topic with that peer, where its answer may come.
    expect(watched).toEqual(['107', '108', '107'])
  })

  it('advertises on the first peer only until one advertisement went out', async () => {
    const posts: number[] = []
    const advertiser = new BundleAdvertiser({
      transport: { postContactCode: async () => void posts.push(1), peerCount: () => 0 },
      sessions: { contactCodeMessage: () => new Uint8Array([1]) },
      timers: systemTimers,
      now: () => 0,
      log: silentLogger,
      stopped: () => false
    } as unknown as MessengerContext)
    advertiser.start()
    stop = () => advertiser.stop()
    expect(posts).toEqual([])
    advertiser.onPeerAdded()
    await new Promise((resolve) => setTimeout(resolve, 0))
    advertiser.onPeerAdded()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(posts).toEqual([1])
  })
})
