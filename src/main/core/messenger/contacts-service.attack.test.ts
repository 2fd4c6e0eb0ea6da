import { secp256k1 } from '@noble/curves/secp256k1.js'
import { afterEach, describe, expect, it } from 'vitest'
import { chatKeyId } from '../protocol/chat-matching'
import { partsContext, testRecordKeys } from '../testing/messenger-parts'
import { ContactBook } from './contact-book'
import { ContactsService } from './contacts-service'
import { Transaction } from './transaction'

let close: () => Promise<void> = async () => undefined
afterEach(() => close())

const stranger = () => chatKeyId(secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), false))

describe('ContactsService under attack', () => {
  // DEFECT, test only (/work/wt/s-attack-findings.md, "stranger contacts"): a ContactUpdate (or a bundle, via
  // onInstallations) from any key makes a contact record, and every change rebuilds and announces the whole
  // list: strangers with fresh keys grow the book without bound, each costing work linear in it (400 strangers:
  // the last 100 took 17.5 s here). Bounding it needs a decision on what a stranger's "added you" keeps
  // (messenger.test.ts names a request's sender before the request is accepted), so nothing is changed here.
  it.fails('a stranger with no chat and no request gets no contact record from a ContactUpdate', async () => {
    const parts = await partsContext()
    close = parts.close
    const contacts = new ContactsService(parts.ctx, await ContactBook.load(parts.ctx.store, testRecordKeys()), '')
    const id = stranger()
    const tx = new Transaction()
    contacts.applyUpdate(tx, id, 1n, 'spam')
    await tx.commit(parts.ctx.store)
    expect(contacts.get(id)).toBeUndefined()
  })
})
