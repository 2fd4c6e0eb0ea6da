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
import { UNREADABLE_RECORD } from './unreadable-records'

/*
 * fixtures/profile-unsalted is a profile written by Hush before messenger records were keyed by salted ids
 * (see fixtures/profile-unsalted/HOW.md): an account "Old" (password "pw") that saved its own static peer and
 * mailserver, joined #hush-fixture, started a 1:1 chat with BOB, sent one message in each (neither left: no
 * peers), left a draft for BOB and verified him.
 */
const FIXTURE = join(import.meta.dirname, 'fixtures/profile-unsalted')
const ACCOUNT = '40558490-8040-4f0b-9969-08e767a8bf59'
const BOB = '0x04552c630b64b54bf50210c9e253d38bd4949c72e22873500f6285c2bede312a84e3ca35a0c8c0cf4c40398e720377e1ee09c7a6b0fd05683d5fe02d8f68231466'
const PUBLIC = 'hush-fixture'
const PUBLIC_ID = '0x48f44b1fb530023bb4ac20e06e6edbebbd91057c9d4b929e7319f03bb56e2b2f'
const DIRECT_ID = '0x3b1e5e7c96c872ceb9f310e144e583a7abddd8da916397785b879a5d8f6e4b27'
/** keccak256 of each chat id: how the old layout named them in record keys. */
const OLD_CHAT_HASHES = ['6965081daae1df6f2b5fa2a746922b3150dfdf0f86e65a6d0add249b9672f23f', '8b863910dfe4a355774a6452c2d7598623d59e0ee870a1663cbe2341418fcb2f']
const SETTINGS = {
  bootnodes: [],
  staticPeers: ['enode://' + 'ab'.repeat(64) + '@127.0.0.1:9'],
  mailservers: ['enode://' + 'cd'.repeat(64) + '@127.0.0.1:9']
}
const DEFAULTS = { bootnodes: [], staticPeers: [], mailservers: [] }
const OPEN = { lower: null, upper: null }

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task()
})

function copyOfFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hush-unsalted-'))
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }))
  cpSync(FIXTURE, dir, { recursive: true })
  return dir
}

const stateDir = (profile: string): string => join(profile, 'data', ACCOUNT, 'state')

async function withRaw<T>(profile: string, task: (db: ClassicLevel<string, Uint8Array>) => Promise<T>): Promise<T> {
  const db = new ClassicLevel<string, Uint8Array>(stateDir(profile), { keyEncoding: 'utf8', valueEncoding: 'view' })
  try {
    return await task(db)
  } finally {
    await db.close()
  }
}

const rawKeys = (profile: string): Promise<string[]> => withRaw(profile, (db) => db.keys().all())

/** Flips one ciphertext byte of every record whose key starts with `prefix`; returns how many. */
function damage(profile: string, prefix: string): Promise<number> {
  return withRaw(profile, async (db) => {
    let count = 0
    for await (const [key, sealed] of db.iterator({ gte: prefix, lt: prefix + '\xff' })) {
      const copy = Uint8Array.from(sealed)
      copy[20] = (copy[20] ?? 0) ^ 1
      await db.put(key, copy)
      count += 1
    }
    return count
  })
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

async function lockAndStop(client: HushClient): Promise<void> {
  await value(client.call('accounts.lock', {}))
  await cleanup.pop()?.()
}

const texts = async (client: HushClient, chatId: string) =>
  (await value(client.call('history.read', { chatId, range: OPEN, limit: 50 }))).messages.map((m) => [m.id, m.text, m.status])

describe('messenger records written before salted record ids', () => {
  it('open with every chat, draft, contact, setting and message, under salted keys only', async () => {
    const profile = copyOfFixture()
    const before = await rawKeys(profile)
    expect(before.filter((key) => /^messenger\/chat\/[0-9a-f]{64}$/.test(key))).toHaveLength(2)
    expect(before.filter((key) => /^messenger\/history\/[0-9a-f]{64}\//.test(key))).toHaveLength(2)

    for (let round = 0; round < 2; round += 1) {
      const client = await unlock(profile)
      const chats = await value(client.call('chats.list', {}))
      expect(chats.map((chat) => chat.id).sort()).toEqual([BOB, PUBLIC].sort())
      const bob = chats.find((chat) => chat.id === BOB)
      expect(bob).toMatchObject({ draft: 'a draft', lastMessage: { text: 'hi bob from before salted keys', outgoing: true } })
      expect(await value(client.call('settings.network.get', {}))).toEqual(SETTINGS)
      expect((await value(client.call('contacts.get', { publicKey: BOB }))).verified).toBe(true)
      expect(await texts(client, PUBLIC)).toEqual([[PUBLIC_ID, 'hello from before salted keys', expect.any(String)]])
      expect(await texts(client, BOB)).toEqual([[DIRECT_ID, 'hi bob from before salted keys', expect.any(String)]])
      expect(await value(client.call('debug.drops', {}))).not.toHaveProperty(UNREADABLE_RECORD)
      await lockAndStop(client)
    }

    const keys = (await rawKeys(profile)).filter((key) => /^messenger\/(chat|contact|outbox|seen|message|history)\//.test(key))
    // 2 chats, 1 contact, 2 outbox entries, 2 seen ids, 2 index entries, 2 history rows.
    expect(keys).toHaveLength(2 + 1 + 2 + 2 + 2 + 2)
    for (const key of keys) expect(key).toMatch(/^messenger\/(chat|contact|outbox|seen|message)\/[0-9a-f]{32}$|^messenger\/history\/[0-9a-f]{32}\/[0-9a-f]{17}\/[0-9a-f]{32}$/)
    const named = [BOB, PUBLIC_ID, DIRECT_ID, ...OLD_CHAT_HASHES].map((id) => id.replace(/^0x/, '').slice(0, 16))
    for (const key of keys) for (const id of named) expect(key).not.toContain(id)
  })

  it('skips and counts damaged records, keeps the rest, and falls back to the default network settings', async () => {
    const profile = copyOfFixture()
    await lockAndStop(await unlock(profile))
    const chatKeys = (await rawKeys(profile)).filter((key) => key.startsWith('messenger/chat/'))
    const damaged = (await damage(profile, chatKeys[0]!)) + (await damage(profile, 'messenger/settings/')) + (await damage(profile, 'messenger/history/'))
    expect(damaged).toBe(1 + 1 + 2)

    const client = await unlock(profile)
    expect(await value(client.call('chats.list', {}))).toHaveLength(1)
    expect(await value(client.call('settings.network.get', {}))).toEqual(DEFAULTS)
    expect((await value(client.call('contacts.get', { publicKey: BOB }))).verified).toBe(true)
    // Both pages are read twice: a damaged row is left out and counted once.
    for (let read = 0; read < 2; read += 1) {
      expect(await texts(client, PUBLIC)).toEqual([])
      expect(await texts(client, BOB)).toEqual([])
    }
    expect(await value(client.call('debug.drops', {}))).toMatchObject({ [UNREADABLE_RECORD]: 4 })
    // Still a working account: a new message in the chat that survived is stored and read back.
    const [chat] = await value(client.call('chats.list', {}))
    const sent = await value(client.call('messages.send', { chatId: chat!.id, text: 'after the damage' }))
    expect((await texts(client, chat!.id)).map(([id]) => id)).toEqual([sent.id])
  })

  it('moves records whose old key went unreadable nowhere, and counts them', async () => {
    const profile = copyOfFixture()
    expect(await damage(profile, `messenger/chat/${OLD_CHAT_HASHES[0]}`)).toBe(1)
    const client = await unlock(profile)
    expect(await value(client.call('chats.list', {}))).toHaveLength(1)
    expect(await value(client.call('debug.drops', {}))).toMatchObject({ [UNREADABLE_RECORD]: 1 })
    await lockAndStop(client)
    expect(await rawKeys(profile)).toContain(`messenger/chat/${OLD_CHAT_HASHES[0]}`)
  })

  it('refuses to run on a damaged installation id instead of inventing a new device', async () => {
    const profile = copyOfFixture()
    expect(await damage(profile, 'messenger/installation')).toBe(1)
    const client = await unlock(profile)
    expect(await client.call('chats.list', {})).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
  })
})
