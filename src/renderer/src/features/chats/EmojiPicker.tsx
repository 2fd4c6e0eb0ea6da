import { useEffect, useRef } from 'react'
import { t } from '../../i18n/t'

/** A few dozen common emoji: enough for everyday replies without shipping a whole emoji database. */
export const COMMON_EMOJI = [
  '😀', '😂', '🙂', '😉', '😊', '😍', '😘', '😎', '🤔', '😐', '😴', '😅',
  '😢', '😭', '😡', '😱', '🥳', '🤗', '🙄', '😬', '👍', '👎', '👏', '🙌',
  '🙏', '💪', '👋', '👌', '✌️', '🤝', '❤️', '💔', '🔥', '✨', '🎉', '✅',
  '❌', '⚠️', '💯', '👀', '☕', '🍕', '🚀', '🌍', '🔒', '🔑', '📎', '💬'
]

export function EmojiPicker({ onPick, onClose }: { onPick(emoji: string): void; onClose(): void }) {
  const panel = useRef<HTMLDivElement>(null)
  useEffect(() => {
    panel.current?.querySelector('button')?.focus()
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose()
    }
    const onPointer = (event: PointerEvent) => {
      if (!panel.current?.parentElement?.contains(event.target as Node)) onClose()
    }
    document.addEventListener('keydown', onKey)
    document.addEventListener('pointerdown', onPointer)
    return () => {
      document.removeEventListener('keydown', onKey)
      document.removeEventListener('pointerdown', onPointer)
    }
  }, [onClose])
  return (
    <div className="emoji-picker" ref={panel} role="group" aria-label={t('composer.emoji')}>
      {COMMON_EMOJI.map((emoji) => (
        <button key={emoji} type="button" className="emoji" aria-label={emoji} onClick={() => onPick(emoji)}>
          {emoji}
        </button>
      ))}
    </div>
  )
}
