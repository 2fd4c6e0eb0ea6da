import { describe, expect, it } from 'vitest'
import type { EncryptedStore, StoreOp } from '../storage/encrypted-store'
import { StagedMap, Transaction } from './transaction'

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
