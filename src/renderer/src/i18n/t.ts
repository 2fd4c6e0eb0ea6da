import type { ApiError } from '../../../shared/api/result'
import { type Catalog, en, type MessageKey } from './en'

let catalog: Catalog = en
const plurals = new Intl.PluralRules('en')

export function setCatalog(next: Catalog): void {
  catalog = next
}

/**
 * Looks a key up and fills `{name}` placeholders; supports the one ICU form we need,
 * `{count, plural, =0 {…} one {…} other {…}}`, with `#` for the number.
 */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalog[key]
  const plural = /^\{(\w+), plural, (.*)\}$/.exec(template)
  if (plural) {
    const value = Number(params[plural[1] ?? ''] ?? 0)
    const cases = Object.fromEntries([...(plural[2] ?? '').matchAll(/(=\d+|\w+) \{([^}]*)\}/g)].map((m) => [m[1], m[2]]))
    const chosen = cases[`=${value}`] ?? cases[plurals.select(value)] ?? cases.other ?? ''
    return chosen.replaceAll('#', String(value))
  }
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
}

/**
 * An error in words: its reason's sentence when main gave one, else its code's. Never main's `message`,
 * which is English written for the log.
 */
export function errorText(error: ApiError): string {
  if (!error.reason) return t(`error.${error.code}`)
  const { reason, ...params } = error.reason
  return t(`reason.${reason}`, params)
}
