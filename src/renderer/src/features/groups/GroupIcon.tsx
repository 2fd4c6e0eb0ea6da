import { t } from '../../i18n/t'

/** The mark of a private group wherever a 1:1 chat shows an identicon and a public chat its "#". */
export function GroupIcon({ size = 36 }: { size?: number }) {
  return (
    <span className="chat-hash group-icon" role="img" aria-label={t('groups.icon')} title={t('groups.icon')} data-testid="group-icon" style={{ width: size, height: size }}>
      <svg viewBox="0 0 24 24" width={size * 0.55} height={size * 0.55} aria-hidden="true">
        <circle cx="9" cy="8" r="3.2" fill="currentColor" />
        <circle cx="16.5" cy="9" r="2.6" fill="currentColor" opacity="0.7" />
        <path d="M2.5 19c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6Z" fill="currentColor" />
        <path d="M14.2 13.4c.7-.3 1.5-.4 2.3-.4 2.9 0 5 2 5 5h-5.1c-.2-1.8-1-3.4-2.2-4.6Z" fill="currentColor" opacity="0.7" />
      </svg>
    </span>
  )
}
