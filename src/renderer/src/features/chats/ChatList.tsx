import { useVirtualizer } from '@tanstack/react-virtual'
import { memo, useRef } from 'react'
import type { Chat } from '../../../../shared/api'
import { formatDate, sameDay } from '../../i18n/format'
import { t } from '../../i18n/t'
import { chatTitle, useChatStore } from '../../store/chat-store'
import { useContact } from '../../store/contact-store'
import { Identicon } from '../../ui/Identicon'
import { LookalikeMark, VerifiedBadge } from '../../ui/TrustMarks'
import { GroupIcon } from '../groups/GroupIcon'
import { clipText } from './message-text'

const ROW_HEIGHT = 60

function when(ms: number): string {
  return formatDate(ms, sameDay(ms, Date.now()) ? 'time' : 'day')
}

/** The chat list shows one line of the last message; a stored megabyte must not be laid out to find it. */
const PREVIEW_LENGTH = 200

function preview(kind: Chat['kind'], last: NonNullable<Chat['lastMessage']>): string {
  const text = clipText(String(last.text), PREVIEW_LENGTH)
  if (last.outgoing) return t('chats.preview.mine', { text })
  return kind === 'one-to-one' ? text : t('chats.preview.theirs', { alias: last.alias, text })
}

/** Every joined chat, most recently active first. Virtualised: only the rows in view are in the DOM. */
export function ChatList({ activeChatId, onSelect }: { activeChatId: string | null; onSelect(chatId: string): void }) {
  const chats = useChatStore((s) => s.chats)
  const scroller = useRef<HTMLDivElement>(null)
  // The virtualiser's functions must not be memoised; the React Compiler skips this component, as intended.
  // oxlint-disable-next-line react/incompatible-library
  const virtualizer = useVirtualizer({
    count: chats?.length ?? 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6
  })
  if (!chats) return <div className="chat-list" />
  if (chats.length === 0)
    return (
      <div className="chat-list">
        <p className="muted small chat-list-empty" data-testid="chat-list-empty">
          {t('chats.none')}
        </p>
      </div>
    )
  return (
    <div className="chat-list" ref={scroller} data-testid="chat-list">
      <ul className="chat-rows" aria-label={t('chats.title')} style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((row) => {
          const chat = chats[row.index] as Chat
          return (
            <ChatRow key={chat.id} chat={chat} active={chat.id === activeChatId} top={row.start} onSelect={onSelect} />
          )
        })}
      </ul>
    </div>
  )
}

const ChatRow = memo(function ChatRow({ chat, active, top, onSelect }: { chat: Chat; active: boolean; top: number; onSelect(chatId: string): void }) {
  const last = chat.lastMessage
  const contact = useContact(chat.contact?.publicKey)
  return (
    <li className="chat-row-slot" style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}>
      <button
        type="button"
        className={`chat-row${active ? ' active' : ''}`}
        aria-current={active ? 'page' : undefined}
        data-testid="chat-list-item"
        data-chat-id={chat.id}
        onClick={() => onSelect(chat.id)}
      >
        {chat.contact ? (
          <Identicon icon={chat.contact.identicon} size={36} />
        ) : chat.kind === 'group' ? (
          <GroupIcon />
        ) : (
          <span className="chat-hash" aria-hidden="true">
            #
          </span>
        )}
        <span className="chat-row-text">
          <span className="chat-row-top">
            <span className="name-with-badge">
              {contact?.displayName && <span className="chosen-name">{contact.displayName}</span>}
              <strong className="ellipsis" data-testid="chat-name">
                {chatTitle(chat)}
              </strong>
              {contact?.verified && <VerifiedBadge />}
              {contact && contact.resembles.length > 0 && <LookalikeMark label={t('contact.lookalike.mark')} />}
            </span>
            {last && <span className="muted small">{when(chat.lastActivity)}</span>}
          </span>
          <span className="chat-row-bottom">
            <span className="muted small ellipsis">
              {chat.group?.invited ? t('groups.invitation') : last ? preview(chat.kind, last) : chat.group ? t('groups.members', { count: chat.group.memberCount }) : t('chats.preview.none')}
            </span>
            {chat.unread > 0 && (
              <span className="badge" data-testid="unread-badge" aria-label={t('chats.unread', { count: chat.unread })}>
                {chat.unread > 99 ? '99+' : chat.unread}
              </span>
            )}
          </span>
        </span>
      </button>
    </li>
  )
})
