import * as z from 'zod'
import { Contact } from './contacts'
import { Chat } from './chats'
import { method } from './contract'

/** The most members a group may have, its creator included (core/protocol/group-limits.ts). */
export const GROUP_MAX_MEMBERS = 20
const GroupId = z.string().max(256)
const PublicKeyArg = z.string().max(200)
const GroupName = z.string().trim().min(1).max(100)

/** One member as the info panel shows them: who they are (with verification and look-alikes) and their role. */
export const GroupMember = z.object({
  contact: Contact,
  admin: z.boolean(),
  /** Accepted the invitation; an invited member receives but is not shown messages yet. */
  joined: z.boolean(),
  /** This is us. */
  self: z.boolean()
})
export type GroupMember = z.infer<typeof GroupMember>

export const GroupInfo = z.object({
  id: z.string(),
  name: z.string(),
  creator: z.string(),
  members: z.array(GroupMember),
  /** What we may do: admins add, remove and promote members and rename the group. */
  admin: z.boolean(),
  joined: z.boolean(),
  left: z.boolean(),
  invitedBy: Contact.optional()
})
export type GroupInfo = z.infer<typeof GroupInfo>

export const groupMethods = {
  /** A new group with us as creator and admin; `members` are invited (at most GROUP_MAX_MEMBERS - 1). */
  'groups.create': method(
    z.object({ name: GroupName, members: z.array(PublicKeyArg).min(1).max(GROUP_MAX_MEMBERS - 1) }).strict(),
    Chat,
    { timeoutMs: 60_000 }
  ),
  'groups.info': method(z.object({ chatId: GroupId }).strict(), GroupInfo),
  /** Joins a group we were invited to. */
  'groups.accept': method(z.object({ chatId: GroupId }).strict(), GroupInfo),
  /** Declines an invitation: leaves the group and removes the chat. */
  'groups.decline': method(z.object({ chatId: GroupId }).strict(), z.object({})),
  'groups.addMembers': method(
    z.object({ chatId: GroupId, members: z.array(PublicKeyArg).min(1).max(GROUP_MAX_MEMBERS - 1) }).strict(),
    GroupInfo
  ),
  'groups.removeMember': method(z.object({ chatId: GroupId, member: PublicKeyArg }).strict(), GroupInfo),
  'groups.rename': method(z.object({ chatId: GroupId, name: GroupName }).strict(), GroupInfo),
  'groups.makeAdmin': method(z.object({ chatId: GroupId, member: PublicKeyArg }).strict(), GroupInfo),
  /** Leaves the group; the chat and its history stay until chats.leave removes them. */
  'groups.leave': method(z.object({ chatId: GroupId }).strict(), GroupInfo)
}
