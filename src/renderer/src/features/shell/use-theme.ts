import { useEffect } from 'react'
import { useAppStore } from '../../store/app-store'

/** Mirrors the theme preference onto <html data-theme>; "system" leaves it to prefers-color-scheme. */
export function useTheme(): void {
  const theme = useAppStore((s) => s.theme)
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme
    else document.documentElement.dataset.theme = theme
  }, [theme])
}
