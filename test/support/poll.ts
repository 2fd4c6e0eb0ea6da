/**
 * Polls `predicate` every `intervalMs` until it holds. Fails after `timeoutMs` with what it was waiting for
 * (and `detail()`, a host's log say), so a broken pipeline fails the test instead of hanging the suite.
 */
export async function pollUntil(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; detail?: () => string } = {}
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}${options.detail ? `: ${options.detail()}` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 10))
  }
}
