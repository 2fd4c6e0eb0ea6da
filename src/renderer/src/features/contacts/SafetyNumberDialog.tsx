import { useEffect, useState } from 'react'
import type { Contact, SafetyNumberView, ScanOutcome } from '../../../../shared/api'
import { formatDate } from '../../i18n/format'
import { errorText, t } from '../../i18n/t'
import { contactName, useContactStore } from '../../store/contact-store'
import { CopyButton } from '../../ui/CopyButton'
import { DialogActions } from '../../ui/DialogActions'
import { Dialog } from '../../ui/Dialog'
import { QrCode } from '../../ui/QrCode'
import { VerifiedBadge } from '../../ui/TrustMarks'
import { QrScan } from './QrScan'

/**
 * The safety number with one person: 12 groups of 5 digits both sides see alike, our QR code for them to
 * scan, theirs to scan here, and the single mark-as-verified toggle.
 */
export function SafetyNumberDialog({ contact, onClose }: { contact: Contact; onClose(): void }) {
  const loadNumber = useContactStore((s) => s.safetyNumber)
  const setVerified = useContactStore((s) => s.setVerified)
  const verifyScan = useContactStore((s) => s.verifyScan)
  const [number, setNumber] = useState<SafetyNumberView | null>(null)
  const [outcome, setOutcome] = useState<ScanOutcome | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const name = contactName(contact)

  useEffect(() => {
    let live = true
    void loadNumber(contact.publicKey).then((result) => {
      if (!live) return
      if (result.ok) setNumber(result.value)
      else setProblem(errorText(result.error))
    })
    return () => {
      live = false
    }
  }, [contact.publicKey, loadNumber])

  const toggle = async () => {
    setBusy(true)
    setOutcome(null)
    const error = await setVerified(contact.publicKey, !contact.verified)
    setBusy(false)
    setProblem(error ? errorText(error) : null)
  }

  const scanned = async (text: string) => {
    setBusy(true)
    const result = await verifyScan(contact.publicKey, text)
    setBusy(false)
    if (result.ok) setOutcome(result.value)
    else setProblem(errorText(result.error))
  }

  return (
    <Dialog title={t('safety.title', { name })} onClose={onClose} testId="safety-number-dialog">
      <div className="stack safety">
        <p className="muted small">{t('safety.body', { name })}</p>
        {number ? (
          <div className="safety-number-row">
            <div>
              <ol className="safety-number" data-testid="safety-number" aria-label={t('safety.number')}>
                {number.groups.map((group, index) => (
                  <li key={index}>{group}</li>
                ))}
              </ol>
              <CopyButton text={number.groups.join(' ')} label={`${t('profile.copy')} ${t('safety.number')}`} />
            </div>
            <div className="verification-qr" data-testid="verification-qr">
              <QrCode text={number.qrPayload} size={176} label={t('safety.qr')} />
            </div>
          </div>
        ) : (
          !problem && <p className="muted">{t('safety.computing')}</p>
        )}
        <div className="safety-state">
          {contact.verified ? (
            <p className="verified-line" data-testid="verification-state">
              <VerifiedBadge /> {t('contact.verifiedOn', { date: formatDate(contact.verifiedAt, 'date') })}
            </p>
          ) : (
            <p className="muted" data-testid="verification-state">
              {t('contact.notVerified')}
            </p>
          )}
          <button type="button" className={`button${contact.verified ? '' : ' primary'}`} disabled={busy} onClick={() => void toggle()}>
            {contact.verified ? t('safety.clear') : t('safety.mark')}
          </button>
        </div>
        <h3 className="safety-scan-title">{t('safety.scan.title')}</h3>
        <p className="muted small">{t('safety.scan.body', { name })}</p>
        <QrScan disabled={busy} onText={(text) => void scanned(text)} />
        {outcome === 'match' && (
          <p className="banner banner-ok inline" role="status" data-testid="scan-outcome" data-outcome="match">
            {t('safety.scan.match', { name })}
          </p>
        )}
        {outcome === 'mismatch' && (
          <p className="banner banner-error inline" role="alert" data-testid="scan-outcome" data-outcome="mismatch">
            {t('safety.scan.mismatch', { name })}
          </p>
        )}
        {outcome === 'invalid' && (
          <p className="banner banner-warning inline" role="alert" data-testid="scan-outcome" data-outcome="invalid">
            {t('safety.scan.invalid')}
          </p>
        )}
        {problem && (
          <p className="field-hint" role="alert">
            {problem}
          </p>
        )}
        <DialogActions leave="close" onCancel={onClose} />
      </div>
    </Dialog>
  )
}
