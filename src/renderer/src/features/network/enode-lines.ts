import { ENODE_PATTERN } from '../../../../shared/api'

export interface EnodeLines {
  enodes: string[]
  /** 1-based line numbers that are not enode URLs. */
  invalid: number[]
}

/** Reads a text field holding one enode URL per line; blank lines are ignored, duplicates kept once. */
export function parseEnodeLines(text: string): EnodeLines {
  const enodes: string[] = []
  const invalid: number[] = []
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (line === '') continue
    if (!ENODE_PATTERN.test(line)) invalid.push(index + 1)
    else if (!enodes.includes(line)) enodes.push(line)
  }
  return { enodes, invalid }
}
