import { formatDate } from '../../i18n/format'
import { t } from '../../i18n/t'
import { useContactStore } from '../../store/contact-store'
import { useSocialStore } from '../../store/social-store'
import { Identicon } from '../../ui/Identicon'

/** Everyone this account blocked, each with a way back. */
export function BlockedPeople() {
  const blocked = useSocialStore((s) => s.blocked)
  const unblock = useSocialStore((s) => s.unblock)
  const openContact = useContactStore((s) => s.open)
  return (
    <div className="stack" data-testid="blocked-people">
      <h2>{t('blocked.title')}</h2>
      {blocked.length === 0 ? (
        <p className="muted small">{t('blocked.none')}</p>
      ) : (
        <ul className="blocked-list">
          {blocked.map((person) => (
            <li key={person.publicKey} className="blocked-row" data-testid="blocked-row">
              <button type="button" className="identicon-button" aria-label={t('contact.open')} onClick={() => openContact(person.publicKey)}>
                <Identicon icon={person.identicon} size={32} label={person.alias} />
              </button>
              <span className="blocked-who">
                <strong>{person.displayName ?? person.alias}</strong>
                <span className="muted small">{t('blocked.since', { date: formatDate(person.blockedAt, 'date') })}</span>
              </span>
              <button type="button" className="button small" onClick={() => void unblock(person.publicKey)}>
                {t('contact.unblock')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
