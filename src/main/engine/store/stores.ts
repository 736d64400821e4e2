import { SqliteBatchReports, type BatchReports } from './batch-reports'
import { SqliteBatchStore, type BatchStore } from './batches'
import type { Db } from './database'
import { SqliteEstimateStore, type EstimateStore } from './estimates'
import { SqliteProjectRecords, type ProjectRecords } from './projects'
import { SqliteSettingsRecords, type SettingsRecords } from './settings'
import { SqliteStoryboardStore, type StoryboardStore } from './storyboards'
import { SqliteTransactions, type Transactions } from './transactions'

/**
 * The store layer outside the queue core: one store per aggregate, each behind an interface that
 * a second backend implements. Built once per connection, where the engine is wired (studio.ts,
 * or the Engine itself), and handed to the domain modules, which never see SQL or a row.
 *
 * Every method is synchronous because better-sqlite3 is. A network database (PostgreSQL) makes
 * every one of them async, and with them what calls them: the batch manager's controls, feed and
 * views, the project and storyboard services, the settings read and the ETA. Cross-aggregate
 * commits (Transactions.run) then hand their connection to the stores used inside them.
 * Statements are cached per connection (prep), so SQLite keeps its speed (bench/batch/feed.ts).
 */
export interface DomainStores {
  transactions: Transactions
  batches: BatchStore
  batchReports: BatchReports
  projects: ProjectRecords
  storyboards: StoryboardStore
  settings: SettingsRecords
  estimates: EstimateStore
}

export function sqliteStores(db: Db): DomainStores {
  return {
    transactions: new SqliteTransactions(db),
    batches: new SqliteBatchStore(db),
    batchReports: new SqliteBatchReports(db),
    projects: new SqliteProjectRecords(db),
    storyboards: new SqliteStoryboardStore(db),
    settings: new SqliteSettingsRecords(db),
    estimates: new SqliteEstimateStore(db)
  }
}
