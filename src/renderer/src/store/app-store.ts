import { create } from 'zustand'
import type { AppInfo, NodeStatus } from '../../../shared/api'
import type { ApiError } from '../../../shared/api/result'
import { hush } from '../api/hush'
import type { Connection } from '../api/web-bridge'
import { appDb, type ThemePreference } from '../db/app-db'

interface AppState {
  info: AppInfo | null
  node: NodeStatus | null
  connection: Connection
  theme: ThemePreference
  error: ApiError | null
  load(): Promise<void>
  setConnection(connection: Connection): void
  setNode(node: NodeStatus): void
  /** Asks main for the node's status now: peer traffic and pool size change without an event. */
  refreshNode(): Promise<void>
  setTheme(theme: ThemePreference): Promise<void>
}

/** The shell's state: who serves us, how the network is doing, and the appearance preference. */
export const useAppStore = create<AppState>((set) => ({
  info: null,
  node: null,
  connection: 'connected',
  theme: 'system',
  error: null,
  async load() {
    const stored = await appDb.settings.get('theme')
    if (stored?.key === 'theme') set({ theme: stored.value })
    const [info, node] = await Promise.all([hush().call('app.info', {}), hush().call('node.status', {})])
    if (!info.ok) return set({ error: info.error })
    if (!node.ok) return set({ info: info.value, error: node.error })
    set({ info: info.value, node: node.value, error: null })
  },
  setConnection(connection) {
    set({ connection })
  },
  setNode(node) {
    set({ node })
  },
  async refreshNode() {
    const node = await hush().call('node.status', {})
    if (node.ok) set({ node: node.value })
  },
  async setTheme(theme) {
    await appDb.settings.put({ key: 'theme', value: theme })
    set({ theme })
  }
}))
