/** Re-exports of the shared contract's data types, so store files import from one place. */
export type {
  AssetView,
  BatchView,
  JobDetail,
  JobEta,
  JobStatus,
  JobView,
  LogLine,
  ProjectView,
  ProviderHealth,
  QueueStats,
  SettingsView,
  ToolReport
} from '../../../shared/types'
export type { PushEvent as PushEventAlias } from '../../../shared/contract'
