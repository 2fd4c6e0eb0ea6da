import { type FormEvent, useState } from 'react'
import type { Account } from '../../../../shared/api'
import { formatDate } from '../../i18n/format'
import { t } from '../../i18n/t'
import { useSessionStore } from '../../store/session-store'
import { CopyButton } from '../../ui/CopyButton'
import { ErrorBanner } from '../../ui/ErrorBanner'
import { Identicon } from '../../ui/Identicon'
import { QrCode } from '../../ui/QrCode'

export function ProfilePage({ account }: { account: Account }) {
  const { lock, revealMnemonic, busy, error, setPhraseToBackUp } = useSessionStore()
  const [revealing, setRevealing] = useState(false)
  const [password, setPassword] = useState('')

  const reveal = async (event: FormEvent) => {
    event.preventDefault()
    const phrase = await revealMnemonic(account.id, password)
    setPassword('')
    if (phrase) {
      setRevealing(false)
      setPhraseToBackUp(phrase)
    }
  }

  return (
    <section className="stack profile" aria-labelledby="profile-title">
      <h2 id="profile-title" className="visually-hidden">
        {t('profile.title')}
      </h2>
      <div className="identity-header large">
        <Identicon icon={account.identicon} size={96} label={account.alias} />
        <div>
          <h1 data-testid="profile-name">{account.name}</h1>
          {account.name !== account.alias && (
            <p className="muted" data-testid="profile-alias">
              {account.alias}
            </p>
          )}
          {account.name === account.alias && <span className="visually-hidden" data-testid="profile-alias">{account.alias}</span>}
          <p className="muted small">{t('profile.created', { date: formatDate(account.createdAt, 'date') })}</p>
        </div>
      </div>

      <div className="card key-card">
        <div>
          <h3>{t('profile.chatKey')}</h3>
          <p className="muted small">{t('profile.chatKey.hint')}</p>
          <code className="key-line selectable" data-testid="chat-key">
            {account.publicKey}
          </code>
          <CopyButton text={account.publicKey} label={`${t('profile.copy')} ${t('profile.chatKey')}`} />
        </div>
        <QrCode text={account.publicKey} size={168} label={t('profile.qr')} />
      </div>

      <details className="card wallet-card">
        <summary>{t('profile.wallet')}</summary>
        <p className="muted small">{t('profile.wallet.hint')}</p>
        <code className="key-line selectable" data-testid="wallet-address">
          {account.address}
        </code>
        <CopyButton text={account.address} label={`${t('profile.copy')} ${t('profile.wallet')}`} />
      </details>

      {revealing ? (
        <form className="card stack" onSubmit={reveal}>
          <label htmlFor="reveal-password">{t('profile.reveal.password')}</label>
          <input id="reveal-password" type="password" autoComplete="current-password" autoFocus value={password} onChange={(event) => setPassword(event.target.value)} />
          <ErrorBanner error={error} />
          <div className="actions">
            <button type="submit" className="button primary" disabled={busy || !password}>
              {t('profile.reveal')}
            </button>
            <button type="button" className="button ghost" onClick={() => setRevealing(false)}>
              {t('profile.reveal.hide')}
            </button>
          </div>
        </form>
      ) : (
        <div className="actions">
          <button type="button" className="button" onClick={() => setRevealing(true)}>
            {t('profile.reveal')}
          </button>
          <button type="button" className="button" onClick={() => void lock()} disabled={busy}>
            {t('profile.lock')}
          </button>
        </div>
      )}
    </section>
  )
}
