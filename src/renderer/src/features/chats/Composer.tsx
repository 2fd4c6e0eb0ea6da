import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react'
import type { Message } from '../../../../shared/api'
import { errorText, t } from '../../i18n/t'
import { useChatStore } from '../../store/chat-store'
import { EmojiPicker } from './EmojiPicker'
import { ReplyQuote } from './ReplyQuote'

/** The contract's bound on one message. */
const MAX_LENGTH = 4096
const DRAFT_DELAY_MS = 400

interface Props {
  chatId: string
  savedDraft: string
  /** The message being answered: quoted above the field and sent as the reply's original. */
  replyTo?: Message | null
  onCancelReply?(): void
  onJump?(id: string): void
  onSent?(): void
}

/**
 * Writes and sends. Enter sends, Shift+Enter starts a new line (and Enter while an input method is
 * composing is left to it), Escape stops replying. The draft is kept per chat in the account database.
 */
export function Composer({ chatId, savedDraft, replyTo = null, onCancelReply, onJump, onSent }: Props) {
  const send = useChatStore((s) => s.send)
  const saveDraft = useChatStore((s) => s.saveDraft)
  // The draft main holds when the chat opens; later changes of it are this composer's own echoes.
  const [text, setText] = useState(savedDraft)
  const [problem, setProblem] = useState<string | null>(null)
  const [picking, setPicking] = useState(false)
  const field = useRef<HTMLTextAreaElement>(null)
  const edited = useRef(false)
  /** Text typed but not yet written to the draft store. */
  const unsaved = useRef<string | null>(null)
  const closePicker = useCallback(() => setPicking(false), [])
  // Choosing a message to answer puts the cursor where the answer goes.
  useEffect(() => {
    if (replyTo) field.current?.focus()
  }, [replyTo])

  useEffect(() => {
    if (!edited.current) return
    unsaved.current = text
    const timer = setTimeout(() => {
      unsaved.current = null
      void saveDraft(chatId, text)
    }, DRAFT_DELAY_MS)
    return () => clearTimeout(timer)
  }, [chatId, text, saveDraft])
  // Leaving the chat before the delay must not lose the last words typed.
  useEffect(() => {
    const pending = unsaved
    return () => {
      if (pending.current !== null) void saveDraft(chatId, pending.current)
    }
  }, [chatId, saveDraft])

  const change = (next: string) => {
    edited.current = true
    setText(next)
  }

  const submit = async (event?: FormEvent) => {
    event?.preventDefault()
    const body = text.trim()
    if (body === '' || body.length > MAX_LENGTH) return
    setProblem(null)
    change('')
    const error = await send(chatId, body, replyTo?.id)
    if (!error) {
      onCancelReply?.()
      onSent?.()
    } else {
      setProblem(errorText(error))
      setText((current) => (current === '' ? body : current))
    }
  }

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      void submit()
    } else if (event.key === 'Escape' && replyTo && !event.nativeEvent.isComposing) {
      event.preventDefault()
      onCancelReply?.()
    }
  }

  const insert = (emoji: string) => {
    const input = field.current
    const start = input?.selectionStart ?? text.length
    const end = input?.selectionEnd ?? text.length
    change(text.slice(0, start) + emoji + text.slice(end))
    setPicking(false)
    requestAnimationFrame(() => {
      input?.focus()
      input?.setSelectionRange(start + emoji.length, start + emoji.length)
    })
  }

  const tooLong = text.length > MAX_LENGTH
  return (
    <form className="composer" onSubmit={(event) => void submit(event)}>
      {problem && (
        <p className="banner banner-error" role="alert" data-testid="send-error">
          {problem}
        </p>
      )}
      {replyTo && (
        <div className="composer-reply" data-testid="composer-reply">
          <span className="composer-reply-label small muted">{t('reply.replyingTo')}</span>
          <ReplyQuote original={{ kind: 'found', message: replyTo }} onJump={onJump && (() => onJump(replyTo.id))} />
          <button type="button" className="button ghost icon small" aria-label={t('reply.cancel')} title={t('reply.cancel')} onClick={() => onCancelReply?.()}>
            ×
          </button>
        </div>
      )}
      <div className="composer-row">
        <div className="emoji-anchor">
          <button type="button" className="button ghost icon" aria-label={t('composer.emoji')} aria-expanded={picking} onClick={() => setPicking(!picking)}>
            🙂
          </button>
          {picking && <EmojiPicker onPick={insert} onClose={closePicker} />}
        </div>
        <textarea
          ref={field}
          className="composer-input"
          aria-label={t('composer.label')}
          // Off keeps the browser from saving what is typed in its session files (form state restore).
          autoComplete="off"
          placeholder={t('composer.placeholder')}
          rows={Math.min(6, text.split('\n').length)}
          value={text}
          autoFocus
          onChange={(event) => change(event.target.value)}
          onKeyDown={onKeyDown}
          aria-invalid={tooLong}
        />
        <button type="submit" className="button primary" disabled={text.trim() === '' || tooLong}>
          {t('composer.send')}
        </button>
      </div>
      {tooLong && <p className="field-hint">{t('composer.tooLong', { max: MAX_LENGTH })}</p>}
    </form>
  )
}
