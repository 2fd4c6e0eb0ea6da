import type { Identicon } from './api/accounts'

const GRID = 5

/**
 * Renders an identicon as a standalone SVG string with status-go's geometry: a 50-unit canvas with a
 * 10-unit margin and 6-unit cells, transparent background. Being vector, it stays crisp at any size.
 */
export function identiconSvg(icon: Identicon, size: number): string {
  const { r, g, b } = icon.color
  const squares = icon.cells
    .map((filled, index) => {
      if (!filled) return ''
      const x = 10 + 6 * (index % GRID)
      const y = 10 + 6 * Math.floor(index / GRID)
      return `<rect x="${x}" y="${y}" width="6" height="6"/>`
    })
    .join('')
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 50 50" ` +
    `shape-rendering="crispEdges"><g fill="rgb(${r},${g},${b})">${squares}</g></svg>`
  )
}
