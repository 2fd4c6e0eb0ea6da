import { type FormEvent, useState } from 'react'
import { type Account, MAX_DISPLAY_NAME_LENGTH } from '../../../../shared/api'
import { hush } from '../../api/hush'
import { errorText, t } from '../../i18n/t'
import { useSessionStore } from '../../store/session-store'
import { DialogActions } from '../../ui/DialogActions'

/**
 * Sets or changes the name the person chose (empty: go by the alias). Main keeps it with the account and
 * announces it to every 1:1 contact at once.
 */
export function NameEditor({ account }: { account: Account }) {
  const setCurrent = useSessionStore((s) => s.setCurrent)
  const chosen = account.name === account.alias ? '' : account.name
  const [editing, setEditing] = useState(false)
  const [name, setName] = useState(chosen)
  const [problem, setProblem] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)

  const save = async (event: FormEvent) => {
    event.preventDefault()
    setSaving(true)
    setProblem(null)
    const result = await hush().call('accounts.rename', { name: name.trim() })
    setSaving(false)
    if (!result.ok) return setProblem(errorText(result.error))
    setCurrent(result.value)
    setEditing(false)
  }

  if (!editing)
    return (
      <button
        type="button"
        className="button small"
        onClick={() => {
          setName(chosen)
          setEditing(true)
        }}
      >
        {chosen ? t('profile.name.change') : t('profile.name.set')}
      </button>
    )
  return (
    <form className="stack name-editor" onSubmit={(event) => void save(event)}>
      <label htmlFor="profile-name-input">{t('profile.name.label')}</label>
      <input
        id="profile-name-input"
        autoFocus
        autoComplete="off"
        maxLength={MAX_DISPLAY_NAME_LENGTH}
        value={name}
        onChange={(event) => setName(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setEditing(false)
        }}
      />
      <p className="field-hint muted small">{t('profile.name.hint', { alias: account.alias })}</p>
      {problem && (
        <p className="banner banner-error" role="alert">
          {problem}
        </p>
      )}
      <DialogActions compact onCancel={() => setEditing(false)} submit={{ label: t('profile.name.save'), disabled: saving }} />
    </form>
  )
}
