import { join } from 'node:path'
import { version } from '../../../package.json'
import { HushCore } from '../core/host'
import { consoleSink, createLogger, fileSink } from '../core/log/logger'
import { createNetwork } from '../core/network'
import { createProfileDir, resolveProfileDir } from '../core/profile'
import { parseWebHostArgs, UsageError } from './host-args'
import { rememberedPort, rememberPort } from './remembered-port'
import { startWebServer } from './web-server'

/**
 * `npm run web`: the same core as the desktop app, in plain Node, serving the renderer and the API to a
 * browser on this machine. The first stdout line is the URL to open (it carries the per-run token).
 */
async function main(): Promise<void> {
  let args: ReturnType<typeof parseWebHostArgs>
  try {
    args = parseWebHostArgs(process.argv.slice(2))
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(2)
    }
    throw error
  }
  const profileDir = resolveProfileDir(args.profile)
  createProfileDir(profileDir)
  const log = createLogger('web-host', { sinks: [fileSink(join(profileDir, 'logs', 'hush.log')), consoleSink()] })
  const network = createNetwork(
    { listen: args.p2pListen, staticPeers: args.staticPeers, bootnodes: args.bootnodes },
    log.child('network')
  )
  const core = new HushCore({
    profileDir,
    runtime: 'web',
    version,
    log,
    network,
    defaultNetwork: { staticPeers: args.staticPeers, bootnodes: args.bootnodes, mailservers: args.mailservers }
  })
  await core.start()
  const rendererDir = join(import.meta.dirname, '../renderer')
  const wanted = args.port ?? rememberedPort(profileDir)
  const server = await startWebServer({ core, rendererDir, log, port: wanted }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE' || args.port !== undefined) throw error
    log.warn('the port this profile used last time is taken; history stored by the browser under it is not visible now', { port: wanted })
    return startWebServer({ core, rendererDir, log, port: 0 })
  })
  rememberPort(profileDir, Number(new URL(server.origin).port))
  process.stdout.write(`Hush is running at ${server.url}\n`)

  let stopping = false
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    await server.close()
    await core.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}

main().catch((error: unknown) => {
  process.stderr.write(`Hush could not start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
