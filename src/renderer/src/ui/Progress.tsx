/**
 * An honest progress line for work whose length Hush cannot measure (key stretching runs in main and reports
 * no steps): it moves so the person sees Hush is working, and says what it is doing.
 */
export function Progress({ label }: { label: string }) {
  return (
    <div className="progress" role="status" data-testid="progress">
      <div className="progress-track" role="progressbar" aria-label={label} aria-busy="true">
        <div className="progress-bar" />
      </div>
      <span className="muted small">{label}</span>
    </div>
  )
}
