import { create, toBinary } from '@bufbuild/protobuf'
import { equalBytes } from '@noble/curves/utils.js'
import {
  ApplicationMetadataMessageSchema,
  ApplicationMetadataMessage_Type as MessageKind
} from './gen/protobuf/application_metadata_message_pb'
import { decodeProto, DecodeError } from './decode'
import { messageId } from './message-id'
import { CryptoError } from '../primitives/crypto-error'
import { keccak256 } from '../primitives/keccak'
import { recoverSigner, signDigest } from '../primitives/secp256k1'

export { MessageKind }

export class WrapperError extends Error {
  override readonly name = 'WrapperError'
  constructor(
    readonly code: 'MALFORMED' | 'BAD_SIGNATURE' | 'NO_AUTHOR',
    message: string
  ) {
    super(message)
  }
}

/** A received ApplicationMetadataMessage with its author established. */
export interface UnwrappedMessage {
  /** The wrapper bytes exactly as received: the id and any re-check use these, never a re-encoding. */
  readonly raw: Uint8Array
  readonly type: MessageKind
  readonly payload: Uint8Array
  /** Empty when the sender relied on the transport signature. */
  readonly signature: Uint8Array
  /** Uncompressed 65-byte key of the author. */
  readonly author: Uint8Array
  /** "0x…" message id (see message-id.ts). */
  readonly id: string
}

/**
 * Builds the signed wrapper bytes: signature = Sign(keccak256(payload)) by the
 * author, as status-go's WrapMessageV1.
 */
export function wrapMessage(payload: Uint8Array, type: MessageKind, authorPrivateKey: Uint8Array): Uint8Array {
  const signature = signDigest(keccak256(payload), authorPrivateKey)
  return toBinary(ApplicationMetadataMessageSchema, create(ApplicationMetadataMessageSchema, { signature, payload, type }))
}

/**
 * Parses wrapper bytes and recovers the author from the app-layer signature.
 * Without an app-layer signature the transport (Whisper) signer is the author,
 * as status-go does; with neither there is no author and the message is refused.
 */
export function unwrapMessage(raw: Uint8Array, transportSigner?: Uint8Array | null): UnwrappedMessage {
  let wrapper
  try {
    wrapper = decodeProto(ApplicationMetadataMessageSchema, raw)
  } catch (err) {
    if (err instanceof DecodeError) throw new WrapperError('MALFORMED', err.message)
    throw err
  }
  let author: Uint8Array
  if (wrapper.signature.length > 0) {
    try {
      author = recoverSigner(keccak256(wrapper.payload), wrapper.signature)
    } catch (err) {
      if (err instanceof CryptoError) throw new WrapperError('BAD_SIGNATURE', err.message)
      throw err
    }
  } else if (transportSigner) {
    author = transportSigner
  } else {
    throw new WrapperError('NO_AUTHOR', 'message has neither an application nor a transport signature')
  }
  return {
    raw,
    type: wrapper.type,
    payload: wrapper.payload,
    signature: wrapper.signature,
    author,
    id: messageId(author, raw)
  }
}

/**
 * True when `raw` carries an app-layer signature by `publicKey` (65-byte
 * uncompressed). Checks the received bytes themselves: maps are not
 * canonical in protobuf, so a re-encoding could differ.
 */
export function isSignedBy(raw: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    const message = unwrapMessage(raw)
    return equalBytes(message.author, publicKey)
  } catch (err) {
    if (err instanceof WrapperError) return false
    throw err
  }
}
