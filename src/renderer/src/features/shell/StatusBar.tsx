import { useState } from 'react'
import { t } from '../../i18n/t'
import { useAppStore } from '../../store/app-store'
import { useNetworkStore } from '../../store/network-store'
import { useSessionStore } from '../../store/session-store'
import { summarizeStatus } from './status-summary'

/**
 * Always on screen: one plain line about the network (see summarizeStatus), this node's address and its
 * peers one click away, and a failed history fetch with a way to retry. Pool sizes, PoW and traffic live on
 * the Network page.
 */
export function StatusBar() {
  const node = useAppStore((s) => s.node)
  const connection = useAppStore((s) => s.connection)
  const info = useAppStore((s) => s.info)
  const unlocked = useSessionStore((s) => s.current !== null)
  const history = useNetworkStore((s) => s.history)
  const requestHistory = useNetworkStore((s) => s.requestHistory)
  const [open, setOpen] = useState(false)
  const summary = summarizeStatus({ connection, node, history: unlocked ? history : null })
  const historyFailed = unlocked && connection === 'connected' && history.state === 'failed'
  return (
    <footer className="status-bar" data-testid="status-bar">
      <div className="status-row">
        <button type="button" className="status-toggle" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="node-toggle">
          <span className={`status-dot tone-${summary.tone}`} aria-hidden="true" />
          <span role="status" data-testid="node-state" data-tone={summary.tone} data-peers={node?.peers.length ?? 0}>
            {t(summary.key, summary.params)}
          </span>
          {info && (
            <span className="muted push-right" data-testid="app-info">
              {t('about.version', { version: info.version, runtime: info.runtime })}
            </span>
          )}
        </button>
        {historyFailed && (
          <div className="history-status" data-testid="history-status">
            <span className="status-dot tone-warn" aria-hidden="true" />
            <span>{t('history.failed')}</span>
            <button type="button" className="button small" onClick={() => void requestHistory()}>
              {t('history.retry')}
            </button>
          </div>
        )}
      </div>
      {open && node && (
        <div className="status-details">
          <p>
            <strong>{t('node.enode')}</strong> <code className="selectable">{node.enode ?? '—'}</code>
          </p>
          <h3>{t('node.peers', { count: node.peers.length })}</h3>
          {node.peers.length === 0 ? (
            <p className="muted">{t('node.noPeers')}</p>
          ) : (
            <ul className="peer-list">
              {node.peers.map((peer) => (
                <li key={peer.id}>
                  {peer.address} · {t(`network.peer.${peer.direction}`)}
                  {peer.trusted ? ` · ${t('network.peer.trusted')}` : ''}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </footer>
  )
}
