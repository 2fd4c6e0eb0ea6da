import { create } from 'zustand'
import type { MessageChange } from '../../../shared/api'
import { appDb, type NotificationPreference } from '../db/app-db'
import { t } from '../i18n/t'

export interface NotificationText {
  chatId: string
  title: string
  body: string
}

/**
 * One notification per chat for a batch of new messages, about the newest one. With content hidden,
 * only the sender's key-derived alias shows, never the text or the chat name.
 */
export function notificationTexts(messages: MessageChange[], chatTitle: (chatId: string) => string, showContent: boolean): NotificationText[] {
  const newest = new Map<string, MessageChange>()
  for (const message of messages) {
    const seen = newest.get(message.chatId)
    if (!seen || message.clock >= seen.clock) newest.set(message.chatId, message)
  }
  return [...newest.values()].map((message) =>
    showContent
      ? {
          chatId: message.chatId,
          title: chatTitle(message.chatId),
          body: message.chatKind !== 'one-to-one' ? t('notifications.publicBody', { alias: message.author.alias, text: message.text }) : message.text
        }
      : { chatId: message.chatId, title: t('app.title'), body: t('notifications.hiddenBody', { alias: message.author.alias }) }
  )
}

type Permission = NotificationPermission | 'unsupported'

interface NotificationState extends NotificationPreference {
  permission: Permission
  load(): Promise<void>
  /** Turning notifications on asks the system for permission: only ever from this toggle, never at start. */
  setEnabled(enabled: boolean): Promise<void>
  setShowContent(showContent: boolean): Promise<void>
  show(texts: NotificationText[], onOpen: (chatId: string) => void): void
}

const currentPermission = (): Permission => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission)

export const useNotificationStore = create<NotificationState>((set, get) => {
  const save = async (preference: NotificationPreference) => {
    await appDb.settings.put({ key: 'notifications', value: preference })
    set(preference)
  }
  return {
    enabled: false,
    showContent: false,
    permission: 'default',
    async load() {
      const stored = await appDb.settings.get('notifications')
      set({ permission: currentPermission(), ...(stored?.key === 'notifications' ? stored.value : {}) })
    },
    async setEnabled(enabled) {
      let permission = currentPermission()
      if (enabled && permission === 'default') permission = await Notification.requestPermission()
      set({ permission })
      await save({ enabled: enabled && permission === 'granted', showContent: get().showContent })
    },
    async setShowContent(showContent) {
      await save({ enabled: get().enabled, showContent })
    },
    show(texts, onOpen) {
      if (!get().enabled || currentPermission() !== 'granted') return
      for (const text of texts) {
        const notification = new Notification(text.title, { body: text.body, tag: text.chatId })
        notification.onclick = () => {
          window.focus()
          onOpen(text.chatId)
          notification.close()
        }
      }
    }
  }
})
