/** One measured figure; `npm run bench` collects these from every bench module into BENCHMARKS.md. */
export interface BenchResult {
  /** What was measured, e.g. "PoW hashes per second (mid-state keccak)". */
  name: string
  value: number
  unit: string
  /** Target or reference to compare against, when the issue names one. */
  target?: string
  note?: string
}

/** A bench module: `export const suite: BenchSuite = { title, run }`. */
export interface BenchSuite {
  title: string
  run(): Promise<BenchResult[]>
}
