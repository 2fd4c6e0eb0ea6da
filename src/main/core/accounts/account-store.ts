import { mkdir, open, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from '@noble/hashes/utils.js'
import { AccountError, isAccountError } from './account-error'
import { isErrno } from './errno'
import { removeFileDurable, TEMP_PREFIX, writeFileAtomic } from './atomic-file'
import { deriveKeys, type DerivedKeys } from './derivation'
import { identicon, type Identicon } from './identicon'
import { generateCandidates, publicIdentityOf, type Candidate } from './identity'
import { KdfQueue, type KdfParams } from './key-stretching'
import { decryptKeystore, encryptKeystore, parseKeystore, uuidV4, type AccountPublicInfo, type Keystore, type KeyOptions } from './keystore'
import { checkMnemonic, describeMnemonicProblem, type MnemonicCheck, type RandomBytes } from './mnemonic'

export const MAX_NAME_LENGTH = 64

export interface AccountSummary extends AccountPublicInfo {
  id: string
  /** Absolute path of the keystore file. */
  file: string
  identicon: Identicon
}

export type AccountListEntry =
  | ({ status: 'ok' } & AccountSummary)
  | { status: 'corrupt'; file: string; error: AccountError }

/** Keys live only in memory; the mnemonic is available only through revealMnemonic. */
export interface UnlockedAccount {
  summary: AccountSummary
  keys: DerivedKeys
}

export interface AccountStoreOptions {
  kdf?: KdfParams
  /** Milliseconds since the Unix epoch. */
  now?: () => number
  random?: RandomBytes
  /** Where password keys are derived, one at a time; a fresh queue per store by default. */
  queue?: KdfQueue
}

const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const FILE_SUFFIX = '.json'
/** A keystore is about 1 KiB; anything far bigger is not ours and is not worth reading. */
const MAX_FILE_BYTES = 64 * 1024

/**
 * Password-protected accounts under `<profileDir>/accounts/<id>.json`, one Web3 v3 keystore each.
 * Unreadable files are reported by list() and never rewritten; mutations run one at a time.
 */
export class AccountStore {
  private readonly dir: string
  private readonly kdf: KdfParams | undefined
  private readonly now: () => number
  private readonly random: RandomBytes
  private readonly queue: KdfQueue
  private tail: Promise<unknown> = Promise.resolve()

  constructor(profileDir: string, options: AccountStoreOptions = {}) {
    this.dir = join(profileDir, 'accounts')
    this.kdf = options.kdf
    this.now = options.now ?? Date.now
    this.random = options.random ?? randomBytes
    this.queue = options.queue ?? new KdfQueue()
  }

  async list(): Promise<AccountListEntry[]> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return []
      throw error
    }
    const entries: AccountListEntry[] = []
    for (const name of names.sort()) {
      if (name.startsWith(TEMP_PREFIX)) continue
      const file = join(this.dir, name)
      try {
        const id = idFromFileName(name, file)
        entries.push({ status: 'ok', ...summarize(await this.read(id)) })
      } catch (error) {
        if (!isAccountError(error)) throw error
        entries.push({ status: 'corrupt', file, error })
      }
    }
    return entries
  }

  /**
   * Stores a new account and returns it unlocked: its keys come from the phrase, not from a second derivation.
   * `backedUp` is true when the person typed the phrase in (a restore): they have it written down already.
   */
  create(mnemonic: string, password: string, options: { name?: string; backedUp?: boolean; signal?: AbortSignal } = {}): Promise<UnlockedAccount> {
    const { name, backedUp = false, signal } = options
    return this.exclusive(async () => {
      const phrase = requireMnemonic(checkMnemonic(mnemonic))
      requirePassword(password)
      const keys = await deriveKeys(phrase)
      const identity = publicIdentityOf(keys)
      const existing = (await this.list()).find((e) => e.status === 'ok' && e.publicKey === identity.publicKey)
      if (existing) throw new AccountError('ALREADY_EXISTS', `this identity is already stored as ${existing.file}`)
      const id = uuidV4(this.random)
      const info: AccountPublicInfo = {
        publicKey: identity.publicKey,
        alias: identity.alias,
        address: identity.address,
        createdAt: this.now(),
        name: cleanName(name) ?? identity.alias,
        backedUp
      }
      const keystore = await encryptKeystore(phrase, password, { id, info, kdf: this.kdf, random: this.random, ...this.keyOptions(signal) })
      await mkdir(this.dir, { recursive: true, mode: 0o700 })
      await writeFileAtomic(this.fileOf(id), JSON.stringify(keystore, null, 2) + '\n')
      return { summary: summarize({ keystore, file: this.fileOf(id) }), keys }
    })
  }

  async unlock(id: string, password: string, signal?: AbortSignal): Promise<UnlockedAccount> {
    const stored = await this.read(id)
    const keys = await deriveKeys(await this.openSecret(stored, password, signal))
    if (keys.publicKey !== stored.keystore.hush.publicKey) {
      throw new AccountError('CORRUPT_FILE', `${stored.file}: public key does not match the stored secret`)
    }
    return { summary: summarize(stored), keys }
  }

  async revealMnemonic(id: string, password: string, signal?: AbortSignal): Promise<string> {
    return this.openSecret(await this.read(id), password, signal)
  }

  changePassword(id: string, oldPassword: string, newPassword: string, signal?: AbortSignal): Promise<void> {
    return this.exclusive(async () => {
      requirePassword(newPassword)
      const stored = await this.read(id)
      const phrase = await this.openSecret(stored, oldPassword, signal)
      const keystore = await encryptKeystore(phrase, newPassword, {
        id: stored.keystore.id,
        info: stored.keystore.hush,
        kdf: this.kdf,
        random: this.random,
        ...this.keyOptions(signal)
      })
      await writeFileAtomic(stored.file, JSON.stringify(keystore, null, 2) + '\n')
    })
  }

  /** Records that the recovery phrase was checked; the keystore's secret is untouched, so no password is needed. */
  markBackedUp(id: string): Promise<AccountSummary> {
    return this.exclusive(async () => {
      const stored = await this.read(id)
      if (stored.keystore.hush.backedUp === true) return summarize(stored)
      const keystore: Keystore = { ...stored.keystore, hush: { ...stored.keystore.hush, backedUp: true } }
      await writeFileAtomic(stored.file, JSON.stringify(keystore, null, 2) + '\n')
      return summarize({ keystore, file: stored.file })
    })
  }

  remove(id: string, password: string, signal?: AbortSignal): Promise<void> {
    return this.exclusive(async () => {
      const stored = await this.read(id)
      await this.openSecret(stored, password, signal)
      await removeFileDurable(stored.file)
    })
  }

  generateCandidates(count: number): Promise<Candidate[]> {
    return generateCandidates(count, this.random)
  }

  private async read(id: string): Promise<StoredKeystore> {
    if (!ID_PATTERN.test(id)) throw new AccountError('NOT_FOUND', `no account ${JSON.stringify(id)}`)
    const file = this.fileOf(id)
    let text: string
    try {
      text = await readSmallFile(file)
    } catch (error) {
      if (isAccountError(error)) throw error
      if (isErrno(error, 'ENOENT')) throw new AccountError('NOT_FOUND', `no account ${id}`)
      throw new AccountError('CORRUPT_FILE', `${file}: unreadable`, { cause: error })
    }
    const keystore = parseKeystore(text, file)
    if (keystore.id !== id) throw new AccountError('CORRUPT_FILE', `${file}: holds account ${keystore.id}, not ${id}`)
    return { keystore, file }
  }

  private async openSecret(stored: StoredKeystore, password: string, signal: AbortSignal | undefined): Promise<string> {
    const secret = await decryptKeystore(stored.keystore, password, this.keyOptions(signal))
    const check = checkMnemonic(secret)
    if (!check.ok) throw new AccountError('CORRUPT_FILE', `${stored.file}: the stored secret is not a valid mnemonic`)
    return check.mnemonic
  }

  private keyOptions(signal: AbortSignal | undefined): KeyOptions {
    return { derive: (...args) => this.queue.derive(...args), signal }
  }

  private fileOf(id: string): string {
    return join(this.dir, id + FILE_SUFFIX)
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task)
    this.tail = run.catch(() => undefined)
    return run
  }
}

interface StoredKeystore {
  keystore: Keystore
  file: string
}

function summarize({ keystore, file }: StoredKeystore): AccountSummary {
  return { id: keystore.id, file, ...keystore.hush, identicon: identicon(keystore.hush.publicKey) }
}

async function readSmallFile(file: string): Promise<string> {
  const handle = await open(file, 'r')
  try {
    if ((await handle.stat()).size > MAX_FILE_BYTES) {
      throw new AccountError('CORRUPT_FILE', `${file}: too large to be a keystore`)
    }
    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}

function idFromFileName(name: string, file: string): string {
  const id = name.endsWith(FILE_SUFFIX) ? name.slice(0, -FILE_SUFFIX.length) : ''
  if (!ID_PATTERN.test(id)) throw new AccountError('CORRUPT_FILE', `${file}: not an account file (expected <uuid>.json)`)
  return id
}

function requireMnemonic(check: MnemonicCheck): string {
  if (!check.ok) throw new AccountError('INVALID_MNEMONIC', describeMnemonicProblem(check))
  return check.mnemonic
}

function requirePassword(password: string): void {
  if (password.length === 0) throw new AccountError('INVALID_PASSWORD', 'the password must not be empty')
}

function cleanName(name: string | undefined): string | undefined {
  const trimmed = name?.trim()
  if (!trimmed) return undefined
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw new AccountError('INVALID_NAME', `the name must be at most ${MAX_NAME_LENGTH} characters`)
  }
  return trimmed
}
