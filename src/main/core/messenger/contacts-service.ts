import { equalBytes } from '@noble/curves/utils.js'
import { type Author, type Contact, refusal, type SafetyNumberView, type ScanOutcome } from '../../../shared/api'
import type { InstallationsEvent } from '../crypto/session-manager'
import { chatKeyId } from '../protocol/chat-matching'
import { safetyNumber } from '../trust/safety-number'
import { compareScannedQr, verificationQrPayload } from '../trust/verification-qr'
import type { ContactBook, ContactRecord } from './contact-book'
import { ContactView } from './contact-view'
import type { MessengerContext } from './context'
import { receivedDisplayName } from './display-name'
import { AuthorCache, parseChatKey } from './identities'
import { Transaction } from './transaction'

/**
 * Strangers (no chat, no request, never added or verified) whose chosen names are remembered in memory, from
 * a public-chat message or a ContactUpdate, for their contact page and its look-alike check; least recently
 * heard dropped first: strangers never grow the contact book, and a flood of fresh keys costs bounded memory
 * and no work linear in the book. Their public messages keep the name they carried, stored with the message.
 */
export const STRANGER_NAMES_CACHED = 1000

/**
 * The people this account talks to: the contacts API (names, verification, safety numbers, devices),
 * names learnt from ContactUpdates, and how authors are shown. A change is announced once per transaction,
 * after it commits.
 */
export class ContactsService {
  private readonly authors = new AuthorCache()
  /** Rebuilt after every committed change of the contact book. */
  private view: ContactView | null = null
  /** Transactions that will announce a contact change once committed (one event each). */
  private readonly announcing = new WeakSet<Transaction>()
  /** Chosen names of strangers, oldest heard first (STRANGER_NAMES_CACHED), with the ContactUpdate clock if any. */
  private readonly strangerNames = new Map<string, { name: string; clock: bigint }>()

  constructor(
    private readonly ctx: Pick<MessengerContext, 'store' | 'identity' | 'ownKeyId' | 'emit' | 'now' | 'log' | 'serial' | 'stopped'>,
    private readonly book: ContactBook,
    /** Our own chosen name ('' for none), as our messages' author. */
    private displayName: string,
    /** Whether a key without a contact record has a place here anyway (a chat or a message request). */
    private readonly hasStanding: (id: string, tx: Transaction) => boolean
  ) {}

  get(id: string, tx?: Transaction): ContactRecord | undefined {
    return this.book.get(id, tx)
  }

  list(): Contact[] {
    return this.contactView().all()
  }

  /** What we know about any key; one without a record is checked for look-alikes like a newcomer. */
  contact(publicKey: string): Contact {
    const id = chatKeyId(parseChatKey(publicKey))
    return this.contactView().contact(id, this.book.get(id), this.strangerNames.get(id)?.name)
  }

  safetyNumber(publicKey: string): SafetyNumberView {
    const key = this.otherKey(publicKey)
    const { digits, groups } = safetyNumber(this.ctx.identity.publicKey, key)
    return { digits, groups, qrPayload: verificationQrPayload(this.ctx.identity.publicKey, key) }
  }

  setVerified(publicKey: string, verified: boolean): Promise<Contact> {
    const id = chatKeyId(this.otherKey(publicKey))
    return this.ctx.serial(async () => {
      const tx = new Transaction()
      this.ensure(tx, id)
      this.book.setVerified(tx, id, verified, this.ctx.now())
      this.changed(tx)
      await tx.commit(this.ctx.store)
      return this.contact(id)
    })
  }

  /** A scanned code that matches marks the contact verified; anything else changes nothing. */
  async verifyScan(publicKey: string, text: string): Promise<{ outcome: ScanOutcome; contact: Contact }> {
    const key = this.otherKey(publicKey)
    const outcome = compareScannedQr(this.ctx.identity.publicKey, key, text)
    const contact = outcome === 'match' ? await this.setVerified(publicKey, true) : this.contact(publicKey)
    return { outcome, contact }
  }

  acknowledgeDevices(publicKey: string): Promise<Contact> {
    const id = chatKeyId(this.otherKey(publicKey))
    return this.ctx.serial(async () => {
      const tx = new Transaction()
      this.book.acknowledgeDevices(tx, id, this.ctx.now())
      this.changed(tx)
      await tx.commit(this.ctx.store)
      return this.contact(id)
    })
  }

  /**
   * Someone we now talk to 1:1, verify, add, or who has a chat or request becomes a contact (met now) if they
   * were not one. Every record starts here, so what they told us while still a stranger is kept.
   */
  ensure(tx: Transaction, id: string): void {
    if (this.book.get(id, tx)) return
    this.book.ensure(tx, id, this.ctx.now())
    // What they told us while still a stranger (a ContactUpdate before the request was accepted) is theirs.
    const heard = this.strangerNames.get(id)
    if (heard && heard.clock > 0n) this.book.applyName(tx, id, heard.clock, heard.name, this.ctx.now())
    this.changed(tx)
  }

  /** Whether the person added them: only they hear our chosen name (a ContactUpdate reads as "added you"). */
  isAdded(id: string): boolean {
    return this.book.get(id)?.addedAt !== undefined
  }

  /** The person made them a contact (the ContactUpdate that says so is the caller's). */
  markAdded(tx: Transaction, id: string): void {
    if (this.book.get(id, tx)?.addedAt !== undefined) return
    this.ensure(tx, id)
    this.book.setAdded(tx, id, this.ctx.now())
    this.changed(tx)
  }

  /**
   * A ContactUpdate sent to us directly: newer clock wins. Returns a drop reason when the name fails the
   * extension's rules (the stored one stays as it is).
   */
  applyUpdate(tx: Transaction, senderId: string, clock: bigint, rawName: string): string | null {
    if (senderId === this.ctx.ownKeyId) return null
    const check = receivedDisplayName(rawName)
    if (!check.ok) return `CONTACT_NAME_${check.reason}`
    const known = this.book.get(senderId, tx) !== undefined
    if (!known && !this.hasStanding(senderId, tx)) {
      const heard = this.strangerNames.get(senderId)
      if (!heard || clock > heard.clock) this.hearStranger(senderId, check.name, clock)
      return null
    }
    this.ensure(tx, senderId)
    if (this.book.applyName(tx, senderId, clock, check.name, this.ctx.now())) this.changed(tx)
    return null
  }

  /** Devices listed by a contact's bundle, for the contact page and the verified contact's new-device notice. */
  readonly onInstallations = (event: InstallationsEvent): void => {
    if (this.ctx.stopped() || event.peer === this.ctx.ownKeyId) return
    const devices = event.installations.map((i) => ({ installationId: i.id, firstSeen: i.firstSeen }))
    this.ctx
      .serial(async () => {
        const tx = new Transaction()
        const known = this.book.get(event.peer, tx) !== undefined
        // A stranger's bundle makes no record: anyone can send one from a fresh key.
        if (!known && !this.hasStanding(event.peer, tx)) return
        this.ensure(tx, event.peer)
        if (!this.book.recordDevices(tx, event.peer, devices, this.ctx.now()) && known) return
        this.changed(tx)
        await tx.commit(this.ctx.store)
      })
      .catch((error: unknown) => this.ctx.log.error('contact devices not recorded', { error }))
  }

  setOwnName(name: string): void {
    this.displayName = name
  }

  /** Our chosen name ('' for none), as announced in ContactUpdates and public-chat messages. */
  get ownName(): string {
    return this.displayName
  }

  /**
   * The author of a public-chat message, with the chosen name the message carried (Hush's ChatMessage
   * extension, docs/contact-names.md) under the ContactUpdate rules. A contact keeps the name their contact
   * record holds, if any. A stranger's name is shown with the message and flagged when it (or their alias)
   * looks like a contact's name. A refused name leaves the message as it is, shown by alias, and says why.
   */
  publicAuthor(tx: Transaction, authorId: string, rawName: string): { author: Author; dropped: string | null } {
    const check = receivedDisplayName(rawName)
    const dropped = check.ok ? null : `PUBLIC_NAME_${check.reason}`
    const name = check.ok ? check.name : ''
    const record = this.book.get(authorId, tx)
    if (authorId === this.ctx.ownKeyId || record) {
      const author = this.authorOf(authorId)
      return { author: !author.displayName && name ? { ...author, displayName: name } : author, dropped }
    }
    if (name) this.hearStranger(authorId, name, 0n)
    else this.strangerNames.delete(authorId)
    const author = this.authors.of(authorId)
    const lookalike = this.contactView().strangerResembles(authorId, author.alias, name)
    return { author: { ...author, ...(name ? { displayName: name } : {}), ...(lookalike ? { lookalike } : {}) }, dropped }
  }

  /** Remembers a stranger's latest name, as the most recently heard (the oldest goes past the bound). */
  private hearStranger(id: string, name: string, clock: bigint): void {
    this.strangerNames.delete(id)
    this.strangerNames.set(id, { name, clock })
    if (this.strangerNames.size > STRANGER_NAMES_CACHED) this.strangerNames.delete(this.strangerNames.keys().next().value!)
  }

  authorOf(authorId: string): Author {
    const author = this.authors.of(authorId)
    const name = authorId === this.ctx.ownKeyId ? this.displayName : this.book.get(authorId)?.displayName
    return name ? { ...author, displayName: name } : author
  }

  /** A key given to a contact method, as long as it is not ours. */
  private otherKey(publicKey: string): Uint8Array {
    const key = parseChatKey(publicKey)
    if (equalBytes(key, this.ctx.identity.publicKey)) throw refusal('BAD_REQUEST', { reason: 'OWN_CHAT_KEY' }, 'That is your own chat key.')
    return key
  }

  private contactView(): ContactView {
    this.view ??= new ContactView(this.book.all())
    return this.view
  }

  /** The contact book changed in `tx`: once committed, the view is stale and the renderer hears. */
  private changed(tx: Transaction): void {
    if (this.announcing.has(tx)) return
    this.announcing.add(tx)
    tx.onCommit(() => (this.view = null))
    tx.afterCommit(() => {
      if (!this.ctx.stopped()) this.ctx.emit('contacts.changed', { contacts: this.list() })
    })
  }
}
