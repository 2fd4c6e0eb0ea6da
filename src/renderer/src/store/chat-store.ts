import { create } from 'zustand'
import type { Chat, Contact } from '../../../shared/api'
import type { ApiError, Result } from '../../../shared/api/result'
import { hush } from '../api/hush'
import { AccountDatabase, accountDbName, type ChatSummary } from '../db/account-db'
import { deleteChatHistory, markChatRead, storeChats, storeMessages } from '../db/message-updates'
import { type AccountSync, startAccountSync } from './account-sync'
import { useAppStore } from './app-store'
import { notificationTexts, useNotificationStore } from './notifications'

interface ChatState {
  /** The unlocked account's history, or null while locked. */
  db: AccountDatabase | null
  activeChatId: string | null
  /** The read point of the open chat when it was opened: the "new messages" divider sits after it. */
  openedReadClock: number
  /** A failure of a background step (storing an update), shown once. */
  error: ApiError | null
  openAccount(accountId: string): void
  closeAccount(): void
  selectChat(chatId: string | null): Promise<void>
  joinPublic(name: string): Promise<ApiError | null>
  previewContact(publicKey: string): Promise<Result<Contact>>
  startOneToOne(publicKey: string): Promise<ApiError | null>
  /** Leaves the chat in main and forgets its history on this device. */
  leave(chatId: string): Promise<ApiError | null>
  send(chatId: string, text: string): Promise<ApiError | null>
  resend(id: string): Promise<ApiError | null>
  saveDraft(chatId: string, text: string): Promise<void>
  openLink(url: string): Promise<void>
  clearError(): void
}

export function chatTitle(summary: Pick<ChatSummary, 'kind' | 'name'>): string {
  return summary.kind === 'public' ? `#${summary.name}` : summary.name
}

let sync: AccountSync | null = null
let stopWatchingVisibility: (() => void) | null = null

/** Only the open chat counts as read, and only while the window is actually visible. */
const readingChatId = (): string | null => (document.visibilityState === 'visible' ? useChatStore.getState().activeChatId : null)

/**
 * Chats and messages for the unlocked account. This store is the only place that talks to main about
 * them; components read history from the account database through the hooks in features/chats.
 */
export const useChatStore = create<ChatState>((set, get) => {
  const withDb = (): AccountDatabase => {
    const { db } = get()
    if (!db) throw new Error('No account is unlocked')
    return db
  }
  const joined = async (result: Result<Chat>): Promise<ApiError | null> => {
    if (!result.ok) return result.error
    await storeChats(withDb(), [result.value], { complete: false })
    await get().selectChat(result.value.id)
    return null
  }
  return {
    db: null,
    activeChatId: null,
    openedReadClock: Infinity,
    error: null,
    openAccount(accountId) {
      if (get().db?.name === accountDbName(accountId)) return
      get().closeAccount()
      const db = new AccountDatabase(accountId)
      set({ db, activeChatId: null, error: null })
      sync = startAccountSync(hush(), db, {
        readingChatId,
        onFresh: (messages) => {
          const reading = readingChatId()
          const unseen = messages.filter((message) => message.chatId !== reading)
          if (unseen.length === 0) return
          void db.chats.bulkGet([...new Set(unseen.map((m) => m.chatId))]).then((summaries) => {
            const titles = new Map(summaries.flatMap((s) => (s ? [[s.chatId, chatTitle(s)] as const] : [])))
            const { showContent, show } = useNotificationStore.getState()
            show(notificationTexts(unseen, (chatId) => titles.get(chatId) ?? chatId, showContent), (chatId) => void get().selectChat(chatId))
          })
        },
        onError: (error) => set({ error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) } })
      })
      // Messages that arrived in the open chat while the window was hidden are read once it shows again.
      const onVisibility = () => {
        const chatId = readingChatId()
        if (chatId) void markChatRead(db, chatId)
      }
      document.addEventListener('visibilitychange', onVisibility)
      stopWatchingVisibility = () => document.removeEventListener('visibilitychange', onVisibility)
    },
    closeAccount() {
      sync?.stop()
      sync = null
      stopWatchingVisibility?.()
      stopWatchingVisibility = null
      get().db?.close()
      set({ db: null, activeChatId: null })
    },
    async selectChat(chatId) {
      const { db } = get()
      if (!db || chatId === null) return set({ activeChatId: null })
      const openedReadClock = await markChatRead(db, chatId)
      set({ activeChatId: chatId, openedReadClock })
    },
    joinPublic: async (name) => joined(await hush().call('chats.joinPublic', { name: name.trim().replace(/^#/, '') })),
    previewContact: (publicKey) => hush().call('contacts.preview', { publicKey }),
    startOneToOne: async (publicKey) => joined(await hush().call('chats.startOneToOne', { publicKey })),
    async leave(chatId) {
      const result = await hush().call('chats.leave', { chatId })
      if (!result.ok) return result.error
      if (get().activeChatId === chatId) set({ activeChatId: null })
      await deleteChatHistory(withDb(), chatId)
      return null
    },
    async send(chatId, text) {
      const result = await hush().call('messages.send', { chatId, text })
      if (!result.ok) return result.error
      await storeMessages(withDb(), [result.value], chatId)
      await withDb().drafts.delete(chatId)
      return null
    },
    async resend(id) {
      const result = await hush().call('messages.resend', { id })
      if (!result.ok) return result.error
      await storeMessages(withDb(), [result.value], null)
      return null
    },
    async saveDraft(chatId, text) {
      const db = withDb()
      if (text.trim() === '') await db.drafts.delete(chatId)
      else await db.drafts.put({ chatId, text })
    },
    async openLink(url) {
      const result = await hush().call('app.openExternal', { url })
      // The web host has no system browser to hand links to: the browser it runs in is one.
      if (result.ok && !result.value.opened && useAppStore.getState().info?.runtime === 'web') window.open(url, '_blank', 'noopener,noreferrer')
    },
    clearError() {
      set({ error: null })
    }
  }
})
