import { useEffect, useState } from 'react'
import type { Contact } from '../../../../shared/api'
import { formatDate } from '../../i18n/format'
import { errorText, t } from '../../i18n/t'
import { useContact, useContactStore } from '../../store/contact-store'
import { CopyButton } from '../../ui/CopyButton'
import { Identicon } from '../../ui/Identicon'
import { QrCode } from '../../ui/QrCode'
import { VerifiedBadge } from '../../ui/TrustMarks'
import { ContactActions, ContactBlockCard } from './ContactActions'
import { ImpersonationWarning } from './ImpersonationWarning'
import { SafetyNumberDialog } from './SafetyNumberDialog'

/**
 * Everything about one person: who the key says they are, the name they chose, their devices, and
 * whether we verified them. Works for anyone met, including public-chat authors without a record.
 */
export function ContactPage({ publicKey, onBack }: { publicKey: string; onBack(): void }) {
  const stored = useContact(publicKey)
  const load = useContactStore((s) => s.load)
  const open = useContactStore((s) => s.open)
  const [fetched, setFetched] = useState<Contact | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [safety, setSafety] = useState(false)

  useEffect(() => {
    if (stored) return
    let live = true
    void load(publicKey).then((result) => {
      if (!live) return
      if (result.ok) setFetched(result.value)
      else setProblem(errorText(result.error))
    })
    return () => {
      live = false
    }
  }, [publicKey, stored, load])

  const contact = stored ?? (fetched?.publicKey === publicKey ? fetched : null)
  return (
    <section className="stack contact-page" aria-labelledby="contact-title" data-testid="contact-page">
      <div>
        <button type="button" className="button small ghost back-button" onClick={onBack}>
          <span aria-hidden="true">←</span> {t('contact.back')}
        </button>
      </div>
      {problem && (
        <p className="field-hint" role="alert">
          {problem}
        </p>
      )}
      {contact && (
        <>
          <div className="identity-header large">
            <Identicon icon={contact.identicon} size={96} label={contact.alias} />
            <div>
              <h1 id="contact-title" className="name-with-badge">
                <span data-testid="contact-name">{contact.displayName ?? contact.alias}</span>
                {contact.verified && <VerifiedBadge />}
              </h1>
              {contact.displayName && (
                <p className="muted" data-testid="contact-alias">
                  {contact.alias}
                </p>
              )}
              <p className="muted small">{contact.verified ? t('contact.verifiedOn', { date: formatDate(contact.verifiedAt, 'date') }) : t('contact.notVerified')}</p>
            </div>
          </div>
          <ImpersonationWarning contact={contact} onOpenContact={open} />
          <ContactActions contact={contact} />

          <div className="card stack" data-testid="contact-verification">
            <h3>{t('contact.verification')}</h3>
            <p className="muted small">{t('contact.verification.body')}</p>
            <div className="actions">
              <button type="button" className="button primary" onClick={() => setSafety(true)}>
                {t('contact.safetyNumber')}
              </button>
            </div>
          </div>

          <div className="card key-card">
            <div>
              <h3>{t('profile.chatKey')}</h3>
              <code className="key-line selectable" data-testid="contact-key">
                {contact.publicKey}
              </code>
              <CopyButton text={contact.publicKey} label={`${t('profile.copy')} ${t('profile.chatKey')}`} />
            </div>
            <QrCode text={contact.publicKey} size={148} label={t('contact.keyQr')} />
          </div>

          <div className="card">
            <h3>{t('contact.devices')}</h3>
            {contact.devices.length === 0 ? (
              <p className="muted small">{t('contact.devices.none')}</p>
            ) : (
              <ul className="device-list" data-testid="contact-devices">
                {contact.devices.map((device) => (
                  <li key={device.installationId}>
                    <code title={device.installationId}>{device.installationId.slice(0, 8)}</code>
                    <span className="muted small">{t('contact.devices.firstSeen', { date: formatDate(device.firstSeen, 'dateTime') })}</span>
                    {contact.newDevices.some((d) => d.installationId === device.installationId) && <span className="badge">{t('contact.devices.new')}</span>}
                  </li>
                ))}
              </ul>
            )}
          </div>
          <ContactBlockCard contact={contact} />
          {safety && <SafetyNumberDialog contact={contact} onClose={() => setSafety(false)} />}
        </>
      )}
    </section>
  )
}
