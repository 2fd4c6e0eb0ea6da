import { t } from '../../i18n/t'
import type { ThemePreference } from '../../db/app-db'
import { useAppStore } from '../../store/app-store'

const OPTIONS: ThemePreference[] = ['system', 'light', 'dark']

export function ThemeSetting() {
  const theme = useAppStore((s) => s.theme)
  const setTheme = useAppStore((s) => s.setTheme)
  return (
    <fieldset className="segmented">
      <legend>{t('settings.theme')}</legend>
      {OPTIONS.map((option) => (
        <label key={option} className={option === theme ? 'selected' : undefined}>
          <input
            type="radio"
            name="theme"
            value={option}
            checked={option === theme}
            onChange={() => void setTheme(option)}
          />
          {t(`settings.theme.${option}`)}
        </label>
      ))}
    </fieldset>
  )
}
