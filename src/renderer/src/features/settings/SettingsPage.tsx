import { t } from '../../i18n/t'
import { ThemeSetting } from './ThemeSetting'

export function SettingsPage() {
  return (
    <section className="stack" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <div className="card">
        <ThemeSetting />
      </div>
    </section>
  )
}
