import { t } from '../../i18n/t'
import { BlockedPeople } from './BlockedPeople'
import { NotificationSetting } from './NotificationSetting'
import { ThemeSetting } from './ThemeSetting'

export function SettingsPage() {
  return (
    <section className="stack" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <div className="card">
        <ThemeSetting />
      </div>
      <div className="card">
        <NotificationSetting />
      </div>
      <div className="card">
        <BlockedPeople />
      </div>
    </section>
  )
}
