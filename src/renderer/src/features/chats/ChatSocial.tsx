import type { Chat } from '../../../../shared/api'
import { t } from '../../i18n/t'
import { useBlocked, useSocialStore } from '../../store/social-store'

/** The header's mute switch: a muted chat raises no notification and shows no unread badge. */
export function MuteButton({ chat }: { chat: Chat }) {
  const setMuted = useSocialStore((s) => s.setMuted)
  return (
    <button type="button" className="button small ghost" aria-pressed={chat.muted === true} data-testid="mute-toggle" onClick={() => void setMuted(chat.id, !chat.muted)}>
      {chat.muted ? t('chats.unmute') : t('chats.mute')}
    </button>
  )
}

/** Says why nothing from this person shows and nothing can be sent to them. */
export function BlockedNotice({ publicKey }: { publicKey: string }) {
  if (!useBlocked(publicKey)) return null
  return (
    <div className="banner banner-warning inline" role="status" data-testid="chat-blocked">
      {t('chats.blocked')}
    </div>
  )
}
