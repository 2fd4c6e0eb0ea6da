import { describe, expect, it } from 'vitest'
import { parseEnodeLines } from './enode-lines'

const id = 'ab'.repeat(64)

describe('parseEnodeLines', () => {
  it('accepts enode URLs one per line and names the lines that are not', () => {
    const text = [`enode://${id}@127.0.0.1:30303`, '', `  enode://${id}@10.0.0.2:30304  `, 'enode://short@1.2.3.4:1', `enode://${id}@127.0.0.1:30303`, `enode://${id.toUpperCase()}@h:1`].join('\n')
    expect(parseEnodeLines(text)).toEqual({ enodes: [`enode://${id}@127.0.0.1:30303`, `enode://${id}@10.0.0.2:30304`], invalid: [4, 6] })
  })

  it('is empty for an empty field', () => {
    expect(parseEnodeLines('\n \n')).toEqual({ enodes: [], invalid: [] })
  })
})
