import { secp256k1 } from '@noble/curves/secp256k1.js'
import { afterEach, describe, expect, it } from 'vitest'
import { chatKeyId } from '../protocol/chat-matching'
import { outgoing, partsContext, testRecordKeys } from '../testing/messenger-parts'
import { ContactBook } from './contact-book'
import { ContactsService, STRANGER_NAMES_CACHED } from './contacts-service'
import { Transaction } from './transaction'

const keyId = () => chatKeyId(secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), false))

let close: () => Promise<void> = async () => undefined
afterEach(async () => {
  await close()
})

/** A contacts service whose book holds Carol (a 1:1 chat), met first and named "Carol Jones" by her own ContactUpdate. */
async function withCarol() {
  const parts = await partsContext()
  close = parts.close
  const book = await ContactBook.load(parts.ctx.store, testRecordKeys())
  const contacts = new ContactsService(parts.ctx, book, 'Me', (id, tx) => parts.ctx.chats.get(id, tx) !== undefined)
  const carol = keyId()
  const tx = new Transaction()
  parts.ctx.chats.add(tx, { id: carol, kind: 'one-to-one', joinedAt: parts.ctx.now(), lastClock: '0' })
  contacts.applyUpdate(tx, carol, 5n, 'Carol Jones')
  await tx.commit(parts.ctx.store)
  return { contacts, carol, ctx: parts.ctx }
}

describe('ContactsService.publicAuthor (chosen names in public chats)', () => {
  it('shows the name a stranger’s message carried, without adding them to the contact book', async () => {
    const { contacts } = await withCarol()
    const stranger = keyId()
    const { author, dropped } = contacts.publicAuthor(new Transaction(), stranger, '  Dave\u0007 ')
    expect(dropped).toBeNull()
    expect(author).toMatchObject({ publicKey: stranger, displayName: 'Dave' })
    expect(author.lookalike).toBeUndefined()
    expect(contacts.contact(stranger)).toMatchObject({ known: false, displayName: 'Dave', resembles: [] })
    expect(contacts.list()).toHaveLength(1)
  })

  it('flags a stranger naming himself like a contact, in his message and on his contact page', async () => {
    const { contacts, carol } = await withCarol()
    const impostor = keyId()
    // Cyrillic "а" and "о" in place of the Latin ones: the same skeleton (docs/safety-number.md §3).
    const { author } = contacts.publicAuthor(new Transaction(), impostor, 'C\u0430r\u043el J\u043enes')
    expect(author.lookalike).toBe(true)
    expect(contacts.contact(impostor).resembles).toEqual([expect.objectContaining({ publicKey: carol, displayName: 'Carol Jones' })])
    // Carol herself, posting under her name, is not flagged and keeps the name her contact record holds.
    const own = contacts.publicAuthor(new Transaction(), carol, 'Someone Else')
    expect(own.author).toMatchObject({ displayName: 'Carol Jones' })
    expect(own.author.lookalike).toBeUndefined()
  })

  it('keeps a flagged name out of the chat list preview, which has no room for the warning', async () => {
    const { contacts, ctx } = await withCarol()
    const tx = new Transaction()
    ctx.chats.add(tx, { id: 'hush-test', kind: 'public', joinedAt: 0, lastClock: '0' })
    const { author } = contacts.publicAuthor(tx, keyId(), 'Carol Jones')
    ctx.chats.noteMessage(tx, outgoing('hush-test', 1, { author, outgoing: false, status: 'received' }))
    await tx.commit(ctx.store)
    expect(ctx.chats.get('hush-test')?.lastMessage?.alias).toBe(author.alias)
  })

  it('refuses a name too long as the ContactUpdate extension does, and strips bidi controls', async () => {
    const { contacts } = await withCarol()
    const stranger = keyId()
    const long = contacts.publicAuthor(new Transaction(), stranger, 'x'.repeat(65))
    expect(long.dropped).toBe('PUBLIC_NAME_TOO_LONG')
    expect(long.author.displayName).toBeUndefined()
    expect(contacts.contact(stranger).displayName).toBeUndefined()
    const bidi = contacts.publicAuthor(new Transaction(), stranger, '\u202eevE\u202c\u2066')
    expect(bidi).toMatchObject({ dropped: null, author: { displayName: 'evE' } })
    // 64 characters that are each two UTF-16 units are within the bound.
    expect(contacts.publicAuthor(new Transaction(), stranger, '🦊'.repeat(64)).author.displayName).toBe('🦊'.repeat(64))
  })

  it('remembers a bounded number of strangers’ names, the least recently heard forgotten first', async () => {
    const { contacts } = await withCarol()
    const first = keyId()
    contacts.publicAuthor(new Transaction(), first, 'First')
    // Consecutive points are valid keys and cheap to make.
    let point = secp256k1.Point.BASE
    for (let i = 0; i < STRANGER_NAMES_CACHED; i++) {
      point = point.add(secp256k1.Point.BASE)
      contacts.publicAuthor(new Transaction(), chatKeyId(point.toBytes(false)), `n${i}`)
    }
    expect(contacts.contact(first).displayName).toBeUndefined()
    expect(contacts.list()).toHaveLength(1)
  })
})
