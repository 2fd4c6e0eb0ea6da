import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CONSUMED_PREFIX, MESSAGE_KEY_PREFIX, needsDurableWrite, OWN_BUNDLE_PREFIX, SECRET_PREFIX, SESSION_STATE_PREFIX } from '../crypto/protocol-state'
import { z } from 'zod'
import { delOp, EncryptedStore, putJson, type StoreOp } from '../storage/encrypted-store'
import { getParsed } from '../storage/parsed-records'
import { HISTORY_PREFIX, SEEN_PREFIX } from './records'
import { StagedMap, Transaction } from './transaction'

describe('durable commits of session state', () => {
  let dir: string
  let store: EncryptedStore

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hush-tx-'))
    store = await EncryptedStore.open(dir, new Uint8Array(32).fill(3))
  })

  afterEach(async () => {
    vi.restoreAllMocks()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** The write options LevelDB received for each batch committed during `run`. */
  async function syncFlags(run: () => Promise<void>): Promise<unknown[]> {
    const batch = vi.spyOn(ClassicLevel.prototype, 'batch')
    await run()
    return batch.mock.calls.map((call: unknown[]) => (call[1] as { sync?: boolean } | undefined)?.sync)
  }

  it('syncs a batch that advances a ratchet, and not one that only files a message', async () => {
    const flags = await syncFlags(async () => {
      const step = new Transaction()
      step.putJson(`${HISTORY_PREFIX}01`, { id: '0x01' })
      step.add([putJson(`${SESSION_STATE_PREFIX}abc/000000000002`, { chain: 2 }), delOp(`${SESSION_STATE_PREFIX}abc/000000000001`)])
      await step.commit(store)
      const filing = new Transaction()
      filing.putJson(`${SEEN_PREFIX}02`, { at: 1 })
      await filing.commit(store)
    })
    expect(flags).toEqual([true, false])
    expect(await getParsed(store, `${SESSION_STATE_PREFIX}abc/000000000002`, z.object({ chain: z.number() }))).toEqual({ chain: 2 })
  })

  it('counts message keys, tombstones, shared secrets and our prekeys as session state', () => {
    for (const prefix of [SESSION_STATE_PREFIX, MESSAGE_KEY_PREFIX, CONSUMED_PREFIX, SECRET_PREFIX, OWN_BUNDLE_PREFIX]) {
      expect(needsDurableWrite([putJson(`${prefix}x`, 1)]), prefix).toBe(true)
      expect(needsDurableWrite([delOp(`${prefix}x`)]), prefix).toBe(true)
    }
    expect(needsDurableWrite([putJson(`${HISTORY_PREFIX}x`, 1), putJson('messenger/chat/x', 1)])).toBe(false)
  })
})

/** A store stand-in that records batches, or refuses them. */
function fakeStore(fail = false): { store: EncryptedStore; batches: StoreOp[][] } {
  const batches: StoreOp[][] = []
  const store = {
    batch: async (ops: StoreOp[]) => {
      if (fail) throw new Error('disk full')
      batches.push(ops)
    }
  } as unknown as EncryptedStore
  return { store, batches }
}

describe('Transaction', () => {
  it('shows staged changes to reads within it, and to everyone only after the commit', async () => {
    const map = new StagedMap(new Map([['a', 1]]))
    const tx = new Transaction()
    map.set(tx, 'a', 2)
    map.set(tx, 'b', 3)
    map.delete(tx, 'a')
    expect([map.get('a', tx), map.get('b', tx)]).toEqual([undefined, 3])
    expect([map.get('a'), map.get('b')]).toEqual([1, undefined])
    const order: string[] = []
    tx.onCommit(() => order.push(`apply sees b=${map.get('b')}`))
    tx.afterCommit(() => order.push('effect'))
    await tx.commit(fakeStore().store)
    expect([map.get('a'), map.get('b')]).toEqual([undefined, 3])
    expect(order).toEqual(['apply sees b=3', 'effect'])
  })

  it('applies nothing and runs nothing when the batch fails', async () => {
    const map = new StagedMap<number>()
    const tx = new Transaction()
    map.set(tx, 'a', 1)
    const ran: string[] = []
    tx.onCommit(() => ran.push('apply'))
    tx.afterCommit(() => ran.push('effect'))
    await expect(tx.commit(fakeStore(true).store)).rejects.toThrow('disk full')
    expect(map.get('a')).toBeUndefined()
    expect(ran).toEqual([])
  })

  it('shows a nested step its parent’s staged changes, and joins the parent only when merged', async () => {
    const map = new StagedMap(new Map([['a', 1]]))
    const tx = new Transaction()
    map.set(tx, 'a', 2)
    const ran: string[] = []
    const dropped = tx.nested()
    expect(map.get('a', dropped)).toBe(2)
    map.set(dropped, 'b', 9)
    dropped.putJson('dropped', 1)
    dropped.afterCommit(() => ran.push('dropped'))
    const kept = tx.nested()
    map.set(kept, 'c', 3)
    kept.putJson('kept', 1)
    kept.onCommit(() => ran.push(`apply sees c=${map.get('c')}`))
    kept.afterCommit(() => ran.push('kept'))
    kept.merge()
    expect(map.get('c', tx)).toBe(3)
    await expect(kept.commit(fakeStore().store)).rejects.toThrow('commits with its parent')
    const { store, batches } = fakeStore()
    await tx.commit(store)
    expect(batches[0]?.map((op) => op.key)).toEqual(['kept'])
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([2, undefined, 3])
    expect(ran).toEqual(['apply sees c=3', 'kept'])
  })

  it('counts the bytes it will write, a key rewritten counting once', () => {
    const tx = new Transaction()
    tx.putJson('k', 'x'.repeat(100))
    tx.putJson('k', 'x'.repeat(10))
    tx.del('gone')
    expect(tx.size).toBe('k'.length + 12 + 'gone'.length)
  })

  it('writes a key changed twice once, with its last value', async () => {
    const tx = new Transaction()
    tx.putJson('k', 1)
    tx.putJson('other', 0)
    tx.putJson('k', 2)
    const { store, batches } = fakeStore()
    await tx.commit(store)
    const [ops] = batches
    expect(ops?.map((op) => op.key)).toEqual(['k', 'other'])
    const first = ops?.[0]
    expect(first?.type === 'put' ? new TextDecoder().decode(first.value) : null).toBe('2')
  })
})
