import type { Message } from '../../../../shared/api'
import { t } from '../../i18n/t'
import { useContact } from '../../store/contact-store'
import { clipText } from './message-text'

/** What a reply quotes: the original when this chat holds it, or the knowledge that it does not. */
export type Original = { kind: 'found'; message: Message } | { kind: 'missing' }

/** A quote is one or two lines on screen; no more of the original is rendered. */
const QUOTED_LENGTH = 240

/**
 * The original a reply answers, quoted above the reply (and above the composer while replying): its
 * author and the start of its text. A click jumps to it. An original this computer never received gets
 * a neutral placeholder, as does one still being looked up.
 */
export function ReplyQuote({ original, onJump }: { original: Original | undefined; onJump?: (() => void) | undefined }) {
  if (original?.kind !== 'found')
    return (
      <div className="reply-quote missing" data-testid="reply-quote">
        <span className="muted">{original ? t('reply.missing') : '…'}</span>
      </div>
    )
  const body = <QuotedMessage message={original.message} />
  if (!onJump)
    return (
      <div className="reply-quote" data-testid="reply-quote">
        {body}
      </div>
    )
  return (
    <button type="button" className="reply-quote" data-testid="reply-quote" title={t('reply.jump')} onClick={onJump}>
      {body}
    </button>
  )
}

function QuotedMessage({ message }: { message: Message }) {
  const contact = useContact(message.outgoing ? undefined : message.author.publicKey)
  const name = message.outgoing ? t('reply.you') : (contact?.displayName ?? message.author.displayName ?? message.author.alias)
  return (
    <>
      <span className="reply-author">{name}</span>
      <span className="reply-text" dir="auto">
        {clipText(message.text, QUOTED_LENGTH)}
      </span>
    </>
  )
}
