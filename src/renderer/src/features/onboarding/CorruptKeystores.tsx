import { t } from '../../i18n/t'
import type { useSessionStore } from '../../store/session-store'

/** Names each keystore file that could not be read; such files are left exactly as they are. */
export function CorruptKeystores({ entries }: { entries: ReturnType<typeof useSessionStore.getState>['accounts'] }) {
  const corrupt = (entries ?? []).flatMap((entry) => (entry.status === 'corrupt' ? [entry] : []))
  if (corrupt.length === 0) return null
  return (
    <div role="alert" data-testid="corrupt-keystores">
      {corrupt.map((entry) => (
        <p key={entry.file} className="banner banner-error">
          {t('unlock.corrupt', { file: entry.file })}
        </p>
      ))}
    </div>
  )
}
