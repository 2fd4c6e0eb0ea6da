import { useId } from 'react'
import { t } from '../i18n/t'

export const MIN_PASSWORD_LENGTH = 6

export interface NewPassword {
  password: string
  confirm: string
}

/** The problem with a new password, or null when it can be used. */
export function newPasswordProblem({ password, confirm }: NewPassword): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return t('onboarding.password.tooShort', { min: MIN_PASSWORD_LENGTH })
  if (password !== confirm) return t('onboarding.password.mismatch')
  return null
}

export function PasswordFields({
  value,
  onChange,
  labels = { password: t('onboarding.password.label'), confirm: t('onboarding.password.confirm') }
}: {
  value: NewPassword
  onChange(value: NewPassword): void
  labels?: { password: string; confirm: string }
}) {
  const id = useId()
  const problem = value.password || value.confirm ? newPasswordProblem(value) : null
  return (
    <div className="fields">
      <label htmlFor={`${id}-pw`}>{labels.password}</label>
      <input
        id={`${id}-pw`}
        type="password"
        autoComplete="new-password"
        value={value.password}
        onChange={(event) => onChange({ ...value, password: event.target.value })}
      />
      <label htmlFor={`${id}-confirm`}>{labels.confirm}</label>
      <input
        id={`${id}-confirm`}
        type="password"
        autoComplete="new-password"
        value={value.confirm}
        onChange={(event) => onChange({ ...value, confirm: event.target.value })}
      />
      {problem && value.confirm && (
        <p className="field-hint" role="status">
          {problem}
        </p>
      )}
    </div>
  )
}
