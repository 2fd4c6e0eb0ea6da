import { create } from 'zustand'
import type { BlockedKey, MessageRequest, SearchResult } from '../../../shared/api'
import type { ApiError, Result } from '../../../shared/api/result'
import { hush } from '../api/hush'
import { useChatStore } from './chat-store'

interface SocialState {
  /** Message requests from keys without a chat, newest first. */
  requests: MessageRequest[]
  blocked: BlockedKey[]
  /** Subscribes to requests and the block list and loads both; returns the unsubscribe. */
  start(): () => void
  reset(): void
  accept(publicKey: string): Promise<ApiError | null>
  decline(publicKey: string): Promise<ApiError | null>
  block(publicKey: string): Promise<ApiError | null>
  unblock(publicKey: string): Promise<ApiError | null>
  addContact(publicKey: string): Promise<ApiError | null>
  setMuted(chatId: string, muted: boolean): Promise<ApiError | null>
  search(query: string): Promise<Result<SearchResult>>
  /** A message to bring into view once its chat is open (a search hit), until the conversation takes it. */
  jump: { chatId: string; messageId: string } | null
  openMessage(chatId: string, messageId: string): Promise<void>
  takeJump(chatId: string): string | null
}

const outcome = (result: Result<unknown>): ApiError | null => (result.ok ? null : result.error)

/** Every open window reads again: what a blocked key wrote leaves them, an unblocked one's comes back. */
function rereadAllChats(): void {
  useChatStore.setState(({ versions, chats }) => {
    const next = { ...versions }
    for (const chat of chats ?? []) next[chat.id] = (next[chat.id] ?? 0) + 1
    return { versions: next }
  })
}

/** Requests, blocking, muting and search for the unlocked account; main decides all of it. */
export const useSocialStore = create<SocialState>((set, get) => ({
  requests: [],
  blocked: [],
  jump: null,
  start() {
    const relist = () =>
      void hush()
        .call('requests.list', {})
        .then((result) => result.ok && set({ requests: result.value }))
    const off = [
      hush().on('requests.changed', ({ requests }) => set({ requests })),
      // A stranger's first message usually comes with their devices (contacts.changed): reading the list
      // then as well keeps the Requests entry right even if a requests.changed went missing.
      hush().on('contacts.changed', relist),
      hush().on('contacts.blockedChanged', ({ blocked }) => {
        set({ blocked })
        rereadAllChats()
      })
    ]
    relist()
    void hush()
      .call('contacts.blocked', {})
      .then((result) => result.ok && set({ blocked: result.value }))
    return () => {
      for (const stop of off) stop()
    }
  },
  reset() {
    set({ requests: [], blocked: [], jump: null })
  },
  async accept(publicKey) {
    const result = await hush().call('requests.accept', { publicKey })
    if (!result.ok) return result.error
    await useChatStore.getState().selectChat(result.value.chatId)
    return null
  },
  decline: async (publicKey) => outcome(await hush().call('requests.decline', { publicKey })),
  block: async (publicKey) => outcome(await hush().call('contacts.block', { publicKey })),
  unblock: async (publicKey) => outcome(await hush().call('contacts.unblock', { publicKey })),
  addContact: async (publicKey) => outcome(await hush().call('contacts.add', { publicKey })),
  setMuted: async (chatId, muted) => outcome(await hush().call('chats.setMuted', { chatId, muted })),
  search: (query) => hush().call('search.messages', { query }),
  async openMessage(chatId, messageId) {
    set({ jump: { chatId, messageId } })
    await useChatStore.getState().selectChat(chatId)
  },
  takeJump(chatId) {
    const { jump } = get()
    if (jump?.chatId !== chatId) return null
    set({ jump: null })
    return jump.messageId
  }
}))

/** Whether a key is blocked; re-renders only when that changes. */
export function useBlocked(publicKey: string | undefined): boolean {
  return useSocialStore((s) => publicKey !== undefined && s.blocked.some((b) => b.publicKey === publicKey))
}
