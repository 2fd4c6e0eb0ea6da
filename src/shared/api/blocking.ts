import * as z from 'zod'
import { Identicon } from './accounts'
import { method } from './contract'

const PublicKeyArg = z.string().max(200)
const ChatId = z.string().max(300)

export const BlockedKey = z.object({
  publicKey: z.string(),
  alias: z.string(),
  identicon: Identicon,
  displayName: z.string().optional(),
  blockedAt: z.number()
})
export type BlockedKey = z.infer<typeof BlockedKey>

export const blockingMethods = {
  /**
   * Hides everything the key wrote, in every chat (what is stored, and what arrives later), drops its 1:1
   * messages before decrypting them, and removes its message request. Survives restarts.
   */
  'contacts.block': method(z.object({ publicKey: PublicKeyArg }).strict(), z.object({})),
  'contacts.unblock': method(z.object({ publicKey: PublicKeyArg }).strict(), z.object({})),
  'contacts.blocked': method(z.object({}).strict(), z.array(BlockedKey)),
  /** A muted chat raises no notification and shows no unread badge; its messages still arrive. */
  'chats.setMuted': method(z.object({ chatId: ChatId, muted: z.boolean() }).strict(), z.object({}))
}

export const blockingEvents = {
  'contacts.blockedChanged': z.object({ blocked: z.array(BlockedKey) })
}
