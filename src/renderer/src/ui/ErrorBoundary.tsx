import { Component, type ErrorInfo, type ReactNode } from 'react'

interface Props {
  /** What shows instead of the children once they threw while rendering. */
  fallback: ReactNode
  /** Where the failure is reported; a label for the console line. */
  name: string
  children: ReactNode
}

/**
 * Contains a render failure to the part of the page that failed: one bad record from the network or the
 * local database must cost one row, not the app. Key it by what it shows to retry when that changes.
 */
export class ErrorBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false }

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true }
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(`${this.props.name} could not be shown`, error, info.componentStack)
  }

  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children
  }
}
