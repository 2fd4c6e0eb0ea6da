import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createClient, type HushClient } from '../../shared/api/client'
import { inProcessBridge } from './api/in-process'
import { HushCore } from './host'
import { silentLogger } from './log/logger'
import { createNetwork } from './network'

/* Deleting an account through the API takes its password and leaves nothing of it in the profile. */

const FAST_KDF = { n: 1024, r: 8, p: 1 }
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task()
})

async function startHost(): Promise<{ client: HushClient; profileDir: string }> {
  const profileDir = mkdtempSync(join(tmpdir(), 'hush-removal-'))
  cleanup.push(async () => rmSync(profileDir, { recursive: true, force: true }))
  const network = createNetwork({ listen: '127.0.0.1:0', staticPeers: [], bootnodes: [] }, silentLogger)
  const core = new HushCore({ profileDir, runtime: 'in-process', version: '1', log: silentLogger, network, kdf: FAST_KDF })
  await core.start()
  cleanup.push(() => core.stop())
  return { client: createClient(inProcessBridge(core.dispatch, core.events)), profileDir }
}

async function createAccount(client: HushClient, password: string): Promise<string> {
  const candidates = await client.call('accounts.candidates', { count: 1 })
  if (!candidates.ok) throw new Error(candidates.error.message)
  const created = await client.call('accounts.create', { candidateId: candidates.value[0]!.candidateId, password })
  if (!created.ok) throw new Error(created.error.message)
  return created.value.account.id
}

describe('accounts.remove', () => {
  it('refuses a wrong password and keeps everything; with the right one deletes the keystore and the account’s data', async () => {
    const { client, profileDir } = await startHost()
    const id = await createAccount(client, 'first-password')
    const joined = await client.call('chats.joinPublic', { name: 'removal-test' })
    expect(joined.ok).toBe(true)
    const dataDir = join(profileDir, 'data', id)
    expect(existsSync(dataDir)).toBe(true)

    const wrong = await client.call('accounts.remove', { id, password: 'not-it' })
    expect(wrong).toMatchObject({ ok: false, error: { code: 'WRONG_PASSWORD' } })
    expect(existsSync(dataDir)).toBe(true)
    expect(await client.call('accounts.current', {})).toMatchObject({ ok: true, value: { id } })

    expect(await client.call('accounts.remove', { id, password: 'first-password' })).toEqual({ ok: true, value: {} })
    expect(existsSync(dataDir)).toBe(false)
    expect(await client.call('accounts.current', {})).toEqual({ ok: true, value: null })
    expect(await client.call('accounts.list', {})).toEqual({ ok: true, value: [] })
    expect(readdirSync(join(profileDir, 'data'))).toEqual([])
  })

  it('changes the password: the old one stops working, the new one unlocks', async () => {
    const { client } = await startHost()
    const id = await createAccount(client, 'first-password')
    const changed = await client.call('accounts.changePassword', { id, oldPassword: 'first-password', newPassword: 'second-password' })
    expect(changed).toEqual({ ok: true, value: {} })
    await client.call('accounts.lock', {})
    expect(await client.call('accounts.unlock', { id, password: 'first-password' })).toMatchObject({ ok: false, error: { code: 'WRONG_PASSWORD' } })
    expect(await client.call('accounts.unlock', { id, password: 'second-password' })).toMatchObject({ ok: true, value: { id } })
  })

  it('gives a removed or unknown account a reason the screen can say', async () => {
    const { client } = await startHost()
    const missing = await client.call('accounts.remove', { id: 'a'.repeat(32), password: 'whatever' })
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', reason: { reason: 'ACCOUNT_NOT_FOUND' } } })
  })
})
