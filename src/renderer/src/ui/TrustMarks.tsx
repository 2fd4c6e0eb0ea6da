import { t } from '../i18n/t'

/** The mark of a contact whose safety number was checked; shown wherever the person appears. */
export function VerifiedBadge() {
  return (
    <span className="verified-badge" data-testid="verified-badge" role="img" aria-label={t('contact.verified')} title={t('contact.verified')}>
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
        <path d="M8 1 2.5 3.2v4.1C2.5 10.9 4.9 13.7 8 15c3.1-1.3 5.5-4.1 5.5-7.7V3.2L8 1Z" fill="currentColor" />
        <path d="m5.3 8.1 1.9 1.9 3.6-3.7" fill="none" stroke="var(--surface)" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    </span>
  )
}

/** A small warning sign next to a name that looks like a contact's name. */
export function LookalikeMark({ label }: { label: string }) {
  return (
    <span className="lookalike-mark" data-testid="lookalike-mark" role="img" aria-label={label} title={label}>
      !
    </span>
  )
}
