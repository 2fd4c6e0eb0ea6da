import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { decodeProto } from './decode'
import { type MembershipUpdateEvent, MembershipUpdateEventSchema } from './gen/protobuf/membership_update_message_pb'
import { keccak256 } from '../primitives/keccak'
import { recoverSigner, signDigest } from '../primitives/secp256k1'

const SIGNATURE_LENGTH = 65

export class MembershipEventError extends Error {
  override readonly name = 'MembershipEventError'
  constructor(
    readonly code: 'TOO_SHORT' | 'MALFORMED' | 'BAD_SIGNATURE',
    message: string
  ) {
    super(message)
  }
}

/** One entry of MembershipUpdateMessage.events, with its author recovered. */
export interface SignedMembershipEvent {
  readonly event: MembershipUpdateEvent
  /** Uncompressed 65-byte key of the admin/member who made the change. */
  readonly author: Uint8Array
  /** The 65-byte signature; status-go deduplicates stored events by it. */
  readonly signature: Uint8Array
  /** signature ‖ event bytes, exactly as received, for relaying unchanged. */
  readonly raw: Uint8Array
}

// The chat id is bound into the signature so an event cannot be replayed into another group.
function signedDigest(chatId: string, eventBytes: Uint8Array): Uint8Array {
  return keccak256(concatBytes(utf8ToBytes(chatId), eventBytes))
}

/** Encodes and signs one event: signature(keccak256(chatId ‖ event)) ‖ event. */
export function signMembershipEvent(
  chatId: string,
  event: MessageInitShape<typeof MembershipUpdateEventSchema>,
  privateKey: Uint8Array
): Uint8Array {
  const eventBytes = toBinary(MembershipUpdateEventSchema, create(MembershipUpdateEventSchema, event))
  return concatBytes(signDigest(signedDigest(chatId, eventBytes), privateKey), eventBytes)
}

export function readMembershipEvent(chatId: string, raw: Uint8Array): SignedMembershipEvent {
  if (raw.length < SIGNATURE_LENGTH) {
    throw new MembershipEventError('TOO_SHORT', `membership event of ${raw.length} bytes has no room for a signature`)
  }
  const signature = raw.subarray(0, SIGNATURE_LENGTH)
  const eventBytes = raw.subarray(SIGNATURE_LENGTH)
  let event: MembershipUpdateEvent
  try {
    event = decodeProto(MembershipUpdateEventSchema, eventBytes)
  } catch (err) {
    throw new MembershipEventError('MALFORMED', err instanceof Error ? err.message : String(err))
  }
  let author: Uint8Array
  try {
    author = recoverSigner(signedDigest(chatId, eventBytes), signature)
  } catch (err) {
    throw new MembershipEventError('BAD_SIGNATURE', err instanceof Error ? err.message : String(err))
  }
  return { event, author, signature, raw }
}
