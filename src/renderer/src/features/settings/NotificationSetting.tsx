import { useEffect } from 'react'
import { t } from '../../i18n/t'
import { useNotificationStore } from '../../store/notifications'

/** Desktop notifications for chats that are not open. Permission is asked only when the person turns them on here. */
export function NotificationSetting() {
  const enabled = useNotificationStore((s) => s.enabled)
  const permission = useNotificationStore((s) => s.permission)
  const load = useNotificationStore((s) => s.load)
  const setEnabled = useNotificationStore((s) => s.setEnabled)
  useEffect(() => {
    void load()
  }, [load])
  return (
    <fieldset className="checks">
      <legend>{t('settings.notifications')}</legend>
      <label className="check">
        <input type="checkbox" checked={enabled} disabled={permission === 'unsupported'} onChange={(event) => void setEnabled(event.target.checked)} />
        {t('settings.notifications.enabled')}
      </label>
      {permission === 'denied' && <p className="field-hint">{t('settings.notifications.denied')}</p>}
      {permission === 'unsupported' && <p className="muted small">{t('settings.notifications.unsupported')}</p>}
    </fieldset>
  )
}
