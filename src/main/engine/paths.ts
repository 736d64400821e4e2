import { homedir } from 'node:os'
import { join } from 'node:path'

export const APP_FOLDER_NAME = 'Creative Studio'

/**
 * The folder the desktop app uses for its data (Electron's `userData` for our productName),
 * so that the CLI and the app share one queue by default.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.STUDIO_DATA_DIR) return env.STUDIO_DATA_DIR
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_FOLDER_NAME)
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_FOLDER_NAME)
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_FOLDER_NAME)
}
