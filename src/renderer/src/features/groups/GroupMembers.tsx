import type { ApiError, GroupInfo, GroupMember } from '../../../../shared/api'
import { t } from '../../i18n/t'
import { contactName, useContactStore } from '../../store/contact-store'
import { changeGroup, useGroupInfo } from '../../store/group-store'
import { Identicon } from '../../ui/Identicon'
import { LookalikeMark, VerifiedBadge } from '../../ui/TrustMarks'

/** The members of a group: who each is (identicon, chosen name beside the alias, verification, look-alike mark) and their role. */
/** `onManaged` (admins only) offers the admin actions per member and hears how each went. */
export function GroupMembers({ info, onManaged }: { info: GroupInfo; onManaged?(error: ApiError | null): void }) {
  const open = useContactStore((s) => s.open)
  return (
    <ul className="group-members" data-testid="group-members">
      {info.members.map((member) => {
        const { contact } = member
        return (
          <li key={contact.publicKey} className="group-member" data-testid="group-member" data-key={contact.publicKey}>
            <Identicon icon={contact.identicon} size={32} label={contact.alias} />
            <span className="group-member-name">
              <span className="name-with-badge">
                {member.self ? (
                  <strong>{contactName(contact)}</strong>
                ) : (
                  <button type="button" className="author-button" aria-label={`${t('contact.open')}: ${contact.alias}`} onClick={() => open(contact.publicKey)}>
                    {contact.displayName && <span className="chosen-name">{contact.displayName}</span>}
                    <strong>{contact.alias}</strong>
                  </button>
                )}
                {member.self && <span className="muted small">({t('groups.info.you')})</span>}
                {contact.verified && <VerifiedBadge />}
                {contact.resembles.length > 0 && <LookalikeMark label={t('contact.lookalike.mark')} />}
              </span>
              <span className="group-member-roles">
                {member.admin && (
                  <span className="role-mark" data-testid="admin-mark">
                    {t('groups.info.admin')}
                  </span>
                )}
                {!member.joined && <span className="role-mark muted">{t('groups.info.invited')}</span>}
              </span>
            </span>
            {onManaged && info.admin && !member.self && <MemberActions chatId={info.id} member={member} onDone={onManaged} />}
          </li>
        )
      })}
    </ul>
  )
}

/** Promote or remove one member; admins cannot be removed by someone else. */
function MemberActions({ chatId, member, onDone }: { chatId: string; member: GroupMember; onDone(error: ApiError | null): void }) {
  if (member.admin) return null
  const publicKey = member.contact.publicKey
  return (
    <span className="actions tight">
      {member.joined && (
        <button type="button" className="button small" data-testid="group-make-admin" onClick={() => void changeGroup('groups.makeAdmin', { chatId, member: publicKey }).then(onDone)}>
          {t('groups.info.makeAdmin')}
        </button>
      )}
      <button type="button" className="button small danger" data-testid="group-remove" onClick={() => void changeGroup('groups.removeMember', { chatId, member: publicKey }).then(onDone)}>
        {t('groups.info.remove')}
      </button>
    </span>
  )
}

/** Impersonation inside a group: a member whose name looks like one of our contacts', named before anyone trusts it. */
export function GroupLookalikes({ info }: { info: GroupInfo }) {
  const suspects = info.members.filter((m) => !m.self && m.contact.resembles.length > 0)
  if (suspects.length === 0) return null
  return (
    <>
      {suspects.map(({ contact }) => {
        const [first] = contact.resembles
        return (
          <div key={contact.publicKey} className="banner banner-warning inline impersonation" role="alert" data-testid="impersonation-warning">
            <span>{t('groups.info.lookalike', { member: `${contactName(contact)} (${contact.alias})`, name: first ? contactName(first) : '' })}</span>
          </div>
        )
      })}
    </>
  )
}

/** The look-alike warnings of an open group's members, above its timeline. */
export function GroupNotices({ chatId }: { chatId: string }) {
  const { info } = useGroupInfo(chatId)
  return info ? <GroupLookalikes info={info} /> : null
}
