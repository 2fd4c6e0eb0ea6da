import { secp256k1 } from '@noble/curves/secp256k1.js'
import { afterEach, describe, expect, it } from 'vitest'
import { chatKeyId } from '../protocol/chat-matching'
import { partsContext, testRecordKeys } from '../testing/messenger-parts'
import { ContactBook } from './contact-book'
import { ContactsService, STRANGER_NAMES_CACHED } from './contacts-service'
import { Transaction } from './transaction'

let close: () => Promise<void> = async () => undefined
afterEach(() => close())

const stranger = () => chatKeyId(secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), false))

/** A service whose keys have standing only when listed in `standing` (a chat or a request, in the messenger). */
async function service() {
  const parts = await partsContext()
  close = parts.close
  const standing = new Set<string>()
  const contacts = new ContactsService(parts.ctx, await ContactBook.load(parts.ctx.store, testRecordKeys()), '', (id) => standing.has(id))
  const announced: number[] = []
  parts.ctx.emit = ((name: string, payload: { contacts?: unknown[] }) => {
    if (name === 'contacts.changed') announced.push(payload.contacts?.length ?? 0)
  }) as typeof parts.ctx.emit
  const update = async (id: string, clock: bigint, name: string) => {
    const tx = new Transaction()
    contacts.applyUpdate(tx, id, clock, name)
    await tx.commit(parts.ctx.store)
  }
  return { contacts, standing, announced, update, ctx: parts.ctx }
}

describe('ContactsService under attack: strangers from fresh keys', () => {
  // A ContactUpdate (or a bundle) from any key made a contact record and re-announced the whole list: 400
  // strangers took 17.5 s for the last 100 and the book grew without bound.
  it('a ContactUpdate from a key with no chat and no request makes no record and announces nothing', async () => {
    const { contacts, announced, update } = await service()
    const ids = Array.from({ length: 50 }, stranger)
    for (const id of ids) await update(id, 1n, 'spam')
    expect(contacts.list()).toHaveLength(0)
    expect(announced).toEqual([])
    // Still shown by the name it gave, where a stranger is shown (a request, their contact page).
    expect(contacts.contact(ids[0]!)).toMatchObject({ known: false, displayName: 'spam' })
  })

  it('remembers strangers’ names in bounded memory only', async () => {
    const { contacts, update } = await service()
    const first = stranger()
    await update(first, 1n, 'first')
    for (let i = 0; i < STRANGER_NAMES_CACHED; i++) await update(stranger(), 1n, `s${i}`)
    expect(contacts.contact(first).displayName).toBeUndefined()
  }, 60_000)

  it('a bundle from a stranger records no devices; one from a request’s sender does', async () => {
    const { contacts, standing } = await service()
    const [spam, sender] = [stranger(), stranger()]
    standing.add(sender)
    for (const peer of [spam, sender]) contacts.onInstallations({ peer, installations: [{ id: 'device-1', firstSeen: 1 }] })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(contacts.list().map((c) => c.publicKey)).toEqual([sender])
  })

  it('the name a stranger sent before their request was accepted becomes their contact’s, newer clocks still win', async () => {
    const { contacts, standing, update, ctx } = await service()
    const id = stranger()
    await update(id, 3n, 'Early name')
    standing.add(id)
    const tx = new Transaction()
    contacts.ensure(tx, id)
    await tx.commit(ctx.store)
    expect(contacts.get(id)?.displayName).toBe('Early name')
    await update(id, 2n, 'older')
    expect(contacts.get(id)?.displayName).toBe('Early name')
    await update(id, 4n, 'Newer')
    expect(contacts.get(id)?.displayName).toBe('Newer')
  })
})
