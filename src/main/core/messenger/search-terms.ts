/*
 * Words for the search index, the same way for a message and for a query: Unicode word boundaries
 * (Intl.Segmenter, which knows scripts without spaces), case and compatibility forms folded, Latin accents
 * and Arabic short vowels dropped, Arabic letter variants unified. A word joined by dots, dashes,
 * underscores, slashes or @ (a host name, a path, an address) is indexed whole and by each part, so a word
 * inside a URL is found. Han and kana runs are indexed by single characters and pairs, because a
 * dictionary segmenter cuts the same run differently with and without its context. An Arabic word with the
 * definite article (and a clitic before it: وال، بال، كال، فال، لل) is indexed also without them and with the
 * bare article, so "كتاب" and "الكتاب" find "والكتاب"; a query word is looked up as typed.
 */

/**
 * What the terms of a text are, by version: an index built with an older version is brought up to date by
 * the backfill (search-backfill.ts), which adds the new terms to every stored message once.
 */
export const TERMS_VERSION = 2

/** Longer words are cut to this many characters (a hash in a URL is no word anybody types whole). */
export const MAX_TERM_LENGTH = 48
/** The most distinct words one message adds to the index. */
export const MAX_TERMS_PER_MESSAGE = 400
/** The most words one query may ask for, all of which must match. */
export const MAX_QUERY_TERMS = 8

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' })
const JOINERS = /[._\-/@:'’+~=&?#%]+/u
const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー々]+$/u
const LATIN_MARKS = /[\u0300-\u036f]/g
const ARABIC_MARKS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/g
/**
 * The article with an optional conjunction (و، ف) and preposition (ب، ك) before it, or ل before it, which
 * contracts to لل; the stem after it must keep at least two letters (as in Lucene's light Arabic stemmer).
 * Anchored and without nested repeats: linear in the word.
 */
const ARABIC_ARTICLE = /^(?:[وف]?[بك]?ال|[وف]?لل)(\p{Script=Arabic}{2,})$/u

/** The index form of one word. */
export function foldWord(word: string): string {
  return word
    .normalize('NFKD')
    .replace(LATIN_MARKS, '')
    .replace(ARABIC_MARKS, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ى/g, 'ي')
}

/** A word as it appears in a text: where it is, and the terms it is indexed by. */
export interface WordSpan {
  start: number
  end: number
  terms: string[]
}

/** The words of `text` with their offsets (the text is never longer than a message: linear in it). */
export function wordSpans(text: string): WordSpan[] {
  return [...eachWordSpan(text)]
}

/** wordSpans one at a time, for a caller that may stop early (segmenting costs microseconds a word). */
export function* eachWordSpan(text: string): Generator<WordSpan> {
  for (const segment of segmenter.segment(text)) {
    if (!segment.isWordLike) continue
    const terms = termsOfWord(foldWord(segment.segment))
    if (terms.length > 0) yield { start: segment.index, end: segment.index + segment.segment.length, terms }
  }
}

function termsOfWord(folded: string): string[] {
  if (folded.length === 0) return []
  if (CJK.test(folded)) return cjkTerms(folded)
  const whole = cut(folded)
  const article = ARABIC_ARTICLE.exec(folded)
  if (article) {
    const stem = cut(article[1]!)
    return [...new Set([whole, cut(`ال${stem}`), stem])]
  }
  const parts = folded.split(JOINERS).filter((part) => part.length > 0)
  return parts.length > 1 ? [whole, ...parts.map(cut)] : [whole]
}

function cjkTerms(run: string): string[] {
  const chars = [...run]
  if (chars.length === 1) return chars
  const terms = new Set(chars)
  for (let i = 0; i + 1 < chars.length; i++) terms.add(chars[i]! + chars[i + 1]!)
  return [...terms]
}

function cut(term: string): string {
  return [...term].slice(0, MAX_TERM_LENGTH).join('')
}

/** Every distinct term of a message, at most MAX_TERMS_PER_MESSAGE. */
export function indexTerms(text: string): string[] {
  const terms = new Set<string>()
  for (const span of wordSpans(text)) {
    for (const term of span.terms) {
      if (terms.size >= MAX_TERMS_PER_MESSAGE) return [...terms]
      terms.add(term)
    }
  }
  return [...terms]
}

/**
 * What a query asks for: every term must be in a message. A CJK run asks for its pairs (a single
 * character for itself), which the message's run was indexed by wherever the segmenter cut it.
 */
export function queryTerms(query: string): string[] {
  const terms = new Set<string>()
  for (const segment of segmenter.segment(query)) {
    if (!segment.isWordLike) continue
    const folded = foldWord(segment.segment)
    if (folded.length === 0) continue
    if (CJK.test(folded)) {
      const chars = [...folded]
      if (chars.length === 1) terms.add(folded)
      else for (let i = 0; i + 1 < chars.length; i++) terms.add(chars[i]! + chars[i + 1]!)
    } else {
      terms.add(cut(folded))
    }
    if (terms.size >= MAX_QUERY_TERMS) break
  }
  return [...terms].slice(0, MAX_QUERY_TERMS)
}
