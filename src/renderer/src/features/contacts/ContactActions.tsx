import { useState } from 'react'
import type { ApiError, Contact } from '../../../../shared/api'
import { errorText, t } from '../../i18n/t'
import { contactName } from '../../store/contact-store'
import { useBlocked, useSocialStore } from '../../store/social-store'

/** Adding (the one act that tells them) and blocking, both reversible here. */
export function ContactActions({ contact }: { contact: Contact }) {
  const blocked = useBlocked(contact.publicKey)
  const addContact = useSocialStore((s) => s.addContact)
  const block = useSocialStore((s) => s.block)
  const unblock = useSocialStore((s) => s.unblock)
  const [problem, setProblem] = useState<string | null>(null)
  const act = (action: (publicKey: string) => Promise<ApiError | null>) => () =>
    void action(contact.publicKey).then((error) => setProblem(error ? errorText(error) : null))
  return (
    <div className="card stack" data-testid="contact-actions">
      {blocked && (
        <p className="banner banner-warning inline" role="status" data-testid="contact-blocked">
          {t('contact.blocked')}
        </p>
      )}
      {!contact.added && !blocked && <p className="muted small">{t('contact.add.body', { name: contactName(contact) })}</p>}
      {problem && (
        <p className="field-hint" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        {contact.added ? (
          <span className="muted small" data-testid="contact-added">
            {t('contact.added')}
          </span>
        ) : (
          !blocked && (
            <button type="button" className="button primary" onClick={act(addContact)}>
              {t('contact.add')}
            </button>
          )
        )}
        {blocked ? (
          <button type="button" className="button" onClick={act(unblock)}>
            {t('contact.unblock')}
          </button>
        ) : (
          <button type="button" className="button danger" onClick={act(block)}>
            {t('contact.block')}
          </button>
        )}
      </div>
    </div>
  )
}
