import fontUrl from 'twemoji-colr-font/twemoji.woff2?url'

/**
 * Code points drawn with the bundled Twemoji font (COLR, ~0.5 MB woff2, served from the app itself as
 * the CSP's font-src allows), so emoji look the same on every system. ASCII is left out on purpose: digits,
 * # and * are keycap bases in emoji fonts and must stay in the text font.
 */
export const EMOJI_RANGES =
  'U+A9, U+AE, U+200D, U+203C, U+2049, U+20E3, U+2122, U+2139, U+2194-2199, U+21A9-21AA, U+231A-231B, U+2328, U+23CF, U+23E9-23F3, U+23F8-23FA, U+24C2, U+25AA-25AB, U+25B6, U+25C0, U+25FB-25FE, U+2600-27BF, U+2934-2935, U+2B05-2B07, U+2B1B-2B1C, U+2B50, U+2B55, U+3030, U+303D, U+3297, U+3299, U+FE0F, U+1F000-1FAFF, U+E0020-E007F'

export const EMOJI_FONT_FAMILY = 'Hush Emoji'

/** Registers the emoji font; the browser loads it the first time a page shows an emoji. */
export function installEmojiFont(fonts: FontFaceSet = document.fonts): void {
  fonts.add(new FontFace(EMOJI_FONT_FAMILY, `url(${fontUrl}) format('woff2')`, { unicodeRange: EMOJI_RANGES, display: 'swap' }))
}
