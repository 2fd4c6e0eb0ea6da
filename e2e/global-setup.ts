import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ELECTRON_SKIP_REASON, electronBinary } from './fixtures/app'
import { measureKeyStretching } from './fixtures/key-stretching'
import { ROOT } from './fixtures/processes'

/**
 * Fails fast without a build, says once, visibly, why the Electron project is skipped, and measures the
 * password key derivation that the specs' waits scale with.
 */
export default async function globalSetup(): Promise<void> {
  for (const file of ['out/main/web-host.js', 'out/main/hush-node.js', 'out/renderer/index.html']) {
    if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does)`)
  }
  if (!electronBinary()) process.stdout.write(`[electron] skipped: ${ELECTRON_SKIP_REASON}\n`)
  await measureKeyStretching()
}
