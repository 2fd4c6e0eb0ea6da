/**
 * `hush-node`: a standalone Whisper v6 node. Output is one event per line on stdout, the first line
 * being our own enode URL, so scripts and tests can parse it:
 *   enode://<id>@<host>:<port>
 *   peer-added <id> <address> <inbound|outbound> light=<bool> pow=<n>
 *   peer-removed <id> <REASON> by=<us|peer>[ error=<json string>]
 *   peer-error <id|-> <json string>
 *   mailserver-served <peer id> <request id> envelopes=<n>[ error=<json string>]
 *   stopped
 * Bad arguments: one line on stderr, exit 2. SIGINT/SIGTERM: clean shutdown, exit 0.
 * When libsecp256k1 (WASM) cannot load, one line on stderr says so and the node runs on noble, ~10× slower.
 */
import { runKeysCommand, type CommandIo } from './keys-command'
import { NODE_USAGE, UsageError, parseNodeArgs, type NodeArgs } from './cli-args'
import { secp256k1FallbackReason } from '../core/primitives/secp256k1-backend'
import { Mailserver } from '../core/whisper/mailserver'
import { WhisperNode } from '../core/whisper/node'

const io: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`)
}

async function main(argv: string[]): Promise<number | null> {
  if (secp256k1FallbackReason) io.err(`hush-node: secp256k1 runs on noble (slow): ${secp256k1FallbackReason}`)
  if (argv[0] === 'keys') return runKeysCommand(argv.slice(1), io)
  let args: NodeArgs
  try {
    args = parseNodeArgs(argv)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    io.err(`hush-node: ${err.message}`)
    return 2
  }
  if (args.help) {
    io.out(NODE_USAGE)
    return 0
  }
  const node = new WhisperNode({
    listen: args.listen,
    minPow: args.minPow,
    light: args.light,
    discovery: args.discovery,
    bootnodes: args.bootnodes,
    staticPeers: args.staticPeers,
    ...(args.nodeKey !== undefined ? { privateKey: args.nodeKey } : {})
  })
  node.on('peer:added', (p) =>
    io.out(`peer-added ${p.id} ${p.address} ${p.direction} light=${p.light} pow=${p.powRequirement}`)
  )
  node.on('peer:removed', (p, r) =>
    io.out(`peer-removed ${p.id} ${r.name} by=${r.byUs ? 'us' : 'peer'}${r.error ? ` error=${JSON.stringify(r.error)}` : ''}`)
  )
  node.on('peer:error', ({ peerId, error }) => io.out(`peer-error ${peerId ?? '-'} ${JSON.stringify(error.message)}`))
  node.on('error', (error) => io.err(`hush-node: ${error.message}`))
  const mailserver =
    args.mailserver === undefined
      ? null
      : new Mailserver({ node, dataDir: args.mailserver.dataDir, password: args.mailserver.password })
  mailserver?.on('served', (s) =>
    io.out(`mailserver-served ${s.peerId} ${s.requestId} envelopes=${s.envelopes}${s.error ? ` error=${JSON.stringify(s.error)}` : ''}`)
  )
  mailserver?.on('error', (error) => io.err(`hush-node: mailserver: ${error.message}`))
  try {
    await node.start()
    await mailserver?.start()
  } catch (err) {
    io.err(`hush-node: cannot start: ${(err as Error).message}`)
    await node.stop()
    return 1
  }
  io.out(node.enode)
  const shutdown = async (): Promise<void> => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await mailserver?.stop()
    await node.stop()
    io.out('stopped')
    // The library leaves a 2 s socket-end timer per peer behind; nothing useful is pending, so exit now.
    process.exit(0)
  }
  const onSignal = (): void => void shutdown()
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return null
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exitCode = code
  },
  (err: unknown) => {
    io.err(`hush-node: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
  }
)
