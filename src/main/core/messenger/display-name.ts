import { MAX_DISPLAY_NAME_LENGTH } from '../../../shared/api'

/**
 * Control characters (C0, DEL, C1) and the bidirectional embeddings, overrides and isolates, which
 * could reorder the text around a name on screen.
 */
const CONTROL = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu

export type DisplayNameCheck = { ok: true; name: string } | { ok: false; reason: 'TOO_LONG' }

/**
 * A display name as received in Hush's ContactUpdate extension: control characters go, surrounding
 * space goes, and a name still longer than MAX_DISPLAY_NAME_LENGTH characters is refused rather than
 * cut (a cut name could be made to end where a contact's name ends). An empty result means "no name".
 */
export function receivedDisplayName(raw: string): DisplayNameCheck {
  const name = raw.replace(CONTROL, '').trim()
  if ([...name].length > MAX_DISPLAY_NAME_LENGTH) return { ok: false, reason: 'TOO_LONG' }
  return { ok: true, name }
}
