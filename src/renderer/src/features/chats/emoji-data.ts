import type { EmojiData } from 'frimousse'

/** The fields of an Emojibase `data.json` entry the picker uses. */
export interface EmojibaseEmoji {
  emoji: string
  label: string
  group?: number
  subgroup?: number
  version: number
  tags?: string[]
  skins?: Array<{ emoji: string; tone?: number | number[] }>
}

/** The fields of an Emojibase `messages.json` the picker uses. */
export interface EmojibaseMessages {
  groups: Array<{ key: string; message: string; order: number }>
  subgroups: Array<{ key: string; order: number }>
  skinTones: Array<{ key: string; message: string }>
}

/** Emojibase numbers skin tones 1 (light) to 5 (dark). */
const TONES = ['light', 'medium-light', 'medium', 'medium-dark', 'dark'] as const
type Tone = (typeof TONES)[number]

/**
 * Emojibase's data shaped as the picker (frimousse) wants it, keeping only emoji the bundled font draws
 * (Unicode emoji version ≤ `maxVersion`) and leaving out the components group (bare skin tones, hair).
 */
export function toPickerData(emojis: readonly EmojibaseEmoji[], messages: EmojibaseMessages, maxVersion: number): EmojiData {
  const component = messages.groups.find((group) => group.key === 'component')?.order
  const countryFlags = messages.subgroups.find((subgroup) => subgroup.key === 'country-flag')?.order
  const skinTones = Object.fromEntries(TONES.map((tone) => [tone, messages.skinTones.find((entry) => entry.key === tone)?.message ?? tone])) as Record<Tone, string>
  return {
    locale: 'en',
    categories: messages.groups.filter((group) => group.order !== component).map((group) => ({ index: group.order, label: group.message })),
    skinTones,
    emojis: emojis.flatMap((entry) => {
      if (entry.group === undefined || entry.group === component || entry.version > maxVersion) return []
      const skins: Partial<Record<Tone, string>> = {}
      for (const skin of entry.skins ?? []) {
        const tone = typeof skin.tone === 'number' ? TONES[skin.tone - 1] : undefined
        if (tone) skins[tone] = skin.emoji
      }
      return [
        {
          emoji: entry.emoji,
          category: entry.group,
          label: entry.label,
          version: entry.version,
          tags: entry.tags ?? [],
          ...(entry.subgroup === countryFlags ? { countryFlag: true as const } : {}),
          ...(Object.keys(skins).length === TONES.length ? { skins: skins as Record<Tone, string> } : {})
        }
      ]
    })
  }
}
