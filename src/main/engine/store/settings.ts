import { prep, type Db } from './database'

/**
 * Settings documents by key (the studio's settings are one JSON document, see settings.ts).
 * Never a secret (see secret-shape.ts). Synchronous on SQLite; on a network database both
 * methods return a promise.
 */
export interface SettingsRecords {
  read(key: string): string | undefined
  /** Insert or replace the document under `key`. */
  write(key: string, text: string): void
}

export class SqliteSettingsRecords implements SettingsRecords {
  constructor(private readonly db: Db) {}

  read(key: string): string | undefined {
    return prep<[string], { value: string }>(this.db, 'SELECT value FROM settings WHERE key = ?').get(key)?.value
  }

  write(key: string, text: string): void {
    prep(this.db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, text)
  }
}
