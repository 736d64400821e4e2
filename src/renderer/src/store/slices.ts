import type { StateCreator } from 'zustand'
import { defaultLocale } from '../i18n'
import { etaState, extendSamples, RECENT_LOG_LIMIT, reduceEvents, sortIds } from './events'
import { reduceStoryboardEvents, storyboardsData } from './storyboards'
import { pickAll, pickOnClick } from './pick'
import type {
  BatchesSlice,
  JobsSlice,
  ProjectsSlice,
  ProvidersSlice,
  QueueSlice,
  RouterSlice,
  SettingsSlice,
  StudioState,
  UiSlice
} from './types'

/** Slices see the whole state (the router touches several); middleware is applied at the root only. */
type Slice<T> = StateCreator<StudioState, [['zustand/persist', unknown]], [], T>

type Data<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] }

export const jobsData = (): Data<JobsSlice> => ({ jobs: {}, order: [], live: {}, jobsLoaded: false, recentLogs: [], jobLogs: {}, details: {} })

export const createJobsSlice: Slice<JobsSlice> = (set) => ({
  ...jobsData(),
  setJobs: (list) =>
    set((s) => {
      const jobs = Object.fromEntries(list.map((j) => [j.id, j]))
      const live = Object.fromEntries(Object.entries(s.live).filter(([id]) => jobs[id]?.status === 'processing'))
      return { jobs, order: sortIds(jobs), live, jobsLoaded: true }
    }),
  setJobLogs: (id, lines) => set((s) => ({ jobLogs: { ...s.jobLogs, [id]: lines } })),
  forgetJobLogs: (id) =>
    set((s) => {
      if (!(id in s.jobLogs)) return {}
      const jobLogs = { ...s.jobLogs }
      delete jobLogs[id]
      return { jobLogs }
    }),
  addRecentLogs: (lines) =>
    set((s) => {
      if (!lines.length) return {}
      const known = new Set(s.recentLogs.map((l) => l.id))
      const fresh = lines.filter((l) => !known.has(l.id))
      if (!fresh.length) return {}
      const merged = [...s.recentLogs, ...fresh].sort((a, b) => a.id - b.id)
      return { recentLogs: merged.length > RECENT_LOG_LIMIT ? merged.slice(-RECENT_LOG_LIMIT) : merged }
    }),
  setDetail: (detail) => set((s) => ({ details: { ...s.details, [detail.id]: detail } }))
})

export const queueData = (): Data<QueueSlice> => ({ stats: null, eta: null, pool: null, pipelines: [], queuePaused: false })

export const createQueueSlice: Slice<QueueSlice> = (set) => ({
  ...queueData(),
  setStats: (stats) => set({ stats, queuePaused: stats.paused }),
  setEta: (eta, fetchedAt) => set({ eta: etaState(eta, fetchedAt) }),
  setPool: (pool) => set({ pool }),
  setPipelines: (pipelines) => set({ pipelines })
})

export const providersData = (): Data<ProvidersSlice> => ({ providers: {} })

export const createProvidersSlice: Slice<ProvidersSlice> = (set) => ({
  ...providersData(),
  setProviders: (list) => set({ providers: Object.fromEntries(list.map((p) => [p.provider, p])) })
})

export const batchesData = (): Data<BatchesSlice> => ({ batches: {}, batchSamples: {}, batchConfigs: [] })

export const createBatchesSlice: Slice<BatchesSlice> = (set, get) => ({
  ...batchesData(),
  // A snapshot (boot, reconnect) also gives each batch's charts their past: see extendSamples.
  setBatches: (list) =>
    set((s) => ({
      batches: Object.fromEntries(list.map((b) => [b.id, b])),
      batchSamples: { ...s.batchSamples, ...Object.fromEntries(list.map((b) => [b.id, extendSamples(s.batchSamples[b.id], b)])) }
    })),
  upsertBatch: (batch) => get().applyEvents([{ type: 'batch.changed', batch }]),
  removeBatch: (id) =>
    set((s) => {
      const batches = { ...s.batches }
      delete batches[id]
      return { batches, selectedBatchId: s.selectedBatchId === id ? null : s.selectedBatchId }
    }),
  setBatchConfigs: (batchConfigs) => set({ batchConfigs })
})

export const projectsData = (): Data<ProjectsSlice> => ({ projects: [], assets: {} })

export const createProjectsSlice: Slice<ProjectsSlice> = (set) => ({
  ...projectsData(),
  setProjects: (projects) => set({ projects }),
  upsertProject: (project) =>
    set((s) => {
      const i = s.projects.findIndex((p) => p.id === project.id)
      return { projects: i < 0 ? [...s.projects, project] : s.projects.map((p) => (p.id === project.id ? project : p)) }
    }),
  setAssets: (projectId, list, askedAt) =>
    set((s) => {
      // Assets imported while the list was on its way are not in it: keep them.
      const known = new Set(list.map((a) => a.id))
      const newer = askedAt === undefined ? [] : (s.assets[projectId] ?? []).filter((a) => a.createdAt >= askedAt && !known.has(a.id))
      return { assets: { ...s.assets, [projectId]: [...list, ...newer] } }
    }),
  upsertAsset: (asset) =>
    set((s) => {
      const list = s.assets[asset.projectId] ?? []
      const next = list.some((a) => a.id === asset.id) ? list.map((a) => (a.id === asset.id ? asset : a)) : [...list, asset]
      return { assets: { ...s.assets, [asset.projectId]: next } }
    }),
  removeAsset: (id) =>
    set((s) => ({
      assets: Object.fromEntries(Object.entries(s.assets).map(([p, list]) => [p, list.filter((a) => a.id !== id)]))
    }))
})

export const settingsData = (): Data<SettingsSlice> => ({ settings: null, doctor: null, settingsDrafts: {} })

export const createSettingsSlice: Slice<SettingsSlice> = (set) => ({
  ...settingsData(),
  setSettings: (settings) => set({ settings }),
  setDoctor: (doctor) => set({ doctor }),
  setSettingsDraft: (field, draft) =>
    set((s) => {
      const { [field]: _old, ...rest } = s.settingsDrafts
      return { settingsDrafts: draft === undefined ? rest : { ...rest, [field]: draft } }
    })
})

export const uiData = (): Data<UiSlice> => ({
  view: 'queue',
  selectedJobId: null,
  selectedBatchId: null,
  selectedProjectId: null,
  queueFilter: 'all',
  trackerFilter: { status: 'all', type: '', projectId: '', text: '' },
  theme: 'system',
  locale: defaultLocale(),
  queueDockOpen: true,
  shortcutsOpen: false,
  newJobOpen: false,
  notices: [],
  confirmation: null,
  picked: {},
  pickAnchor: null,
  connection: { state: 'connecting', epoch: 0, retryInMs: null },
  farmQueue: { queueUrl: null, connected: true, problem: null },
  unavailable: {},
  droppedSheet: null,
  announcement: null
})

let noticeId = 0
let confirmId = 0
/** The pending question's answer: outside the state (a function is not data), one at a time. */
let resolveConfirm: ((confirmed: boolean) => void) | null = null

export const createUiSlice: Slice<UiSlice> = (set) => ({
  ...uiData(),
  setView: (view) => set({ view }),
  selectJob: (selectedJobId) => set({ selectedJobId }),
  selectBatch: (selectedBatchId) => set({ selectedBatchId }),
  selectProject: (selectedProjectId) => set({ selectedProjectId }),
  setQueueFilter: (queueFilter) => set({ queueFilter }),
  setTrackerFilter: (patch) => set((s) => ({ trackerFilter: { ...s.trackerFilter, ...patch } })),
  setTheme: (theme) => set({ theme }),
  setLocale: (locale) => set({ locale }),
  toggleQueueDock: (open) => set((s) => ({ queueDockOpen: open ?? !s.queueDockOpen })),
  setShortcutsOpen: (shortcutsOpen) => set({ shortcutsOpen }),
  setNewJobOpen: (newJobOpen) => set({ newJobOpen }),
  notify: (kind, text, action) =>
    set((s) => {
      // The same message twice in a row (a burst of failing clicks) is shown once.
      if (!action && s.notices.some((n) => n.text === text && n.kind === kind)) return {}
      return { notices: [...s.notices.slice(-2), { id: ++noticeId, kind, text, ...(action ? { action } : {}) }] }
    }),
  pick: (ids, id, mods) =>
    set((s) => {
      const next = pickOnClick({ picked: s.picked, anchor: s.pickAnchor }, ids, id, mods)
      return { picked: next.picked, pickAnchor: next.anchor, selectedJobId: id }
    }),
  pickAll: (ids) =>
    set(() => {
      const next = pickAll(ids)
      return { picked: next.picked, pickAnchor: next.anchor }
    }),
  clearPicked: () => set((s) => (Object.keys(s.picked).length ? { picked: {}, pickAnchor: null } : {})),
  ask: (request) =>
    new Promise<boolean>((resolve) => {
      // A new question replaces one left open: the old one counts as "no".
      resolveConfirm?.(false)
      resolveConfirm = resolve
      set({ confirmation: { ...request, id: ++confirmId } })
    }),
  answer: (confirmed) => {
    const resolve = resolveConfirm
    resolveConfirm = null
    set({ confirmation: null })
    resolve?.(confirmed)
  },
  dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  setConnection: (connection) => set({ connection }),
  setFarmQueue: (farmQueue) => set({ farmQueue }),
  markUnavailable: (domain, message) =>
    set((s) => {
      if (message === null) {
        if (!(domain in s.unavailable)) return {}
        const unavailable = { ...s.unavailable }
        delete unavailable[domain]
        return { unavailable }
      }
      if (s.unavailable[domain] === message) return {}
      return { unavailable: { ...s.unavailable, [domain]: message } }
    }),
  setDroppedSheet: (droppedSheet) => set({ droppedSheet }),
  announce: (status, title) => set({ announcement: { status, title, at: Date.now() } })
})

export const createRouterSlice: Slice<RouterSlice> = (set) => ({
  applyEvents: (events) => {
    if (events.length) set((s) => ({ ...reduceEvents(s, events), ...reduceStoryboardEvents(s, events) }))
  }
})

/** Every data field at its initial value (actions untouched): what `resetStudio` restores. */
export function initialData(): Partial<StudioState> {
  return { ...jobsData(), ...queueData(), ...providersData(), ...batchesData(), ...projectsData(), ...settingsData(), ...uiData(), ...storyboardsData() }
}
