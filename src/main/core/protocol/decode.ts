import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf'

export class DecodeError extends Error {
  override readonly name = 'DecodeError'
  constructor(
    readonly typeName: string,
    cause: unknown
  ) {
    super(`malformed ${typeName}: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
}

/**
 * Decodes peer-supplied protobuf bytes. Unknown fields are kept (protobuf-es
 * default) so newer peers' additions survive; malformed input becomes a
 * DecodeError instead of whatever the runtime throws.
 */
export function decodeProto<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, bytes)
  } catch (cause) {
    throw new DecodeError(schema.typeName, cause)
  }
}
