import { create } from 'zustand'
import type { HistoryState, NetworkSettings } from '../../../shared/api'
import type { ApiError } from '../../../shared/api/result'
import { hush } from '../api/hush'

interface NetworkState {
  /** null until loaded for the unlocked account. */
  settings: NetworkSettings | null
  history: HistoryState
  error: ApiError | null
  /** The last "fetch history" found no mailserver to ask. */
  noMailserver: boolean
  saving: boolean
  load(): Promise<void>
  save(settings: NetworkSettings): Promise<boolean>
  setHistory(history: HistoryState): void
  requestHistory(): Promise<void>
  reset(): void
}

const NO_HISTORY: HistoryState = { state: 'idle', syncedUntil: null, gap: null }

/** The unlocked account's network settings and the mailserver history state main reports. */
export const useNetworkStore = create<NetworkState>((set) => ({
  settings: null,
  history: NO_HISTORY,
  error: null,
  noMailserver: false,
  saving: false,
  async load() {
    const result = await hush().call('settings.network.get', {})
    set(result.ok ? { settings: result.value, error: null } : { error: result.error })
  },
  async save(settings) {
    set({ saving: true, error: null })
    const result = await hush().call('settings.network.set', settings)
    set(result.ok ? { settings: result.value, saving: false } : { error: result.error, saving: false })
    return result.ok
  },
  setHistory(history) {
    set({ history })
  },
  async requestHistory() {
    set({ noMailserver: false })
    const result = await hush().call('history.request', {})
    if (!result.ok) set((state) => ({ history: { ...state.history, state: 'failed', failure: 'OTHER' } }))
    else if (!result.value.requested) set({ noMailserver: true })
  },
  reset() {
    set({ settings: null, history: NO_HISTORY, error: null, noMailserver: false })
  }
}))
