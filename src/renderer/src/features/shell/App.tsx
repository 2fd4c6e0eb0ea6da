import { useEffect } from 'react'
import { errorText, t } from '../../i18n/t'
import { useAppStore } from '../../store/app-store'
import { ThemeSetting } from '../settings/ThemeSetting'
import { StatusBar } from './StatusBar'
import { useTheme } from './use-theme'

export function App() {
  const load = useAppStore((s) => s.load)
  const info = useAppStore((s) => s.info)
  const error = useAppStore((s) => s.error)
  const connected = useAppStore((s) => s.connected)
  useTheme()

  useEffect(() => {
    void load()
  }, [load])

  return (
    <div className="shell">
      {!connected && (
        <div className="banner banner-warning" role="alert">
          {t('connection.lost')}
        </div>
      )}
      <main className="shell-main">
        <header className="shell-header">
          <h1>{t('app.title')}</h1>
          {info && (
            <p className="muted" data-testid="app-info">
              {t('about.version', { version: info.version, runtime: info.runtime })}
            </p>
          )}
        </header>
        {error && (
          <p className="banner banner-error" role="alert">
            {errorText(error)}
          </p>
        )}
        {!info && !error && <p className="muted">{t('app.loading')}</p>}
        <section className="card" aria-labelledby="settings-title">
          <h2 id="settings-title">{t('settings.title')}</h2>
          <ThemeSetting />
        </section>
      </main>
      <StatusBar />
    </div>
  )
}
