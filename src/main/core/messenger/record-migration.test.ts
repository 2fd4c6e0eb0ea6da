import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { afterEach, describe, expect, it } from 'vitest'
import { createClient, type HushClient } from '../../../shared/api/client'
import { inProcessBridge } from '../api/in-process'
import { HushCore } from '../host'
import { silentLogger } from '../log/logger'
import { createNetwork } from '../network'
import { UNREADABLE_RECORD } from './messenger'

/*
 * fixtures/profile-v1 is a profile written by Hush at commit 26d81d3, before messenger records were keyed by
 * salted ids (see fixtures/profile-v1/HOW.md): an account "Old" (password "pw") that joined #hush-fixture,
 * started a 1:1 chat with BOB and verified him, sent one message in each (neither acknowledged by the page),
 * and saved its own static peer and mailserver.
 */
const FIXTURE = join(import.meta.dirname, 'fixtures/profile-v1')
const ACCOUNT = '4743ac48-7fa5-4180-ba38-813a82231121'
const BOB = '0x04552c630b64b54bf50210c9e253d38bd4949c72e22873500f6285c2bede312a84e3ca35a0c8c0cf4c40398e720377e1ee09c7a6b0fd05683d5fe02d8f68231466'
const PUBLIC_ID = '0x6f993e339c07befca9f27345476a96a438554c23a05c5bef3aae10ab085c8365'
const DIRECT_ID = '0x38b1b91e39d3b063885dd189abcfedae74a3bd0d4d73480bafba040872542aec'
const SETTINGS = {
  staticPeers: ['enode://' + 'ab'.repeat(64) + '@127.0.0.1:9'],
  bootnodes: [],
  mailservers: ['enode://' + 'cd'.repeat(64) + '@127.0.0.1:9']
}
const DEFAULTS = { staticPeers: [], bootnodes: [], mailservers: [] }

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task()
})

function copyOfFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hush-v1-'))
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }))
  cpSync(FIXTURE, dir, { recursive: true })
  return dir
}

const stateDir = (profile: string): string => join(profile, 'data', ACCOUNT, 'state')

async function rawKeys(profile: string): Promise<string[]> {
  const db = new ClassicLevel<string, Uint8Array>(stateDir(profile), { keyEncoding: 'utf8', valueEncoding: 'view' })
  try {
    return await db.keys().all()
  } finally {
    await db.close()
  }
}

/** Flips one ciphertext byte of every record whose key starts with `prefix`. */
async function damage(profile: string, prefix: string): Promise<number> {
  const db = new ClassicLevel<string, Uint8Array>(stateDir(profile), { keyEncoding: 'utf8', valueEncoding: 'view' })
  let count = 0
  try {
    for await (const [key, sealed] of db.iterator({ gte: prefix, lt: prefix + '\xff' })) {
      const copy = Uint8Array.from(sealed)
      copy[20] = (copy[20] ?? 0) ^ 1
      await db.put(key, copy)
      count += 1
    }
  } finally {
    await db.close()
  }
  return count
}

async function value<T>(call: Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>): Promise<T> {
  const result = await call
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  return result.value
}

async function unlock(profile: string): Promise<HushClient> {
  const network = createNetwork({ listen: '127.0.0.1:0', staticPeers: [], bootnodes: [] }, silentLogger)
  const core = new HushCore({ profileDir: profile, runtime: 'in-process', version: '1', log: silentLogger, network })
  await core.start()
  cleanup.push(() => core.stop())
  const client = createClient(inProcessBridge(core.dispatch, core.events))
  await value(client.call('accounts.unlock', { id: ACCOUNT, password: 'pw' }))
  return client
}

describe('messenger records written before salted record ids', () => {
  it('open with every chat, contact, setting and pending message, under salted keys only', async () => {
    const profile = copyOfFixture()
    expect((await rawKeys(profile)).filter((key) => /^messenger\/chat\/[0-9a-f]{64}$/.test(key))).toHaveLength(2)

    for (let round = 0; round < 2; round += 1) {
      const client = await unlock(profile)
      const chats = await value(client.call('chats.list', {}))
      expect(chats.map((chat) => chat.id).sort()).toEqual([BOB, 'hush-fixture'].sort())
      expect(await value(client.call('settings.network.get', {}))).toEqual(SETTINGS)
      expect((await value(client.call('contacts.get', { publicKey: BOB }))).verified).toBe(true)
      const pending = await value(client.call('messages.pending', {}))
      expect(pending.map((m) => [m.id, m.text]).sort()).toEqual([
        [DIRECT_ID, 'hi bob from v1'],
        [PUBLIC_ID, 'hello from v1']
      ])
      expect(await value(client.call('debug.drops', {}))).not.toHaveProperty(UNREADABLE_RECORD)
      await value(client.call('accounts.lock', {}))
      await cleanup.pop()?.()
    }

    const keys = (await rawKeys(profile)).filter((key) => /^messenger\/(chat|contact|journal|outbox|seen)\//.test(key))
    expect(keys).toHaveLength(2 + 1 + 2 + 2 + 2)
    for (const key of keys) expect(key).toMatch(/^messenger\/[a-z]+\/[0-9a-f]{32}$/)
    const bare = [BOB, 'hush-fixture', PUBLIC_ID, DIRECT_ID].map((id) => id.replace(/^0x/, ''))
    for (const key of keys) for (const id of bare) expect(key).not.toContain(id.slice(0, 32))
  })

  it('skips and counts damaged records, keeps the rest, and falls back to the default network settings', async () => {
    const profile = copyOfFixture()
    await unlock(profile).then((client) => value(client.call('accounts.lock', {})))
    await cleanup.pop()?.()
    const damaged = (await damage(profile, 'messenger/chat/')) + (await damage(profile, 'messenger/settings/'))
    expect(damaged).toBe(3)

    const client = await unlock(profile)
    expect(await value(client.call('chats.list', {}))).toEqual([])
    expect(await value(client.call('settings.network.get', {}))).toEqual(DEFAULTS)
    expect((await value(client.call('contacts.get', { publicKey: BOB }))).verified).toBe(true)
    expect(await value(client.call('messages.pending', {}))).toHaveLength(2)
    expect(await value(client.call('debug.drops', {}))).toMatchObject({ [UNREADABLE_RECORD]: 3 })
  })

  it('refuses to run on a damaged installation id instead of inventing a new device', async () => {
    const profile = copyOfFixture()
    expect(await damage(profile, 'messenger/installation')).toBe(1)
    const client = await unlock(profile)
    const chats = await client.call('chats.list', {})
    expect(chats).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
  })
})
