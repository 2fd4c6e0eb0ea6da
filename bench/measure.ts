/** Small measuring helpers shared by the bench suites. */

/** Calls `step` for about `ms` (after a warm-up) and returns calls per second. */
export function rate(ms: number, step: () => void, batch = 10): number {
  for (let i = 0; i < batch * 2; i++) step()
  let calls = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) step()
    calls += batch
    elapsed = performance.now() - start
  }
  return Math.round((calls * 1000) / elapsed)
}

/** The same for an asynchronous step, awaited one at a time. */
export async function rateAsync(ms: number, step: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 20; i++) await step()
  let calls = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    await step()
    calls++
  }
  return Math.round((calls * 1000) / (performance.now() - start))
}

/** The p-th percentile (0–100) of samples already sorted ascending. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50)
}
