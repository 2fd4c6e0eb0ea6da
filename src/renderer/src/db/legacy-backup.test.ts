import { describe, expect, it } from 'vitest'
import type { Account } from '../../../shared/api'
import type { HushClient } from '../../../shared/api/client'
import { appDb } from './app-db'
import { forgetLegacyBackupState } from './legacy-backup'

const account: Account = {
  id: 'acc-1',
  name: 'Alice',
  publicKey: `0x04${'1'.repeat(128)}`,
  alias: 'Some Three Words',
  address: `0x${'2'.repeat(40)}`,
  identicon: { cells: Array.from({ length: 25 }, () => false), color: { r: 0, g: 0, b: 0 } },
  createdAt: 1,
  backedUp: false
}

function client(answer: { ok: boolean }): { client: HushClient; calls: unknown[] } {
  const calls: unknown[] = []
  const fake = {
    call: async (method: string, args: unknown) => {
      calls.push([method, args])
      return answer.ok ? { ok: true, value: { ...account, backedUp: true } } : { ok: false, error: { code: 'INTERNAL', message: 'no' } }
    },
    on: () => () => {}
  } as unknown as HushClient
  return { client: fake, calls }
}

describe('handing the browser-kept backup check to main', () => {
  it('confirms in main once, then forgets the browser row', async () => {
    await appDb.backups.put({ accountId: account.id, confirmed: true })
    const { client: fake, calls } = client({ ok: true })
    await forgetLegacyBackupState(account, fake)
    expect(calls).toEqual([['accounts.confirmBackup', { id: account.id }]])
    expect(await appDb.backups.get(account.id)).toBeUndefined()
    await forgetLegacyBackupState(account, fake)
    expect(calls).toHaveLength(1)
  })

  it('keeps the row for the next unlock when main could not record it', async () => {
    await appDb.backups.put({ accountId: account.id, confirmed: true })
    await forgetLegacyBackupState(account, client({ ok: false }).client)
    expect(await appDb.backups.get(account.id)).toEqual({ accountId: account.id, confirmed: true })
    await appDb.backups.delete(account.id)
  })

  it('drops a "remind me later" row without telling main anything', async () => {
    await appDb.backups.put({ accountId: account.id, confirmed: false })
    const { client: fake, calls } = client({ ok: true })
    await forgetLegacyBackupState(account, fake)
    expect(calls).toEqual([])
    expect(await appDb.backups.get(account.id)).toBeUndefined()
  })
})
