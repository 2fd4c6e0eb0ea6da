import type { Message, SystemLine } from '../../../../shared/api'
import { formatDate, isoDate } from '../../i18n/format'
import { t } from '../../i18n/t'
import { usePeopleNames } from '../../store/group-store'

/** A group membership change in the timeline, worded here from main's code and keys. */
export function SystemLineItem({ message, line }: { message: Message; line: SystemLine }) {
  const members = line.members ?? []
  const [actorName = '', ...memberNames] = usePeopleNames([line.actor, ...members])
  const actor = message.outgoing ? t('groups.you') : actorName
  const text = t(`groups.line.${line.code.slice('group.'.length) as LineKind}`, {
    actor,
    members: memberNames.join(', '),
    name: line.name ?? ''
  })
  return (
    <li className="system-line muted small" data-testid="system-line" data-code={line.code} data-message-id={message.id}>
      <span>{text}</span>
      <time dateTime={isoDate(message.timestamp)} title={formatDate(message.timestamp, 'full')}>
        {formatDate(message.timestamp, 'time')}
      </time>
    </li>
  )
}

type LineKind = 'created' | 'renamed' | 'member-added' | 'member-joined' | 'member-left' | 'member-removed' | 'admin-added' | 'admin-removed'
