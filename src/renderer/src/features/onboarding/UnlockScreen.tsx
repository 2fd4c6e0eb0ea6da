import { type FormEvent, useState } from 'react'
import type { Account } from '../../../../shared/api'
import { t } from '../../i18n/t'
import { useSessionStore } from '../../store/session-store'
import { ErrorBanner } from '../../ui/ErrorBanner'
import { BrandMark } from '../../ui/BrandMark'
import { Identicon } from '../../ui/Identicon'
import { Progress } from '../../ui/Progress'
import { CorruptKeystores } from './CorruptKeystores'

export function UnlockScreen({ onOther }: { onOther(): void }) {
  const entries = useSessionStore((s) => s.accounts) ?? []
  const accounts = entries.flatMap((entry): Account[] => (entry.status === 'ok' ? [entry.account] : []))
  const [selected, setSelected] = useState(accounts[0]?.id ?? '')
  const [password, setPassword] = useState('')
  const { unlock, busy, error } = useSessionStore()

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (await unlock(selected, password)) setPassword('')
  }

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="unlock-title">
      <div className="identity-header">
        <BrandMark size={40} />
        <h1 className="brand">{t('app.title')}</h1>
      </div>
      <h2 id="unlock-title">{t('unlock.title')}</h2>
      <CorruptKeystores entries={entries} />
      <fieldset className="account-choices">
        <legend className="muted">{t('unlock.choose')}</legend>
        {accounts.map((account) => (
          <label key={account.id} className={`account-choice${account.id === selected ? ' selected' : ''}`}>
            <input type="radio" name="account" value={account.id} checked={account.id === selected} onChange={() => setSelected(account.id)} />
            <Identicon icon={account.identicon} size={40} />
            <span className="account-names">
              <strong data-testid="account-name">{account.name}</strong>
              {account.name !== account.alias && <span className="muted">{account.alias}</span>}
            </span>
          </label>
        ))}
      </fieldset>
      <label htmlFor="unlock-password">{t('unlock.password')}</label>
      <input
        id="unlock-password"
        type="password"
        autoComplete="current-password"
        autoFocus
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      <ErrorBanner error={error} />
      {busy && <Progress label={t('unlock.progress')} />}
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy || !selected || !password}>
          {busy ? t('unlock.unlocking') : t('unlock.submit')}
        </button>
        <button type="button" className="button ghost" onClick={onOther}>
          {t('unlock.other')}
        </button>
      </div>
    </form>
  )
}
