import { appendFileSync } from 'node:fs'
import * as fc from 'fast-check'

/*
 * Budgets for the property/fuzz suite. `npm test` runs every property with its CI budget (the whole suite
 * stays under a minute); `npm run fuzz -- --long` multiplies each budget by HUSH_FUZZ_SCALE and sums the
 * inputs actually run from HUSH_FUZZ_TALLY, one line per property.
 */
const scale = Math.max(1, Number(process.env.HUSH_FUZZ_SCALE ?? 1) || 1)
const tally = process.env.HUSH_FUZZ_TALLY

function record<Ts>(name: string, details: fc.RunDetails<Ts>): void {
  if (tally) appendFileSync(tally, `${details.numRuns}\t${name}\n`)
  if (!details.failed) return
  const error = details.errorInstance
  throw new Error(`${name}: ${fc.defaultReportMessage(details) ?? 'failed'}\n${error instanceof Error ? error.stack : String(error)}`, { cause: error })
}

/** Runs a synchronous property `ciRuns` times (scaled in long runs); fails with fast-check's shrunk counterexample. */
export function assertProperty<Ts extends [unknown, ...unknown[]]>(name: string, ciRuns: number, property: fc.IProperty<Ts>): void {
  record(name, fc.check(property, { numRuns: ciRuns * scale }))
}

export async function assertAsyncProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  ciRuns: number,
  property: fc.IAsyncProperty<Ts>
): Promise<void> {
  record(name, await fc.check(property, { numRuns: ciRuns * scale }))
}

type ErrorClass = abstract new (...args: never[]) => Error

/** Calls `fn`; an error of one of `allowed` is the decoder refusing its input, anything else fails the property. */
export function onlyThrows<T>(fn: () => T, ...allowed: ErrorClass[]): T | undefined {
  try {
    return fn()
  } catch (error) {
    if (allowed.some((type) => error instanceof type)) return undefined
    throw error
  }
}

export async function onlyRejects<T>(fn: () => Promise<T>, ...allowed: ErrorClass[]): Promise<T | undefined> {
  try {
    return await fn()
  } catch (error) {
    if (allowed.some((type) => error instanceof type)) return undefined
    throw error
  }
}

/** Bytes that look like a mutated valid encoding: bit flips, truncation, insertion, plus pure noise. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x7f, 0x80, 0x81, 0xb7, 0xb8, 0xbf, 0xc0, 0xf7, 0xf8, 0xff) })
  )
  const edited = fc.tuple(valid, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([bytes, edits]) => {
    let out = bytes
    for (const e of edits) {
      const at = out.length === 0 ? 0 : e.at % out.length
      if (e.kind === 'truncate') out = out.slice(0, at)
      else if (e.kind === 'insert') out = Uint8Array.from([...out.subarray(0, at), ...e.bytes, ...out.subarray(at)])
      else if (out.length > 0) {
        out = out.slice()
        out[at] = e.kind === 'flip' ? (out[at] as number) ^ (1 << e.bit) : e.value
      }
    }
    return out
  })
  return fc.oneof({ arbitrary: valid, weight: 1 }, { arbitrary: edited, weight: 3 }, { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 1 })
}

function varint(value: bigint): number[] {
  const out: number[] = []
  let v = value
  do {
    const low = Number(v & 0x7fn)
    v >>= 7n
    out.push(v > 0n ? low | 0x80 : low)
  } while (v > 0n)
  return out
}

/**
 * Protobuf wire bytes built field by field: mostly the given field numbers with any wire type (so
 * types mismatch the schema), varints up to 64 bits, nested messages, bad lengths and deprecated groups.
 */
export function protobufWire(fieldNumbers: readonly number[], depth = 2): fc.Arbitrary<Uint8Array> {
  const fieldNumber = fc.oneof({ arbitrary: fc.constantFrom(...fieldNumbers), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 40 }), weight: 1 })
  const value: fc.Arbitrary<number[]> = fc.oneof(
    fc.tuple(fieldNumber, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })).map(([n, v]) => [...varint(BigInt(n << 3)), ...varint(v)]),
    fc.tuple(fieldNumber, fc.uint8Array({ minLength: 8, maxLength: 8 })).map(([n, b]) => [...varint(BigInt((n << 3) | 1)), ...b]),
    fc.tuple(fieldNumber, fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([n, b]) => [...varint(BigInt((n << 3) | 5)), ...b]),
    fc
      .tuple(fieldNumber, depth > 0 ? fc.oneof(fc.uint8Array({ maxLength: 70 }), protobufWire(fieldNumbers, depth - 1)) : fc.uint8Array({ maxLength: 70 }))
      .map(([n, b]) => [...varint(BigInt((n << 3) | 2)), ...varint(BigInt(b.length)), ...b]),
    fc.tuple(fieldNumber, fc.constantFrom(3, 4, 6, 7), fc.uint8Array({ maxLength: 4 })).map(([n, t, b]) => [...varint(BigInt((n << 3) | t)), ...b])
  )
  return fc.array(value, { maxLength: 8 }).map((fields) => Uint8Array.from(fields.flat()))
}
