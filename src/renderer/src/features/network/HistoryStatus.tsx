import { formatDate } from '../../i18n/format'
import { t } from '../../i18n/t'
import { useNetworkStore } from '../../store/network-store'

/** The mailserver history state and the "fetch history" action, in the status bar and on the network page. */
export function HistoryStatus({ detailed = false }: { detailed?: boolean }) {
  const history = useNetworkStore((s) => s.history)
  const noMailserver = useNetworkStore((s) => s.noMailserver)
  const requestHistory = useNetworkStore((s) => s.requestHistory)
  let text: string
  if (noMailserver) text = t('history.noMailserver')
  else if (history.state === 'fetching') text = t('history.fetching')
  else if (history.state === 'failed') text = t(`history.failed.${history.failure ?? 'OTHER'}`)
  else if (history.state === 'done')
    text = history.syncedUntil ? t('history.syncedUntil', { time: formatDate(history.syncedUntil * 1000, 'dateTime') }) : t('history.synced')
  else text = t('history.idle')
  return (
    <div className={`history-status${detailed ? ' card' : ''}`} data-testid="history-status">
      <span className={`status-dot history-${history.state}`} aria-hidden="true" />
      <span role="status" data-testid="history-state">
        {text}
      </span>
      {history.gap && detailed && <span className="muted small">{t('history.gapShort')}</span>}
      <button type="button" className="button small" disabled={history.state === 'fetching'} onClick={() => void requestHistory()}>
        {t('history.fetch')}
      </button>
    </div>
  )
}
