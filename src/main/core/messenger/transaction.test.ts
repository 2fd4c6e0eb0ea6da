import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CONSUMED_PREFIX, MESSAGE_KEY_PREFIX, needsDurableWrite, OWN_BUNDLE_PREFIX, SECRET_PREFIX, SESSION_STATE_PREFIX } from '../crypto/protocol-state'
import { z } from 'zod'
import { delOp, EncryptedStore, putJson } from '../storage/encrypted-store'
import { getParsed } from '../storage/parsed-records'
import { JOURNAL_PREFIX, SEEN_PREFIX } from './records'
import { Transaction } from './transaction'

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
      step.putJson(`${JOURNAL_PREFIX}01`, { id: '0x01' })
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
    expect(needsDurableWrite([putJson(`${JOURNAL_PREFIX}x`, 1), putJson('messenger/chat/x', 1)])).toBe(false)
  })
})
