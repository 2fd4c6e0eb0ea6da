import { type FormEvent, useState } from 'react'
import { GROUP_MAX_MEMBERS } from '../../../../shared/api'
import { errorText, t } from '../../i18n/t'
import { useContactStore } from '../../store/contact-store'
import { createGroup } from '../../store/group-store'
import { Dialog } from '../../ui/Dialog'
import { DialogActions } from '../../ui/DialogActions'
import { ContactPicker } from './ContactPicker'

/** A new private group from our contacts: a name and the people invited. */
export function CreateGroupDialog({ onClose }: { onClose(): void }) {
  const contacts = useContactStore((s) => s.contacts)
  const [name, setName] = useState('')
  const [members, setMembers] = useState<string[]>([])
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const list = Object.values(contacts)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    const failed = await createGroup(name.trim(), members)
    setBusy(false)
    if (failed) setProblem(errorText(failed))
    else onClose()
  }
  return (
    <Dialog title={t('groups.new.title')} onClose={onClose} testId="create-group-dialog">
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <p className="muted small">{t('groups.new.body')}</p>
        <label htmlFor="group-name">{t('groups.new.name')}</label>
        <input id="group-name" data-testid="group-name" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} autoFocus />
        <h3>{t('groups.new.members', { count: members.length + 1, max: GROUP_MAX_MEMBERS })}</h3>
        {list.length === 0 ? (
          <p className="muted small">{t('groups.new.noContacts')}</p>
        ) : (
          <ContactPicker contacts={list} chosen={members} max={GROUP_MAX_MEMBERS - 1} onChange={setMembers} />
        )}
        {problem && (
          <p className="field-hint" role="alert">
            {problem}
          </p>
        )}
        <DialogActions
          onCancel={onClose}
          submit={{ label: t('groups.new.submit'), testId: 'group-create', disabled: busy || name.trim() === '' || members.length === 0 }}
        />
      </form>
    </Dialog>
  )
}
