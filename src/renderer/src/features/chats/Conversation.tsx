import { useCallback, useMemo, useState } from 'react'
import type { Chat, Message } from '../../../../shared/api'
import { errorText, t } from '../../i18n/t'
import { chatTitle, useChatStore } from '../../store/chat-store'
import { contactName, useContact, useContactStore } from '../../store/contact-store'
import { useNetworkStore } from '../../store/network-store'
import { ChatKey } from '../../ui/ChatKey'
import { Identicon } from '../../ui/Identicon'
import { PersonName } from '../../ui/PersonName'
import { VerifiedBadge } from '../../ui/TrustMarks'
import { ImpersonationWarning } from '../contacts/ImpersonationWarning'
import { BlockedNotice, MuteButton } from './ChatSocial'
import { GroupIcon } from '../groups/GroupIcon'
import { GroupInfoPanel } from '../groups/GroupInfoPanel'
import { GroupInvitation } from '../groups/GroupInvitation'
import { GroupNotices } from '../groups/GroupMembers'
import { Composer } from './Composer'
import { MessageList } from './MessageList'
import { useSearchJump } from '../search/use-search-jump'
import { timeline } from './timeline'
import { useMessageWindow } from './use-message-window'
import { useOriginals } from './use-originals'

/** One open chat: its header, the windowed timeline and the composer. Mount it keyed by chat id. */
export function Conversation({ chatId }: { chatId: string }) {
  const summary = useChatStore((s) => s.chats?.find((chat) => chat.id === chatId))
  const lastReadClock = useChatStore((s) => s.openedReadClock)
  const dividerSeen = useChatStore((s) => s.dividerSeen)
  const onDividerSeen = useCallback(() => dividerSeen(chatId), [dividerSeen, chatId])
  const gap = useNetworkStore((s) => s.history.gap)
  const requestHistory = useNetworkStore((s) => s.requestHistory)
  const { contents, loadOlder, loadNewer, jumpToLatest, jumpTo } = useMessageWindow(chatId)
  const originals = useOriginals(chatId, contents)
  const [replyTo, setReplyTo] = useState<Message | null>(null)
  const [focus, setFocus] = useState<{ id: string } | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [toEnd, setToEnd] = useState(0)
  const jump = useCallback(
    (id: string) => {
      setNotice(null)
      void jumpTo(id).then((found) => (found ? setFocus({ id }) : setNotice(t('reply.notFound'))))
    },
    [jumpTo]
  )
  useSearchJump(chatId, contents, jumpTo)

  const items = useMemo(
    () => (contents ? timeline({ messages: contents.messages, lastReadClock, gap, hasOlder: contents.hasOlder, hasNewer: contents.hasNewer }) : []),
    [contents, lastReadClock, gap]
  )

  if (summary?.group?.invited)
    return (
      <section className="conversation" aria-labelledby="conversation-title">
        <ConversationHeader summary={summary} />
        <GroupInvitation summary={summary} />
      </section>
    )

  return (
    <section className="conversation" aria-labelledby="conversation-title">
      {summary && <ConversationHeader summary={summary} />}
      {summary?.contact && <ContactNotices publicKey={summary.contact.publicKey} />}
      {summary?.contact && <BlockedNotice publicKey={summary.contact.publicKey} />}
      {summary?.kind === 'group' && <GroupNotices chatId={summary.id} />}
      {contents && contents.messages.length === 0 ? (
        <p className="timeline empty muted">{t(summary?.kind === 'one-to-one' ? 'conversation.empty.oneToOne' : 'conversation.empty.public')}</p>
      ) : (
        <MessageList
          items={items}
          hasOlder={contents?.hasOlder ?? false}
          hasNewer={contents?.hasNewer ?? false}
          onOlder={loadOlder}
          onNewer={loadNewer}
          onJumpToLatest={jumpToLatest}
          onFetchHistory={() => void requestHistory()}
          originals={originals}
          focus={focus}
          onReply={setReplyTo}
          onJump={jump}
          toEnd={toEnd}
          onDividerSeen={onDividerSeen}
        />
      )}
      {notice && (
        <p className="banner banner-info inline" role="status" data-testid="jump-notice">
          {notice}
        </p>
      )}
      {summary?.group?.left ? (
        <p className="banner banner-info inline" role="status" data-testid="group-left">
          {t('groups.left')}
        </p>
      ) : (
        <Composer
          key={chatId}
          chatId={chatId}
          savedDraft={summary?.draft ?? ''}
          replyTo={replyTo}
          onCancelReply={() => setReplyTo(null)}
          onJump={jump}
          onSent={() => {
            // What was just sent is at the end: go there, loading the latest page if the window is elsewhere.
            setToEnd((n) => n + 1)
            if (contents?.hasNewer) jumpToLatest()
          }}
        />
      )}
    </section>
  )
}

/** Trust news about the person in a 1:1 chat: a look-alike name, a verified contact's new device. Never blocks sending. */
function ContactNotices({ publicKey }: { publicKey: string }) {
  const contact = useContact(publicKey)
  const open = useContactStore((s) => s.open)
  const acknowledge = useContactStore((s) => s.acknowledgeDevices)
  if (!contact) return null
  return (
    <>
      <ImpersonationWarning contact={contact} onOpenContact={open} />
      {contact.verified && contact.newDevices.length > 0 && (
        <div className="banner banner-info inline" role="status" data-testid="new-device-notice">
          <span>{t('contact.newDevice.body', { name: contactName(contact) })}</span>
          <span className="actions tight">
            <button type="button" className="button small" onClick={() => open(publicKey)}>
              {t('contact.newDevice.open')}
            </button>
            <button type="button" className="button small ghost" onClick={() => void acknowledge(publicKey)}>
              {t('dialog.dismiss')}
            </button>
          </span>
        </div>
      )}
    </>
  )
}

function ConversationHeader({ summary }: { summary: Chat }) {
  const leave = useChatStore((s) => s.leave)
  const contact = useContact(summary.contact?.publicKey)
  const openContact = useContactStore((s) => s.open)
  const [confirming, setConfirming] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)
  const [showingInfo, setShowingInfo] = useState(false)
  return (
    <header className="conversation-header" data-testid="conversation-header">
      {summary.contact ? (
        <button type="button" className="identicon-button" aria-label={t('contact.open')} onClick={() => openContact(summary.contact?.publicKey ?? null)}>
          <Identicon icon={summary.contact.identicon} size={36} label={summary.contact.alias} />
        </button>
      ) : summary.kind === 'group' ? (
        <GroupIcon />
      ) : (
        <span className="chat-hash" aria-hidden="true">
          #
        </span>
      )}
      <div className="conversation-title">
        <div className="name-with-badge">
          <h1 id="conversation-title" className="ellipsis">
            {summary.contact ? (
              <PersonName alias={chatTitle(summary)} displayName={contact?.displayName} testIds={{ chosen: 'chosen-name', alias: 'conversation-title' }} />
            ) : (
              <span data-testid="conversation-title">{chatTitle(summary)}</span>
            )}
          </h1>
          {contact?.verified && <VerifiedBadge />}
        </div>
        <p className="muted small ellipsis">
          {summary.contact ? (
            <ChatKey publicKey={summary.contact.publicKey} />
          ) : summary.group ? (
            <span data-testid="group-member-count">{t('groups.members', { count: summary.group.memberCount })}</span>
          ) : (
            t('conversation.publicHint')
          )}
        </p>
      </div>
      {problem && (
        <span className="field-hint" role="alert">
          {problem}
        </span>
      )}
      <MuteButton chat={summary} />
      {summary.kind === 'group' && (
        <button type="button" className="button small" data-testid="group-info-open" onClick={() => setShowingInfo(true)}>
          {t('groups.info')}
        </button>
      )}
      {showingInfo && <GroupInfoPanel chatId={summary.id} onClose={() => setShowingInfo(false)} />}
      {confirming ? (
        <div className="actions tight">
          <span className="small">{t('chats.leave.confirm')}</span>
          <button
            type="button"
            className="button small danger"
            onClick={() => void leave(summary.id).then((error) => setProblem(error ? errorText(error) : null))}
          >
            {t('chats.leave')}
          </button>
          <button type="button" className="button small ghost" onClick={() => setConfirming(false)}>
            {t('dialog.cancel')}
          </button>
        </div>
      ) : (
        <button type="button" className="button small" onClick={() => setConfirming(true)}>
          {t('chats.leave')}
        </button>
      )}
    </header>
  )
}
