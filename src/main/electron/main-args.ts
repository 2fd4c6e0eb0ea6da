/**
 * Reads `--name=value` / `--name value` from Electron's argv, which also carries Chromium's own switches,
 * so unknown flags are ignored rather than rejected.
 */
export function flagValue(argv: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    for (const name of names) {
      if (arg === `--${name}`) return argv[i + 1]
      if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3)
    }
  }
  return undefined
}

export function listFlag(argv: string[], name: string): string[] {
  return (flagValue(argv, name) ?? '').split(',').map((item) => item.trim()).filter(Boolean)
}
