import { useMemo } from 'react'
import type { Identicon as IdenticonData } from '../../../shared/api'
import { identiconSvg } from '../../../shared/identicon-svg'

/** status-go's identicon as vector art on a soft disc, crisp at any size. */
export function Identicon({ icon, size, label }: { icon: IdenticonData; size: number; label?: string }) {
  const src = useMemo(() => `data:image/svg+xml;utf8,${encodeURIComponent(identiconSvg(icon, size))}`, [icon, size])
  return (
    <img
      className="identicon"
      src={src}
      width={size}
      height={size}
      alt={label ?? ''}
      aria-hidden={label ? undefined : true}
      data-testid="identicon"
    />
  )
}
