/**
 * API keys, encrypted with Electron's `safeStorage` (Keychain on macOS, DPAPI on Windows,
 * libsecret/kwallet on Linux) and kept as ciphertext in one file under userData. Clear text is
 * never written, logged or sent to the renderer. When the OS offers no real encryption (no
 * keyring on Linux: safeStorage's `basic_text` backend uses a fixed password), keys are refused
 * rather than stored in what would amount to clear text.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { safeStorage } from 'electron'
import type { SecretRequest } from '../engine/providers/registry'
import type { SecretSource } from '../engine/services'

/** Provider kinds with a key, and the studio farm's password ('farm'). */
export type SecretKind = 'text' | 'image' | 'speech' | 'stock' | 'farm'

interface SecretsFile {
  version: 1
  /** kind → base64 of safeStorage ciphertext */
  keys: Partial<Record<SecretKind, string>>
}

export const SECRETS_FILE_NAME = 'secrets.json'

export function secretsFile(userData: string): string {
  return join(userData, SECRETS_FILE_NAME)
}

export class SafeStorageSecrets implements SecretSource {
  constructor(
    private readonly file: string,
    private readonly log: (message: string) => void = console.warn,
    private readonly platform: NodeJS.Platform = process.platform
  ) {}

  /** Null when keys can be stored; otherwise a sentence saying why not. */
  unavailableReason(): string | null {
    if (!safeStorage.isEncryptionAvailable()) {
      return 'this system offers no encryption for stored keys (Electron safeStorage is unavailable), so the key was not saved; set it in the environment (OPENAI_API_KEY) instead'
    }
    if (this.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return 'no system keyring (GNOME Keyring or KWallet) is available, so the key was not saved; install or unlock a keyring, or set the key in the environment (OPENAI_API_KEY)'
    }
    return null
  }

  /** Keys are stored per kind; a kind with no key of its own (moderation) falls back to the environment. */
  get(request: Pick<SecretRequest, 'kind'> | { kind: 'farm' }): string | undefined {
    // Music services take their key from the environment only (no keychain slot).
    if (request.kind === 'moderation' || request.kind === 'music') return undefined
    const cipher = this.read().keys[request.kind]
    if (!cipher || !safeStorage.isEncryptionAvailable()) return undefined
    try {
      return safeStorage.decryptString(Buffer.from(cipher, 'base64'))
    } catch {
      // Never log the ciphertext or anything derived from it.
      this.log(`stored ${request.kind} key could not be decrypted (keychain changed?); it is ignored`)
      return undefined
    }
  }

  /** Store (or with an empty key, forget) a key. False when it cannot be stored safely. */
  set(kind: SecretKind, key: string): boolean {
    const data = this.read()
    if (!key) {
      delete data.keys[kind]
      this.write(data)
      return true
    }
    if (this.unavailableReason() !== null) return false
    data.keys[kind] = safeStorage.encryptString(key).toString('base64')
    this.write(data)
    return true
  }

  has(kind: SecretKind): boolean {
    return Boolean(this.read().keys[kind])
  }

  private read(): SecretsFile {
    if (!existsSync(this.file)) return { version: 1, keys: {} }
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<SecretsFile>
      const keys: SecretsFile['keys'] = {}
      for (const kind of ['text', 'image', 'speech', 'stock', 'farm'] as const) {
        const value = parsed.keys?.[kind]
        if (typeof value === 'string' && value) keys[kind] = value
      }
      return { version: 1, keys }
    } catch {
      this.log('the stored keys file is unreadable; it is ignored')
      return { version: 1, keys: {} }
    }
  }

  /** Atomic replace, readable by this user only. */
  private write(data: SecretsFile): void {
    mkdirSync(dirname(this.file), { recursive: true })
    if (Object.keys(data.keys).length === 0) {
      rmSync(this.file, { force: true })
      return
    }
    const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`
    writeFileSync(temp, JSON.stringify(data, null, 2), { mode: 0o600 })
    renameSync(temp, this.file)
  }
}
