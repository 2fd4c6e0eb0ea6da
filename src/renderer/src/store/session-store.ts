import { create } from 'zustand'
import type { Account, AccountListEntry, Candidate, MnemonicProblem, PublicIdentity } from '../../../shared/api'
import type { ApiError } from '../../../shared/api/result'
import { hush } from '../api/hush'
import { forgetLegacyBackupState } from '../db/legacy-backup'

type MnemonicCheck =
  | { ok: true; identity: PublicIdentity }
  | { ok: false; problem: MnemonicProblem }

interface SessionState {
  /** null until the first answer from main. */
  accounts: AccountListEntry[] | null
  current: Account | null
  busy: boolean
  error: ApiError | null
  /** The phrase just created or revealed, held only while the backup screen shows it. */
  phraseToBackUp: string | null
  setPhraseToBackUp(phrase: string | null): void
  refresh(): Promise<void>
  setCurrent(account: Account | null): void
  clearError(): void
  candidates(count: number): Promise<Candidate[] | null>
  create(candidateId: string, password: string, name?: string): Promise<boolean>
  checkMnemonic(mnemonic: string): Promise<MnemonicCheck | null>
  restore(mnemonic: string, password: string, name?: string): Promise<boolean>
  unlock(id: string, password: string): Promise<boolean>
  lock(): Promise<void>
  revealMnemonic(id: string, password: string): Promise<string | null>
  /** The error comes back to the form that asked, not into the shared `error`. */
  changePassword(oldPassword: string, newPassword: string): Promise<ApiError | null>
  /** Deletes the unlocked identity and its chats from this computer; locks on success. */
  removeAccount(password: string): Promise<ApiError | null>
  /** The backup screen checked the phrase: main stops reminding, in every browser. */
  confirmBackup(): Promise<boolean>
}

/**
 * Who is signed in and which identities this profile holds. Secrets pass through only as return values
 * of the calls that need them (the phrase after creation or reveal) and are never kept in the store.
 */
export const useSessionStore = create<SessionState>((set, get) => {
  const run = async <T>(task: () => Promise<{ ok: true; value: T } | { ok: false; error: ApiError }>): Promise<T | null> => {
    set({ busy: true, error: null })
    const result = await task()
    set({ busy: false, error: result.ok ? null : result.error })
    return result.ok ? result.value : null
  }
  return {
    accounts: null,
    current: null,
    busy: false,
    error: null,
    phraseToBackUp: null,
    setPhraseToBackUp(phraseToBackUp) {
      set({ phraseToBackUp })
    },
    async refresh() {
      const [list, current] = await Promise.all([hush().call('accounts.list', {}), hush().call('accounts.current', {})])
      set({
        accounts: list.ok ? list.value : [],
        current: current.ok ? current.value : null,
        error: list.ok ? (current.ok ? null : current.error) : list.error
      })
    },
    setCurrent(current) {
      set(current ? { current } : { current, phraseToBackUp: null })
    },
    clearError() {
      set({ error: null })
    },
    candidates: (count) => run(() => hush().call('accounts.candidates', { count })),
    async create(candidateId, password, name) {
      const created = await run(() => hush().call('accounts.create', { candidateId, password, name }))
      if (!created) return false
      set({ current: created.account, phraseToBackUp: created.mnemonic })
      void get().refresh()
      return true
    },
    async checkMnemonic(mnemonic) {
      const result = await hush().call('accounts.checkMnemonic', { mnemonic })
      return result.ok ? result.value : null
    },
    async restore(mnemonic, password, name) {
      const account = await run(() => hush().call('accounts.restore', { mnemonic, password, name }))
      if (account) {
        set({ current: account })
        void get().refresh()
      }
      return account !== null
    },
    async unlock(id, password) {
      const account = await run(() => hush().call('accounts.unlock', { id, password }))
      if (account) {
        set({ current: account })
        void forgetLegacyBackupState(account, hush()).catch(() => undefined)
      }
      return account !== null
    },
    async lock() {
      await run(() => hush().call('accounts.lock', {}))
      set({ current: null, phraseToBackUp: null })
    },
    async confirmBackup() {
      const id = get().current?.id
      if (id === undefined) return false
      const account = await run(() => hush().call('accounts.confirmBackup', { id }))
      if (account) set({ current: account })
      return account !== null
    },
    async revealMnemonic(id, password) {
      const revealed = await run(() => hush().call('accounts.revealMnemonic', { id, password }))
      return revealed?.mnemonic ?? null
    },
    async changePassword(oldPassword, newPassword) {
      const id = get().current?.id
      if (!id) return { code: 'LOCKED', message: 'no account is unlocked' }
      const result = await hush().call('accounts.changePassword', { id, oldPassword, newPassword })
      return result.ok ? null : result.error
    },
    async removeAccount(password) {
      const id = get().current?.id
      if (!id) return { code: 'LOCKED', message: 'no account is unlocked' }
      const result = await hush().call('accounts.remove', { id, password })
      if (!result.ok) return result.error
      // The list first: the screen that replaces this one must not offer the deleted identity.
      await get().refresh()
      set({ current: null, phraseToBackUp: null })
      return null
    }
  }
})
