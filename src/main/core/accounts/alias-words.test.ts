import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { ADJECTIVES, ANIMALS } from './alias-words'

const digest = (words: readonly string[]) => bytesToHex(sha256(utf8ToBytes(words.join('\n'))))

describe('alias word lists (status-go data.go)', () => {
  it('match the SHA-256 integrity values of §1.3', () => {
    expect(digest(ADJECTIVES)).toBe('2fd4795a3eeae8e7609e65133cc23cc2138970f08272c2320937dc88f19085f3')
    expect(digest(ANIMALS)).toBe('9d970d6789f439cdb20ae69f889857eee0104f16aa7f2b16d17dd1effb366031')
  })

  it('keep sizes, ends and duplicates', () => {
    expect(ADJECTIVES).toHaveLength(1389)
    expect(ANIMALS).toHaveLength(1704)
    expect([ADJECTIVES[0], ADJECTIVES.at(-1)]).toEqual(['Able', 'Yellowgreen'])
    expect([ANIMALS[0], ANIMALS.at(-1)]).toEqual(['Aardvark', 'Zorilla'])
    expect(ANIMALS.filter((w) => w === 'Alligator')).toHaveLength(2)
  })
})
