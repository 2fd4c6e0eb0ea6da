import { md5 } from '@noble/hashes/legacy.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { identiconSvg } from '../../../shared/identicon-svg'
import { identicon } from './identicon'

const FIXTURE_KEY =
  '0x04211fe0f69772ecf7eb0b5bfc7678672508a9fb01f2d699096f0d59ef7fe1a0cb1e648a80190db1c0f5f088872444d846f2956d0bd84069f3f9f69335af852ac0'

const bitmap = (cells: boolean[]) =>
  [0, 5, 10, 15, 20].map((start) => cells.slice(start, start + 5).map((c) => (c ? '1' : '0')).join(''))

describe('identicon', () => {
  it('"Culona": MD5 pattern bytes and bitmap of the status-go test', () => {
    const hash = md5(utf8ToBytes('Culona'))
    const mirrored = [0, 1, 2, 3, 4].flatMap((i) => [0, 1, 2, 1, 0].map((c) => hash[3 * i + c]))
    expect(mirrored).toEqual([
      129, 201, 130, 201, 129, 56, 157, 244, 157, 56, 232, 187, 241, 187, 232, 183, 61, 165, 61, 183, 149, 108, 179,
      108, 149
    ])
    expect(bitmap(identicon('Culona').cells)).toEqual(['00100', '10101', '10001', '00000', '01010'])
  })

  it('fixture key: bitmap and colour rgb(140,217,191)', () => {
    const icon = identicon(FIXTURE_KEY)
    expect(bitmap(icon.cells)).toEqual(['01110', '10001', '00000', '01010', '10101'])
    expect(icon.color).toEqual({ r: 140, g: 217, b: 191 })
  })
})

describe('identiconSvg', () => {
  it('draws one crisp 6×6 square per filled cell at status-go positions', () => {
    const svg = identiconSvg(identicon(FIXTURE_KEY), 40)
    expect(svg).toMatch(/^<svg [^>]*width="40" height="40" viewBox="0 0 50 50"[^>]*shape-rendering="crispEdges"/)
    expect(svg).toContain('fill="rgb(140,217,191)"')
    expect(svg.match(/<rect /g)).toHaveLength(10)
    expect(svg).toContain('<rect x="16" y="10" width="6" height="6"/>')
    expect(svg).toContain('<rect x="34" y="34" width="6" height="6"/>')
  })
})
