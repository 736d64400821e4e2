/**
 * The desktop app and the `studio` CLI share one queue by default: Electron puts the app's data
 * in <OS app-data>/<productName>, and the CLI's default is <OS app-data>/APP_FOLDER_NAME. They
 * agree only while the names agree, so a rename of the product must fail here first.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { APP_FOLDER_NAME, defaultDataDir } from '../../src/main/engine/paths'

describe('the data folder the app and the CLI share', () => {
  it('is named after the product in package.json and electron-builder.yml', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { productName: string }
    const builder = /^productName:\s*(.+)$/m.exec(readFileSync('electron-builder.yml', 'utf8'))?.[1]?.trim()
    expect(pkg.productName).toBe(APP_FOLDER_NAME)
    expect(builder).toBe(APP_FOLDER_NAME)
  })

  it("is Electron's userData folder on each OS (or STUDIO_DATA_DIR when set)", () => {
    const home = process.env.HOME ?? ''
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x/config' }, 'linux')).toBe(join('/x/config', 'Creative Studio'))
    expect(defaultDataDir({}, 'linux')).toBe(join(home, '.config', 'Creative Studio'))
    expect(defaultDataDir({}, 'darwin')).toBe(join(home, 'Library', 'Application Support', 'Creative Studio'))
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toBe(join('C:\\Users\\a\\AppData\\Roaming', 'Creative Studio'))
    expect(defaultDataDir({ STUDIO_DATA_DIR: '/tmp/elsewhere' }, 'linux')).toBe('/tmp/elsewhere')
  })
})
