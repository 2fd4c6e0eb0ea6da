import { entropyToMnemonic, validateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { randomBytes } from '@noble/hashes/utils.js'

/** Source of cryptographically secure random bytes; injectable so tests are deterministic. */
export type RandomBytes = (length: number) => Uint8Array

export const MNEMONIC_WORD_COUNT = 12

/** 128 bits of entropy give the 12-word phrases Status uses. */
const ENTROPY_BYTES = 16

const WORDS = new Set(wordlist)

export function generateMnemonic(random: RandomBytes = randomBytes): string {
  return entropyToMnemonic(random(ENTROPY_BYTES), wordlist)
}

/** Lower-cases and collapses whitespace so pasted phrases compare and hash the same way. */
export function normalizeMnemonic(input: string): string {
  return splitWords(input).join(' ')
}

export type MnemonicCheck =
  | { ok: true; mnemonic: string }
  | { ok: false; reason: 'WORD_COUNT'; wordCount: number }
  | { ok: false; reason: 'UNKNOWN_WORDS'; unknown: { index: number; word: string }[] }
  | { ok: false; reason: 'CHECKSUM' }

/**
 * Explains why a phrase is not a valid 12-word English BIP39 mnemonic, so the restore screen can
 * point at the offending word instead of just saying "invalid".
 */
export function checkMnemonic(input: string): MnemonicCheck {
  const words = splitWords(input)
  const unknown = words.flatMap((word, index) => (WORDS.has(word) ? [] : [{ index, word }]))
  if (unknown.length > 0) return { ok: false, reason: 'UNKNOWN_WORDS', unknown }
  if (words.length !== MNEMONIC_WORD_COUNT) return { ok: false, reason: 'WORD_COUNT', wordCount: words.length }
  const mnemonic = words.join(' ')
  if (!validateMnemonic(mnemonic, wordlist)) return { ok: false, reason: 'CHECKSUM' }
  return { ok: true, mnemonic }
}

/** A user-facing reason that names word positions, never the words themselves (they are secret). */
export function describeMnemonicProblem(check: Exclude<MnemonicCheck, { ok: true }>): string {
  switch (check.reason) {
    case 'UNKNOWN_WORDS': {
      const positions = check.unknown.map((u) => u.index + 1)
      const list = positions.join(', ')
      return positions.length === 1
        ? `word ${list} is not in the BIP39 English word list`
        : `words ${list} are not in the BIP39 English word list`
    }
    case 'WORD_COUNT':
      return `expected ${MNEMONIC_WORD_COUNT} words, got ${check.wordCount}`
    case 'CHECKSUM':
      return 'the words do not form a valid recovery phrase (checksum mismatch)'
  }
}

export function isMnemonicWord(word: string): boolean {
  return WORDS.has(word.trim().toLowerCase())
}

/** Words of the English list that start with `prefix` (case-insensitive), in list order, for autocomplete. */
export function completeWord(prefix: string, limit = 8): string[] {
  const wanted = prefix.trim().toLowerCase()
  if (wanted === '' || limit <= 0) return []
  const matches: string[] = []
  for (const word of wordlist) {
    if (!word.startsWith(wanted)) continue
    matches.push(word)
    if (matches.length === limit) break
  }
  return matches
}

function splitWords(input: string): string[] {
  return input.trim().toLowerCase().split(/\s+/).filter((word) => word !== '')
}
