import * as z from 'zod'
import { PublicIdentity } from './accounts'
import { method } from './contract'

const PublicKeyArg = z.string().max(200)

/** Hush's display-name extension of ContactUpdate carries at most this many characters. */
export const MAX_DISPLAY_NAME_LENGTH = 64

/** A device of a contact, as listed by their X3DH bundles. */
export const ContactDevice = z.object({
  installationId: z.string(),
  /** When a bundle first listed it on this device (ms). */
  firstSeen: z.number()
})
export type ContactDevice = z.infer<typeof ContactDevice>

/** An existing contact whose name a new key's name looks like. */
export const Resemblance = z.object({
  publicKey: z.string(),
  alias: z.string(),
  displayName: z.string().optional()
})
export type Resemblance = z.infer<typeof Resemblance>

/**
 * What this account knows about one chat key: everything derived from the key, the name its owner chose
 * (Hush's ContactUpdate extension), the devices seen in their bundles and whether we verified them.
 */
export const Contact = PublicIdentity.extend({
  /** The name they chose; never shown without the alias next to it. */
  displayName: z.string().max(MAX_DISPLAY_NAME_LENGTH).optional(),
  /** A contact record exists: we have a 1:1 chat with them, heard from them directly, or verified them. */
  known: z.boolean(),
  /** The person added them as a contact (contacts.add); only then did they get our ContactUpdate. */
  added: z.boolean(),
  verified: z.boolean(),
  /** When they were marked verified (ms). */
  verifiedAt: z.number().optional(),
  devices: z.array(ContactDevice),
  /** Devices that appeared after they were verified and that nobody has acknowledged yet. */
  newDevices: z.array(ContactDevice),
  /** Contacts known before this key whose name looks the same: a possible impersonation. */
  resembles: z.array(Resemblance)
})
export type Contact = z.infer<typeof Contact>

export const SafetyNumberView = z.object({
  /** 60 digits. */
  digits: z.string().regex(/^\d{60}$/),
  /** The same as 12 groups of 5. */
  groups: z.array(z.string()).length(12),
  /** What our verification QR code encodes (our half first). */
  qrPayload: z.string()
})
export type SafetyNumberView = z.infer<typeof SafetyNumberView>

export const ScanOutcome = z.enum(['match', 'mismatch', 'invalid'])
export type ScanOutcome = z.infer<typeof ScanOutcome>

export const contactMethods = {
  /** Validates a pasted chat key and shows who it is, and whom it resembles, before a chat is started. */
  'contacts.preview': method(z.object({ publicKey: PublicKeyArg }).strict(), Contact),
  'contacts.list': method(z.object({}).strict(), z.array(Contact)),
  /** Any key, met or not: a key without a record answers with known = false. */
  'contacts.get': method(z.object({ publicKey: PublicKeyArg }).strict(), Contact),
  'contacts.safetyNumber': method(z.object({ publicKey: PublicKeyArg }).strict(), SafetyNumberView),
  /** The "mark as verified" toggle; clearing is allowed at any time. */
  'contacts.setVerified': method(z.object({ publicKey: PublicKeyArg, verified: z.boolean() }).strict(), Contact),
  /** Checks the text of the other person's verification QR code; a match marks them verified. */
  'contacts.verifyScan': method(
    z.object({ publicKey: PublicKeyArg, text: z.string().max(4096) }).strict(),
    z.object({ outcome: ScanOutcome, contact: Contact })
  ),
  /** The person has seen the notice about a verified contact's new devices. */
  'contacts.acknowledgeDevices': method(z.object({ publicKey: PublicKeyArg }).strict(), Contact)
}

export const contactEvents = {
  /** A contact was added or changed (name, devices, verification). */
  'contacts.changed': z.object({ contacts: z.array(Contact) })
}
