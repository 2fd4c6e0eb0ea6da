import { useState } from 'react'
import type { ApiError, MessageRequest } from '../../../../shared/api'
import { formatDate } from '../../i18n/format'
import { errorText, t } from '../../i18n/t'
import { contactName, useContact, useContactStore } from '../../store/contact-store'
import { useSocialStore } from '../../store/social-store'
import { Identicon } from '../../ui/Identicon'
import { ImpersonationWarning } from '../contacts/ImpersonationWarning'
import { clipText } from '../chats/message-text'

/** Strangers who wrote 1:1: read what they sent, then accept, delete or block. */
export function RequestsPage() {
  const requests = useSocialStore((s) => s.requests)
  return (
    <section className="stack requests-page" aria-labelledby="requests-title" data-testid="requests-page">
      <h1 id="requests-title">{t('requests.title')}</h1>
      <p className="muted">{t('requests.body')}</p>
      {requests.length === 0 ? (
        <p className="muted" data-testid="requests-empty">
          {t('requests.none')}
        </p>
      ) : (
        <ul className="request-list">
          {requests.map((request) => (
            <RequestRow key={request.contact.publicKey} request={request} />
          ))}
        </ul>
      )}
    </section>
  )
}

function RequestRow({ request }: { request: MessageRequest }) {
  const accept = useSocialStore((s) => s.accept)
  const decline = useSocialStore((s) => s.decline)
  const block = useSocialStore((s) => s.block)
  const openContact = useContactStore((s) => s.open)
  const [problem, setProblem] = useState<string | null>(null)
  // The contact list follows name changes (a ContactUpdate after the message); the request keeps a snapshot.
  const contact = useContact(request.contact.publicKey) ?? request.contact
  const act = (action: (publicKey: string) => Promise<ApiError | null>) => () =>
    void action(contact.publicKey).then((error) => setProblem(error ? errorText(error) : null))
  return (
    <li className="card stack request" data-testid="request" data-public-key={contact.publicKey}>
      <div className="request-head">
        <button type="button" className="identicon-button" aria-label={t('contact.open')} onClick={() => openContact(contact.publicKey)}>
          <Identicon icon={contact.identicon} size={40} label={contact.alias} />
        </button>
        <div className="request-who">
          <strong data-testid="request-name">{contactName(contact)}</strong>
          {contact.displayName && <span className="muted small">{contact.alias}</span>}
        </div>
        <span className="muted small">{formatDate(request.lastAt, 'dateTime')}</span>
      </div>
      <ImpersonationWarning contact={contact} onOpenContact={openContact} />
      <p className="request-preview" dir="auto" data-testid="request-preview">
        {clipText(request.preview, 200)}
      </p>
      <p className="muted small">{t('requests.count', { count: request.count })}</p>
      {problem && (
        <p className="field-hint" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <button type="button" className="button primary" onClick={act(accept)}>
          {t('requests.accept')}
        </button>
        <button type="button" className="button" onClick={act(decline)}>
          {t('requests.decline')}
        </button>
        <button type="button" className="button danger" onClick={act(block)}>
          {t('requests.block')}
        </button>
      </div>
    </li>
  )
}
