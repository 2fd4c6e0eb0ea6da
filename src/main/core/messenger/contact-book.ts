import { z } from 'zod'
import { MAX_DISPLAY_NAME_LENGTH, PUBLIC_KEY_PATTERN, type ContactDevice } from '../../../shared/api'
import { MAX_KNOWN_INSTALLATIONS } from '../crypto/installations'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { CONTACT_PREFIX, Count, DecimalClock, type RecordKeys } from './records'
import { StagedMap, type Transaction } from './transaction'

/** One contact as stored in the account's protocol state. */
export interface ContactRecord {
  /** "0x04…" chat key. */
  publicKey: string
  /** When this account first met them (ms): who was a contact first decides who may impersonate whom. */
  since: number
  /** Chosen name from their newest ContactUpdate; absent for none. */
  displayName?: string
  /** Clock of the ContactUpdate the name came from (decimal string), "0" before any. */
  nameClock: string
  verifiedAt?: number
  /** When the person added them as a contact (absent: met, never added). */
  addedAt?: number
  devices: ContactDevice[]
  /** Devices first seen while they were verified, until acknowledged. */
  newDevices: ContactDevice[]
}

const Device = z.object({ installationId: z.string().max(1024), firstSeen: Count })
const ContactRecordSchema: z.ZodType<ContactRecord> = z.object({
  publicKey: z.string().regex(PUBLIC_KEY_PATTERN),
  since: Count,
  // The limit counts code points; two UTF-16 units each at most.
  displayName: z.string().max(2 * MAX_DISPLAY_NAME_LENGTH).optional(),
  nameClock: DecimalClock,
  verifiedAt: Count.optional(),
  addedAt: Count.optional(),
  devices: z.array(Device),
  newDevices: z.array(Device)
})

/**
 * The people this account has met directly (1:1 partners, senders of direct messages, verified keys),
 * loaded once and kept in memory; every change goes through a Transaction, so a contact's name,
 * devices and verification commit atomically with whatever message or session write revealed them.
 */
export class ContactBook {
  private constructor(
    private readonly contacts: StagedMap<ContactRecord>,
    private readonly keys: RecordKeys
  ) {}

  /** Loads every readable contact record; an unreadable one is reported to `onUnreadable` and left out. */
  static async load(store: EncryptedStore, keys: RecordKeys, onUnreadable?: OnUnreadable): Promise<ContactBook> {
    const contacts = new Map<string, ContactRecord>()
    for await (const [, record] of iterateParsed(store, CONTACT_PREFIX, ContactRecordSchema, onUnreadable)) contacts.set(record.publicKey, record)
    return new ContactBook(new StagedMap(contacts), keys)
  }

  get(publicKey: string, tx?: Transaction): ContactRecord | undefined {
    return this.contacts.get(publicKey, tx)
  }

  /** Oldest acquaintance first (committed records). */
  all(): ContactRecord[] {
    return [...this.contacts.values()].sort((a, b) => a.since - b.since || (a.publicKey < b.publicKey ? -1 : 1))
  }

  /** The contact's record, created (met now) if there is none. */
  ensure(tx: Transaction, publicKey: string, now: number): ContactRecord {
    const existing = this.contacts.get(publicKey, tx)
    if (existing) return existing
    return this.put(tx, { publicKey, since: now, nameClock: '0', devices: [], newDevices: [] })
  }

  /** A ContactUpdate's name, if its clock is newer than the one that set the current name. */
  applyName(tx: Transaction, publicKey: string, clock: bigint, name: string, now: number): boolean {
    const record = this.ensure(tx, publicKey, now)
    if (clock <= BigInt(record.nameClock)) return false
    const { displayName: _previous, ...rest } = record
    this.put(tx, { ...rest, nameClock: clock.toString(), ...(name ? { displayName: name } : {}) })
    return (record.displayName ?? '') !== name
  }

  setVerified(tx: Transaction, publicKey: string, verified: boolean, now: number): ContactRecord {
    const { verifiedAt: _previous, ...record } = this.ensure(tx, publicKey, now)
    // Verifying covers the devices seen so far; a cleared verification has no new-device notice to give.
    return this.put(tx, { ...record, newDevices: [], ...(verified ? { verifiedAt: now } : {}) })
  }

  setAdded(tx: Transaction, publicKey: string, now: number): ContactRecord {
    const record = this.ensure(tx, publicKey, now)
    return record.addedAt !== undefined ? record : this.put(tx, { ...record, addedAt: now })
  }

  /**
   * The devices their latest bundle lists. A device not seen before, appearing while they are verified,
   * is kept for the new-device notice. Returns whether anything changed.
   */
  recordDevices(tx: Transaction, publicKey: string, devices: readonly ContactDevice[], now: number): boolean {
    const record = this.ensure(tx, publicKey, now)
    const known = new Set(record.devices.map((d) => d.installationId))
    const added = devices.filter((d) => !known.has(d.installationId))
    if (added.length === 0) return false
    const newDevices = record.verifiedAt !== undefined && record.devices.length > 0 ? [...record.newDevices, ...added] : record.newDevices
    // The newest only: a contact signs its own bundles and can name new devices in every one.
    this.put(tx, { ...record, devices: [...record.devices, ...added].slice(-MAX_KNOWN_INSTALLATIONS), newDevices: newDevices.slice(-MAX_KNOWN_INSTALLATIONS) })
    return true
  }

  acknowledgeDevices(tx: Transaction, publicKey: string, now: number): ContactRecord {
    const record = this.ensure(tx, publicKey, now)
    return record.newDevices.length === 0 ? record : this.put(tx, { ...record, newDevices: [] })
  }

  private put(tx: Transaction, record: ContactRecord): ContactRecord {
    this.contacts.set(tx, record.publicKey, record)
    tx.putJson(this.keys.contact(record.publicKey), record)
    return record
  }
}
