/** How many recently used emoji the picker offers. */
export const MAX_RECENTS = 16
const KEY = 'hush/emoji-recents'

/** `emoji` first, then the others in their order, without repeats, at most MAX_RECENTS. */
export function withRecent(recents: readonly string[], emoji: string): string[] {
  return [emoji, ...recents.filter((other) => other !== emoji)].slice(0, MAX_RECENTS)
}

/**
 * The recently used emoji, newest first, from this browser profile's storage (no message content, only
 * which emoji were picked). Anything stored there that is not a short list of short strings is ignored.
 */
export function loadRecents(storage: Pick<Storage, 'getItem'> = localStorage): string[] {
  try {
    const value: unknown = JSON.parse(storage.getItem(KEY) ?? '[]')
    if (!Array.isArray(value)) return []
    return value.filter((item): item is string => typeof item === 'string' && item.length > 0 && item.length <= 32).slice(0, MAX_RECENTS)
  } catch {
    return []
  }
}

export function saveRecents(recents: readonly string[], storage: Pick<Storage, 'setItem'> = localStorage): void {
  try {
    storage.setItem(KEY, JSON.stringify(recents.slice(0, MAX_RECENTS)))
  } catch {
    // Storage full or disabled: recents last for this session only.
  }
}
