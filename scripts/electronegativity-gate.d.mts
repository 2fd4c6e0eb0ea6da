export interface ScanIssue {
  id: string
  severity: { name: string }
  file: string
  location: { line: number; column: number }
}

export interface AcceptedFinding {
  check: string
  file: string
  reason: string
}

export function judge(issues: ScanIssue[], accepted: AcceptedFinding[]): { failures: string[]; counts: Record<string, number> }
