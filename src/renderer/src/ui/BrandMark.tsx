/** Hush's mark: a speech bubble with a hush line across it, drawn in the accent colour of the theme. */
export function BrandMark({ size = 64 }: { size?: number }) {
  return (
    <svg className="brand-mark" width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <path
        d="M32 6C16.5 6 5 16.3 5 29.5c0 7.4 3.7 13.9 9.6 18.2L12 58l12.6-6.4c2.3.5 4.8.8 7.4.8 15.5 0 27-10.3 27-23.4S47.5 6 32 6Z"
        fill="currentColor"
      />
      <rect x="19" y="27" width="26" height="5" rx="2.5" fill="var(--surface)" />
    </svg>
  )
}
