import { t } from '../i18n/t'

/**
 * The buttons that end a dialog or an inline form: the one that leaves (Cancel, or Close where there is
 * nothing to confirm) and, for a form, its submit button, last, at the dialog's right edge as desktop dialogs
 * (Signal's included) put them. `compact`: the small variant inside a page, left where the form's fields are.
 */
export function DialogActions({
  onCancel,
  leave = 'cancel',
  submit,
  compact = false
}: {
  onCancel(): void
  leave?: 'cancel' | 'close'
  submit?: { label: string; disabled?: boolean; testId?: string }
  compact?: boolean
}) {
  const size = compact ? ' small' : ''
  return (
    <div className={compact ? 'actions tight' : 'actions end'}>
      <button type="button" className={`button ghost${size}`} onClick={onCancel}>
        {t(leave === 'close' ? 'dialog.close' : 'dialog.cancel')}
      </button>
      {submit && (
        <button type="submit" className={`button primary${size}`} data-testid={submit.testId} disabled={submit.disabled}>
          {submit.label}
        </button>
      )}
    </div>
  )
}
