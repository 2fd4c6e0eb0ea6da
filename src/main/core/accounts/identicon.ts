import { md5 } from '@noble/hashes/legacy.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'

export interface Identicon {
  /** 5×5 grid, row-major; true = filled. */
  cells: boolean[]
  color: { r: number; g: number; b: number }
}

export const IDENTICON_GRID = 5

/**
 * status-go's identicon (protocol/identity/identicon): MD5 of the "0x04…" key string, a 5×5 grid
 * mirrored about the middle column where even bytes are filled, and an HSL(hue, 50%, 70%) colour.
 */
export function identicon(input: string): Identicon {
  const hash = md5(utf8ToBytes(input))
  const cells: boolean[] = []
  for (let row = 0; row < IDENTICON_GRID; row++) {
    for (let col = 0; col < IDENTICON_GRID; col++) {
      const byte = hash[3 * row + (col <= 2 ? col : 4 - col)] as number
      cells.push(byte % 2 === 0)
    }
  }
  const hueSum = (hash[13] as number) + (hash[14] as number) + (hash[15] as number)
  return { cells, color: hslToRgb((hueSum / 765) * 360, 0.5, 0.7) }
}

/** HSL → 8-bit RGB the way go-colorful does it (Hsl(), then RGB255 rounding half up). */
function hslToRgb(hue: number, saturation: number, lightness: number): Identicon['color'] {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation
  const h = hue / 60
  const x = chroma * (1 - Math.abs((h % 2) - 1))
  const [r1, g1, b1] =
    h < 1 ? [chroma, x, 0] : h < 2 ? [x, chroma, 0] : h < 3 ? [0, chroma, x] : h < 4 ? [0, x, chroma] : h < 5 ? [x, 0, chroma] : [chroma, 0, x]
  const m = lightness - chroma / 2
  const to255 = (v: number) => Math.floor((v + m) * 255 + 0.5)
  return { r: to255(r1), g: to255(g1), b: to255(b1) }
}
