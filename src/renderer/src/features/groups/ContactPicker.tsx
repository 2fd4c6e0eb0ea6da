import type { Contact } from '../../../../shared/api'
import { t } from '../../i18n/t'
import { Identicon } from '../../ui/Identicon'
import { LookalikeMark, VerifiedBadge } from '../../ui/TrustMarks'

/** Contacts to tick for a group, each shown as everywhere else (identicon, chosen name beside the alias, trust marks). */
export function ContactPicker({ contacts, chosen, max, onChange }: { contacts: Contact[]; chosen: string[]; max: number; onChange(next: string[]): void }) {
  return (
    <ul className="contact-picker" data-testid="contact-picker">
      {contacts.map((contact) => {
        const checked = chosen.includes(contact.publicKey)
        return (
          <li key={contact.publicKey}>
            <label className="contact-pick">
              <input
                type="checkbox"
                checked={checked}
                disabled={!checked && chosen.length >= max}
                data-testid="contact-pick"
                data-key={contact.publicKey}
                onChange={() => onChange(checked ? chosen.filter((k) => k !== contact.publicKey) : [...chosen, contact.publicKey])}
              />
              <Identicon icon={contact.identicon} size={28} label={contact.alias} />
              <span className="name-with-badge">
                {contact.displayName && <span className="chosen-name">{contact.displayName}</span>}
                <strong>{contact.alias}</strong>
                {contact.verified && <VerifiedBadge />}
                {contact.resembles.length > 0 && <LookalikeMark label={t('contact.lookalike.mark')} />}
              </span>
            </label>
          </li>
        )
      })}
    </ul>
  )
}
