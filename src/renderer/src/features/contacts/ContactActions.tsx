import { useState } from 'react'
import type { ApiError, Contact } from '../../../../shared/api'
import { errorText, t } from '../../i18n/t'
import { contactName } from '../../store/contact-store'
import { useBlocked, useSocialStore } from '../../store/social-store'

/** Runs a contact action on the key, keeping its failure in words for the card that offered it. */
function useContactAction(publicKey: string) {
  const [problem, setProblem] = useState<string | null>(null)
  const act = (action: (publicKey: string) => Promise<ApiError | null>) => () => void action(publicKey).then((error) => setProblem(error ? errorText(error) : null))
  return { problem, act }
}

/**
 * Adding them, the one act that tells them (it sends our chosen name), near the top of the page; once added, a
 * quiet line says so. Nothing to offer while they are blocked.
 */
export function ContactActions({ contact }: { contact: Contact }) {
  const blocked = useBlocked(contact.publicKey)
  const addContact = useSocialStore((s) => s.addContact)
  const { problem, act } = useContactAction(contact.publicKey)
  if (blocked) return null
  if (contact.added)
    return (
      <p className="contact-added muted small" data-testid="contact-added">
        <span aria-hidden="true">✓</span> {t('contact.added')}
      </p>
    )
  return (
    <div className="card stack" data-testid="contact-actions">
      <p className="muted small">{t('contact.add.body', { name: contactName(contact) })}</p>
      {problem && (
        <p className="field-hint" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <button type="button" className="button primary" onClick={act(addContact)}>
          {t('contact.add')}
        </button>
      </div>
    </div>
  )
}

/**
 * Blocking, at the foot of the page as in Signal's conversation details: said in words before it is done,
 * and undone from the same place.
 */
export function ContactBlockCard({ contact }: { contact: Contact }) {
  const blocked = useBlocked(contact.publicKey)
  const block = useSocialStore((s) => s.block)
  const unblock = useSocialStore((s) => s.unblock)
  const { problem, act } = useContactAction(contact.publicKey)
  return (
    <div className="card stack contact-block" data-testid="contact-block">
      <h3>{t('contact.block.title')}</h3>
      {blocked ? (
        <p className="banner banner-warning inline" role="status" data-testid="contact-blocked">
          {t('contact.blocked')}
        </p>
      ) : (
        <p className="muted small">{t('contact.block.body', { name: contactName(contact) })}</p>
      )}
      {problem && (
        <p className="field-hint" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        {blocked ? (
          <button type="button" className="button" onClick={act(unblock)}>
            {t('contact.unblock')}
          </button>
        ) : (
          <button type="button" className="button danger-outline" onClick={act(block)}>
            {t('contact.block')}
          </button>
        )}
      </div>
    </div>
  )
}
