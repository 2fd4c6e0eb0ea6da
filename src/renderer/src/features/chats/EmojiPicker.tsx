import { type EmojiData, type EmojiPickerListComponents, EmojiPicker as Picker } from 'frimousse'
import { useEffect, useRef, useState } from 'react'
import { t } from '../../i18n/t'
import { toPickerData, type EmojibaseEmoji, type EmojibaseMessages } from './emoji-data'
import { loadRecents, saveRecents, withRecent } from './emoji-recents'
import './emoji-picker.css'

/** The newest Unicode emoji version the bundled Twemoji font draws; newer emoji are not offered. */
const EMOJI_VERSION = 15

/**
 * Emojibase's English data, bundled with the app and loaded on first use as a separate chunk (no request
 * leaves the app: the CSP's connect-src would refuse one anyway).
 */
async function resolveEmojiData(): Promise<EmojiData> {
  const [emojis, messages] = await Promise.all([import('emojibase-data/en/data.json'), import('emojibase-data/en/messages.json')])
  return toPickerData(emojis.default as EmojibaseEmoji[], messages.default as EmojibaseMessages, EMOJI_VERSION)
}

/** How the picker's virtualised list draws its parts. */
const LIST_PARTS: Partial<EmojiPickerListComponents> = {
  CategoryHeader: ({ category, ...props }) => (
    <div className="emoji-category" {...props}>
      {category.label}
    </div>
  ),
  Row: ({ children, ...props }) => (
    <div className="emoji-row" {...props}>
      {children}
    </div>
  ),
  Emoji: ({ emoji, ...props }) => (
    <button className="emoji" aria-label={emoji.label} title={emoji.label} {...props}>
      {emoji.emoji}
    </button>
  )
}

/**
 * The emoji picker (frimousse, unstyled, virtualised): search by name and keyword, emoji grouped by
 * category, and the recently used ones first. Escape or a click outside closes it.
 */
export function EmojiPicker({ onPick, onClose }: { onPick(emoji: string): void; onClose(): void }) {
  const panel = useRef<HTMLDivElement>(null)
  const [recents, setRecents] = useState(loadRecents)
  useEffect(() => {
    panel.current?.querySelector('input')?.focus()
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

  const pick = (emoji: string) => {
    const next = withRecent(recents, emoji)
    setRecents(next)
    saveRecents(next)
    onPick(emoji)
  }

  return (
    <div className="emoji-picker" ref={panel} data-testid="emoji-picker">
      <Picker.Root className="emoji-root" columns={9} emojiVersion={EMOJI_VERSION} resolveEmojiData={resolveEmojiData} onEmojiSelect={({ emoji }) => pick(emoji)}>
        <Picker.Search className="emoji-search" placeholder={t('emoji.search')} aria-label={t('emoji.search')} />
        {recents.length > 0 && (
          <div className="emoji-recents" role="group" aria-label={t('emoji.recent')}>
            <span className="emoji-category">{t('emoji.recent')}</span>
            <div className="emoji-row">
              {recents.map((emoji) => (
                <button key={emoji} type="button" className="emoji" aria-label={emoji} onClick={() => pick(emoji)}>
                  {emoji}
                </button>
              ))}
            </div>
          </div>
        )}
        <Picker.Viewport className="emoji-viewport">
          <Picker.Loading className="emoji-status muted small">{t('emoji.loading')}</Picker.Loading>
          <Picker.Empty className="emoji-status muted small">{t('emoji.none')}</Picker.Empty>
          <Picker.List
            className="emoji-list"
            components={LIST_PARTS}
          />
        </Picker.Viewport>
      </Picker.Root>
    </div>
  )
}
