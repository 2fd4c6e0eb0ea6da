export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; url: string }

const CANDIDATE = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi
/** Punctuation that ends a sentence rather than a link, e.g. "see https://a.org/x." */
const TRAILING = /[.,;:!?'"»]+$/

/** Drops trailing punctuation and unmatched closing brackets, as people write links inside prose. */
function trimCandidate(candidate: string): string {
  let text = candidate.replace(TRAILING, '')
  for (const [open, close] of [['(', ')'], ['[', ']']] as const) {
    while (text.endsWith(close) && text.split(close).length > text.split(open).length) text = text.slice(0, -1).replace(TRAILING, '')
  }
  return text
}

/** The link a piece of text stands for, or null: http(s) only, with a real host and no credentials. */
export function linkTarget(text: string): string | null {
  let url: URL
  try {
    url = new URL(/^www\./i.test(text) ? `https://${text}` : text)
  } catch {
    return null
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
  if (url.username || url.password) return null
  if (!/^(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*$|^\[[0-9a-f:.]+\]$|^\d+\.\d+\.\d+\.\d+$/i.test(url.hostname)) return null
  return url.toString()
}

/**
 * Splits message text into plain runs and links. The result is rendered as React text nodes and
 * anchors only: message text never becomes markup.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = []
  let rest = 0
  for (const match of text.matchAll(CANDIDATE)) {
    const candidate = trimCandidate(match[0])
    const url = linkTarget(candidate)
    if (!url) continue
    if (match.index > rest) parts.push({ kind: 'text', text: text.slice(rest, match.index) })
    parts.push({ kind: 'link', text: candidate, url })
    rest = match.index + candidate.length
  }
  if (rest < text.length) parts.push({ kind: 'text', text: text.slice(rest) })
  return parts
}
