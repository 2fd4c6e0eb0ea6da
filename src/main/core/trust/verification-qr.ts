import type { ChatKey } from './chat-key'
import { SAFETY_NUMBER_VERSION, safetyNumber } from './safety-number'

/*
 * Payload: "HUSH-SN:<version>:<presenter's 30 digits>:<scanner's 30 digits>", 71 characters. Upper case
 * keeps every character in the QR alphanumeric set, so even a single-mode encoder packs it densely;
 * the qrcode package makes a version-3 (29×29) code at level M.
 */
const PREFIX = 'HUSH-SN'
const HALF = /^[0-9]{30}$/
const VERSION = /^[0-9]{1,4}$/
/** Far above a real payload; longer text is rejected before it is split. */
const MAX_PAYLOAD_LENGTH = 128

export interface VerificationQr {
  version: number
  /** Half of the person whose screen shows the code. */
  presenter: string
  /** Half of the person the code is meant to be scanned by. */
  scanner: string
}

export type VerificationQrErrorCode = 'NOT_A_VERIFICATION_CODE' | 'UNSUPPORTED_VERSION' | 'MALFORMED'

export interface VerificationQrError {
  code: VerificationQrErrorCode
  message: string
}

export type ParsedVerificationQr = { ok: true; value: VerificationQr } | { ok: false; error: VerificationQrError }

export type ScanResult = 'match' | 'mismatch' | 'invalid'

/** The text to show as a QR code on our screen: our half first. */
export function verificationQrPayload(ourKey: ChatKey, theirKey: ChatKey): string {
  const { ours, theirs } = safetyNumber(ourKey, theirKey)
  return `${PREFIX}:${SAFETY_NUMBER_VERSION}:${ours}:${theirs}`
}

export function parseVerificationQr(text: string): ParsedVerificationQr {
  const trimmed = text.trim()
  if (trimmed.length > MAX_PAYLOAD_LENGTH) return failure('NOT_A_VERIFICATION_CODE', 'text is too long to be a verification code')
  const fields = trimmed.split(':')
  if (fields[0]?.toUpperCase() !== PREFIX) return failure('NOT_A_VERIFICATION_CODE', `text does not start with ${PREFIX}:`)
  const [, version = '', presenter = '', scanner = ''] = fields
  if (!VERSION.test(version)) return failure('MALFORMED', 'version is not a number')
  if (Number(version) !== SAFETY_NUMBER_VERSION) {
    return failure('UNSUPPORTED_VERSION', `verification code version ${Number(version)} is not supported`)
  }
  if (fields.length !== 4 || !HALF.test(presenter) || !HALF.test(scanner)) {
    return failure('MALFORMED', 'a verification code needs exactly two 30-digit halves')
  }
  return { ok: true, value: { version: SAFETY_NUMBER_VERSION, presenter, scanner } }
}

/**
 * Checks a code scanned from the other person's screen. Theirs lists their half first, so it matches
 * only crossed over: their half as presenter, ours as scanner. A code in our own order is what our
 * screen shows (a reflection or a replayed photo); it proves nothing about them and is a mismatch.
 */
export function compareScannedQr(ourKey: ChatKey, theirKey: ChatKey, scanned: string): ScanResult {
  const parsed = parseVerificationQr(scanned)
  if (!parsed.ok) return 'invalid'
  const { ours, theirs } = safetyNumber(ourKey, theirKey)
  return parsed.value.presenter === theirs && parsed.value.scanner === ours ? 'match' : 'mismatch'
}

function failure(code: VerificationQrErrorCode, message: string): ParsedVerificationQr {
  return { ok: false, error: { code, message } }
}
