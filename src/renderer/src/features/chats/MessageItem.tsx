import { memo, useState } from 'react'
import type { Message } from '../../../../shared/api'
import { formatDate, isoDate } from '../../i18n/format'
import { errorText, t } from '../../i18n/t'
import { useChatStore } from '../../store/chat-store'
import { useContact, useContactStore } from '../../store/contact-store'
import { Identicon } from '../../ui/Identicon'
import { PersonName } from '../../ui/PersonName'
import { LookalikeMark, VerifiedBadge } from '../../ui/TrustMarks'
import { DeliveryIcon } from './DeliveryIcon'
import { SystemLineItem } from '../groups/SystemLineItem'
import { clipText, splitLinks } from './message-text'
import { ReplyQuote, type Original } from './ReplyQuote'

interface Props {
  message: Message
  showsAuthor: boolean
  /** The last of a run keeps its time in view; the others show it on hover or focus. */
  lastOfRun: boolean
  /** The message this one replies to: found, known to be missing, or still being looked up (undefined). */
  original?: Original | undefined
  /** Briefly marked after a jump to it. */
  focused?: boolean
  onReply?(message: Message): void
  onJump?(id: string): void
}

/**
 * One message: own messages on the right in the accent colour, others on the left. Its text is rendered
 * as text nodes and validated links only, never as markup, in its own direction (dir="auto").
 */
export const MessageItem = memo(function MessageItem(props: Props) {
  if (props.message.system) return <SystemLineItem message={props.message} line={props.message.system} />
  return <ChatMessageItem {...props} />
})

function ChatMessageItem({ message, showsAuthor, lastOfRun, original, focused, onReply, onJump }: Props) {
  const openLink = useChatStore((s) => s.openLink)
  const classes = ['message', message.outgoing ? 'outgoing' : 'incoming', showsAuthor && 'first', lastOfRun && 'last', focused && 'focused']
  return (
    <li
      className={classes.filter(Boolean).join(' ')}
      data-message-id={message.id}
      data-testid="message"
      data-status={message.status}
      tabIndex={-1}
      onKeyDown={(event) => {
        // R on a focused message replies to it, as the hover action does.
        if (onReply && event.target === event.currentTarget && event.key.toLowerCase() === 'r' && !event.ctrlKey && !event.metaKey && !event.altKey) {
          event.preventDefault()
          onReply(message)
        }
      }}
    >
      {!message.outgoing && <div className="message-gutter">{showsAuthor && <Identicon icon={message.author.identicon} size={32} />}</div>}
      <div className="bubble">
        {showsAuthor &&
          (message.outgoing ? (
            // Own messages need no name on screen, but a screen reader says who wrote each run.
            <span className="visually-hidden" data-testid="message-author">
              {message.author.alias}
            </span>
          ) : (
            <div className="message-header">
              <AuthorLine author={message.author} />
            </div>
          ))}
        {message.responseTo && <ReplyQuote original={original} onJump={onJump && (() => onJump(message.responseTo ?? ''))} />}
        <p className="message-text" data-testid="message-text" dir="auto">
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
        <span className="message-meta">
          <time className="message-time" dateTime={isoDate(message.timestamp)} title={formatDate(message.timestamp, 'full')}>
            {formatDate(message.timestamp, 'time')}
          </time>
          {message.outgoing && <DeliveryState id={message.id} status={message.status} delivery={message.delivery} />}
        </span>
      </div>
      {onReply && (
        <div className="message-actions">
          <button type="button" className="button ghost icon small" aria-label={t('message.reply')} title={t('message.reply.hint')} onClick={() => onReply(message)}>
            <ReplyArrow />
          </button>
        </div>
      )}
    </li>
  )
}

function ReplyArrow() {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M6.5 3.5 2 8l4.5 4.5M2.5 8H10a4 4 0 0 1 4 4v1" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
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
 * Who wrote it: their primary name (the chosen one, newest from the contact store, else the one their
 * public-chat message carried, else the alias) with the alias as secondary text, the verified badge or a
 * look-alike warning (a stranger's as main judged it on receipt), and a way to their contact page.
 */
function AuthorLine({ author }: { author: Message['author'] }) {
  const contact = useContact(author.publicKey)
  const open = useContactStore((s) => s.open)
  return (
    <span className="name-with-badge">
      <button type="button" className="author-button" aria-label={`${t('contact.open')}: ${author.alias}`} title={author.publicKey} onClick={() => open(author.publicKey)}>
        <PersonName alias={author.alias} displayName={contact?.displayName ?? author.displayName} testIds={{ chosen: 'message-chosen-name', alias: 'message-author' }} />
      </button>
      {contact?.verified && <VerifiedBadge />}
      {(contact ? contact.resembles.length > 0 : author.lookalike === true) && <LookalikeMark label={t('contact.lookalike.mark')} />}
    </span>
  )
}

function DeliveryState({ id, status, delivery }: { id: string; status: Message['status']; delivery: Message['delivery'] }) {
  const resend = useChatStore((s) => s.resend)
  const [problem, setProblem] = useState<string | null>(null)
  // A group message is delivered member by member: "delivered to 3 of 4" once the first acknowledgement is in.
  const partly = delivery && delivery.total > 1 && delivery.delivered > 0 && status !== 'delivered'
  if (status !== 'not-sent')
    return <DeliveryIcon status={status} label={partly ? t('message.status.deliveredTo', { delivered: delivery.delivered, total: delivery.total }) : undefined} />
  return (
    <>
      <DeliveryIcon status={status} />
      <button
        type="button"
        className="link-button"
        onClick={() => {
          setProblem(null)
          void resend(id).then((error) => setProblem(error ? errorText(error) : null))
        }}
      >
        {t('message.resend')}
      </button>
      {problem && <span role="alert">{problem}</span>}
    </>
  )
}
