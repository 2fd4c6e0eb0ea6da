export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; url: string }

/**
 * The most of one message shown, in UTF-16 code units. Main drops longer received text, but records
 * stored before it did, or written by anything else, must not cost the page more than this.
 */
export const MAX_SHOWN_LENGTH = 16_384
/** Links made clickable per message; a "link bomb" beyond this stays plain text. */
export const MAX_LINKS = 100
/** A longer candidate stays text: URL parsing is linear, but not cheap enough to spend on a megabyte. */
export const MAX_LINK_LENGTH = 4096

const ELLIPSIS = '…'

/** `text` cut to at most `max` code units (ellipsis included), never inside a surrogate pair. */
export function clipText(text: string, max = MAX_SHOWN_LENGTH): string {
  if (text.length <= max) return text
  let end = max - ELLIPSIS.length
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end -= 1
  return text.slice(0, end) + ELLIPSIS
}

/*
 * Every step below is linear in the text: the candidate pattern has no nested quantifiers and the scan
 * resumes after each match; trimming walks back from the end once over bracket counts taken once.
 */
const CANDIDATE = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi
/** Punctuation that ends a sentence rather than a link, e.g. "see https://a.org/x." */
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', "'", '"', '»'])

/** Drops trailing punctuation and unmatched closing brackets, as people write links inside prose. */
function trimCandidate(candidate: string): string {
  // How many more closers than openers the candidate holds, per bracket kind.
  let parens = 0
  let squares = 0
  for (let index = 0; index < candidate.length; index++) {
    const char = candidate[index]
    if (char === ')') parens += 1
    else if (char === '(') parens -= 1
    else if (char === ']') squares += 1
    else if (char === '[') squares -= 1
  }
  let end = candidate.length
  while (end > 0) {
    const char = candidate[end - 1] as string
    if (TRAILING.has(char)) end -= 1
    else if (char === ')' && parens > 0) {
      parens -= 1
      end -= 1
    } else if (char === ']' && squares > 0) {
      squares -= 1
      end -= 1
    } else break
  }
  return candidate.slice(0, end)
}

const HOST = /^(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*$|^\[[0-9a-f:.]+\]$|^\d+\.\d+\.\d+\.\d+$/i

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
  if (!HOST.test(url.hostname)) return null
  return url.toString()
}

/**
 * Splits message text into plain runs and at most MAX_LINKS links. The result is rendered as React text
 * nodes and anchors only: message text never becomes markup.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = []
  let rest = 0
  let links = 0
  for (const match of text.matchAll(CANDIDATE)) {
    if (links === MAX_LINKS) break
    const candidate = trimCandidate(match[0])
    const url = candidate.length <= MAX_LINK_LENGTH ? linkTarget(candidate) : null
    if (!url) continue
    if (match.index > rest) parts.push({ kind: 'text', text: text.slice(rest, match.index) })
    parts.push({ kind: 'link', text: candidate, url })
    links += 1
    rest = match.index + candidate.length
  }
  if (rest < text.length) parts.push({ kind: 'text', text: text.slice(rest) })
  return parts
}
