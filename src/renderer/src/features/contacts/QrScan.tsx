import QrScanner from 'qr-scanner'
import { useEffect, useRef, useState } from 'react'
import { t } from '../../i18n/t'

/**
 * Reads the other person's verification QR code, from the webcam or from an image file, and hands the
 * decoded text on. Decoding happens here; judging the text is main's job.
 */
export function QrScan({ onText, disabled }: { onText(text: string): void; disabled: boolean }) {
  const [camera, setCamera] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)

  const fromFile = async (file: File | undefined) => {
    if (!file) return
    setProblem(null)
    try {
      const result = await QrScanner.scanImage(file, { returnDetailedScanResult: true, alsoTryWithoutScanRegion: true })
      onText(result.data)
    } catch {
      setProblem(t('safety.scan.noCode'))
    }
  }

  return (
    <div className="stack qr-scan">
      <div className="actions">
        <button type="button" className="button" disabled={disabled} onClick={() => setCamera(!camera)}>
          {camera ? t('safety.scan.stop') : t('safety.scan.camera')}
        </button>
        <label className="button file-button">
          {t('safety.scan.file')}
          <input
            type="file"
            accept="image/*"
            className="visually-hidden"
            data-testid="qr-file-input"
            disabled={disabled}
            onChange={(event) => {
              void fromFile(event.target.files?.[0])
              event.target.value = ''
            }}
          />
        </label>
      </div>
      {camera && (
        <Camera
          onText={(text) => {
            setCamera(false)
            onText(text)
          }}
          onProblem={(message) => {
            setCamera(false)
            setProblem(message)
          }}
        />
      )}
      {problem && (
        <p className="field-hint" role="alert" data-testid="scan-problem">
          {problem}
        </p>
      )}
    </div>
  )
}

function Camera({ onText, onProblem }: { onText(text: string): void; onProblem(message: string): void }) {
  const video = useRef<HTMLVideoElement>(null)
  const handlers = useRef({ onText, onProblem })
  useEffect(() => {
    handlers.current = { onText, onProblem }
  })
  useEffect(() => {
    const element = video.current
    if (!element) return
    let done = false
    const scanner = new QrScanner(
      element,
      (result) => {
        if (done) return
        done = true
        handlers.current.onText(result.data)
      },
      { returnDetailedScanResult: true, preferredCamera: 'user' }
    )
    scanner.start().catch(() => handlers.current.onProblem(t('safety.scan.noCamera')))
    return () => {
      done = true
      scanner.destroy()
    }
  }, [])
  return <video ref={video} className="qr-video" muted playsInline aria-label={t('safety.scan.video')} />
}
