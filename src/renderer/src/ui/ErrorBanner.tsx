import type { ApiError } from '../../../shared/api/result'
import { errorText, t } from '../i18n/t'

export function ErrorBanner({ error, onDismiss }: { error: ApiError | null; onDismiss?: () => void }) {
  if (!error) return null
  return (
    <p className={`banner banner-error${onDismiss ? ' inline' : ''}`} role="alert" data-testid="error">
      <span>{errorText(error)}</span>
      {onDismiss && (
        <button type="button" className="button small ghost" onClick={onDismiss}>
          {t('dialog.dismiss')}
        </button>
      )}
    </p>
  )
}
