/**
 * The one API between the renderer and the engine. Both transports — Electron IPC in the app and
 * the loopback WebSocket bridge of `studio serve` — carry exactly these commands and events.
 * Each command names its request schema (validated in main before anything runs) and its
 * response type. No Node, no DOM in this file.
 */
import { z } from 'zod'
import { COMMAND_NAMES, type CommandName } from './command-names'
import { JobSelection, SetPriorityMany, type BulkResult } from './bulk'
import type { BatchEstimate } from './estimate'
import type { StockSearchResult } from './stock'
import type { VoiceView } from './voices'
import { FarmQueueUrl, type FarmConnectionView, type FarmQueueState, type FarmStatusView, type FarmTestResult } from './farm'
import { EnqueueRequest, JobFilter, JobId, MoveDirectionSchema, Priority } from './schemas'
import { BATCH_ROW_STATUSES } from './types'
import type { ApiIssue } from './api-issues'
import type {
  AssetView,
  BatchPreview,
  BatchRowsPage,
  BatchView,
  ProjectView,
  SettingsView,
  ToolReport,
  EngineEvent,
  JobDetail,
  JobView,
  LogLine,
  ProviderHealth,
  ProviderTestResult,
  QueueEta,
  PoolStatus,
  QueueStats
} from './types'
import {
  RenderRequest,
  StoryboardEdit,
  StoryboardSettings,
  StoryboardSource,
  type RenderPlanView,
  type StoryboardSummary,
  type StoryboardView
} from './storyboard'

export type { PoolStatus } from './types'
export type { BulkOutcome, BulkResult } from './bulk'

export interface PipelineInfo {
  name: string
  title: string
  /** The input a spreadsheet's main column (and a quick form's text box) fills. */
  mainField: string
  /** Input fields the pipeline accepts. */
  fields: string[]
  steps: { name: string; title: string; resource: string }[]
}


const Empty = z.strictObject({})
const ById = z.strictObject({ id: JobId })
const BatchId = z.strictObject({ id: z.string().min(1).max(100) })
const StoryboardId = z.strictObject({ id: z.string().min(1, 'storyboard id is empty').max(100) })

/** Where batch rows come from: a file on this machine, a URL (Sheets CSV export), or a dropped file's bytes. */
export const BatchSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('file'), path: z.string().min(1, 'path is empty') }),
  z.strictObject({ kind: z.literal('url'), url: z.string().url('url must be an http(s) address') }),
  z.strictObject({
    kind: z.literal('upload'),
    name: z.string().min(1).max(255),
    /** Base64 of the file, as read by the renderer from a drop (CSV/XLSX, 50 MB at most). */
    contentBase64: z.string().max(70 * 1024 * 1024, 'file is larger than 50 MB')
  })
])
export type BatchSource = z.input<typeof BatchSource>

const ProviderChoice = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('offline') }),
  z.strictObject({
    kind: z.literal('openai'),
    baseURL: z.string().url('baseURL must be an http(s) address'),
    model: z.string().min(1, 'model is empty'),
    /** The server does not charge: its calls cost a known $0. Absent keeps what is stored (for the same server). */
    free: z.boolean().optional()
  })
])

const HttpURL = z.string().url('baseURL must be an http(s) address').refine((u) => /^https?:\/\//i.test(u), 'baseURL must be an http(s) address')
/** Image: also a local AUTOMATIC1111/Forge or ComfyUI server (ComfyUI with an API-format workflow of the user's, null for the built-in one). */
const ImageChoice = z.discriminatedUnion('kind', [
  ...ProviderChoice.options,
  z.strictObject({ kind: z.literal('automatic1111'), baseURL: HttpURL }),
  z.strictObject({ kind: z.literal('comfyui'), baseURL: HttpURL, workflow: z.record(z.string(), z.unknown()).nullable().optional() })
])
/** Speech: offline (an engine and a voice of this machine), an OpenAI-compatible server, or ElevenLabs. */
const SpeechChoice = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('offline'),
    engine: z.enum(['auto', 'rhvoice', 'festival', 'espeak-ng', 'espeak', 'say', 'sapi', 'mespeak'], { error: 'engine is not a known speech engine' }).optional(),
    voice: z.string().min(1).max(100).nullable().optional()
  }),
  ProviderChoice.options[1],
  z.strictObject({
    kind: z.literal('elevenlabs'),
    baseURL: HttpURL.optional(),
    model: z.string().min(1).max(100).optional(),
    voice: z.string().regex(/^[A-Za-z0-9]{10,40}$/, 'voice must be a voice id from the voice list').nullable().optional()
  })
])
const MusicChoice = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('offline') }), z.strictObject({ kind: z.literal('suno'), baseURL: HttpURL })])
/** Stock visuals on or off; the Pexels key goes through settings/setApiKey (kind 'stock'). */
const StockChoice = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('pexels') }), z.strictObject({ kind: z.literal('none') })])

export const SettingsPatch = z.strictObject({
  providers: z
    .strictObject({ text: ProviderChoice.optional(), image: ImageChoice.optional(), speech: SpeechChoice.optional(), music: MusicChoice.optional(), stock: StockChoice.optional() })
    .optional(),
  ffmpegPath: z.string().min(1).nullable().optional(),
  /** Spend caps in USD (null removes one). Replaces the stored caps as a whole. */
  budget: z
    .strictObject({
      dailyUsd: z.number().nonnegative('dailyUsd must be 0 or more').max(1_000_000).nullable().optional(),
      monthlyUsd: z.number().nonnegative('monthlyUsd must be 0 or more').max(1_000_000).nullable().optional(),
      providers: z
        .record(z.string().min(1).max(200), z.strictObject({ dailyUsd: z.number().nonnegative().max(1_000_000).nullable().optional(), monthlyUsd: z.number().nonnegative().max(1_000_000).nullable().optional() }))
        .optional()
    })
    .optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  resources: z.record(z.string(), z.strictObject({ concurrency: z.number().int().min(1).max(64), minIntervalMs: z.number().int().min(0).max(600_000) })).optional(),
  captionRenderer: z.enum(['libass', 'imagemagick']).optional(),
  subtitleStyle: z
    .strictObject({
      fonts: z.array(z.string().min(1).max(100)).min(1).max(5),
      bold: z.boolean(),
      fontSize: z.number().min(8).max(300),
      color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'colours are #RRGGBB'),
      strokeColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'colours are #RRGGBB'),
      strokeWidth: z.number().min(0).max(20),
      highlightColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'colours are #RRGGBB'),
      bottomOffset: z.number().min(0).max(2000),
      margin: z.number().min(0).max(2000),
      karaoke: z.boolean()
    })
    .partial()
    .optional(),
  videoPreset: z.enum(['short', 'landscape']).optional()
})

/** Declares a command: its request schema (inferred) and its response type (given). */
function command<Res>() {
  return <Req extends z.ZodType>(request: Req) => ({ request, response: undefined as unknown as Res })
}

export const commands = {
  'jobs/list': command<JobView[]>()(JobFilter),
  'jobs/get': command<JobDetail>()(ById),
  'jobs/enqueue': command<JobView>()(EnqueueRequest),
  'jobs/enqueueMany': command<JobView[]>()(z.strictObject({ jobs: z.array(EnqueueRequest).min(1).max(10_000) })),
  'jobs/setPriority': command<JobView>()(z.strictObject({ id: JobId, priority: Priority })),
  'jobs/move': command<JobView>()(z.strictObject({ id: JobId, direction: MoveDirectionSchema })),
  /** Drop a job right before or after another queued job (a drag, in one call). */
  'jobs/place': command<JobView>()(
    // One strict object (not a union) so that an unknown field is named in the error.
    z
      .strictObject({ id: JobId, before: JobId.optional(), after: JobId.optional() })
      .refine((r) => (r.before === undefined) !== (r.after === undefined), {
        error: 'give exactly one of before or after (another queued job id)',
        path: ['before']
      })
  ),
  'jobs/cancel': command<JobView>()(ById),
  'jobs/retry': command<JobView>()(z.strictObject({ id: JobId, fromStep: z.string().min(1).max(100).optional() })),
  'jobs/remove': command<null>()(ById),
  'jobs/pause': command<JobView>()(ById),
  'jobs/resume': command<JobView>()(ById),
  // Many jobs in one transaction each (src/shared/bulk.ts): a selection, "Clear finished", `studio cancel --status pending`.
  'jobs/cancelMany': command<BulkResult>()(JobSelection),
  'jobs/retryMany': command<BulkResult>()(JobSelection),
  'jobs/removeMany': command<BulkResult>()(JobSelection),
  'jobs/pauseMany': command<BulkResult>()(JobSelection),
  'jobs/resumeMany': command<BulkResult>()(JobSelection),
  'jobs/setPriorityMany': command<BulkResult>()(SetPriorityMany),
  'jobs/logs': command<LogLine[]>()(
    z.strictObject({ id: JobId, afterId: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(10_000).optional() })
  ),
  'queue/stats': command<QueueStats>()(Empty),
  'queue/eta': command<QueueEta>()(Empty),
  'queue/pause': command<null>()(Empty),
  'queue/resume': command<null>()(Empty),
  'queue/cleanup': command<number>()(z.strictObject({ olderThanDays: z.number().min(0).max(3650) })),
  'pool/status': command<PoolStatus>()(Empty),
  'pool/kick': command<null>()(Empty),
  'pool/setConcurrency': command<null>()(z.strictObject({ concurrency: z.number().int().min(1).max(64) })),
  'providers/health': command<ProviderHealth[]>()(Empty),
  /** Run the health probe of the provider a kind of step uses now (Settings' "Test connection"). */
  'providers/test': command<ProviderTestResult>()(z.strictObject({ kind: z.enum(['text', 'image', 'speech', 'moderation']) })),
  /** The voices of the configured speech provider: this machine's engines (offline), the account's (ElevenLabs), OpenAI's set. */
  'providers/voices': command<VoiceView[]>()(z.strictObject({ kind: z.literal('speech', { error: "kind must be 'speech'" }) })),
  'pipelines/list': command<PipelineInfo[]>()(Empty),

  'batch/preview': command<BatchPreview>()(
    z.strictObject({
      source: BatchSource,
      sheet: z.string().max(200).optional(),
      /** The batch config to preview with (its pipeline decides the column mapping). */
      config: z.record(z.string(), z.unknown()).optional()
    })
  ),
  /** Same request as batch/preview: the rows the batch would queue, timed and priced; nothing is queued. */
  'batch/estimate': command<BatchEstimate>()(
    z.strictObject({
      source: BatchSource,
      sheet: z.string().max(200).optional(),
      config: z.record(z.string(), z.unknown()).optional()
    })
  ),
  'batch/create': command<BatchView>()(
    z.strictObject({
      source: BatchSource,
      sheet: z.string().max(200).optional(),
      name: z.string().max(200).optional(),
      projectId: z.string().min(1).max(200).optional(),
      /** Seed 3's config; validated in main, errors name the field. */
      config: z.record(z.string(), z.unknown()).default({}),
      /** Start at once (the default) or leave idle. */
      start: z.boolean().default(true)
    })
  ),
  'batch/list': command<BatchView[]>()(Empty),
  'batch/get': command<BatchView>()(BatchId),
  'batch/start': command<BatchView>()(BatchId),
  'batch/pause': command<BatchView>()(BatchId),
  'batch/resume': command<BatchView>()(BatchId),
  'batch/stop': command<BatchView>()(BatchId),
  'batch/retryFailed': command<BatchView>()(BatchId),
  /** Forget the rows' results and go back to idle (not while running), so Start runs it from scratch. */
  'batch/reset': command<BatchView>()(BatchId),
  /** One page of the results table (filtered by status); the window never holds every row. */
  'batch/rows': command<BatchRowsPage>()(
    z.strictObject({
      id: z.string().min(1).max(100),
      status: z.enum(BATCH_ROW_STATUSES).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(100)
    })
  ),
  /** Run the chosen rows again: failed or cancelled rows resume, rows whose job was deleted get a new one. */
  'batch/retryRows': command<BatchView>()(
    z.strictObject({ id: z.string().min(1).max(100), rows: z.array(z.number().int().min(1)).min(1).max(100_000) })
  ),
  'batch/remove': command<null>()(BatchId),
  'batch/export': command<{ fileName: string; csv: string }>()(
    z.strictObject({
      id: z.string().min(1).max(100),
      what: z.enum(['results', 'history']).default('results'),
      /** ';' for a spreadsheet app in a language whose decimal separator is a comma (see shared/csv.ts). */
      delimiter: z.enum([',', ';']).default(',')
    })
  ),
  'batch/configs/list': command<{ name: string; config: Record<string, unknown> }[]>()(Empty),
  'batch/configs/save': command<null>()(z.strictObject({ name: z.string().min(1).max(100), config: z.record(z.string(), z.unknown()) })),

  'storyboards/list': command<StoryboardSummary[]>()(z.strictObject({ projectId: z.string().min(1).max(200).optional() })),
  /** Creating stops for review: nothing renders unless `render` is true. */
  'storyboards/create': command<StoryboardView>()(
    z.strictObject({
      projectId: z.string().min(1, 'project is empty').max(200),
      title: z.string().trim().min(1, 'title is empty').max(200).optional(),
      from: StoryboardSource,
      settings: StoryboardSettings.partial().optional(),
      render: z.boolean().default(false)
    })
  ),
  'storyboards/get': command<StoryboardView>()(StoryboardId),
  /** One edit, one transaction, one step of undo. `revision`, when given, refuses an edit made on a stale copy. */
  'storyboards/edit': command<StoryboardView>()(
    z.strictObject({ id: StoryboardId.shape.id, edit: StoryboardEdit, revision: z.number().int().min(0).optional() })
  ),
  'storyboards/undo': command<StoryboardView>()(StoryboardId),
  'storyboards/redo': command<StoryboardView>()(StoryboardId),
  /** The text provider rewrites one scene's narration (an edit like any other: undo restores it). */
  'storyboards/rewriteNarration': command<StoryboardView>()(z.strictObject({ id: StoryboardId.shape.id, sceneId: z.string().min(1).max(40) })),
  /** What a render would run and reuse, its time and cost, without queuing anything. */
  'storyboards/plan': command<RenderPlanView>()(RenderRequest),
  'storyboards/render': command<{ storyboard: StoryboardView; job: JobView }>()(RenderRequest),
  /** A draft (half size, fastest preset) of the whole storyboard or of one scene. */
  'storyboards/preview': command<{ storyboard: StoryboardView; job: JobView }>()(
    z.strictObject({ id: StoryboardId.shape.id, sceneId: z.string().min(1).max(40).optional() })
  ),
  'storyboards/remove': command<null>()(StoryboardId),

  'projects/list': command<ProjectView[]>()(Empty),
  'projects/create': command<ProjectView>()(z.strictObject({ name: z.string().trim().min(1, 'name is empty').max(200) })),
  'assets/list': command<AssetView[]>()(z.strictObject({ projectId: z.string().min(1).max(200) })),
  'assets/import': command<AssetView>()(
    z.strictObject({
      projectId: z.string().min(1).max(200),
      name: z.string().min(1).max(255),
      // Under the browser bridge's message cap (8 MB): larger media are streamed (importDropped).
      contentBase64: z.string().max(6 * 1024 * 1024, 'file is larger than 4 MB; drop it into the window instead (streamed)')
    })
  ),
  'assets/remove': command<null>()(z.strictObject({ id: z.string().min(1).max(100) })),

  /** Stock photos or videos (Pexels) for a query, or for the keywords of a scene's narration. */
  'stock/search': command<StockSearchResult>()(
    z
      .strictObject({
        projectId: z.string().min(1).max(200).optional(),
        query: z.string().trim().min(1, 'query is empty').max(200, 'query is too long (200 characters at most)').optional(),
        sceneText: z.string().max(5000, 'sceneText is too long (5 000 characters at most)').optional(),
        kind: z.enum(['photo', 'video'], { error: 'kind must be photo or video' }),
        count: z.number().int().min(1).max(80).optional(),
        page: z.number().int().min(1).max(1000).optional()
      })
      .refine((r) => r.query !== undefined || (r.sceneText ?? '').trim() !== '', { message: 'give a query or the scene text', path: ['query'] })
  ),
  /** Download one stock item (by the library's id) into the project's media bin, with its author and licence. */
  'stock/import': command<AssetView>()(
    z.strictObject({
      projectId: z.string().min(1).max(200),
      id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
      kind: z.enum(['photo', 'video'], { error: 'kind must be photo or video' })
    })
  ),
  'settings/get': command<SettingsView>()(Empty),
  'settings/update': command<SettingsView>()(SettingsPatch),
  /** Write-only: the key goes to main's keychain and is never read back. */
  'settings/setApiKey': command<null>()(
    z.strictObject({ kind: z.enum(['text', 'image', 'speech', 'stock']), key: z.string().max(500) })
  ),
  /**
   * A real frame rendered with the given subtitle style, as a PNG data URL. Renderer and format
   * are the form's current (maybe unsaved) choices; absent, the saved settings are used.
   */
  'settings/previewSubtitles': command<{ dataUrl: string }>()(
    z.strictObject({
      text: z.string().min(1).max(300),
      style: SettingsPatch.shape.subtitleStyle.unwrap().optional(),
      captionRenderer: SettingsPatch.shape.captionRenderer.unwrap().optional(),
      videoPreset: SettingsPatch.shape.videoPreset.unwrap().optional()
    })
  ),
  /** The studio farm this studio is connected to (Settings → "Studio farm"): its URL without the password. */
  'farm/get': command<FarmConnectionView>()(Empty),
  /** Connect to a farm's PostgreSQL (the given URL, else the saved one): its schema version and, once initialised, its status. */
  'farm/test': command<FarmTestResult>()(z.strictObject({ queueUrl: FarmQueueUrl.optional() })),
  /** The connected farm's workers, what each runs, and its queue. */
  'farm/status': command<FarmStatusView>()(Empty),
  /** Test, then save the farm's URL (its password goes with the API keys, never back to a page). */
  'farm/connect': command<FarmConnectionView>()(z.strictObject({ queueUrl: FarmQueueUrl })),
  /** Forget the farm's URL and password: this studio uses its local queue. */
  'farm/disconnect': command<FarmConnectionView>()(Empty),
  /** Which queue the window's jobs/* and queue/* commands run on: this computer's, or a farm's (and whether its link is up). */
  'farm/queue': command<FarmQueueState>()(Empty),
  /**
   * Where the farm's shared folder is mounted on this computer (null or empty: this studio's data
   * folder is the share). Checked before it is saved: it exists, takes writes, and is the
   * connected farm's (its mark: an empty mount point is refused). The window then reads the
   * farm's results, and the media server serves its media, from there.
   */
  'farm/setSharedDir': command<FarmConnectionView>()(
    z.strictObject({ sharedDir: z.string({ error: 'sharedDir must be text' }).trim().max(4096, 'sharedDir is too long').nullable() })
  ),
  'system/doctor': command<ToolReport[]>()(Empty),
  /** Show a file or folder of the data folder in the OS file manager (desktop only). */
  'system/reveal': command<null>()(z.strictObject({ path: z.string().min(1, 'path is empty').max(4096, 'path is too long') })),
  /** Open a web link in the default browser (desktop only). */
  'system/openExternal': command<null>()(
    z.strictObject({ url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) address' }).max(2048, 'url is too long') })
  ),
  /**
   * Desktop only: copy files of the data folder (a render's MP4 and SRT) where the user chooses,
   * in a save dialog (one file) or a folder dialog (several). Answers the copies' paths; an empty
   * list when the user cancelled. A browser downloads the files instead.
   */
  'system/exportFiles': command<{ saved: string[] }>()(
    z.strictObject({
      paths: z.array(z.string().min(1, 'path is empty').max(4096, 'path is too long')).min(1, 'paths: give at least one file').max(20, 'paths: 20 files at most')
    })
  ),
  /** Desktop only: a folder the user picks in the system's dialog (null when cancelled); nothing is read or saved. */
  'system/pickFolder': command<{ path: string | null }>()(z.strictObject({ title: z.string().max(200, 'title is too long').optional() }))
} as const satisfies Record<CommandName, { request: z.ZodType; response: unknown }>

/** Both directions: no command missing from COMMAND_NAMES, no name without a command. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
const sameNames: Same<keyof typeof commands, CommandName> = true
void sameNames

export type Commands = typeof commands
export { COMMAND_NAMES, type CommandName }
export type RequestOf<C extends CommandName> = z.input<Commands[C]['request']>
export type ParsedRequestOf<C extends CommandName> = z.output<Commands[C]['request']>
export type ResponseOf<C extends CommandName> = Commands[C]['response']

export interface ApiError {
  /** Stable machine code: bad_request, not_found, processing, internal... */
  code: string
  /** A sentence a person can read, naming the field when input was wrong (English: the CLI and logs show it). */
  message: string
  /** Input that was refused, one entry per problem: the window words each in the user's language. */
  issues?: ApiIssue[]
}
export type { ApiIssue } from './api-issues'

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError }

/** Push events from main to the renderer. */
export type PushEvent = EngineEvent
export type PushEventType = PushEvent['type']

/** What `window.api` (preload) and the browser bridge client both provide. */
export interface StudioApi {
  invoke<C extends CommandName>(command: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>
  subscribe(listener: (event: PushEvent) => void): () => void
  /**
   * A URL the renderer can put in <img>/<audio>/<video> for an artifact or asset path that main
   * reported. Main serves only files inside its data folder.
   */
  fileUrl(path: string): string
  /**
   * Desktop only: import media the user dropped or picked by their place on disk (main copies
   * them; nothing is read here). The browser bridge has no file paths and no such function: use
   * `assets/import` with the bytes there. `File` is the DOM's in the renderer and Node's global
   * (same shape) where this file is compiled for main and the preload.
   */
  importDropped?(projectId: string, files: File[]): Promise<Result<ImportDroppedResult>>
}

/** What `importDropped` answers: the assets made, and each file refused with the reason. */
export interface ImportDroppedResult {
  imported: AssetView[]
  refused: Array<{ name: string; reason: string }>
}

/**
 * What the Electron preload exposes as `window.api`: one function per command (named as the
 * command), `subscribe` for push events, `fileUrl` for media, `importDropped` for dropped media.
 * The renderer adapts it to StudioApi.
 */
export type PreloadApi = { [C in CommandName]: (request: RequestOf<C>) => Promise<Result<ResponseOf<C>>> } & Pick<
  StudioApi,
  'subscribe' | 'fileUrl'
> &
  Required<Pick<StudioApi, 'importDropped'>>

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name)
}
