import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The layer order inside src/main/core, written out here independently of .oxlintrc.json: the test lints
 * synthetic files with the project's real configuration and checks that oxlint refuses exactly the imports this
 * table forbids. Bottom up: primitives, runtime and log; p2p; whisper; storage (primitives only, used from the
 * encryption layer up); crypto (the Status encryption layer); protocol (payloads, MVDS); accounts and trust beside
 * the messenger; messenger; the host (api/, testing/, host.ts, network.ts, profile.ts), which may import anything.
 */
const root = resolve(import.meta.dirname, '..')
const BASE = ['primitives', 'runtime', 'log']
const ALLOWED: Record<string, string[]> = {
  primitives: [],
  runtime: [],
  log: [],
  security: [],
  p2p: BASE,
  whisper: [...BASE, 'p2p'],
  storage: BASE,
  crypto: [...BASE, 'p2p', 'whisper', 'storage'],
  protocol: [...BASE, 'p2p', 'whisper', 'storage', 'crypto'],
  accounts: [...BASE, 'p2p', 'whisper', 'storage', 'crypto', 'protocol'],
  trust: [...BASE, 'p2p', 'whisper', 'storage', 'crypto', 'protocol'],
  messenger: [...BASE, 'p2p', 'whisper', 'storage', 'crypto', 'protocol', 'accounts', 'trust']
}
/** The host: the top of the core. Tests in any layer may drive their layer through it. */
const HOST = ['api', 'testing', 'host', 'network', 'profile']
const TARGETS = [...Object.keys(ALLOWED), ...HOST]

let dir = ''

interface Diagnostic {
  code: string
  filename: string
}

function lint(files: Record<string, string>): Set<string> {
  const work = mkdtempSync(join(dir, 'case-'))
  copyFileSync(join(root, '.oxlintrc.json'), join(work, '.oxlintrc.json'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true })
    writeFileSync(join(work, path), text)
  }
  const result = spawnSync(join(root, 'node_modules/.bin/oxlint'), ['-c', '.oxlintrc.json', '--format=json', 'src'], {
    cwd: work,
    encoding: 'utf8'
  })
  const report = JSON.parse(result.stdout) as { diagnostics: Diagnostic[] }
  return new Set(
    report.diagnostics.filter((d) => d.code === 'eslint(no-restricted-imports)').map((d) => d.filename.split('\\').join('/'))
  )
}

/** host.ts, network.ts and profile.ts are files at the top of the core; everything else is a folder. */
const ROOT_MODULES = ['host', 'network', 'profile']

const importOf = (target: string, depth = 1): string =>
  `import { value } from '${'../'.repeat(depth)}${target}${ROOT_MODULES.includes(target) ? '' : '/module'}'\nexport const copy = value\n`

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hush-layers-'))
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('layer order lint', () => {
  it('every folder of the core has its place in the order', () => {
    const folders = readdirSync(join(root, 'src/main/core'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
    expect(folders.filter((name) => !(name in ALLOWED) && !HOST.includes(name))).toEqual([])
    const config = readFileSync(join(root, '.oxlintrc.json'), 'utf8')
    for (const name of Object.keys(ALLOWED)) expect(config).toContain(`"src/main/core/${name}/**"`)
  })

  it('refuses exactly the imports against the order, from every layer to every other', () => {
    const files: Record<string, string> = {}
    const expected = new Set<string>()
    for (const [from, allowed] of Object.entries(ALLOWED)) {
      for (const target of TARGETS.filter((name) => name !== from)) {
        const path = `src/main/core/${from}/uses-${target}.ts`
        files[path] = importOf(target)
        if (!allowed.includes(target)) expected.add(path)
      }
    }
    expect(expected.size).toBeGreaterThan(100)
    expect(lint(files)).toEqual(expected)
  })

  it('follows re-exports, type-only and dynamic imports, and files in subfolders', () => {
    const files = {
      'src/main/core/whisper/reexport.ts': "export { value } from '../protocol/module'\n",
      'src/main/core/whisper/type-only.ts': "import type { Value } from '../protocol/module'\nexport type Copy = Value\n",
      'src/main/core/whisper/dynamic.ts': "export const later = () => import('../protocol/module')\n",
      'src/main/core/protocol/datasync/deep.ts': importOf('messenger', 2),
      'src/main/core/protocol/datasync/fine.ts': importOf('crypto', 2)
    }
    expect(lint(files)).toEqual(
      new Set([
        'src/main/core/whisper/reexport.ts',
        'src/main/core/whisper/type-only.ts',
        'src/main/core/whisper/dynamic.ts',
        'src/main/core/protocol/datasync/deep.ts'
      ])
    )
  })

  it('lets a test drive its layer through the host, and nothing else above it', () => {
    const files = {
      'src/main/core/crypto/through-host.test.ts': importOf('host'),
      'src/main/core/crypto/through-api.test.ts': importOf('api'),
      'src/main/core/crypto/reaches-messenger.test.ts': importOf('messenger')
    }
    expect(lint(files)).toEqual(new Set(['src/main/core/crypto/reaches-messenger.test.ts']))
  })
})
