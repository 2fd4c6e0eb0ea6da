import * as z from 'zod'
import { Contact } from './contacts'
import { method } from './contract'

const PublicKeyArg = z.string().max(200)

/** The most message requests kept at once; a stranger beyond it is dropped until one is answered. */
export const MAX_REQUESTS = 200
/** The most messages one request keeps; later ones are dropped until it is accepted. */
export const MAX_REQUEST_MESSAGES = 50

/**
 * Someone who wrote to us 1:1 without a chat with us: their messages wait here, not in the chats, until
 * the person accepts (they move to the chats), declines (they go) or blocks them.
 */
export const MessageRequest = z.object({
  /** Who wrote, with the impersonation check against earlier contacts (`resembles`). */
  contact: Contact,
  firstAt: z.number(),
  lastAt: z.number(),
  /** Messages kept (at most MAX_REQUEST_MESSAGES). */
  count: z.number().int().nonnegative(),
  /** The newest message's text, for the list. */
  preview: z.string()
})
export type MessageRequest = z.infer<typeof MessageRequest>

export const requestMethods = {
  'requests.list': method(z.object({}).strict(), z.array(MessageRequest)),
  /** Moves the request's messages into a 1:1 chat (unread). */
  'requests.accept': method(z.object({ publicKey: PublicKeyArg }).strict(), z.object({ chatId: z.string() })),
  /** Deletes the request and its messages; a later message from them is a new request. */
  'requests.decline': method(z.object({ publicKey: PublicKeyArg }).strict(), z.object({})),
  /**
   * Makes the key a contact: our chosen name goes to them in a ContactUpdate, which a status-go client
   * shows as "added you". Only this deliberate act sends one.
   */
  'contacts.add': method(z.object({ publicKey: PublicKeyArg }).strict(), Contact)
}

export const requestEvents = {
  /** The whole (bounded) list of requests, after any change. */
  'requests.changed': z.object({ requests: z.array(MessageRequest) })
}
