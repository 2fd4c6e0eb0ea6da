import * as z from 'zod'
import { method } from './contract'

const HEX_PUBLIC_KEY = /^0x04[0-9a-f]{128}$/

export const Identicon = z.object({
  cells: z.array(z.boolean()).length(25),
  color: z.object({ r: z.number().int().min(0).max(255), g: z.number().int().min(0).max(255), b: z.number().int().min(0).max(255) })
})
export type Identicon = z.infer<typeof Identicon>

/** What every screen may know about an identity: all of it is derived from the public chat key. */
export const PublicIdentity = z.object({
  publicKey: z.string().regex(HEX_PUBLIC_KEY),
  compressedKey: z.string(),
  alias: z.string(),
  address: z.string(),
  identicon: Identicon
})
export type PublicIdentity = z.infer<typeof PublicIdentity>

export const Account = z.object({
  id: z.string(),
  name: z.string(),
  publicKey: z.string().regex(HEX_PUBLIC_KEY),
  alias: z.string(),
  address: z.string(),
  identicon: Identicon,
  createdAt: z.number(),
  /** Whether the recovery phrase was checked (or typed in to restore); until then the app keeps reminding. */
  backedUp: z.boolean()
})
export type Account = z.infer<typeof Account>

export const AccountListEntry = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), account: Account }),
  z.object({ status: z.literal('corrupt'), file: z.string(), message: z.string() })
])
export type AccountListEntry = z.infer<typeof AccountListEntry>

export const Candidate = PublicIdentity.extend({ candidateId: z.string() })
export type Candidate = z.infer<typeof Candidate>

export const MnemonicProblem = z.object({
  reason: z.enum(['WORD_COUNT', 'UNKNOWN_WORDS', 'CHECKSUM']),
  message: z.string(),
  /** 0-based positions of words that are not in the BIP39 English list. */
  unknownWords: z.array(z.number().int())
})
export type MnemonicProblem = z.infer<typeof MnemonicProblem>

const Password = z.string().min(1).max(1024)
const Mnemonic = z.string().min(1).max(1024)
const Name = z.string().max(64).optional()
const AccountId = z.string().max(64)
/** Key stretching (scrypt, N = 2^18) takes about a second per call: allow for a slow machine. */
const KDF_TIMEOUT = { timeoutMs: 60_000 }

export const accountMethods = {
  'accounts.list': method(z.object({}).strict(), z.array(AccountListEntry)),
  /** Five fresh identities to choose from; their secrets stay in main until one is chosen. */
  'accounts.candidates': method(z.object({ count: z.number().int().min(1).max(10).default(5) }).strict(), z.array(Candidate)),
  /** Stores the chosen candidate; the mnemonic comes back once, for the backup screen. */
  'accounts.create': method(
    z.object({ candidateId: z.string().max(64), password: Password, name: Name }).strict(),
    z.object({ account: Account, mnemonic: z.string() }),
    KDF_TIMEOUT
  ),
  /** Checks a typed phrase and previews the identity it restores, before anything is stored. */
  'accounts.checkMnemonic': method(
    z.object({ mnemonic: Mnemonic }).strict(),
    z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), identity: PublicIdentity }),
      z.object({ ok: z.literal(false), problem: MnemonicProblem })
    ])
  ),
  'accounts.restore': method(z.object({ mnemonic: Mnemonic, password: Password, name: Name }).strict(), Account, KDF_TIMEOUT),
  'accounts.unlock': method(z.object({ id: AccountId, password: Password }).strict(), Account, KDF_TIMEOUT),
  'accounts.lock': method(z.object({}).strict(), z.object({})),
  'accounts.current': method(z.object({}).strict(), Account.nullable()),
  'accounts.revealMnemonic': method(z.object({ id: AccountId, password: Password }).strict(), z.object({ mnemonic: z.string() }), KDF_TIMEOUT),
  'accounts.changePassword': method(
    z.object({ id: AccountId, oldPassword: Password, newPassword: Password }).strict(),
    z.object({}),
    { timeoutMs: 120_000 }
  ),
  /** The backup screen checked the unlocked account's phrase; answers the account as it is now. */
  'accounts.confirmBackup': method(z.object({ id: AccountId }).strict(), Account),
  'accounts.remove': method(z.object({ id: AccountId, password: Password }).strict(), z.object({}), KDF_TIMEOUT)
}

export const accountEvents = {
  /** The unlocked account changed (unlocked, locked, removed): null when locked. */
  'accounts.current': Account.nullable()
}
