/**
 * Secrets never reach a log line: redaction happens here, once, for every sink. Field names that can carry
 * secrets or message content are masked whatever their value, and free text is scanned for the shapes
 * secrets take (a bare 32-byte hex string is a private key or a symmetric key until proven otherwise).
 */
const SECRET_FIELD = /pass(word|phrase)?|mnemonic|seed|secret|private|priv(ate)?key|symkey|token|body|text|payload|plaintext/i
const BARE_32_BYTE_HEX = /(?<![0-9a-fA-F])(0x)?[0-9a-fA-F]{64}(?![0-9a-fA-F])/g
const TOKEN_PARAM = /([#?&]token=)[^&\s#]+/g
export const REDACTED = '[redacted]'

export function redactText(text: string): string {
  return text.replace(BARE_32_BYTE_HEX, REDACTED).replace(TOKEN_PARAM, `$1${REDACTED}`)
}

export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[depth]'
  if (typeof value === 'string') return redactText(value)
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return `<${value.length} bytes>`
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) }
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => redactValue(item, depth + 1))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, field] of Object.entries(value)) {
      out[key] = SECRET_FIELD.test(key) ? REDACTED : redactValue(field, depth + 1)
    }
    return out
  }
  return value
}
