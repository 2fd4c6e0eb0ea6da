import { useState } from 'react'
import { t } from '../../i18n/t'
import { useSessionStore } from '../../store/session-store'
import { CorruptKeystores } from './CorruptKeystores'
import { CreateIdentity } from './CreateIdentity'
import { RestoreIdentity } from './RestoreIdentity'
import { BrandMark } from '../../ui/BrandMark'
import { UnlockScreen } from './UnlockScreen'

type Mode = 'unlock' | 'welcome' | 'create' | 'restore'

/** Everything before an identity is unlocked: choose one of this profile's identities, or make one. */
export function Onboarding() {
  const accounts = useSessionStore((s) => s.accounts) ?? []
  const hasAccounts = accounts.some((entry) => entry.status === 'ok')
  const [chosenMode, setMode] = useState<Mode>(hasAccounts ? 'unlock' : 'welcome')
  // With no identity left (the last one deleted), there is nothing to unlock.
  const mode = chosenMode === 'unlock' && !hasAccounts ? 'welcome' : chosenMode
  const clearError = useSessionStore((s) => s.clearError)
  const go = (next: Mode) => {
    clearError()
    setMode(next)
  }
  return (
    <div className={`onboarding${mode === 'welcome' ? ' centred' : ''}`}>
      <div className="onboarding-panel">
        {mode === 'unlock' && <UnlockScreen onOther={() => go('welcome')} />}
        {mode === 'welcome' && (
          <Welcome onCreate={() => go('create')} onRestore={() => go('restore')} onBack={hasAccounts ? () => go('unlock') : undefined} />
        )}
        {mode === 'create' && <CreateIdentity onBack={() => go('welcome')} />}
        {mode === 'restore' && <RestoreIdentity onBack={() => go('welcome')} />}
      </div>
    </div>
  )
}

function Welcome({ onCreate, onRestore, onBack }: { onCreate(): void; onRestore(): void; onBack?: () => void }) {
  const accounts = useSessionStore((s) => s.accounts) ?? []
  return (
    <section className="stack welcome" aria-labelledby="welcome-title">
      <BrandMark />
      <h1 className="brand">{t('app.title')}</h1>
      <h2 id="welcome-title">{t('onboarding.welcome.title')}</h2>
      <p className="muted">{t('onboarding.welcome.body')}</p>
      <CorruptKeystores entries={accounts} />
      <div className="actions">
        <button type="button" className="button primary" onClick={onCreate}>
          {t('onboarding.create')}
        </button>
        <button type="button" className="button" onClick={onRestore}>
          {t('onboarding.restore')}
        </button>
        {onBack && (
          <button type="button" className="button ghost" onClick={onBack}>
            {t('onboarding.back')}
          </button>
        )}
      </div>
    </section>
  )
}
