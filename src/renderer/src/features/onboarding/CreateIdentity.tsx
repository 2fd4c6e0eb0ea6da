import { type FormEvent, useEffect, useState } from 'react'
import type { Candidate } from '../../../../shared/api'
import { t } from '../../i18n/t'
import { useSessionStore } from '../../store/session-store'
import { ErrorBanner } from '../../ui/ErrorBanner'
import { Identicon } from '../../ui/Identicon'
import { type NewPassword, newPasswordProblem, PasswordFields } from '../../ui/PasswordFields'
import { Progress } from '../../ui/Progress'

const CANDIDATES = 5

/** Status's way in: pick one of five fresh identities by name and picture, then protect it. */
export function CreateIdentity({ onBack }: { onBack(): void }) {
  const { candidates: fetchCandidates, create, busy, error } = useSessionStore()
  const [candidates, setCandidates] = useState<Candidate[]>([])
  const [chosen, setChosen] = useState<Candidate | null>(null)
  const [step, setStep] = useState<'choose' | 'password'>('choose')
  const [password, setPassword] = useState<NewPassword>({ password: '', confirm: '' })
  const [name, setName] = useState('')

  const [generation, setGeneration] = useState(0)

  useEffect(() => {
    let live = true
    fetchCandidates(CANDIDATES).then((fresh) => {
      if (!live || !fresh) return
      setCandidates(fresh)
      setChosen(fresh[0] ?? null)
    })
    return () => {
      live = false
    }
    // `generation` is the person asking for another set of names.
    // oxlint-disable-next-line react/exhaustive-effect-dependencies
  }, [fetchCandidates, generation])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!chosen || newPasswordProblem(password)) return
    await create(chosen.candidateId, password.password, name.trim() || undefined)
  }

  if (step === 'choose') {
    return (
      <section className="stack" aria-labelledby="choose-title">
        <h2 id="choose-title">{t('onboarding.choose.title')}</h2>
        <p className="muted">{t('onboarding.choose.body')}</p>
        <fieldset className="account-choices" data-testid="candidates">
          {candidates.map((candidate) => (
            <label key={candidate.candidateId} className={`account-choice${candidate === chosen ? ' selected' : ''}`}>
              <input type="radio" name="candidate" checked={candidate === chosen} onChange={() => setChosen(candidate)} />
              <Identicon icon={candidate.identicon} size={40} />
              <span className="account-names">
                <strong data-testid="candidate-alias">{candidate.alias}</strong>
              </span>
            </label>
          ))}
        </fieldset>
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" className="button primary" disabled={!chosen} onClick={() => setStep('password')}>
            {t('onboarding.next')}
          </button>
          <button type="button" className="button" onClick={() => setGeneration(generation + 1)} disabled={busy}>
            {t('onboarding.choose.more')}
          </button>
          <button type="button" className="button ghost" onClick={onBack}>
            {t('onboarding.back')}
          </button>
        </div>
      </section>
    )
  }

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="password-title">
      {chosen && (
        <div className="identity-header">
          <Identicon icon={chosen.identicon} size={56} />
          <strong>{chosen.alias}</strong>
        </div>
      )}
      <h2 id="password-title">{t('onboarding.password.title')}</h2>
      <p className="muted">{t('onboarding.password.body')}</p>
      <div className="fields">
        <label htmlFor="display-name">{t('onboarding.name.label')}</label>
        <input id="display-name" maxLength={64} value={name} onChange={(event) => setName(event.target.value)} />
      </div>
      <PasswordFields value={password} onChange={setPassword} />
      <ErrorBanner error={error} />
      {busy && <Progress label={t('onboarding.creating.progress')} />}
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy || newPasswordProblem(password) !== null}>
          {busy ? t('onboarding.creating') : t('onboarding.next')}
        </button>
        <button type="button" className="button ghost" onClick={() => setStep('choose')} disabled={busy}>
          {t('onboarding.back')}
        </button>
      </div>
    </form>
  )
}
