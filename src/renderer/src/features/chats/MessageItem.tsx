import { memo, useState } from 'react'
import type { Message } from '../../../../shared/api'
import { formatDate, isoDate } from '../../i18n/format'
import { errorText, t } from '../../i18n/t'
import { useChatStore } from '../../store/chat-store'
import { useContact, useContactStore } from '../../store/contact-store'
import { Identicon } from '../../ui/Identicon'
import { LookalikeMark, VerifiedBadge } from '../../ui/TrustMarks'
import { SystemLineItem } from '../groups/SystemLineItem'
import { clipText, splitLinks } from './message-text'

/** One message. Its text is rendered as text nodes and validated links only, never as markup. */
export const MessageItem = memo(function MessageItem({ message, showsAuthor }: { message: Message; showsAuthor: boolean }) {
  if (message.system) return <SystemLineItem message={message} line={message.system} />
  return <ChatMessageItem message={message} showsAuthor={showsAuthor} />
})

function ChatMessageItem({ message, showsAuthor }: { message: Message; showsAuthor: boolean }) {
  const openLink = useChatStore((s) => s.openLink)
  return (
    <li
      className={`message${showsAuthor ? ' first' : ''}${message.outgoing ? ' outgoing' : ''}`}
      data-message-id={message.id}
      data-testid="message"
      data-status={message.status}
    >
      <div className="message-gutter">{showsAuthor && <Identicon icon={message.author.identicon} size={36} />}</div>
      <div className="message-body">
        {showsAuthor && (
          <div className="message-header">
            <AuthorLine author={message.author} outgoing={message.outgoing} />
            <time className="muted small" dateTime={isoDate(message.timestamp)} title={formatDate(message.timestamp, 'full')}>
              {formatDate(message.timestamp, 'time')}
            </time>
          </div>
        )}
        <p className="message-text" data-testid="message-text">
          {splitLinks(clipText(message.text)).map((part, index) =>
            part.kind === 'text' ? (
              part.text
            ) : (
              <a
                key={index}
                href={part.url}
                rel="noopener noreferrer"
                onClick={(event) => {
                  event.preventDefault()
                  void openLink(part.url)
                }}
              >
                {part.text}
              </a>
            )
          )}
        </p>
        {message.outgoing && <DeliveryState id={message.id} status={message.status} delivery={message.delivery} />}
      </div>
    </li>
  )
}

/** The row that stands in for a record that cannot be shown; nothing of the record is rendered. */
export function UnshowableMessage() {
  return (
    <li className="message unshowable muted small" data-testid="message-unshowable">
      {t('message.unshowable')}
    </li>
  )
}

/**
 * Who wrote it: the chosen name (newest from the contact store) always beside the key's alias, the
 * verified badge or a look-alike warning, and a way to the author's contact page.
 */
function AuthorLine({ author, outgoing }: { author: Message['author']; outgoing: boolean }) {
  const contact = useContact(outgoing ? undefined : author.publicKey)
  const open = useContactStore((s) => s.open)
  const chosen = contact?.displayName ?? author.displayName
  const name = (
    <>
      {chosen && (
        <span className="chosen-name" data-testid="message-chosen-name">
          {chosen}
        </span>
      )}
      <strong className="message-author" data-testid="message-author" title={author.publicKey}>
        {author.alias}
      </strong>
    </>
  )
  return (
    <span className="name-with-badge">
      {outgoing ? (
        name
      ) : (
        <button type="button" className="author-button" aria-label={`${t('contact.open')}: ${author.alias}`} onClick={() => open(author.publicKey)}>
          {name}
        </button>
      )}
      {contact?.verified && <VerifiedBadge />}
      {contact && contact.resembles.length > 0 && <LookalikeMark label={t('contact.lookalike.mark')} />}
    </span>
  )
}

function DeliveryState({ id, status, delivery }: { id: string; status: Message['status']; delivery: Message['delivery'] }) {
  const resend = useChatStore((s) => s.resend)
  const [problem, setProblem] = useState<string | null>(null)
  if (status === 'not-sent')
    return (
      <div className="delivery not-sent" data-testid="delivery-state">
        <span>{t('message.status.not-sent')}</span>
        <button
          type="button"
          className="button small"
          onClick={() => {
            setProblem(null)
            void resend(id).then((error) => setProblem(error ? errorText(error) : null))
          }}
        >
          {t('message.resend')}
        </button>
        {problem && <span role="alert">{problem}</span>}
      </div>
    )
  return (
    <div className={`delivery muted small ${status}`} data-testid="delivery-state">
      {/* A group message is delivered member by member: "delivered to 3 of 4" once the first acknowledgement is in. */}
      {delivery && delivery.total > 1 && delivery.delivered > 0 && status !== 'delivered'
        ? t('message.status.deliveredTo', { delivered: delivery.delivered, total: delivery.total })
        : t(`message.status.${status}`)}
    </div>
  )
}
