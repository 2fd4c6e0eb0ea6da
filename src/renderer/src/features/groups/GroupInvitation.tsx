import { useState } from 'react'
import type { Chat } from '../../../../shared/api'
import { errorText, t } from '../../i18n/t'
import { contactName } from '../../store/contact-store'
import { changeGroup, declineGroup, useGroupInfo } from '../../store/group-store'
import { Identicon } from '../../ui/Identicon'
import { GroupLookalikes, GroupMembers } from './GroupMembers'

/** What an invited person sees instead of the timeline: the group, who invited them, its members, join or decline. */
export function GroupInvitation({ summary }: { summary: Chat }) {
  const { info, error } = useGroupInfo(summary.id)
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const act = async (run: () => Promise<Parameters<typeof errorText>[0] | null>) => {
    setBusy(true)
    const failed = await run()
    setBusy(false)
    setProblem(failed ? errorText(failed) : null)
  }
  const inviter = info?.invitedBy
  return (
    <section className="group-invitation stack" data-testid="group-invitation" aria-labelledby="invitation-title">
      <div className="identity-header">
        {inviter && <Identicon icon={inviter.identicon} size={48} label={inviter.alias} />}
        <div>
          <h2 id="invitation-title" data-testid="invitation-title">
            {inviter
              ? t('groups.invitation.title', { name: `${contactName(inviter)}${inviter.displayName ? ` (${inviter.alias})` : ''}`, group: summary.name })
              : t('groups.invitation.anonymous', { group: summary.name })}
          </h2>
          <p className="muted small">{t('groups.invitation.body')}</p>
        </div>
      </div>
      {info && <GroupLookalikes info={info} />}
      {info && (
        <div className="card stack">
          <h3>{t('groups.invitation.members')}</h3>
          <GroupMembers info={info} />
        </div>
      )}
      {(problem ?? error) && (
        <p className="field-hint" role="alert">
          {problem ?? (error ? errorText(error) : '')}
        </p>
      )}
      <div className="actions">
        <button type="button" className="button primary" disabled={busy} data-testid="group-join" onClick={() => void act(() => changeGroup('groups.accept', { chatId: summary.id }))}>
          {t('groups.invitation.join')}
        </button>
        <button type="button" className="button" disabled={busy} data-testid="group-decline" onClick={() => void act(() => declineGroup(summary.id))}>
          {t('groups.invitation.decline')}
        </button>
      </div>
    </section>
  )
}
