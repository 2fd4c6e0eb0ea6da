import { type FormEvent, useState } from 'react'
import { GROUP_MAX_MEMBERS, type ApiError } from '../../../../shared/api'
import { errorText, t } from '../../i18n/t'
import { useContactStore } from '../../store/contact-store'
import { changeGroup, useGroupInfo } from '../../store/group-store'
import { Dialog } from '../../ui/Dialog'
import { ContactPicker } from './ContactPicker'
import { GroupLookalikes, GroupMembers } from './GroupMembers'

/** Members with their roles, and what an admin may do: rename, add, remove, promote. Anyone may leave. */
export function GroupInfoPanel({ chatId, onClose }: { chatId: string; onClose(): void }) {
  const { info, error } = useGroupInfo(chatId)
  const contacts = useContactStore((s) => s.contacts)
  const [problem, setProblem] = useState<string | null>(null)
  const [name, setName] = useState<string | null>(null)
  const [adding, setAdding] = useState<string[]>([])
  const act = async (run: Promise<ApiError | null>) => {
    const failed = await run
    setProblem(failed ? errorText(failed) : null)
    return failed === null
  }
  const rename = async (event: FormEvent) => {
    event.preventDefault()
    if (name !== null && (await act(changeGroup('groups.rename', { chatId, name })))) setName(null)
  }
  const add = async () => {
    if (await act(changeGroup('groups.addMembers', { chatId, members: adding }))) setAdding([])
  }
  const candidates = info ? Object.values(contacts).filter((c) => !info.members.some((m) => m.contact.publicKey === c.publicKey)) : []
  return (
    <Dialog title={info ? t('groups.info.title', { name: info.name }) : t('groups.info')} onClose={onClose} testId="group-info">
      <div className="stack">
        {info && <GroupLookalikes info={info} />}
        {info && info.admin && (
          <form className="inline-form" onSubmit={(event) => void rename(event)}>
            <input aria-label={t('groups.new.name')} data-testid="group-rename-input" value={name ?? info.name} maxLength={100} onChange={(event) => setName(event.target.value)} />
            <button type="submit" className="button small" data-testid="group-rename" disabled={name === null || name.trim() === ''}>
              {t('groups.info.rename')}
            </button>
          </form>
        )}
        {info && <GroupMembers info={info} onManaged={(failed) => setProblem(failed ? errorText(failed) : null)} />}
        {info && info.admin && (
          <div className="stack">
            <h3>{t('groups.info.add')}</h3>
            {candidates.length === 0 ? (
              <p className="muted small">{t('groups.info.add.none')}</p>
            ) : (
              <>
                <ContactPicker contacts={candidates} chosen={adding} max={GROUP_MAX_MEMBERS - info.members.length} onChange={setAdding} />
                <div className="actions">
                  <button type="button" className="button small" data-testid="group-add" disabled={adding.length === 0} onClick={() => void add()}>
                    {t('groups.info.add.submit')}
                  </button>
                </div>
              </>
            )}
          </div>
        )}
        {(problem ?? error) && (
          <p className="field-hint" role="alert" data-testid="group-problem">
            {problem ?? (error ? errorText(error) : '')}
          </p>
        )}
        <div className="actions">
          {info && !info.left && (
            <button type="button" className="button small danger" data-testid="group-leave" onClick={() => void act(changeGroup('groups.leave', { chatId }))}>
              {t('groups.info.leave')}
            </button>
          )}
          <button type="button" className="button small ghost" onClick={onClose}>
            {t('dialog.close')}
          </button>
        </div>
      </div>
    </Dialog>
  )
}
