import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { topicToBloom } from './bloom'
import { encodeEnvelope } from './envelope'
import { sealMessage } from './message'
import type { ReceivedMessage } from './filters'
import type { PooledEnvelope } from './pool'
import { Subscriptions } from './subscriptions'

const SYM = hexToBytes('03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31')
const TOPIC = hexToBytes('cd423760')

function pooled(text: string): PooledEnvelope {
  const envelope = sealMessage({ payload: utf8ToBytes(text), topic: TOPIC, ttl: 20, powTarget: 0, workTimeMs: 0, key: { symKey: SYM }, now: () => 1_000_000 })
  return { envelope, encoded: encodeEnvelope(envelope), hash: new Uint8Array(32), hashHex: text, pow: 1, bloom: topicToBloom(TOPIC), receivedAt: 0 }
}

const text = (m: ReceivedMessage): string => new TextDecoder().decode(m.payload)

describe('Subscriptions', () => {
  it('hands each subscriber its messages; one that throws is reported and the others still get theirs', () => {
    const errors: string[] = []
    const subs = new Subscriptions((error) => errors.push(error.message))
    const got: string[] = []
    subs.add({ topics: [TOPIC], key: { symKey: SYM } }, () => {
      throw new Error('subscriber broke')
    })
    subs.add({ topics: [TOPIC], key: { symKey: SYM } }, (m) => got.push(text(m)))
    subs.deliver(pooled('hi'), false)
    expect(got).toEqual(['hi'])
    expect(errors).toEqual(['subscriber broke'])
  })

  it('gives direct (p2p) envelopes only to subscribers that allow them', () => {
    const subs = new Subscriptions(() => undefined)
    const plain: string[] = []
    const p2p: string[] = []
    subs.add({ topics: [TOPIC], key: { symKey: SYM } }, (m) => plain.push(text(m)))
    subs.add({ topics: [TOPIC], key: { symKey: SYM }, allowP2P: true }, (m) => p2p.push(text(m)))
    subs.deliver(pooled('history'), true)
    expect(plain).toEqual([])
    expect(p2p).toEqual(['history'])
  })

  it('removes a subscriber once: it gets nothing after, and the bloom follows', () => {
    const subs = new Subscriptions(() => undefined)
    const got: string[] = []
    const id = subs.add({ topics: [TOPIC], key: { symKey: SYM } }, (m) => got.push(text(m)))
    expect(subs.size).toBe(1)
    expect(subs.bloom()).toEqual(topicToBloom(TOPIC))
    expect(subs.remove(id)).toBe(true)
    expect(subs.remove(id)).toBe(false)
    subs.deliver(pooled('late'), false)
    expect(got).toEqual([])
    expect(subs.size).toBe(0)
    expect(subs.bloom().every((b) => b === 0)).toBe(true)
  })
})
