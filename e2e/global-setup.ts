import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ELECTRON_SKIP_REASON, electronBinary } from './fixtures/app'
import { ROOT } from './fixtures/processes'

/** Fails fast without a build, and says once, visibly, why the Electron project is skipped. */
export default function globalSetup(): void {
  for (const file of ['out/main/web-host.js', 'out/main/hush-node.js', 'out/renderer/index.html']) {
    if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does)`)
  }
  if (!electronBinary()) process.stdout.write(`[electron] skipped: ${ELECTRON_SKIP_REASON}\n`)
}
