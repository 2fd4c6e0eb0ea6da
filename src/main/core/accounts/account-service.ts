import { randomUUID } from 'node:crypto'
import type { Account, AccountListEntry, Candidate as ApiCandidate } from '../../../shared/api'
import { type ErrorReason, HushError, refusal } from '../../../shared/api'
import { AccountError, type AccountErrorCode } from './account-error'
import { type AccountStore, type AccountSummary, MAX_NAME_LENGTH, type UnlockedAccount } from './account-store'
import { deriveKeys } from './derivation'
import { publicIdentityOf } from './identity'
import { checkMnemonic, describeMnemonicProblem } from './mnemonic'

/** 'switched': another account (or none) is unlocked now; 'updated': the same account, with new public details. */
export type AccountChange = 'switched' | 'updated'
type AccountListener = (account: Account | null, change: AccountChange) => void

/** Candidates shown on the create screen are forgotten after this long, with their secrets. */
const CANDIDATE_TTL_MS = 30 * 60_000

/**
 * The accounts side of the API: which account is unlocked in this host, and the create/restore/unlock
 * flows on top of the AccountStore. Secrets stay here: the renderer sees a mnemonic only right after
 * creation and when it is revealed with the password.
 */
export class AccountService {
  private current: UnlockedAccount | null = null
  private candidates = new Map<string, { mnemonic: string; expires: number }>()
  private readonly listeners = new Set<AccountListener>()

  constructor(
    private readonly store: AccountStore,
    private readonly now: () => number = Date.now
  ) {}

  onChange(listener: AccountListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  unlocked(): UnlockedAccount | null {
    return this.current
  }

  currentAccount(): Account | null {
    return this.current ? toAccount(this.current.summary) : null
  }

  async list(): Promise<AccountListEntry[]> {
    return (await this.store.list()).map((entry) =>
      entry.status === 'ok'
        ? { status: 'ok', account: toAccount(entry) }
        : { status: 'corrupt', file: entry.file, message: entry.error.message }
    )
  }

  async candidatesFor(count: number): Promise<ApiCandidate[]> {
    this.dropExpiredCandidates()
    const fresh = await this.store.generateCandidates(count)
    return fresh.map(({ mnemonic, ...identity }) => {
      const candidateId = randomUUID()
      this.candidates.set(candidateId, { mnemonic, expires: this.now() + CANDIDATE_TTL_MS })
      return { candidateId, ...identity }
    })
  }

  async create(candidateId: string, password: string, name?: string, signal?: AbortSignal): Promise<{ account: Account; mnemonic: string }> {
    this.dropExpiredCandidates()
    const candidate = this.candidates.get(candidateId)
    if (!candidate) throw refusal('NOT_FOUND', { reason: 'CANDIDATE_EXPIRED' }, 'That identity is no longer on offer; please pick again')
    const created = await guard(() => this.store.create(candidate.mnemonic, password, { name, signal }))
    this.candidates.clear()
    return { account: this.become(created), mnemonic: candidate.mnemonic }
  }

  async restore(mnemonic: string, password: string, name?: string, signal?: AbortSignal): Promise<Account> {
    return this.become(await guard(() => this.store.create(mnemonic, password, { name, backedUp: true, signal })))
  }

  async check(mnemonic: string) {
    const check = checkMnemonic(mnemonic)
    if (!check.ok) {
      return {
        ok: false as const,
        problem: {
          reason: check.reason,
          message: describeMnemonicProblem(check),
          unknownWords: check.reason === 'UNKNOWN_WORDS' ? check.unknown.map((u) => u.index) : []
        }
      }
    }
    return { ok: true as const, identity: publicIdentityOf(await deriveKeys(check.mnemonic)) }
  }

  async unlock(id: string, password: string, signal?: AbortSignal): Promise<Account> {
    return this.become(await guard(() => this.store.unlock(id, password, signal)))
  }

  lock(): void {
    if (!this.current) return
    this.current = null
    this.notify(null, 'switched')
  }

  revealMnemonic(id: string, password: string, signal?: AbortSignal): Promise<string> {
    return guard(() => this.store.revealMnemonic(id, password, signal))
  }

  changePassword(id: string, oldPassword: string, newPassword: string, signal?: AbortSignal): Promise<void> {
    return guard(() => this.store.changePassword(id, oldPassword, newPassword, signal))
  }

  /** Only the unlocked account's reminder can be cleared, by the screen that checked its phrase. */
  async confirmBackup(id: string): Promise<Account> {
    if (this.current?.summary.id !== id) throw refusal('NOT_FOUND', { reason: 'ACCOUNT_NOT_UNLOCKED' }, 'That account is not unlocked')
    const summary = await guard(() => this.store.markBackedUp(id))
    const account = toAccount(summary)
    if (this.current?.summary.id === id) {
      this.current = { ...this.current, summary }
      this.notify(account, 'updated')
    }
    return account
  }

  async remove(id: string, password: string, signal?: AbortSignal): Promise<void> {
    await guard(() => this.store.remove(id, password, signal))
    if (this.current?.summary.id === id) this.lock()
  }

  private become(unlocked: UnlockedAccount): Account {
    this.current = unlocked
    const account = toAccount(unlocked.summary)
    this.notify(account, 'switched')
    return account
  }

  private notify(account: Account | null, change: AccountChange): void {
    for (const listener of this.listeners) listener(account, change)
  }

  private dropExpiredCandidates(): void {
    const now = this.now()
    for (const [id, candidate] of this.candidates) if (candidate.expires < now) this.candidates.delete(id)
  }
}

function toAccount(summary: AccountSummary): Account {
  const { id, name, publicKey, alias, address, identicon, createdAt, backedUp } = summary
  return { id, name, publicKey, alias, address, identicon, createdAt, backedUp: backedUp === true }
}

const API_CODE: Record<AccountErrorCode, HushError['code']> = {
  WRONG_PASSWORD: 'WRONG_PASSWORD',
  INVALID_PASSWORD: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  CORRUPT_FILE: 'CONFLICT',
  INVALID_MNEMONIC: 'BAD_REQUEST',
  ALREADY_EXISTS: 'CONFLICT',
  INVALID_NAME: 'BAD_REQUEST',
  BUSY: 'BUSY'
}

/** What the person is told for each account failure; the codes that say enough alone have none. */
const REASON: Record<AccountErrorCode, ErrorReason | undefined> = {
  WRONG_PASSWORD: undefined,
  INVALID_PASSWORD: { reason: 'PASSWORD_EMPTY' },
  NOT_FOUND: { reason: 'ACCOUNT_NOT_FOUND' },
  CORRUPT_FILE: { reason: 'KEYSTORE_UNREADABLE' },
  INVALID_MNEMONIC: { reason: 'PHRASE_INVALID' },
  ALREADY_EXISTS: { reason: 'ACCOUNT_EXISTS' },
  INVALID_NAME: { reason: 'NAME_TOO_LONG', max: MAX_NAME_LENGTH },
  BUSY: undefined
}

/** Account errors carry no secrets; their messages go to the log, their reasons to the screen. */
async function guard<T>(task: () => Promise<T>): Promise<T> {
  try {
    return await task()
  } catch (error) {
    if (error instanceof AccountError) throw new HushError(API_CODE[error.code], error.message, undefined, REASON[error.code])
    throw error
  }
}
