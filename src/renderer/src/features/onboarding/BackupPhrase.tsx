import { type FormEvent, useMemo, useState } from 'react'
import { useSessionStore } from '../../store/session-store'
import { t } from '../../i18n/t'

const CHECKED_WORDS = 3

function pickPositions(count: number, total: number): number[] {
  const picked = new Set<number>()
  const random = new Uint32Array(1)
  while (picked.size < count) {
    crypto.getRandomValues(random)
    picked.add((random[0] ?? 0) % total)
  }
  return [...picked].sort((a, b) => a - b)
}

/**
 * Shows the twelve words, then asks for three of them back; the person may defer, and the app keeps
 * reminding until the check is done. The phrase lives only in this component's props.
 */
export function BackupPhrase({ phrase, onDone }: { phrase: string; onDone(): void }) {
  const confirmBackup = useSessionStore((s) => s.confirmBackup)
  const words = phrase.split(' ')
  const positions = useMemo(() => pickPositions(CHECKED_WORDS, words.length), [words.length])
  const [step, setStep] = useState<'show' | 'check'>('show')
  const [answers, setAnswers] = useState<string[]>(() => positions.map(() => ''))
  const [wrong, setWrong] = useState(false)

  const finish = async (confirmed: boolean) => {
    if (confirmed && !(await confirmBackup())) return
    onDone()
  }

  const check = async (event: FormEvent) => {
    event.preventDefault()
    const ok = positions.every((position, i) => (answers[i] ?? '').trim().toLowerCase() === words[position])
    setWrong(!ok)
    if (ok) await finish(true)
  }

  if (step === 'show') {
    return (
      <section className="stack" aria-labelledby="backup-title">
        <h2 id="backup-title">{t('onboarding.backup.title')}</h2>
        <p className="muted">{t('onboarding.backup.body')}</p>
        <ol className="word-grid phrase" data-testid="recovery-phrase">
          {words.map((word, index) => (
            <li key={`${index}-${word}`}>
              <span className="word-number">{index + 1}</span>
              <span className="word">{word}</span>
            </li>
          ))}
        </ol>
        <div className="actions">
          <button type="button" className="button primary" onClick={() => setStep('check')}>
            {t('onboarding.backup.done')}
          </button>
          <button type="button" className="button ghost" onClick={() => void finish(false)}>
            {t('onboarding.backup.later')}
          </button>
        </div>
      </section>
    )
  }

  return (
    <form className="stack" onSubmit={check} aria-labelledby="backup-check-title">
      <h2 id="backup-check-title">{t('onboarding.backup.check.title')}</h2>
      <p className="muted">{t('onboarding.backup.check.body')}</p>
      {positions.map((position, i) => (
        <label key={position} className="fields">
          {t('onboarding.backup.check.word', { index: position + 1 })}
          <input
            autoComplete="off"
            spellCheck={false}
            value={answers[i] ?? ''}
            onChange={(event) => setAnswers((current) => current.map((answer, j) => (j === i ? event.target.value : answer)))}
          />
        </label>
      ))}
      {wrong && (
        <p className="banner banner-error" role="alert">
          {t('onboarding.backup.check.wrong')}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="button primary">
          {t('onboarding.backup.check.confirm')}
        </button>
        <button type="button" className="button ghost" onClick={() => setStep('show')}>
          {t('onboarding.back')}
        </button>
        <button type="button" className="button ghost" onClick={() => void finish(false)}>
          {t('onboarding.backup.later')}
        </button>
      </div>
    </form>
  )
}
