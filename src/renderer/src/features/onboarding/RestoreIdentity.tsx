import { wordlist } from '@scure/bip39/wordlists/english.js'
import { type ClipboardEvent, type FormEvent, useEffect, useMemo, useState } from 'react'
import type { MnemonicProblem, PublicIdentity } from '../../../../shared/api'
import { t } from '../../i18n/t'
import { useSessionStore } from '../../store/session-store'
import { ErrorBanner } from '../../ui/ErrorBanner'
import { Identicon } from '../../ui/Identicon'
import { type NewPassword, newPasswordProblem, PasswordFields } from '../../ui/PasswordFields'
import { Progress } from '../../ui/Progress'

const WORDS = 12
const KNOWN = new Set(wordlist)
const SUGGESTIONS = 6

/** Main's verdict on a phrase, in words. */
function phraseProblemText(problem: MnemonicProblem): string {
  if (problem.reason !== 'UNKNOWN_WORDS') return t(`phrase.${problem.reason}`)
  const positions = problem.unknownWords.map((index) => index + 1).join(', ')
  return t(problem.unknownWords.length === 1 ? 'phrase.UNKNOWN_WORD' : 'phrase.UNKNOWN_WORDS', { positions })
}

/**
 * Twelve word fields with per-word checking and completion from the BIP39 list; pasting a whole phrase
 * into any field fills them all. The identity the phrase restores is shown before anything is stored.
 */
export function RestoreIdentity({ onBack }: { onBack(): void }) {
  const { checkMnemonic, restore, busy, error } = useSessionStore()
  const [words, setWords] = useState<string[]>(() => Array(WORDS).fill(''))
  const [focused, setFocused] = useState(0)
  const [checked, setChecked] = useState<{ phrase: string; identity: PublicIdentity | null; problem: string | null } | null>(null)
  const [password, setPassword] = useState<NewPassword>({ password: '', confirm: '' })
  const phrase = words.map((word) => word.trim().toLowerCase()).join(' ')
  const complete = words.every((word) => KNOWN.has(word.trim().toLowerCase()))

  useEffect(() => {
    if (!complete) return
    let live = true
    void checkMnemonic(phrase).then((check) => {
      if (!live || !check) return
      setChecked(check.ok ? { phrase, identity: check.identity, problem: null } : { phrase, identity: null, problem: phraseProblemText(check.problem) })
    })
    return () => {
      live = false
    }
  }, [complete, phrase, checkMnemonic])
  // A result belongs to the phrase it was computed for; any edit hides it until the new check answers.
  const result = complete && checked?.phrase === phrase ? checked : null
  const preview = result?.identity ?? null
  const problem = result?.problem ?? null

  const prefix = (words[focused] ?? '').trim().toLowerCase()
  const suggestions = useMemo(
    () => (prefix && !KNOWN.has(prefix) ? wordlist.filter((word) => word.startsWith(prefix)).slice(0, SUGGESTIONS) : []),
    [prefix]
  )

  const setWord = (index: number, value: string) => setWords((current) => current.map((word, i) => (i === index ? value : word)))

  const onPaste = (index: number, event: ClipboardEvent<HTMLInputElement>) => {
    const pasted = event.clipboardData.getData('text').trim().toLowerCase().split(/\s+/)
    if (pasted.length < 2) return
    event.preventDefault()
    setWords((current) => current.map((word, i) => (i >= index && i - index < pasted.length ? (pasted[i - index] ?? '') : word)))
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!preview || newPasswordProblem(password)) return
    await restore(phrase, password.password)
  }

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="restore-title">
      <h2 id="restore-title">{t('onboarding.restore.title')}</h2>
      <p className="muted">{t('onboarding.restore.body')}</p>
      <ol className="word-grid">
        {words.map((word, index) => {
          const clean = word.trim().toLowerCase()
          const invalid = clean !== '' && !KNOWN.has(clean) && !(index === focused && wordlist.some((w) => w.startsWith(clean)))
          return (
            <li key={index}>
              <label>
                <span className="word-number">{index + 1}</span>
                <input
                  aria-label={t('onboarding.restore.word', { index: index + 1 })}
                  aria-invalid={invalid}
                  autoComplete="off"
                  autoCapitalize="off"
                  spellCheck={false}
                  value={word}
                  onFocus={() => setFocused(index)}
                  onChange={(event) => setWord(index, event.target.value)}
                  onPaste={(event) => onPaste(index, event)}
                />
              </label>
              {invalid && <span className="field-hint">{t('onboarding.restore.unknownWord')}</span>}
            </li>
          )
        })}
      </ol>
      {suggestions.length > 0 && (
        <div className="suggestions" role="listbox" aria-label="Suggestions">
          {suggestions.map((suggestion) => (
            <button
              key={suggestion}
              type="button"
              role="option"
              aria-selected={false}
              className="button small"
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => setWord(focused, suggestion)}
            >
              {suggestion}
            </button>
          ))}
        </div>
      )}
      {problem && (
        <p className="banner banner-error" role="alert">
          {problem}
        </p>
      )}
      {preview && (
        <div className="identity-preview" data-testid="restore-preview">
          <span className="muted">{t('onboarding.restore.preview')}</span>
          <div className="identity-header">
            <Identicon icon={preview.identicon} size={48} />
            <div>
              <strong data-testid="preview-alias">{preview.alias}</strong>
              <code className="key-line">{preview.publicKey}</code>
            </div>
          </div>
        </div>
      )}
      {preview && <PasswordFields value={password} onChange={setPassword} />}
      <ErrorBanner error={error} />
      {busy && <Progress label={t('onboarding.restoring.progress')} />}
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy || !preview || newPasswordProblem(password) !== null}>
          {busy ? t('onboarding.restore.restoring') : t('onboarding.restore.submit')}
        </button>
        <button type="button" className="button ghost" onClick={onBack} disabled={busy}>
          {t('onboarding.back')}
        </button>
      </div>
    </form>
  )
}
