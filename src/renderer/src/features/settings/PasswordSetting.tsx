import { type FormEvent, useId, useState } from 'react'
import type { ApiError } from '../../../../shared/api/result'
import { t } from '../../i18n/t'
import { useSessionStore } from '../../store/session-store'
import { ErrorBanner } from '../../ui/ErrorBanner'
import { type NewPassword, newPasswordProblem, PasswordFields } from '../../ui/PasswordFields'
import { Progress } from '../../ui/Progress'

const EMPTY: NewPassword = { password: '', confirm: '' }

/** Changes the password that encrypts this identity's keys; the old one is checked first. */
export function PasswordSetting() {
  const changePassword = useSessionStore((s) => s.changePassword)
  const id = useId()
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState<NewPassword>(EMPTY)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [done, setDone] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!current || newPasswordProblem(next)) return
    setBusy(true)
    setDone(false)
    setError(null)
    const problem = await changePassword(current, next.password)
    setBusy(false)
    setError(problem)
    if (!problem) {
      setCurrent('')
      setNext(EMPTY)
      setDone(true)
    }
  }

  return (
    <form className="stack" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} data-testid="change-password">
      <h2 id={`${id}-title`}>{t('settings.password')}</h2>
      <p className="muted small">{t('settings.password.body')}</p>
      <div className="fields">
        <label htmlFor={`${id}-current`}>{t('settings.password.current')}</label>
        <input
          id={`${id}-current`}
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(event) => {
            setCurrent(event.target.value)
            setDone(false)
          }}
        />
      </div>
      <PasswordFields value={next} onChange={setNext} labels={{ password: t('settings.password.new'), confirm: t('settings.password.confirm') }} />
      <ErrorBanner error={error} />
      {busy && <Progress label={t('settings.password.progress')} />}
      {done && (
        <p className="muted small" role="status" data-testid="password-changed">
          {t('settings.password.done')}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy || !current || newPasswordProblem(next) !== null}>
          {t('settings.password.submit')}
        </button>
      </div>
    </form>
  )
}
