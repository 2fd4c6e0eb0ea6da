import { type FormEvent, useEffect, useState } from 'react'
import { type Contact, PUBLIC_KEY_PATTERN } from '../../../../shared/api'
import { errorText, t } from '../../i18n/t'
import { useChatStore } from '../../store/chat-store'
import { useSessionStore } from '../../store/session-store'
import { Dialog } from '../../ui/Dialog'
import { DialogActions } from '../../ui/DialogActions'
import { Identicon } from '../../ui/Identicon'
import { VerifiedBadge } from '../../ui/TrustMarks'
import { ImpersonationWarning } from '../contacts/ImpersonationWarning'

type Preview = { state: 'empty' } | { state: 'invalid'; message: string } | { state: 'checking' } | { state: 'ok'; identity: Contact }

/**
 * Starts a 1:1 chat from a pasted chat key. Before anything is started the person sees who the key
 * belongs to (alias and identicon are derived from the key), so a wrong paste is caught by eye.
 */
export function StartChatDialog({ onClose }: { onClose(): void }) {
  const previewContact = useChatStore((s) => s.previewContact)
  const startOneToOne = useChatStore((s) => s.startOneToOne)
  const [key, setKey] = useState('')
  /** Main's answer for one key; a key that is not well formed is judged here without asking. */
  const [answer, setAnswer] = useState<{ key: string; preview: Preview } | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const ownKey = useSessionStore((s) => s.current?.publicKey)
  const publicKey = key.trim().toLowerCase()
  const wellFormed = PUBLIC_KEY_PATTERN.test(publicKey) && publicKey !== ownKey

  let preview: Preview
  if (publicKey === '') preview = { state: 'empty' }
  else if (publicKey === ownKey) preview = { state: 'invalid', message: t('reason.OWN_CHAT_KEY') }
  else if (!wellFormed) preview = { state: 'invalid', message: t('reason.CHAT_KEY_FORMAT') }
  else preview = answer?.key === publicKey ? answer.preview : { state: 'checking' }

  useEffect(() => {
    if (!wellFormed) return
    let live = true
    void previewContact(publicKey).then((result) => {
      if (!live) return
      const checked: Preview = result.ok
        ? { state: 'ok', identity: result.value }
        : { state: 'invalid', message: errorText(result.error) }
      setAnswer({ key: publicKey, preview: checked })
    })
    return () => {
      live = false
    }
  }, [publicKey, wellFormed, previewContact])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (preview.state !== 'ok') return
    setBusy(true)
    const error = await startOneToOne(preview.identity.publicKey)
    setBusy(false)
    if (error) setProblem(errorText(error))
    else onClose()
  }

  return (
    <Dialog title={t('chats.start.title')} onClose={onClose} testId="start-dialog">
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <p className="muted small">{t('chats.start.body')}</p>
        <label htmlFor="contact-key">{t('chats.start.key')}</label>
        <textarea
          id="contact-key"
          className="key-input"
          autoFocus
          rows={3}
          spellCheck={false}
          value={key}
          aria-invalid={preview.state === 'invalid'}
          onChange={(event) => {
            setKey(event.target.value)
            setProblem(null)
          }}
        />
        {preview.state === 'invalid' && (
          <p className="field-hint" role="alert" data-testid="key-problem">
            {preview.message}
          </p>
        )}
        {preview.state === 'ok' && (
          <div className="identity-preview" data-testid="contact-preview">
            <span className="muted small">{t('chats.start.preview')}</span>
            <div className="identity-header">
              <Identicon icon={preview.identity.identicon} size={48} />
              <div>
                {preview.identity.displayName && <strong className="chosen-name">{preview.identity.displayName} </strong>}
                <strong data-testid="contact-preview-alias">{preview.identity.alias}</strong>
                {preview.identity.verified && <VerifiedBadge />}
              </div>
            </div>
            <ImpersonationWarning contact={preview.identity} />
          </div>
        )}
        {problem && (
          <p className="field-hint" role="alert">
            {problem}
          </p>
        )}
        <DialogActions onCancel={onClose} submit={{ label: t('chats.start.submit'), disabled: busy || preview.state !== 'ok' }} />
      </form>
    </Dialog>
  )
}
