import type { z } from 'zod'
import { type EncryptedStore, type IterateRange, StoreError } from './encrypted-store'

/** Told about each record that could not be decrypted, decoded or validated, and was therefore skipped. */
export type OnUnreadable = (error: StoreError) => void

/**
 * A stored JSON value checked against its schema: what is on disk is input like any other (a damaged disk,
 * an older or newer build, a hand edit), so nothing read from the store reaches the code as an unchecked cast.
 */
export function parseStored<S extends z.ZodType>(schema: S, key: string, value: Uint8Array): z.infer<S> {
  let raw: unknown
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value))
  } catch (error) {
    throw new StoreError('VALUE_CORRUPT', `stored value for "${key}" is not UTF-8 JSON`, key, { cause: error })
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? issue.path.join('.') : 'the record'
    throw new StoreError('VALUE_CORRUPT', `stored value for "${key}" is invalid: ${where}: ${issue?.message ?? 'no detail'}`, key)
  }
  return parsed.data
}

/**
 * The record at `key`, validated; undefined when there is none. An unreadable record is a StoreError
 * (VALUE_CORRUPT), or, given `onUnreadable`, reported there and read as absent (it stays on disk untouched).
 */
export async function getParsed<S extends z.ZodType>(
  store: EncryptedStore,
  key: string,
  schema: S,
  onUnreadable?: OnUnreadable
): Promise<z.infer<S> | undefined> {
  try {
    const value = await store.get(key)
    return value === undefined ? undefined : parseStored(schema, key, value)
  } catch (error) {
    if (!onUnreadable || !(error instanceof StoreError) || error.code !== 'VALUE_CORRUPT') throw error
    onUnreadable(error)
    return undefined
  }
}

/**
 * Every record under `prefix` (within `range`) in key order, validated. An unreadable record is handed to
 * `onUnreadable` and skipped (it stays on disk untouched); without `onUnreadable` it ends the iteration with a
 * StoreError.
 */
export async function* iterateParsed<S extends z.ZodType>(
  store: EncryptedStore,
  prefix: string,
  schema: S,
  onUnreadable?: OnUnreadable,
  range: IterateRange = {}
): AsyncGenerator<[string, z.infer<S>]> {
  for await (const [key, value] of store.iterate(prefix, range, onUnreadable)) {
    let record: z.infer<S>
    try {
      record = parseStored(schema, key, value)
    } catch (error) {
      if (!onUnreadable || !(error instanceof StoreError)) throw error
      onUnreadable(error)
      continue
    }
    yield [key, record]
  }
}
