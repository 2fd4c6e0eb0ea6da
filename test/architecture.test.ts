import { readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, relative, resolve, sep } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The layer rules, checked on every import in the tree: the core and everything that runs in plain Node never
 * imports Electron, the renderer never imports Node or main-process code, and shared code depends on nothing
 * process-specific.
 */
const root = resolve(import.meta.dirname, '..')
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'gen' ? [] : sources(path)
    return /\.(ts|tsx)$/.test(name) ? [path] : []
  })
}

function importsOf(file: string): Array<{ specifier: string; target: string | null }> {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(IMPORT)].map((match) => {
    const specifier = match[1] ?? match[2] ?? match[3] ?? ''
    const target = specifier.startsWith('.') ? relative(root, resolve(file, '..', specifier)) : null
    return { specifier, target }
  })
}

function violations(folder: string, forbidden: (specifier: string, target: string | null) => boolean): string[] {
  return sources(join(root, folder)).flatMap((file) =>
    importsOf(file)
      .filter(({ specifier, target }) => forbidden(specifier, target))
      .map(({ specifier }) => `${relative(root, file)} imports ${specifier}`)
  )
}

const isElectron = (specifier: string): boolean => specifier === 'electron' || specifier.startsWith('electron/')
const inside = (target: string | null, folder: string): boolean => target !== null && (target + sep).startsWith(folder + sep)

describe('layer rules', () => {
  it('the core, the web host and the CLI never import electron', () => {
    for (const folder of ['src/main/core', 'src/main/web', 'src/main/cli']) {
      expect(violations(folder, (specifier) => isElectron(specifier))).toEqual([])
    }
  })

  it('the core never imports the Electron glue, the web host or the CLI', () => {
    const glue = ['src/main/electron', 'src/main/web', 'src/main/cli', 'src/main/index.ts']
    expect(violations('src/main/core', (_, target) => glue.some((folder) => target === folder || inside(target, folder)))).toEqual([])
  })

  it('the renderer never imports Node built-ins, Electron or main-process code', () => {
    expect(
      violations('src/renderer', (specifier, target) => NODE_BUILTINS.has(specifier) || isElectron(specifier) || inside(target, 'src/main') || inside(target, 'src/preload'))
    ).toEqual([])
  })

  it('shared code depends on no process', () => {
    expect(
      violations('src/shared', (specifier, target) => NODE_BUILTINS.has(specifier) || isElectron(specifier) || inside(target, 'src/main') || inside(target, 'src/renderer'))
    ).toEqual([])
  })

  it('the preload reaches only electron and shared code', () => {
    expect(violations('src/preload', (specifier, target) => !isElectron(specifier) && !inside(target, 'src/shared'))).toEqual([])
  })

  it('catches a forbidden import when one is there', () => {
    const found = importsOf(join(root, 'src/main/index.ts')).map((item) => item.specifier)
    expect(found).toContain('electron')
  })
})
