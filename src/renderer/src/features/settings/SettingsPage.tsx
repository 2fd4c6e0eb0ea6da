import { t } from '../../i18n/t'
import { AboutSection } from './AboutSection'
import { DeleteAccount } from './DeleteAccount'
import { NotificationSetting } from './NotificationSetting'
import { PasswordSetting } from './PasswordSetting'
import { PrivacySetting } from './PrivacySetting'
import { ThemeSetting } from './ThemeSetting'

export function SettingsPage() {
  return (
    <section className="stack settings" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <div className="card">
        <ThemeSetting />
      </div>
      <div className="card">
        <NotificationSetting />
      </div>
      <div className="card">
        <PrivacySetting />
      </div>
      <div className="card">
        <PasswordSetting />
      </div>
      <div className="card danger-zone">
        <DeleteAccount />
      </div>
      <div className="card">
        <AboutSection />
      </div>
    </section>
  )
}
