import { type FormEvent, useState } from 'react'
import type { ApiError } from '../../../../shared/api/result'
import { t } from '../../i18n/t'
import { useChatStore } from '../../store/chat-store'
import { Dialog } from '../../ui/Dialog'

/** Shows main's own reason when a name is refused (it owns the naming rules), in words, beside the field. */
function problemText(error: ApiError): string {
  return error.code === 'BAD_REQUEST' || error.code === 'CONFLICT' ? error.message : t(`error.${error.code}`, { message: error.message })
}

export function JoinPublicDialog({ onClose }: { onClose(): void }) {
  const joinPublic = useChatStore((s) => s.joinPublic)
  const [name, setName] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    const error = await joinPublic(name)
    setBusy(false)
    if (error) setProblem(problemText(error))
    else onClose()
  }

  return (
    <Dialog title={t('chats.join.title')} onClose={onClose} testId="join-dialog">
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <p className="muted small">{t('chats.join.body')}</p>
        <label htmlFor="public-chat-name">{t('chats.join.name')}</label>
        <div className="prefixed-input">
          <span aria-hidden="true">#</span>
          <input
            id="public-chat-name"
            autoFocus
            autoComplete="off"
            spellCheck={false}
            value={name}
            aria-invalid={problem !== null}
            aria-describedby={problem ? 'public-chat-problem' : undefined}
            onChange={(event) => {
              setName(event.target.value)
              setProblem(null)
            }}
          />
        </div>
        {problem && (
          <p id="public-chat-problem" className="field-hint" role="alert" data-testid="join-problem">
            {problem}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy || name.trim() === ''}>
            {t('chats.join.submit')}
          </button>
          <button type="button" className="button ghost" onClick={onClose}>
            {t('dialog.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
