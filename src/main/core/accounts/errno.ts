/** True when `error` is a Node system error with one of `codes` (ENOENT, EPERM, …). */
export function isErrno(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? '')
}
