import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AccountError } from './account-error'
import { AccountStore, type AccountListEntry, type AccountSummary } from './account-store'
import { aliasFromPublicKey } from './alias'
import { deriveKeys } from './derivation'
import { identicon } from './identicon'
import { checkMnemonic } from './mnemonic'

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const LEGAL = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
const NOW = 1_700_000_000_000

/** Deterministic stand-in for the CSPRNG: SHA-256 of a counter. */
function seededRandom(seed: number): (n: number) => Uint8Array {
  let counter = seed
  return (n) => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 32) out.set(sha256(utf8ToBytes(String(counter++))).subarray(0, n - i), i)
    return out
  }
}

let profile: string
let store: AccountStore
beforeEach(async () => {
  profile = await mkdtemp(join(tmpdir(), 'hush-accounts-'))
  store = new AccountStore(profile, { kdf: { n: 1024, r: 8, p: 1 }, now: () => NOW, random: seededRandom(1) })
})
afterEach(async () => {
  await rm(profile, { recursive: true, force: true })
})

const accountsDir = () => join(profile, 'accounts')
const ok = (entries: AccountListEntry[]) => entries.filter((e) => e.status === 'ok')

async function expectCode(promise: Promise<unknown>, code: string): Promise<AccountError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(AccountError)
  expect((error as AccountError).code).toBe(code)
  return error as AccountError
}

describe('AccountStore', () => {
  it('lists nothing before the folder exists', async () => {
    expect(await store.list()).toEqual([])
  })

  it('creates, lists and unlocks an account', async () => {
    const created = (await store.create(ABANDON, 'pw', { name: '  Alice ' })).summary
    const keys = await deriveKeys(ABANDON)
    expect(created).toEqual<AccountSummary>({
      id: created.id,
      file: join(accountsDir(), `${created.id}.json`),
      publicKey: keys.publicKey,
      alias: aliasFromPublicKey(keys.publicKey),
      address: '0x9858EfFD232B4033E47d90003D41EC34EcaEda94',
      createdAt: NOW,
      name: 'Alice',
      backedUp: false,
      identicon: identicon(keys.publicKey)
    })
    expect(await store.list()).toEqual([{ status: 'ok', ...created }])

    const unlocked = await store.unlock(created.id, 'pw')
    expect(unlocked.summary).toEqual(created)
    expect(unlocked.keys.publicKey).toBe(keys.publicKey)
    expect(unlocked.keys.chatPrivateKey).toEqual(keys.chatPrivateKey)
    expect(await store.revealMnemonic(created.id, 'pw')).toBe(ABANDON)
  })

  it('names the account after its alias by default and never stores secrets in clear', async () => {
    const created = (await store.create(`  ${ABANDON.toUpperCase()} `, 'hunter2-password')).summary
    expect(created.name).toBe(created.alias)
    const text = await readFile(created.file, 'utf8')
    expect(text).not.toMatch(/abandon/i)
    expect(text).not.toContain('hunter2-password')
    const keys = await deriveKeys(ABANDON)
    for (const secret of [keys.chatPrivateKey, keys.wallet.privateKey]) {
      expect(text).not.toContain(Buffer.from(secret).toString('hex'))
    }
  })

  it('rejects a wrong password with WRONG_PASSWORD and leaves the file byte-identical', async () => {
    const { id, file } = (await store.create(ABANDON, 'pw')).summary
    const before = await readFile(file)
    await expectCode(store.unlock(id, 'nope'), 'WRONG_PASSWORD')
    await expectCode(store.revealMnemonic(id, 'nope'), 'WRONG_PASSWORD')
    await expectCode(store.changePassword(id, 'nope', 'new'), 'WRONG_PASSWORD')
    await expectCode(store.remove(id, 'nope'), 'WRONG_PASSWORD')
    expect(await readFile(file)).toEqual(before)
    expect(await readdir(accountsDir())).toEqual([`${id}.json`])
  })

  it('changes the password, keeping id and public info', async () => {
    const created = (await store.create(ABANDON, 'old')).summary
    await store.changePassword(created.id, 'old', 'new')
    await expectCode(store.unlock(created.id, 'old'), 'WRONG_PASSWORD')
    expect((await store.unlock(created.id, 'new')).summary).toEqual(created)
    expect(await readdir(accountsDir())).toEqual([`${created.id}.json`])
  })

  it('removes an account only with its password', async () => {
    const { id } = (await store.create(ABANDON, 'pw')).summary
    await store.remove(id, 'pw')
    expect(await store.list()).toEqual([])
    await expectCode(store.unlock(id, 'pw'), 'NOT_FOUND')
  })

  it('reports corrupt and foreign files by name while other accounts keep working', async () => {
    const good = (await store.create(ABANDON, 'pw')).summary
    const corruptId = '00000000-0000-4000-8000-000000000000'
    const corrupt = join(accountsDir(), `${corruptId}.json`)
    const foreign = join(accountsDir(), 'notes.txt')
    await writeFile(corrupt, '{"version":3,')
    await writeFile(foreign, 'hello')

    const entries = await store.list()
    expect(entries).toHaveLength(3)
    expect(ok(entries).map((e) => e.id)).toEqual([good.id])
    for (const file of [corrupt, foreign]) {
      const entry = entries.find((e) => e.file === file)
      expect(entry?.status).toBe('corrupt')
      if (entry?.status !== 'corrupt') continue
      expect(entry.error.code).toBe('CORRUPT_FILE')
      expect(entry.error.message).toContain(file)
    }

    const error = await expectCode(store.unlock(corruptId, 'pw'), 'CORRUPT_FILE')
    expect(error.message).toContain(corrupt)
    expect((await store.unlock(good.id, 'pw')).keys.publicKey).toBe(good.publicKey)

    await store.create(LEGAL, 'pw2')
    expect(await readFile(corrupt, 'utf8')).toBe('{"version":3,')
    expect(await readFile(foreign, 'utf8')).toBe('hello')
  })

  it('reports oversized files and folders in place of an account without reading them', async () => {
    await mkdir(accountsDir(), { recursive: true })
    const big = join(accountsDir(), '00000000-0000-4000-8000-000000000002.json')
    const folder = join(accountsDir(), '00000000-0000-4000-8000-000000000003.json')
    await writeFile(big, ' '.repeat(100_000))
    await mkdir(folder)
    const entries = await store.list()
    expect(entries.map((e) => e.status === 'corrupt' && e.error.message)).toEqual([
      `${big}: too large to be a keystore`,
      `${folder}: unreadable`
    ])
  })

  it('flags a file copied under another account id', async () => {
    const { id, file } = (await store.create(ABANDON, 'pw')).summary
    const otherId = '00000000-0000-4000-8000-000000000001'
    await writeFile(join(accountsDir(), `${otherId}.json`), await readFile(file))
    const entry = (await store.list()).find((e) => e.file.includes(otherId))
    expect(entry).toMatchObject({ status: 'corrupt', error: { code: 'CORRUPT_FILE' } })
    await expectCode(store.unlock(otherId, 'pw'), 'CORRUPT_FILE')
    expect((await store.unlock(id, 'pw')).summary.id).toBe(id)
  })

  it('flags a file whose public info does not match its secret', async () => {
    const { id, file } = (await store.create(ABANDON, 'pw')).summary
    const json = JSON.parse(await readFile(file, 'utf8'))
    json.hush.publicKey = (await deriveKeys(LEGAL)).publicKey
    await writeFile(file, JSON.stringify(json))
    await expectCode(store.unlock(id, 'pw'), 'CORRUPT_FILE')
  })

  it('refuses duplicates, bad mnemonics, empty passwords, long names and unknown ids', async () => {
    const first = (await store.create(ABANDON, 'pw')).summary
    const dup = await expectCode(store.create(ABANDON, 'other'), 'ALREADY_EXISTS')
    expect(dup.message).toContain(first.file)
    const bad = await expectCode(store.create(ABANDON.replace('about', 'aboot'), 'pw'), 'INVALID_MNEMONIC')
    expect(bad.message).not.toContain('aboot')
    await expectCode(store.create(ABANDON.replace('about', 'abandon'), 'pw'), 'INVALID_MNEMONIC')
    await expectCode(store.create(LEGAL, ''), 'INVALID_PASSWORD')
    await expectCode(store.create(LEGAL, 'pw', { name: 'x'.repeat(65) }), 'INVALID_NAME')
    await expectCode(store.changePassword(first.id, 'pw', ''), 'INVALID_PASSWORD')
    await expectCode(store.unlock('00000000-0000-4000-8000-00000000000f', 'pw'), 'NOT_FOUND')
    await expectCode(store.unlock('../../etc/passwd', 'pw'), 'NOT_FOUND')
    expect(ok(await store.list())).toHaveLength(1)
  })

  it('serialises concurrent creates of the same identity', async () => {
    const results = await Promise.allSettled([store.create(ABANDON, 'a'), store.create(ABANDON, 'b')])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(ok(await store.list())).toHaveLength(1)
  })

  it('leaves no temp files after any operation', async () => {
    const { id } = (await store.create(ABANDON, 'pw')).summary
    await store.changePassword(id, 'pw', 'pw2')
    await store.create(LEGAL, 'pw')
    expect((await readdir(accountsDir())).every((name) => /^[0-9a-f-]{36}\.json$/.test(name))).toBe(true)
  })

  it('generates five fresh, consistent candidates', async () => {
    const candidates = await store.generateCandidates(5)
    expect(candidates).toHaveLength(5)
    expect(new Set(candidates.map((c) => c.mnemonic)).size).toBe(5)
    for (const candidate of candidates) {
      expect(checkMnemonic(candidate.mnemonic).ok).toBe(true)
      const keys = await deriveKeys(candidate.mnemonic)
      expect(candidate).toEqual({
        mnemonic: candidate.mnemonic,
        publicKey: keys.publicKey,
        compressedKey: keys.compressedKey,
        alias: aliasFromPublicKey(keys.publicKey),
        address: keys.wallet.address,
        identicon: identicon(keys.publicKey)
      })
    }
  })

  it('does not list hidden temp files left by a crash', async () => {
    await mkdir(accountsDir(), { recursive: true })
    await writeFile(join(accountsDir(), '.tmp-x.json.abcdef'), 'partial')
    expect(await store.list()).toEqual([])
  })
})
