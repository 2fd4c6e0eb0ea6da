import { hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { chatKeyIdentity } from './chat-key'
import { findLookalikes } from './lookalikes'
import { ALICE_IK, BOB_IK, FILTERS_KEY_A, FILTERS_KEY_B } from './test-keys'
import { TrustError } from './trust-error'

const alice = { publicKey: ALICE_IK, names: ['Alice', 'Darkorange Blue Bubblefish'], id: 'alice' }
const bob = { publicKey: BOB_IK, names: ['Bob'], id: 'bob' }
const carol = { publicKey: FILTERS_KEY_B, names: ['Carol Jones'], id: 'carol' }
const contacts = [alice, bob, carol]

describe('findLookalikes', () => {
  it('names the contact whose chosen name a new key copies with look-alike letters', () => {
    const impostor = { publicKey: FILTERS_KEY_A, names: ['\u0410l\u0456ce'] }
    expect(findLookalikes(impostor, contacts)).toEqual([alice])
  })

  it('compares every name of the new key with every name of each contact', () => {
    const impostor = { publicKey: FILTERS_KEY_A, names: ['Mallory', 'DARKORANGE  BLUE BUBBLEFISH'] }
    expect(findLookalikes(impostor, contacts)).toEqual([alice])
    const twoFaced = { publicKey: FILTERS_KEY_A, names: ['B0B', 'carol_jones'] }
    expect(findLookalikes(twoFaced, contacts)).toEqual([bob, carol])
  })

  it('never reports the contact with the same key, in any encoding', () => {
    const compressed = hexToBytes(chatKeyIdentity(ALICE_IK))
    expect(findLookalikes({ publicKey: compressed, names: ['Alice'] }, contacts)).toEqual([])
    expect(findLookalikes({ publicKey: ALICE_IK.toUpperCase().replace('0X', '0x'), names: ['alice'] }, contacts)).toEqual([])
  })

  it('returns nothing for distinct names or names without letters', () => {
    expect(findLookalikes({ publicKey: FILTERS_KEY_A, names: ['Mallory'] }, contacts)).toEqual([])
    expect(findLookalikes({ publicKey: FILTERS_KEY_A, names: ['', ' . '] }, [...contacts, { ...carol, names: ['-'] }])).toEqual([])
  })

  it('still checks a stored contact whose key is broken', () => {
    const broken = { publicKey: '0x04', names: ['Dave'], id: 'dave' }
    expect(findLookalikes({ publicKey: FILTERS_KEY_A, names: ['Dave'] }, [broken])).toEqual([broken])
  })

  it('rejects a candidate whose key is invalid', () => {
    expect(() => findLookalikes({ publicKey: new Uint8Array(65), names: ['Alice'] }, contacts)).toThrow(TrustError)
  })
})
