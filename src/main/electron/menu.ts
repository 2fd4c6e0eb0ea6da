import { Menu, type MenuItemConstructorOptions } from 'electron'

/**
 * The application menu: the edit and window entries people expect (on macOS the clipboard shortcuts only
 * work through the Edit menu), and reload and developer tools only in development builds, which Electron's
 * default menu would otherwise offer in a release too.
 */
export function menuTemplate(platform: NodeJS.Platform, development: boolean): MenuItemConstructorOptions[] {
  const develop: MenuItemConstructorOptions = {
    label: 'Develop',
    submenu: [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }]
  }
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' } as const] : []),
    { role: 'editMenu' },
    ...(development ? [develop] : []),
    { role: 'windowMenu' }
  ]
}

export function installMenu(platform: NodeJS.Platform, development: boolean): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(platform, development)))
}
