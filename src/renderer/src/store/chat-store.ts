import { create } from 'zustand'
import type { Chat, Contact } from '../../../shared/api'
import type { ApiError, Result } from '../../../shared/api/result'
import { hush } from '../api/hush'
import { forgetLegacyHistory } from '../db/legacy-history'
import { type AccountSync, startAccountSync } from './account-sync'
import { useAppStore } from './app-store'
import { notificationTexts, useNotificationStore } from './notifications'

interface ChatState {
  /** The unlocked account's chats, most recently active first; null while locked or loading. */
  chats: Chat[] | null
  /** Bumped for a chat whenever its stored messages change: open windows read again. */
  versions: Record<string, number>
  activeChatId: string | null
  /** The read point of the open chat when it was opened: the "new messages" divider sits after it. */
  openedReadClock: number
  /** A failure of a background step (keeping up with main), shown once. */
  error: ApiError | null
  openAccount(accountId: string): void
  closeAccount(): void
  selectChat(chatId: string | null): Promise<void>
  joinPublic(name: string): Promise<ApiError | null>
  previewContact(publicKey: string): Promise<Result<Contact>>
  startOneToOne(publicKey: string): Promise<ApiError | null>
  /** Leaves the chat; main forgets its history. */
  leave(chatId: string): Promise<ApiError | null>
  /** Sends `text`, as a reply to message `responseTo` when given; the "new messages" divider goes (the person has read up to here). */
  send(chatId: string, text: string, responseTo?: string): Promise<ApiError | null>
  /** The person has read the open chat's new messages: its "new messages" divider goes. */
  dividerSeen(chatId: string): void
  resend(id: string): Promise<ApiError | null>
  saveDraft(chatId: string, text: string): Promise<void>
  openLink(url: string): Promise<void>
  clearError(): void
}

export function chatTitle(summary: Pick<Chat, 'kind' | 'name'>): string {
  return summary.kind === 'public' ? `#${summary.name}` : summary.name
}

let sync: AccountSync | null = null
let stopWatchingVisibility: (() => void) | null = null

/** Only the open chat counts as read, and only while the window is actually visible. */
const readingChatId = (): string | null => (document.visibilityState === 'visible' ? useChatStore.getState().activeChatId : null)

/**
 * Chats and messages for the unlocked account. This store is the only place that talks to main about
 * them. Main owns the history; what this store holds (the chat list, which chats changed) lives in memory
 * only and is dropped at lock, so the renderer never keeps message text at rest.
 */
export const useChatStore = create<ChatState>((set, get) => {
  const joined = async (result: Result<Chat>): Promise<ApiError | null> => {
    if (!result.ok) return result.error
    await get().selectChat(result.value.id)
    return null
  }
  const failed = (error: unknown) => set({ error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) } })
  return {
    chats: null,
    versions: {},
    activeChatId: null,
    openedReadClock: Infinity,
    error: null,
    openAccount(accountId) {
      get().closeAccount()
      set({ chats: null, versions: {}, activeChatId: null, error: null })
      void forgetLegacyHistory(accountId, hush()).catch(failed)
      sync = startAccountSync(hush(), {
        readingChatId,
        onChats: (chats) => set({ chats }),
        onMessages: (chatIds) =>
          set(({ versions }) => {
            const next = { ...versions }
            for (const id of chatIds) next[id] = (next[id] ?? 0) + 1
            return { versions: next }
          }),
        onFresh: (messages) => {
          const chats = get().chats ?? []
          const titles = new Map(chats.map((chat) => [chat.id, chatTitle(chat)] as const))
          // A muted chat raises no notification.
          const muted = new Set(chats.filter((chat) => chat.muted).map((chat) => chat.id))
          const audible = messages.filter((message) => !muted.has(message.chatId))
          const { showContent, show } = useNotificationStore.getState()
          show(notificationTexts(audible, (chatId) => titles.get(chatId) ?? chatId, showContent), (chatId) => void get().selectChat(chatId))
        },
        onError: failed
      })
      // Messages that arrived in the open chat while the window was hidden are read once it shows again.
      const onVisibility = () => {
        const chatId = readingChatId()
        if (chatId) void sync?.markRead(chatId)
      }
      document.addEventListener('visibilitychange', onVisibility)
      stopWatchingVisibility = () => document.removeEventListener('visibilitychange', onVisibility)
    },
    closeAccount() {
      sync?.stop()
      sync = null
      stopWatchingVisibility?.()
      stopWatchingVisibility = null
      set({ chats: null, versions: {}, activeChatId: null, openedReadClock: Infinity })
    },
    async selectChat(chatId) {
      if (!sync || chatId === null) return set({ activeChatId: null })
      // The divider comes from the summary already here, so the chat opens without waiting for main.
      const summary = get().chats?.find((chat) => chat.id === chatId)
      set({ activeChatId: chatId, openedReadClock: summary && summary.unread > 0 ? summary.lastReadClock : Infinity })
      // Nothing unread, nothing to write: opening a chat stays a read.
      if (!summary || summary.unread > 0) await sync.markRead(chatId)
    },
    joinPublic: async (name) => joined(await hush().call('chats.joinPublic', { name: name.trim().replace(/^#/, '') })),
    previewContact: (publicKey) => hush().call('contacts.preview', { publicKey }),
    startOneToOne: async (publicKey) => joined(await hush().call('chats.startOneToOne', { publicKey })),
    async leave(chatId) {
      const result = await hush().call('chats.leave', { chatId })
      if (!result.ok) return result.error
      if (get().activeChatId === chatId) set({ activeChatId: null })
      return null
    },
    async send(chatId, text, responseTo) {
      const result = await hush().call('messages.send', { chatId, text, ...(responseTo ? { responseTo } : {}) })
      if (!result.ok) return result.error
      if (get().activeChatId === chatId) set({ openedReadClock: Infinity })
      return null
    },
    dividerSeen(chatId) {
      if (get().activeChatId === chatId) set({ openedReadClock: Infinity })
    },
    async resend(id) {
      const result = await hush().call('messages.resend', { id })
      return result.ok ? null : result.error
    },
    async saveDraft(chatId, text) {
      const result = await hush().call('chats.setDraft', { chatId, text })
      if (!result.ok) set({ error: result.error })
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
