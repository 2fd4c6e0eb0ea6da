import type { Contact } from '../../../../shared/api'
import { t } from '../../i18n/t'
import { contactName } from '../../store/contact-store'

/**
 * Says plainly that this key's name looks like a contact's, and which contact, before anyone trusts
 * the name. Not dismissible: the resemblance stays true until the person verifies this key.
 */
export function ImpersonationWarning({ contact, onOpenContact }: { contact: Pick<Contact, 'resembles'>; onOpenContact?(publicKey: string): void }) {
  const [first] = contact.resembles
  if (!first) return null
  const name = first.displayName ? `${first.displayName} (${first.alias})` : first.alias
  return (
    <div className="banner banner-warning inline impersonation" role="alert" data-testid="impersonation-warning">
      <span>{t('contact.lookalike.body', { name })}</span>
      {onOpenContact && (
        <button type="button" className="button small" onClick={() => onOpenContact(first.publicKey)}>
          {t('contact.lookalike.open', { name: contactName(first) })}
        </button>
      )}
    </div>
  )
}
