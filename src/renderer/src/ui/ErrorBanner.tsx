import type { ApiError } from '../../../shared/api/result'
import { errorText } from '../i18n/t'

export function ErrorBanner({ error }: { error: ApiError | null }) {
  if (!error) return null
  return (
    <p className="banner banner-error" role="alert" data-testid="error">
      {errorText(error)}
    </p>
  )
}
