import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createClient, type HushClient } from '../../../shared/api/client'
import type { Account } from '../../../shared/api'
import { inProcessBridge } from '../api/in-process'
import { HushCore } from '../host'
import { silentLogger } from '../log/logger'
import { FakeKdf } from '../testing/fake-kdf'
import { FakeNetwork } from '../testing/fake-network'
import { DEFAULT_MAX_PENDING, KdfQueue } from './key-stretching'

const FAST_KDF = { n: 1024, r: 8, p: 1 }

describe('accounts API', () => {
  let dir: string
  let core: HushCore
  let client: HushClient

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hush-accounts-'))
    core = new HushCore({ profileDir: dir, runtime: 'in-process', version: '1', log: silentLogger, network: new FakeNetwork(), kdf: FAST_KDF })
    await core.start()
    client = createClient(inProcessBridge(core.dispatch, core.events))
  })

  afterEach(async () => {
    await core.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const value = <T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T => {
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
    return result.value
  }

  it('creates an account from a chosen candidate, unlocks it and reports it', async () => {
    const candidates = value(await client.call('accounts.candidates', { count: 5 }))
    expect(candidates).toHaveLength(5)
    expect(JSON.stringify(candidates)).not.toMatch(/mnemonic/)
    const chosen = candidates[2]!
    const events: Array<Account | null> = []
    client.on('accounts.current', (account) => events.push(account))
    const { account, mnemonic } = value(await client.call('accounts.create', { candidateId: chosen.candidateId, password: 'pw one', name: 'Alice' }))
    expect(account).toMatchObject({ publicKey: chosen.publicKey, alias: chosen.alias, name: 'Alice' })
    expect(mnemonic.split(' ')).toHaveLength(12)
    expect(value(await client.call('accounts.current', {}))?.id).toBe(account.id)
    expect(events.map((a) => a?.id ?? null)).toEqual([account.id])
    // A candidate can be used once only.
    expect(await client.call('accounts.create', { candidateId: chosen.candidateId, password: 'x' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })

  it('locks, refuses a wrong password clearly, then unlocks', async () => {
    const [candidate] = value(await client.call('accounts.candidates', { count: 1 }))
    const { account } = value(await client.call('accounts.create', { candidateId: candidate!.candidateId, password: 'right' }))
    value(await client.call('accounts.lock', {}))
    expect(value(await client.call('accounts.current', {}))).toBeNull()
    expect(await client.call('accounts.unlock', { id: account.id, password: 'wrong' })).toMatchObject({ ok: false, error: { code: 'WRONG_PASSWORD' } })
    expect(value(await client.call('accounts.unlock', { id: account.id, password: 'right' })).publicKey).toBe(account.publicKey)
  })

  it('previews and restores an identity from its words, pointing at bad words by position', async () => {
    const [candidate] = value(await client.call('accounts.candidates', { count: 1 }))
    const { account, mnemonic } = value(await client.call('accounts.create', { candidateId: candidate!.candidateId, password: 'pw' }))
    const bad = mnemonic.split(' ').map((word, i) => (i === 3 ? 'notaword' : word)).join(' ')
    expect(value(await client.call('accounts.checkMnemonic', { mnemonic: bad }))).toMatchObject({ ok: false, problem: { reason: 'UNKNOWN_WORDS', unknownWords: [3] } })
    const preview = value(await client.call('accounts.checkMnemonic', { mnemonic }))
    expect(preview).toMatchObject({ ok: true, identity: { publicKey: account.publicKey, alias: account.alias } })

    const other = mkdtempSync(join(tmpdir(), 'hush-accounts-restore-'))
    const second = new HushCore({ profileDir: other, runtime: 'in-process', version: '1', log: silentLogger, network: new FakeNetwork(), kdf: FAST_KDF })
    await second.start()
    try {
      const secondClient = createClient(inProcessBridge(second.dispatch, second.events))
      const restored = value(await secondClient.call('accounts.restore', { mnemonic, password: 'other' }))
      expect(restored).toMatchObject({ publicKey: account.publicKey, alias: account.alias, address: account.address })
    } finally {
      await second.stop()
      rmSync(other, { recursive: true, force: true })
    }
  })

  it('keeps whether the phrase was checked in main: across lock, restart and restore, for the unlocked account only', async () => {
    const create = async () => {
      const [candidate] = value(await client.call('accounts.candidates', { count: 1 }))
      return value(await client.call('accounts.create', { candidateId: candidate!.candidateId, password: 'pw' }))
    }
    const { account: other } = await create()
    const { account, mnemonic } = await create()
    expect(account.backedUp).toBe(false)
    expect(await client.call('accounts.confirmBackup', { id: other.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })

    const events: Array<Account | null> = []
    client.on('accounts.current', (current) => events.push(current))
    const switches = vi.spyOn(core as unknown as { switchMessenger(): void }, 'switchMessenger')
    expect(value(await client.call('accounts.confirmBackup', { id: account.id })).backedUp).toBe(true)
    expect(events).toEqual([{ ...account, backedUp: true }])
    // The same account stays open: its messenger is not closed and reopened for a public detail.
    expect(switches).not.toHaveBeenCalled()

    await core.stop()
    core = new HushCore({ profileDir: dir, runtime: 'in-process', version: '1', log: silentLogger, network: new FakeNetwork(), kdf: FAST_KDF })
    await core.start()
    client = createClient(inProcessBridge(core.dispatch, core.events))
    const listed = value(await client.call('accounts.list', {}))
    const backedUp = Object.fromEntries(listed.flatMap((e) => (e.status === 'ok' ? [[e.account.id, e.account.backedUp]] : [])))
    expect(backedUp).toEqual({ [account.id]: true, [other.id]: false })
    expect(value(await client.call('accounts.unlock', { id: account.id, password: 'pw' })).backedUp).toBe(true)
    value(await client.call('accounts.remove', { id: account.id, password: 'pw' }))
    // Whoever restores from the words has them written down.
    expect(value(await client.call('accounts.restore', { mnemonic, password: 'pw' })).backedUp).toBe(true)
  })

  it('lists a corrupt keystore with a clear error while other accounts still work', async () => {
    const [candidate] = value(await client.call('accounts.candidates', { count: 1 }))
    const { account } = value(await client.call('accounts.create', { candidateId: candidate!.candidateId, password: 'pw' }))
    const broken = join(dir, 'accounts', '00000000-0000-4000-8000-000000000000.json')
    writeFileSync(broken, '{"version": 3, "crypto": ')
    const list = value(await client.call('accounts.list', {}))
    expect(list).toContainEqual({ status: 'corrupt', file: broken, message: expect.stringContaining(broken) })
    expect(list).toContainEqual({ status: 'ok', account })
    expect(readFileSync(broken, 'utf8')).toBe('{"version": 3, "crypto": ')
    value(await client.call('accounts.lock', {}))
    expect(value(await client.call('accounts.unlock', { id: account.id, password: 'pw' })).id).toBe(account.id)
  })

  it('writes no secret in the clear anywhere in the profile', async () => {
    const [candidate] = value(await client.call('accounts.candidates', { count: 1 }))
    const { mnemonic } = value(await client.call('accounts.create', { candidateId: candidate!.candidateId, password: 'correct horse' }))
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    for (const file of files) {
      const text = readFileSync(join(file.parentPath, file.name), 'utf8')
      expect(text).not.toContain(mnemonic.split(' ').slice(0, 3).join(' '))
      expect(text).not.toContain('correct horse')
    }
  })
})

// Each case waits on a dozen real keystore reads and API round trips; a loaded 2-core machine needs the room.
describe('password checks under load', { timeout: 120_000 }, () => {
  let dir: string
  let core: HushCore
  let kdf: FakeKdf
  let queue: KdfQueue

  async function startCore(held: boolean): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), 'hush-accounts-load-'))
    kdf = new FakeKdf(held)
    queue = new KdfQueue({ derive: kdf.derive })
    core = new HushCore({ profileDir: dir, runtime: 'in-process', version: '1', log: silentLogger, network: new FakeNetwork(), kdfQueue: queue })
    await core.start()
  }

  afterEach(async () => {
    vi.useRealTimers()
    await core.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  // Calls pass through real file reads and key derivations first, which a busy machine slows down.
  const until = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 })
  const call = (method: string, args: unknown) => core.dispatch(method, args, { transport: 'in-process' })

  async function createAccount(password: string): Promise<string> {
    const candidates = await call('accounts.candidates', { count: 1 })
    if (!candidates.ok) throw new Error(candidates.error.message)
    const [candidate] = candidates.value as Array<{ candidateId: string }>
    const created = await call('accounts.create', { candidateId: candidate!.candidateId, password })
    if (!created.ok) throw new Error(created.error.message)
    return (created.value as { account: Account }).account.id
  }

  /** Creates an account through a held KDF and locks it again. */
  async function createHeld(password: string): Promise<string> {
    const creating = createAccount(password)
    await until(() => expect(kdf.started).toHaveLength(1))
    kdf.release()
    const id = await creating
    core.accounts.lock()
    return id
  }

  it('creates and restores an account with one password derivation each', async () => {
    await startCore(false)
    await createAccount('pw')
    expect(kdf.started).toEqual(['pw'])
    const mnemonic = await call('accounts.revealMnemonic', { id: core.accounts.currentAccount()!.id, password: 'pw' })
    expect(kdf.started).toEqual(['pw', 'pw'])
    if (!mnemonic.ok) throw new Error(mnemonic.error.message)
    const other = mkdtempSync(join(tmpdir(), 'hush-accounts-load-restore-'))
    const otherKdf = new FakeKdf()
    const second = new HushCore({ profileDir: other, runtime: 'in-process', version: '1', log: silentLogger, network: new FakeNetwork(), kdfQueue: new KdfQueue({ derive: otherKdf.derive }) })
    await second.start()
    try {
      const restored = await second.dispatch('accounts.restore', { ...(mnemonic.value as { mnemonic: string }), password: 'pw2' }, { transport: 'in-process' })
      expect(restored).toMatchObject({ ok: true })
      expect(otherKdf.started).toEqual(['pw2'])
    } finally {
      await second.stop()
      rmSync(other, { recursive: true, force: true })
    }
  })

  it('checks concurrent wrong passwords one at a time and refuses the excess with BUSY', async () => {
    await startCore(true)
    const id = await createHeld('right')
    const attempts = DEFAULT_MAX_PENDING + 4
    let answered = 0
    const results = Array.from({ length: attempts }, (_, i) =>
      call('accounts.unlock', { id, password: `wrong ${i}` }).finally(() => answered++)
    )
    // Every call has reached the queue: eight hold a place and the other four were already refused.
    await until(() => expect([queue.pending, answered]).toEqual([DEFAULT_MAX_PENDING, attempts - DEFAULT_MAX_PENDING]))
    for (let served = 1; served <= DEFAULT_MAX_PENDING; served++) {
      await until(() => expect(kdf.started).toHaveLength(1 + served))
      kdf.release()
    }
    const codes = (await Promise.all(results)).map((r) => (r.ok ? 'ok' : r.error.code)).sort()
    expect(codes).toEqual([...Array<string>(4).fill('BUSY'), ...Array<string>(DEFAULT_MAX_PENDING).fill('WRONG_PASSWORD')])
    expect(kdf.started).toHaveLength(1 + DEFAULT_MAX_PENDING)
    expect(kdf.maxActive).toBe(1)
    // The queue drained: the right password still works.
    const unlocking = call('accounts.unlock', { id, password: 'right' })
    await until(() => expect(kdf.started).toHaveLength(2 + DEFAULT_MAX_PENDING))
    kdf.release()
    expect(await unlocking).toMatchObject({ ok: true })
  })

  it('drops the derivation of a call that timed out while it waited, and stops the running one', async () => {
    await startCore(true)
    const id = await createHeld('right')

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    // changePassword may take 120 s, unlock 60 s: the unlock times out while the other derivation still runs.
    const running = call('accounts.changePassword', { id, oldPassword: 'right', newPassword: 'new' })
    await until(() => expect(kdf.started).toHaveLength(2))
    const waiting = call('accounts.unlock', { id, password: 'waiting' })
    await until(() => expect(queue.pending).toBe(2))
    await vi.advanceTimersByTimeAsync(60_001)
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } })
    expect(queue.pending).toBe(1)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(await running).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } })
    expect(queue.pending).toBe(0)
    expect(kdf.active).toBe(0)
    expect(kdf.started).toEqual(['right', 'right'])
    vi.useRealTimers()

    const unlocking = call('accounts.unlock', { id, password: 'right' })
    await until(() => expect(kdf.started).toHaveLength(3))
    kdf.release()
    expect(await unlocking).toMatchObject({ ok: true })
  })
})
