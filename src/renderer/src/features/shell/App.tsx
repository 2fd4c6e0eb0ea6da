import { useLiveQuery } from 'dexie-react-hooks'
import { useEffect, useState } from 'react'
import type { Account } from '../../../../shared/api'
import { appDb } from '../../db/app-db'
import { t } from '../../i18n/t'
import { useAppStore } from '../../store/app-store'
import { useSessionStore } from '../../store/session-store'
import { ErrorBanner } from '../../ui/ErrorBanner'
import { Identicon } from '../../ui/Identicon'
import { BackupPhrase } from '../onboarding/BackupPhrase'
import { Onboarding } from '../onboarding/Onboarding'
import { ProfilePage } from '../profile/ProfilePage'
import { SettingsPage } from '../settings/SettingsPage'
import { StatusBar } from './StatusBar'
import { useTheme } from './use-theme'

export function App() {
  const loadApp = useAppStore((s) => s.load)
  const appError = useAppStore((s) => s.error)
  const connected = useAppStore((s) => s.connected)
  const refreshSession = useSessionStore((s) => s.refresh)
  const accounts = useSessionStore((s) => s.accounts)
  const current = useSessionStore((s) => s.current)
  const phrase = useSessionStore((s) => s.phraseToBackUp)
  const setPhraseToBackUp = useSessionStore((s) => s.setPhraseToBackUp)
  useTheme()

  useEffect(() => {
    void loadApp()
    void refreshSession()
  }, [loadApp, refreshSession])

  let content
  if (accounts === null) content = <p className="centered muted">{t('app.loading')}</p>
  else if (!current) content = <Onboarding />
  else if (phrase)
    content = (
      <div className="onboarding">
        <div className="onboarding-panel">
          <BackupPhrase phrase={phrase} accountId={current.id} onDone={() => setPhraseToBackUp(null)} />
        </div>
      </div>
    )
  else content = <Home account={current} />

  return (
    <div className="shell">
      {!connected && (
        <div className="banner banner-warning" role="alert">
          {t('connection.lost')}
        </div>
      )}
      <ErrorBanner error={appError} />
      <div className="shell-body">{content}</div>
      <StatusBar />
    </div>
  )
}

type Page = 'profile' | 'settings'

function Home({ account }: { account: Account }) {
  const [page, setPage] = useState<Page>('profile')
  return (
    <div className="home">
      <nav className="sidebar" aria-label="Main">
        <div className="sidebar-identity">
          <Identicon icon={account.identicon} size={32} />
          <strong className="ellipsis">{account.name}</strong>
        </div>
        {(['profile', 'settings'] as const).map((item) => (
          <button
            key={item}
            type="button"
            className={`nav-item${page === item ? ' active' : ''}`}
            aria-current={page === item ? 'page' : undefined}
            onClick={() => setPage(item)}
          >
            {t(`${item}.title`)}
          </button>
        ))}
      </nav>
      <main className="content">
        <BackupReminder accountId={account.id} onBackUp={() => setPage('profile')} />
        {page === 'profile' ? <ProfilePage account={account} /> : <SettingsPage />}
      </main>
    </div>
  )
}

function BackupReminder({ accountId, onBackUp }: { accountId: string; onBackUp(): void }) {
  const backup = useLiveQuery(() => appDb.backups.get(accountId), [accountId], null)
  if (backup === null || backup?.confirmed) return null
  return (
    <div className="banner banner-warning inline" role="status" data-testid="backup-reminder">
      <span>{t('onboarding.backup.reminder')}</span>
      <button type="button" className="button small" onClick={onBackUp}>
        {t('onboarding.backup.reminder.action')}
      </button>
    </div>
  )
}
