import { memo, useState } from 'react'
import type { Message } from '../../../../shared/api'
import { errorText, t } from '../../i18n/t'
import { useChatStore } from '../../store/chat-store'
import { Identicon } from '../../ui/Identicon'
import { splitLinks } from './message-text'

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' })

/** One message. Its text is rendered as text nodes and validated links only, never as markup. */
export const MessageItem = memo(function MessageItem({ message, showsAuthor }: { message: Message; showsAuthor: boolean }) {
  const openLink = useChatStore((s) => s.openLink)
  const sent = new Date(message.timestamp)
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
            <strong className="message-author" data-testid="message-author" title={message.author.publicKey}>
              {message.author.alias}
            </strong>
            <time className="muted small" dateTime={sent.toISOString()} title={fullFormat.format(sent)}>
              {timeFormat.format(sent)}
            </time>
          </div>
        )}
        <p className="message-text" data-testid="message-text">
          {splitLinks(message.text).map((part, index) =>
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
        {message.outgoing && <DeliveryState id={message.id} status={message.status} />}
      </div>
    </li>
  )
})

function DeliveryState({ id, status }: { id: string; status: Message['status'] }) {
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
      {t(`message.status.${status}`)}
    </div>
  )
}
