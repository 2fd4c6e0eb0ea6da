import { useState } from 'react'
import { t } from '../../i18n/t'
import { useAppStore } from '../../store/app-store'
import { useSessionStore } from '../../store/session-store'
import { HistoryStatus } from '../network/HistoryStatus'

/**
 * Always on screen: network state, peer count and pool size, with the peer list one click away; once an
 * account is unlocked, also its mailserver history state.
 */
export function StatusBar() {
  const node = useAppStore((s) => s.node)
  const info = useAppStore((s) => s.info)
  const unlocked = useSessionStore((s) => s.current !== null)
  const [open, setOpen] = useState(false)
  if (!node) return <footer className="status-bar" />
  const peers = node.peers.length
  return (
    <footer className="status-bar" data-testid="status-bar">
      <div className="status-row">
        <button type="button" className="status-toggle" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="node-toggle">
          <span className={`status-dot status-${node.state}`} aria-hidden="true" />
          <span data-testid="node-state">{t(`node.state.${node.state}`)}</span>
          <span className="muted" data-testid="peer-count">
            {t('node.peers', { count: peers })}
          </span>
          <span className="muted">{t('node.envelopes', { count: node.envelopes })}</span>
          {info && (
            <span className="muted push-right" data-testid="app-info">
              {t('about.version', { version: info.version, runtime: info.runtime })}
            </span>
          )}
        </button>
        {unlocked && <HistoryStatus />}
      </div>
      {open && (
        <div className="status-details">
          <p>
            <strong>{t('node.enode')}</strong> <code className="selectable">{node.enode ?? '—'}</code>
          </p>
          <h3>{t('node.peerList')}</h3>
          {peers === 0 ? (
            <p className="muted">{t('node.noPeers')}</p>
          ) : (
            <ul className="peer-list">
              {node.peers.map((peer) => (
                <li key={peer.id}>
                  <code>{peer.id.slice(0, 12)}…</code> {peer.address} · {peer.direction}
                  {peer.light ? ' · light' : ''}
                  {peer.trusted ? ' · trusted' : ''}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </footer>
  )
}
