import QRCode from 'qrcode'
import { useEffect, useState } from 'react'

/** A QR code drawn as SVG by the qrcode library; dark modules on white so every scanner reads it. */
export function QrCode({ text, size, label }: { text: string; size: number; label: string }) {
  const [src, setSrc] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } })
      .then((svg) => live && setSrc(`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`))
      .catch(() => live && setSrc(null))
    return () => {
      live = false
    }
  }, [text])
  return src ? <img className="qr" src={src} width={size} height={size} alt={label} data-testid="qr-code" /> : null
}
