import { type FormEvent, useId, useState } from 'react'
import type { ApiError } from '../../../../shared/api/result'
import { t } from '../../i18n/t'
import { useSessionStore } from '../../store/session-store'
import { ErrorBanner } from '../../ui/ErrorBanner'
import { Progress } from '../../ui/Progress'

/**
 * Deletes this identity and its chats from this computer, after the password. The person is told plainly
 * that only the recovery phrase can bring the identity back (without its chats).
 */
export function DeleteAccount() {
  const removeAccount = useSessionStore((s) => s.removeAccount)
  const id = useId()
  const [open, setOpen] = useState(false)
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!password) return
    setBusy(true)
    setError(null)
    const problem = await removeAccount(password)
    setBusy(false)
    setError(problem)
  }

  return (
    <section className="stack" aria-labelledby={`${id}-title`} data-testid="delete-account">
      <h2 id={`${id}-title`}>{t('settings.delete')}</h2>
      <p className="muted small">{t('settings.delete.body')}</p>
      {!open ? (
        <div className="actions">
          <button type="button" className="button" onClick={() => setOpen(true)}>
            {t('settings.delete.start')}
          </button>
        </div>
      ) : (
        <form className="stack" onSubmit={(event) => void submit(event)}>
          <div className="fields">
            <label htmlFor={`${id}-password`}>{t('settings.delete.password')}</label>
            <input
              id={`${id}-password`}
              type="password"
              autoComplete="current-password"
              autoFocus
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </div>
          <ErrorBanner error={error} />
          {busy && <Progress label={t('settings.delete.progress')} />}
          <div className="actions">
            <button type="submit" className="button danger" disabled={busy || !password}>
              {t('settings.delete.submit')}
            </button>
            <button
              type="button"
              className="button ghost"
              disabled={busy}
              onClick={() => {
                setOpen(false)
                setPassword('')
                setError(null)
              }}
            >
              {t('dialog.cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  )
}
