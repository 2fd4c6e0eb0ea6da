import { useEffect, useState } from 'react'
import type { Account } from '../../../../shared/api'
import { t } from '../../i18n/t'
import { useAppStore } from '../../store/app-store'
import { useChatStore } from '../../store/chat-store'
import { useContactStore } from '../../store/contact-store'
import { useNetworkStore } from '../../store/network-store'
import { useSessionStore } from '../../store/session-store'
import { ErrorBanner } from '../../ui/ErrorBanner'
import { ErrorBoundary } from '../../ui/ErrorBoundary'
import { Identicon } from '../../ui/Identicon'
import { ChatList } from '../chats/ChatList'
import { Conversation } from '../chats/Conversation'
import { JoinPublicDialog } from '../chats/JoinPublicDialog'
import { StartChatDialog } from '../chats/StartChatDialog'
import { CreateGroupDialog } from '../groups/CreateGroupDialog'
import { ContactPage } from '../contacts/ContactPage'
import { NetworkPage } from '../network/NetworkPage'
import { BackupPhrase } from '../onboarding/BackupPhrase'
import { Onboarding } from '../onboarding/Onboarding'
import { ProfilePage } from '../profile/ProfilePage'
import { SettingsPage } from '../settings/SettingsPage'
import { StatusBar } from './StatusBar'
import { useTheme } from './use-theme'

export function App() {
  const loadApp = useAppStore((s) => s.load)
  const appError = useAppStore((s) => s.error)
  const connection = useAppStore((s) => s.connection)
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
          <BackupPhrase phrase={phrase} onDone={() => setPhraseToBackUp(null)} />
        </div>
      </div>
    )
  else content = <Home account={current} />

  return (
    <div className="shell">
      {connection === 'reconnecting' && (
        <div className="banner banner-warning" role="alert">
          {t('connection.lost')}
        </div>
      )}
      {connection === 'token-rejected' && (
        <div className="banner banner-error" role="alert" data-testid="token-rejected">
          {t('connection.newToken')}
        </div>
      )}
      <ErrorBanner error={appError} />
      <div className="shell-body">{content}</div>
      <StatusBar />
    </div>
  )
}

/** What replaces the whole page when the app itself failed to render: a way out, and nothing else. */
export function AppFailure() {
  return (
    <div className="centered unshowable-page" role="alert" data-testid="app-unshowable">
      <p>{t('app.unshowable')}</p>
      <button type="button" className="button" onClick={() => window.location.reload()}>
        {t('app.reload')}
      </button>
    </div>
  )
}

/** What the main area shows when no chat is open. */
type Page = 'profile' | 'network' | 'settings'
const NAV: Page[] = ['profile', 'network', 'settings']

function Home({ account }: { account: Account }) {
  const openAccount = useChatStore((s) => s.openAccount)
  const closeAccount = useChatStore((s) => s.closeAccount)
  const activeChatId = useChatStore((s) => s.activeChatId)
  const selectChat = useChatStore((s) => s.selectChat)
  const chatError = useChatStore((s) => s.error)
  const clearChatError = useChatStore((s) => s.clearError)
  const resetNetwork = useNetworkStore((s) => s.reset)
  const startContacts = useContactStore((s) => s.start)
  const resetContacts = useContactStore((s) => s.reset)
  const contactKey = useContactStore((s) => s.openKey)
  const openContact = useContactStore((s) => s.open)
  const [page, setPage] = useState<Page>('profile')
  const [dialog, setDialog] = useState<'join' | 'start' | 'group' | null>(null)

  useEffect(() => {
    openAccount(account.id)
    const stopContacts = startContacts()
    return () => {
      stopContacts()
      resetContacts()
      closeAccount()
      resetNetwork()
    }
  }, [account.id, openAccount, closeAccount, resetNetwork, startContacts, resetContacts])
  const go = (next: Page) => {
    openContact(null)
    void selectChat(null)
    setPage(next)
  }

  return (
    <div className="home">
      <nav className="sidebar" aria-label="Main">
        <button type="button" className="sidebar-identity" onClick={() => go('profile')}>
          <Identicon icon={account.identicon} size={32} />
          <strong className="ellipsis">{account.name}</strong>
        </button>
        <div className="chat-actions">
          <button type="button" className="button small" onClick={() => setDialog('join')}>
            {t('chats.join')}
          </button>
          <button type="button" className="button small" onClick={() => setDialog('start')}>
            {t('chats.start')}
          </button>
          <button type="button" className="button small" data-testid="new-group" onClick={() => setDialog('group')}>
            {t('groups.new')}
          </button>
        </div>
        <ErrorBoundary
          name="The chat list"
          fallback={
            <p className="chat-list muted small" data-testid="chat-list-unshowable">
              {t('chats.unshowable')}
            </p>
          }
        >
          <ChatList
            activeChatId={activeChatId}
            onSelect={(chatId) => {
              openContact(null)
              void selectChat(chatId)
            }}
          />
        </ErrorBoundary>
        <div className="sidebar-nav">
          {NAV.map((item) => (
            <button
              key={item}
              type="button"
              className={`nav-item${!activeChatId && page === item ? ' active' : ''}`}
              aria-current={!activeChatId && page === item ? 'page' : undefined}
              onClick={() => go(item)}
            >
              {t(`${item}.title`)}
            </button>
          ))}
        </div>
      </nav>
      {contactKey ? (
        <main className="content">
          <ContactPage key={contactKey} publicKey={contactKey} onBack={() => openContact(null)} />
        </main>
      ) : activeChatId ? (
        <main className="content conversation-page">
          <ErrorBanner error={chatError} onDismiss={clearChatError} />
          <ErrorBoundary
            key={activeChatId}
            name="The conversation"
            fallback={
              <p className="unshowable-page muted" data-testid="conversation-unshowable">
                {t('conversation.unshowable')}
              </p>
            }
          >
            <Conversation chatId={activeChatId} />
          </ErrorBoundary>
        </main>
      ) : (
        <main className="content">
          <BackupReminder backedUp={account.backedUp} onBackUp={() => go('profile')} />
          <ErrorBanner error={chatError} onDismiss={clearChatError} />
          {page === 'network' ? <NetworkPage /> : page === 'settings' ? <SettingsPage /> : <ProfilePage account={account} />}
        </main>
      )}
      {dialog === 'join' && <JoinPublicDialog onClose={() => setDialog(null)} />}
      {dialog === 'start' && <StartChatDialog onClose={() => setDialog(null)} />}
      {dialog === 'group' && <CreateGroupDialog onClose={() => setDialog(null)} />}
    </div>
  )
}

function BackupReminder({ backedUp, onBackUp }: { backedUp: boolean; onBackUp(): void }) {
  if (backedUp) return null
  return (
    <div className="banner banner-warning inline" role="status" data-testid="backup-reminder">
      <span>{t('onboarding.backup.reminder')}</span>
      <button type="button" className="button small" onClick={onBackUp}>
        {t('onboarding.backup.reminder.action')}
      </button>
    </div>
  )
}
