import { type FormEvent, useEffect, useId, useState } from 'react'
import type { NetworkSettings, PeerInfo } from '../../../../shared/api'
import { formatDate, formatNumber } from '../../i18n/format'
import { t } from '../../i18n/t'
import { useAppStore } from '../../store/app-store'
import { useNetworkStore } from '../../store/network-store'
import { ErrorBanner } from '../../ui/ErrorBanner'
import { HistoryStatus } from './HistoryStatus'
import { parseEnodeLines } from './enode-lines'

type Field = keyof NetworkSettings
const FIELDS: Field[] = ['bootnodes', 'staticPeers', 'mailservers']

const toText = (settings: NetworkSettings): Record<Field, string> => ({
  bootnodes: settings.bootnodes.join('\n'),
  staticPeers: settings.staticPeers.join('\n'),
  mailservers: settings.mailservers.join('\n')
})

/** Where this account's node connects (checked line by line as typed), and who it is connected to now. */
export function NetworkPage() {
  const settings = useNetworkStore((s) => s.settings)
  const load = useNetworkStore((s) => s.load)
  const save = useNetworkStore((s) => s.save)
  const saving = useNetworkStore((s) => s.saving)
  const error = useNetworkStore((s) => s.error)
  /** What the person typed; until they type, the saved settings show. */
  const [edited, setEdited] = useState<Record<Field, string> | null>(null)
  const [saved, setSaved] = useState(false)
  const text = edited ?? (settings ? toText(settings) : null)

  useEffect(() => {
    void load()
  }, [load])

  const parsed = text && { bootnodes: parseEnodeLines(text.bootnodes), staticPeers: parseEnodeLines(text.staticPeers), mailservers: parseEnodeLines(text.mailservers) }
  const valid = parsed !== null && FIELDS.every((field) => parsed[field].invalid.length === 0)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!parsed || !valid) return
    setSaved(false)
    const ok = await save({ bootnodes: parsed.bootnodes.enodes, staticPeers: parsed.staticPeers.enodes, mailservers: parsed.mailservers.enodes })
    setSaved(ok)
  }

  return (
    <section className="stack" aria-labelledby="network-title">
      <h1 id="network-title">{t('network.title')}</h1>
      <HistoryStatus detailed />
      <form className="card stack" onSubmit={(event) => void submit(event)}>
        {FIELDS.map((field) => (
          <EnodeField
            key={field}
            field={field}
            value={text?.[field] ?? ''}
            invalid={parsed?.[field].invalid ?? []}
            disabled={!text}
            onChange={(value) => {
              setSaved(false)
              setEdited({ ...(text ?? { bootnodes: '', staticPeers: '', mailservers: '' }), [field]: value })
            }}
          />
        ))}
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={!valid || saving}>
            {t('network.save')}
          </button>
          {saved && (
            <span className="muted small" role="status" data-testid="network-saved">
              {t('network.saved')}
            </span>
          )}
        </div>
      </form>
      <Peers />
    </section>
  )
}

function EnodeField({ field, value, invalid, disabled, onChange }: { field: Field; value: string; invalid: number[]; disabled: boolean; onChange(value: string): void }) {
  const id = useId()
  return (
    <div className="fields">
      <label htmlFor={id}>{t(`network.${field}`)}</label>
      <p className="muted small" id={`${id}-hint`}>
        {t(`network.${field}.hint`)}
      </p>
      <textarea
        id={id}
        className="enode-input"
        rows={3}
        spellCheck={false}
        placeholder="enode://…@host:port"
        value={value}
        disabled={disabled}
        aria-invalid={invalid.length > 0}
        aria-describedby={`${id}-hint`}
        onChange={(event) => onChange(event.target.value)}
      />
      {invalid.length > 0 && (
        <p className="field-hint" role="alert" data-testid={`${field}-problem`}>
          {t('network.invalidLines', { lines: invalid.join(', ') })}
        </p>
      )}
    </div>
  )
}

/** How often the page asks for fresh traffic figures while it is open. */
const REFRESH_MS = 2_000

/** This node and its peers, with traffic and pool figures refreshed while the page is open. */
function Peers() {
  const node = useAppStore((s) => s.node)
  const refreshNode = useAppStore((s) => s.refreshNode)
  const peers = node?.peers ?? []
  useEffect(() => {
    const timer = setInterval(() => void refreshNode(), REFRESH_MS)
    return () => clearInterval(timer)
  }, [refreshNode])
  return (
    <div className="card stack">
      <div>
        <h3>{t('network.node')}</h3>
        <p className="muted small">{t('network.node.hint')}</p>
        <code className="selectable enode" data-testid="node-enode">
          {node?.enode ?? '—'}
        </code>
        <p className="muted small" data-testid="node-envelopes">
          {t('node.envelopes', { count: node?.envelopes ?? 0 })}
        </p>
      </div>
      <h3>{t('node.peers', { count: peers.length })}</h3>
      {peers.length === 0 ? (
        <p className="muted">{t('node.noPeers')}</p>
      ) : (
        <table className="peer-table" data-testid="peer-table">
          <thead>
            <tr>
              <th>{t('network.peer.address')}</th>
              <th>{t('network.peer.state')}</th>
              <th>{t('network.peer.pow')}</th>
              <th>{t('network.peer.traffic')}</th>
            </tr>
          </thead>
          <tbody>
            {peers.map((peer) => (
              <tr key={peer.id}>
                <td>
                  <code title={peer.id}>{peer.address}</code>
                </td>
                <td>{peerState(peer)}</td>
                <td data-testid="peer-pow">{pow.format(peer.powRequirement)}</td>
                <td className="muted small" data-testid="peer-traffic">{t('network.peer.bytes', { in: kib(peer.bytesIn), out: kib(peer.bytesOut) })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

function peerState(peer: PeerInfo): string {
  const traits = [t(`network.peer.${peer.direction}`), t('network.peer.since', { time: formatDate(peer.connectedAt, 'shortTime') })]
  if (peer.trusted) traits.push(t('network.peer.trusted'))
  if (peer.light) traits.push(t('network.peer.light'))
  return traits.join(' · ')
}

/** A peer's minimum PoW as geth and status-go print it: up to 6 significant digits (0.002, 0.2). */
const pow = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 6 })

function kib(bytes: number): string {
  return formatNumber(bytes / 1024, 1)
}
