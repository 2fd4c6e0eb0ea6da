/**
 * The CI gate on an Electronegativity scan: no HIGH finding, and every MEDIUM one listed (by check and file,
 * so moving code does not invalidate the list) in packaging/electronegativity-accepted.json with the reason
 * it does not apply. A listed finding that no longer occurs fails too, so the list stays true.
 *
 * Types: electronegativity-gate.d.mts.
 */
export function judge(issues, accepted) {
  const failures = []
  const counts = { HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0 }
  const key = (check, file) => `${check} ${file}`
  const listed = new Map(accepted.map((entry) => [key(entry.check, entry.file), entry]))
  const seen = new Set()
  for (const issue of issues) {
    const severity = issue.severity.name
    counts[severity] = (counts[severity] ?? 0) + 1
    const where = `${issue.id} in ${issue.file}:${issue.location.line}:${issue.location.column}`
    if (severity === 'HIGH') failures.push(`HIGH ${where}`)
    if (severity === 'MEDIUM') {
      const k = key(issue.id, issue.file)
      if (listed.has(k)) seen.add(k)
      else failures.push(`MEDIUM ${where} is neither fixed nor listed with a reason in packaging/electronegativity-accepted.json`)
    }
  }
  for (const [k, entry] of listed) {
    if (!entry.reason || entry.reason.trim().length < 20) failures.push(`the accepted ${k} gives no real reason`)
    if (!seen.has(k)) failures.push(`the accepted ${k} no longer occurs: remove it from packaging/electronegativity-accepted.json`)
  }
  return { failures, counts }
}
