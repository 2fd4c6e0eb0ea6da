import { t } from '../../i18n/t'
import { useNotificationStore } from '../../store/notifications'

/** What a notification may show on screen: by default only who wrote, never what they wrote. */
export function PrivacySetting() {
  const showContent = useNotificationStore((s) => s.showContent)
  const setShowContent = useNotificationStore((s) => s.setShowContent)
  return (
    <fieldset className="checks">
      <legend>{t('settings.privacy')}</legend>
      <label className="check">
        <input type="checkbox" checked={!showContent} onChange={(event) => void setShowContent(!event.target.checked)} />
        {t('settings.privacy.hideContent')}
      </label>
      <p className="muted small">{t('settings.privacy.body')}</p>
    </fieldset>
  )
}
