import type { Message } from '../../../../shared/api'
import { t } from '../../i18n/t'

type OwnStatus = Exclude<Message['status'], 'received'>

/** One small glyph per state, drawn in a 16-unit box with the text colour (tick marks as other messengers use). */
const PATHS: Record<OwnStatus, string> = {
  sending: 'M8 2.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11M8 5v3.2l2 1.3',
  waiting: 'M4.5 12.5h7a3 3 0 0 0 .4-6 4 4 0 0 0-7.6 1A2.5 2.5 0 0 0 4.5 12.5M3 3l10 10',
  sent: 'M3.5 8.5 6.5 11.5 12.5 4.5',
  delivered: 'M1.5 8.5 4.5 11.5 10.5 4.5M7 11.2l.3.3 6.2-7',
  'not-sent': 'M8 2.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11M8 5v3.5M8 10.8v.2'
}

/** A message's delivery state as a small icon beside its time, named by its tooltip and its aria-label. */
export function DeliveryIcon({ status, label: given }: { status: Message['status']; label?: string | undefined }) {
  if (status === 'received') return null
  const label = given ?? t(`message.status.${status}`)
  return (
    <span className={`delivery-icon ${status}`} role="img" aria-label={label} title={label} data-testid="delivery-state">
      <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <path d={PATHS[status]} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    </span>
  )
}
