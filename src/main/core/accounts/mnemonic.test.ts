import { describe, expect, it } from 'vitest'
import { checkMnemonic, completeWord, describeMnemonicProblem, generateMnemonic, isMnemonicWord, normalizeMnemonic } from './mnemonic'

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'

describe('generateMnemonic', () => {
  it('turns 16 random bytes into 12 words', () => {
    expect(generateMnemonic((n) => new Uint8Array(n))).toBe(ABANDON)
    expect(generateMnemonic((n) => new Uint8Array(n).fill(0x7f))).toBe(
      'legal winner thank year wave sausage worth useful legal winner thank yellow'
    )
  })

  it('produces valid phrases from real randomness', () => {
    const phrase = generateMnemonic()
    expect(checkMnemonic(phrase)).toEqual({ ok: true, mnemonic: phrase })
  })
})

describe('checkMnemonic', () => {
  it('accepts a valid phrase, normalising case and whitespace', () => {
    expect(checkMnemonic(`  ${ABANDON.toUpperCase().replaceAll(' ', ' \n\t')} `)).toEqual({ ok: true, mnemonic: ABANDON })
    expect(normalizeMnemonic(' Abandon  ABOUT ')).toBe('abandon about')
  })

  it('names every unknown word with its index', () => {
    const words = ABANDON.split(' ')
    words[2] = 'abandonn'
    words[11] = 'zzz'
    expect(checkMnemonic(words.join(' '))).toEqual({
      ok: false,
      reason: 'UNKNOWN_WORDS',
      unknown: [
        { index: 2, word: 'abandonn' },
        { index: 11, word: 'zzz' }
      ]
    })
  })

  it('rejects a wrong word count and a bad checksum', () => {
    expect(checkMnemonic('abandon abandon about')).toEqual({ ok: false, reason: 'WORD_COUNT', wordCount: 3 })
    expect(checkMnemonic(ABANDON.replace(/about$/, 'abandon'))).toEqual({ ok: false, reason: 'CHECKSUM' })
    expect(checkMnemonic('')).toEqual({ ok: false, reason: 'WORD_COUNT', wordCount: 0 })
  })

  it('describes problems by position without repeating the words', () => {
    const check = checkMnemonic(ABANDON.replace('about', 'secretword'))
    if (check.ok) throw new Error('expected a failure')
    const text = describeMnemonicProblem(check)
    expect(text).toBe('word 12 is not in the BIP39 English word list')
    expect(text).not.toContain('secretword')
  })
})

describe('word helpers', () => {
  it('checks single words', () => {
    expect(isMnemonicWord(' Zoo ')).toBe(true)
    expect(isMnemonicWord('zooo')).toBe(false)
  })

  it('completes prefixes in list order, up to a limit', () => {
    expect(completeWord('aba')).toEqual(['abandon'])
    expect(completeWord('Zo')).toEqual(['zone', 'zoo'])
    expect(completeWord('a', 3)).toEqual(['abandon', 'ability', 'able'])
    expect(completeWord('')).toEqual([])
    expect(completeWord('xq')).toEqual([])
  })
})
