import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { BatchSyncNode, type BatchNodeOptions, defaultBackoff, overallStatus, type SyncEvent } from './batch-node'
import { decodeSyncPayload, encodeSyncPayload, oneToOneGroupId, type SyncPayload } from './payload'

const alice = secp256k1.getPublicKey(hexToBytes('c6cbd7d76bc5baca530c875663711b947efa6a86a900a9e8645ce32e5821484e'), false)
const bob = secp256k1.getPublicKey(hexToBytes('d51dd64ad19ea84968a308dca246012c00d2b2101d41bce740acd1c650acc509'), false)
const group = oneToOneGroupId(alice, bob)
const fixedClock = { now: () => 1_586_000_000_000 }

function decodeOnly(payloads: { payload: Uint8Array }[]): SyncPayload {
  expect(payloads).toHaveLength(1)
  const decoded = decodeSyncPayload(payloads[0]!.payload)
  if (!decoded) throw new Error('expected an MVDS payload')
  return decoded
}

function statuses(events: SyncEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'status' ? [e.status] : []))
}

/** Ticks until the node emits something, returning how many ticks that took. */
function ticksUntilPayload(node: BatchSyncNode, limit: number): { ticks: number; result: ReturnType<BatchSyncNode['tick']> } {
  for (let ticks = 1; ticks <= limit; ticks++) {
    const result = node.tick()
    if (result.payloads.length > 0 || result.events.length > 0) return { ticks, result }
  }
  throw new Error(`nothing happened within ${limit} ticks`)
}

describe('BatchSyncNode', () => {
  it('sends on the next tick, is ACKed by the peer, and reports sending → sent → delivered', () => {
    const a = new BatchSyncNode(fixedClock)
    const b = new BatchSyncNode(fixedClock)
    const body = utf8ToBytes('wrapped application message')

    const sent = a.send(group, [bob], body)
    expect(statuses(sent.events)).toEqual(['sending'])

    const first = a.tick()
    expect(statuses(first.events)).toEqual(['sent'])
    expect(bytesToHex(first.payloads[0]!.peer)).toBe(bytesToHex(bob))
    const onWire = decodeOnly(first.payloads)
    expect(onWire.messages).toHaveLength(1)
    expect(onWire.messages[0]!.timestamp).toBe(1_586_000_000n)
    expect(bytesToHex(onWire.messages[0]!.groupId)).toBe(bytesToHex(group))

    const received = b.receive(alice, onWire)
    expect(received).toHaveLength(1)
    expect(received[0]).toMatchObject({ type: 'received', messageId: sent.id, sender: bytesToHex(alice), message: { body } })

    const ack = decodeOnly(b.tick().payloads)
    expect(ack.acks.map(bytesToHex)).toEqual([sent.id])
    expect(ack.messages).toHaveLength(0)

    expect(a.receive(bob, ack)).toEqual([{ type: 'status', messageId: sent.id, peer: bytesToHex(bob), status: 'delivered' }])
    expect(a.statusOf(sent.id).size).toBe(0)
    // Nothing left to send, ever.
    for (let i = 0; i < 100; i++) expect(a.tick().payloads).toHaveLength(0)
  })

  it('resends after the backoff until ACKed', () => {
    const a = new BatchSyncNode({ ...fixedClock, backoff: (count) => count * 3 })
    const { id } = a.send(group, [bob], utf8ToBytes('x'))
    expect(decodeOnly(a.tick().payloads).messages).toHaveLength(1) // epoch 1, count 1 → next at 4
    expect(ticksUntilPayload(a, 50).ticks).toBe(3) // epoch 4, count 2 → next at 10
    expect(ticksUntilPayload(a, 50).ticks).toBe(6) // epoch 10
    expect(a.statusOf(id).get(bytesToHex(bob))).toBe('sent')
    a.receive(bob, payloadOf({ acks: [hexToBytes(id)] }))
    for (let i = 0; i < 100; i++) expect(a.tick().payloads).toHaveLength(0)
  })

  it('gives up after maxSendCount unacknowledged sends, accepts a late ACK, and can retry', () => {
    const a = new BatchSyncNode({ ...fixedClock, backoff: () => 2, maxSendCount: 3 })
    const { id } = a.send(group, [bob], utf8ToBytes('x'))
    let sends = 0
    const events: SyncEvent[] = []
    for (let i = 0; i < 20; i++) {
      const { payloads, events: e } = a.tick()
      sends += payloads.length
      events.push(...e)
    }
    expect(sends).toBe(3)
    expect(statuses(events)).toEqual(['sent', 'not-sent'])
    expect(a.statusOf(id).get(bytesToHex(bob))).toBe('not-sent')

    expect(statuses(a.retry(id))).toEqual(['sending'])
    const again = a.tick()
    expect(statuses(again.events)).toEqual(['sent'])
    expect(again.payloads).toHaveLength(1)

    const late = a.receive(bob, decodeOnly([{ payload: ackPayloadFor(id) }]))
    expect(statuses(late)).toEqual(['delivered'])
  })

  it('sends on past maxSendCount while keepSending says so, and gives up once it stops saying so', () => {
    let keep = true
    const asked: string[] = []
    const a = new BatchSyncNode({
      ...fixedClock,
      backoff: () => 2,
      maxSendCount: 3,
      keepSending: (id, peer) => {
        asked.push(`${id}/${peer}`)
        return keep
      }
    })
    const { id } = a.send(group, [bob], utf8ToBytes('x'))
    let sends = 0
    for (let i = 0; i < 20; i++) sends += a.tick().payloads.length
    expect(sends).toBe(10)
    expect(asked[0]).toBe(`${id}/${bytesToHex(bob)}`)
    expect(a.statusOf(id).get(bytesToHex(bob))).toBe('sent')
    keep = false
    const events = [a.tick(), a.tick()].flatMap((r) => r.events)
    expect(statuses(events)).toEqual(['not-sent'])
  })

  it('advances several epochs in one tick, and says how many the next transmission is away', () => {
    const a = new BatchSyncNode({ ...fixedClock, backoff: () => 10 })
    expect(a.nextDueIn()).toBeNull()
    const { id } = a.send(group, [bob], utf8ToBytes('x'))
    expect(a.nextDueIn()).toBe(0)
    expect(a.tick().payloads).toHaveLength(1)
    expect(a.nextDueIn()).toBe(10)
    expect(a.progressOf(id, bytesToHex(bob))).toEqual({ sendCount: 1, dueIn: 10 })
    expect(a.tick(9).payloads).toHaveLength(0)
    expect(a.nextDueIn()).toBe(1)
    expect(a.tick(5).payloads).toHaveLength(1)
    expect(a.progressOf(id, bytesToHex(bob))).toEqual({ sendCount: 2, dueIn: 10 })
  })

  it('flushes new messages and owed acks within an epoch (tick(0)), but never brings a resend forward', () => {
    const a = new BatchSyncNode({ ...fixedClock, backoff: () => 1 })
    const b = new BatchSyncNode(fixedClock)
    a.send(group, [bob], utf8ToBytes('first'))
    expect(decodeOnly(a.tick(0).payloads).messages).toHaveLength(1)
    expect(a.epoch).toBe(0)
    // Due again one epoch on: flushes in between carry only what is new.
    expect(a.tick(0).payloads).toHaveLength(0)
    a.send(group, [bob], utf8ToBytes('second'))
    a.send(group, [bob], utf8ToBytes('third'))
    const batch = decodeOnly(a.tick(0).payloads)
    expect(batch.messages.map((m) => new TextDecoder().decode(m.body))).toEqual(['second', 'third'])
    expect(b.receive(alice, batch)).toHaveLength(2)
    expect(decodeOnly(b.tick(0).payloads).acks).toHaveLength(2)
    expect(decodeOnly(a.tick(1).payloads).messages).toHaveLength(3)
  })

  it('surfaces a duplicate only once but ACKs every copy', () => {
    const a = new BatchSyncNode(fixedClock)
    const b = new BatchSyncNode(fixedClock)
    a.send(group, [bob], utf8ToBytes('once'))
    const wire = decodeOnly(a.tick().payloads)
    expect(b.receive(alice, wire)).toHaveLength(1)
    expect(b.receive(alice, wire)).toHaveLength(0)
    expect(decodeOnly(b.tick().payloads).acks).toHaveLength(1)
    // The copy that arrives after our ACK went out is ACKed again.
    expect(b.receive(alice, wire)).toHaveLength(0)
    expect(decodeOnly(b.tick().payloads).acks).toHaveLength(1)
  })

  it('forgets the oldest received ids beyond maxRemembered', () => {
    const b = new BatchSyncNode({ ...fixedClock, maxRemembered: 2 })
    const msg = (n: number) => ({ groupId: group, timestamp: 1n, body: new Uint8Array([n]) })
    const payload = (n: number) => payloadOf({ messages: [msg(n)] })
    expect(b.receive(alice, payload(1))).toHaveLength(1)
    expect(b.receive(alice, payload(2))).toHaveLength(1)
    expect(b.receive(alice, payload(3))).toHaveLength(1)
    expect(b.receive(alice, payload(3))).toHaveLength(0)
    expect(b.receive(alice, payload(1))).toHaveLength(1)
  })

  it('tracks each recipient separately and ignores ACKs from strangers', () => {
    const carol = secp256k1.getPublicKey(hexToBytes('01'.repeat(32)), false)
    const a = new BatchSyncNode(fixedClock)
    const { id } = a.send(group, [bob, carol], utf8ToBytes('x'))
    expect(a.tick().payloads).toHaveLength(2)
    const ack = decodeOnly([{ payload: ackPayloadFor(id) }])
    expect(a.receive(alice, ack)).toEqual([])
    expect(statuses(a.receive(bob, ack))).toEqual(['delivered'])
    expect(a.statusOf(id)).toEqual(new Map([[bytesToHex(carol), 'sent']]))
  })

  it('answers a REQUEST from a recipient and REQUESTs unseen OFFERs', () => {
    const a = new BatchSyncNode(fixedClock)
    const { id } = a.send(group, [bob], utf8ToBytes('x'))
    a.tick()
    a.receive(bob, payloadOf({ offers: [new Uint8Array(32).fill(5)], requests: [hexToBytes(id)] }))
    const reply = decodeOnly(a.tick().payloads)
    expect(reply.messages).toHaveLength(1)
    expect(reply.requests.map(bytesToHex)).toEqual(['05'.repeat(32)])
  })

  it('survives a JSON snapshot round trip mid-delivery', () => {
    const options: BatchNodeOptions = { ...fixedClock, backoff: () => 5 }
    const a = new BatchSyncNode(options)
    const { id } = a.send(group, [bob], utf8ToBytes('persist me'))
    a.tick()
    a.receive(bob, decodeOnly([{ payload: messagePayload(7) }]))
    const restored = BatchSyncNode.restore(JSON.parse(JSON.stringify(a.snapshot())), options)
    expect(restored.epoch).toBe(1)
    // The pending ACK survived and goes out now.
    expect(decodeOnly(restored.tick().payloads).acks).toHaveLength(1)
    // The resend is still scheduled at epoch 6.
    const { ticks, result } = ticksUntilPayload(restored, 20)
    expect(ticks).toBe(4)
    expect(decodeOnly(result.payloads).messages[0]!.body).toEqual(utf8ToBytes('persist me'))
    // A seen message stays deduplicated.
    expect(restored.receive(bob, decodeOnly([{ payload: messagePayload(7) }]))).toHaveLength(0)
    expect(statuses(restored.receive(bob, decodeOnly([{ payload: ackPayloadFor(id) }])))).toEqual(['delivered'])
  })

  it('splits large resend bursts across payloads, ACKs in the first only', () => {
    const a = new BatchSyncNode({ ...fixedClock, maxPayloadBytes: 250 })
    for (let n = 0; n < 5; n++) a.send(group, [bob], new Uint8Array(100).fill(n))
    a.receive(bob, payloadOf({ messages: [{ groupId: group, timestamp: 1n, body: new Uint8Array([9]) }] }))
    const { payloads } = a.tick()
    const decoded = payloads.map((p) => decodeSyncPayload(p.payload)!)
    expect(decoded.map((p) => p.messages.length)).toEqual([1, 1, 1, 1, 1])
    expect(decoded.map((p) => p.acks.length)).toEqual([1, 0, 0, 0, 0])
    const b = new BatchSyncNode({ ...fixedClock, maxPayloadBytes: 350 })
    for (let n = 0; n < 5; n++) b.send(group, [bob], new Uint8Array(100).fill(n))
    expect(b.tick().payloads.map((p) => decodeSyncPayload(p.payload)!.messages.length)).toEqual([2, 2, 1])
  })

  it('summarises per-recipient states into one', () => {
    expect(overallStatus(['delivered', 'delivered'])).toBe('delivered')
    expect(overallStatus(['delivered', 'sent'])).toBe('sent')
    expect(overallStatus(['sent', 'sending'])).toBe('sending')
    expect(overallStatus(['delivered', 'not-sent', 'sending'])).toBe('not-sent')
    expect(overallStatus([])).toBe('delivered')
  })

  it('the default backoff doubles from 30 s and is capped at one hour', () => {
    expect([1, 2, 3, 4].map(defaultBackoff)).toEqual([100, 200, 400, 800])
    expect(defaultBackoff(30)).toBe(12_000)
  })
})

function ackPayloadFor(id: string): Uint8Array {
  return encodeSyncPayload({ acks: [hexToBytes(id)] })
}

function messagePayload(n: number): Uint8Array {
  const sender = new BatchSyncNode(fixedClock)
  sender.send(group, [alice], new Uint8Array([n]))
  return sender.tick().payloads[0]!.payload
}

function payloadOf(init: Parameters<typeof encodeSyncPayload>[0]): SyncPayload {
  return decodeOnly([{ payload: encodeSyncPayload(init) }])
}
