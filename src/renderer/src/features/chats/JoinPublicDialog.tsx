import { type FormEvent, useState } from 'react'
import { chatNameReason, publicChatNameFromInput } from '../../../../shared/public-chat-name'
import { errorText, t } from '../../i18n/t'
import { useChatStore } from '../../store/chat-store'
import { Dialog } from '../../ui/Dialog'
import { DialogActions } from '../../ui/DialogActions'

/** What is wrong with a name as typed, by main's own rules; nothing while the field is empty. */
function typedProblem(name: string): string | null {
  if (name.trim() === '') return null
  const check = publicChatNameFromInput(name)
  return check.ok ? null : errorText({ code: 'BAD_REQUEST', message: check.message, reason: chatNameReason(check.problem) })
}

/** Joins a public chat by name, judging the name as it is typed; main's answer shows beside the field too. */
export function JoinPublicDialog({ onClose }: { onClose(): void }) {
  const joinPublic = useChatStore((s) => s.joinPublic)
  const [name, setName] = useState('')
  const [refused, setRefused] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const problem = typedProblem(name) ?? refused

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    const error = await joinPublic(name)
    setBusy(false)
    if (error) setRefused(errorText(error))
    else onClose()
  }

  return (
    <Dialog title={t('chats.join.title')} onClose={onClose} testId="join-dialog">
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <p className="muted small">{t('chats.join.body')}</p>
        <label htmlFor="public-chat-name">{t('chats.join.name')}</label>
        <div className="prefixed-input">
          <span aria-hidden="true">#</span>
          <input
            id="public-chat-name"
            autoFocus
            autoComplete="off"
            spellCheck={false}
            value={name}
            aria-invalid={problem !== null}
            aria-describedby={problem ? 'public-chat-problem' : undefined}
            onChange={(event) => {
              setName(event.target.value)
              setRefused(null)
            }}
          />
        </div>
        {problem && (
          <p id="public-chat-problem" className="field-hint" role="alert" data-testid="join-problem">
            {problem}
          </p>
        )}
        <DialogActions onCancel={onClose} submit={{ label: t('chats.join.submit'), disabled: busy || name.trim() === '' || problem !== null }} />
      </form>
    </Dialog>
  )
}
