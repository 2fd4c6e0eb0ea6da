/*
 * Bounds on private group chats. status-go v0.52 bounds none of these on the wire; every received
 * MembershipUpdateMessage carries the group's whole event history, so without them one message could
 * make us recover thousands of signatures or keep an unbounded member list.
 *
 * A message that exceeds a bound is rejected as a whole, exactly like one that breaks a membership
 * rule. Every value is at least what a Status client of that era could produce, so honest groups
 * never hit them.
 */

/**
 * Most members a group may have, the creator included. status-go has no limit; the Status app paired
 * with it (status-react 1.2, `max-group-chat-participants`) offered 10 in its UI and later versions
 * 20. Hush creates and accepts groups of up to 20, so a group made by either app fits.
 */
export const MAX_GROUP_SIZE = 20

/**
 * Most events a group's history may hold. Each received message repeats the whole history, and
 * every event not seen before costs a signature recovery (about 1.5 ms on an idle core here, several
 * times that under load; bench/groups.ts), so this caps the work one message can force at about a
 * second of idle CPU. A group of 20 that renames itself and changes members often stays well below it.
 */
export const MAX_GROUP_EVENTS = 500

/**
 * Most groups we have not joined (invitations, and groups that removed us before we joined) kept at
 * once. Anyone who knows our chat key can make a group that lists us, from as many fresh keys as they
 * like, and each may hold MAX_GROUP_EVENTS events; past this bound a group new to us is refused (counted
 * as GROUP_INVITATION_LIMIT) until the person joins or declines one. Every later message of a refused
 * group carries its whole history again, so an honest invitation comes back once there is room.
 */
export const MAX_GROUP_INVITATIONS = 50

/** Longest group name, in UTF-8 bytes. Status had no limit; names longer than this are not names. */
export const MAX_GROUP_NAME_BYTES = 1024

/**
 * Longest group chat id, in characters. A status-go id is a 36-character UUID, "-" and a 132-character
 * key (169 in all); status-go checks only that it ends with the creator's key.
 */
export const MAX_GROUP_ID_LENGTH = 256

/**
 * Largest single signed event (signature ‖ protobuf): room for MAX_GROUP_SIZE member ids and a name of
 * MAX_GROUP_NAME_BYTES with protobuf framing to spare.
 */
export const MAX_GROUP_EVENT_BYTES = 65 + MAX_GROUP_SIZE * (2 + 132) + (3 + MAX_GROUP_NAME_BYTES) + 64
