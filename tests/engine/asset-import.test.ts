/**
 * Importing a project asset by its path on disk (the desktop app's dropped media): the file is
 * copied by the kernel, never loaded in memory, and anything that is not a regular image, audio
 * or video file given by an absolute path is refused with the file's name.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ProjectStore } from '../../src/main/engine/projects'
import { openDatabase, type Db } from '../../src/main/engine/store/database'
import { SqliteProjectRecords } from '../../src/main/engine/store/projects'
import { tempDir } from '../helpers/engine'

const MB = 1024 * 1024

/** Every flush the import asks for, with how many asset rows existed at that moment. */
const flushes = vi.hoisted(() => ({ seen: [] as Array<{ what: 'file' | 'folder'; path: string; rows: number }>, rows: (): number => 0 }))
vi.mock('../../src/main/engine/pool/sync-files', async (original) => {
  const real = await original<typeof import('../../src/main/engine/pool/sync-files')>()
  return {
    ...real,
    syncFile: async (path: string) => (flushes.seen.push({ what: 'file', path, rows: flushes.rows() }), real.syncFile(path)),
    syncFolder: async (path: string) => (flushes.seen.push({ what: 'folder', path, rows: flushes.rows() }), real.syncFolder(path))
  }
})

let dir: string
let db: Db
let projects: ProjectStore

beforeEach(() => {
  dir = tempDir('asset-import-')
  db = openDatabase(join(dir, 'studio.db'))
  projects = new ProjectStore(new SqliteProjectRecords(db), join(dir, 'data'))
  flushes.seen.length = 0
  flushes.rows = () => (db.prepare('SELECT COUNT(*) AS n FROM assets').get() as { n: number }).n
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

function sparseFile(path: string, bytes: number): string {
  closeSync(openSync(path, 'w'))
  truncateSync(path, bytes)
  return path
}

/** The most memory (heap + ArrayBuffers, which hold Buffers) seen while `work` runs, above where it started. */
async function peakMemoryGrowth(work: () => Promise<unknown>): Promise<number> {
  const used = () => {
    const m = process.memoryUsage()
    return m.heapUsed + m.arrayBuffers
  }
  const start = used()
  let peak = start
  const timer = setInterval(() => (peak = Math.max(peak, used())), 1)
  try {
    await work()
  } finally {
    clearInterval(timer)
  }
  return Math.max(peak, used()) - start
}

describe('ProjectStore.importAssetFile', () => {
  it('copies a 64 MB video by path without loading it in memory, and records its size and kind', async () => {
    const size = 64 * MB
    const source = sparseFile(join(dir, 'Holiday clip.MP4'), size)
    const before = statSync(source)
    let asset: Awaited<ReturnType<ProjectStore['importAssetFile']>> | undefined
    const growth = await peakMemoryGrowth(async () => {
      asset = await projects.importAssetFile('promo', 'Holiday clip.MP4', source)
    })
    expect(growth).toBeLessThan(size / 4)
    expect(asset).toMatchObject({ projectId: 'promo', name: 'Holiday clip.MP4', kind: 'video', bytes: size })
    expect(asset!.path.startsWith(join(dir, 'data', 'projects', 'promo', 'assets'))).toBe(true)
    expect(statSync(asset!.path).size).toBe(size)
    expect(projects.assets('promo')).toEqual([asset])
    // The source is untouched, and no temp file is left behind.
    const after = statSync(source)
    expect({ size: after.size, mtimeMs: after.mtimeMs }).toEqual({ size: before.size, mtimeMs: before.mtimeMs })
    expect(readdirSync(join(dir, 'data', 'projects', 'promo', 'assets')).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('copies the bytes exactly and keeps the same safe name as an import by bytes', async () => {
    const source = join(dir, 'sunset.png')
    writeFileSync(source, Buffer.from('PNG bytes \u00e9'))
    const byPath = await projects.importAssetFile('promo', 'sunset.png', source)
    const byBytes = await projects.importAsset('promo', 'sunset.png', readFileSync(source))
    expect(readFileSync(byPath.path)).toEqual(readFileSync(source))
    expect(byPath).toMatchObject({ name: byBytes.name, kind: 'image', bytes: byBytes.bytes })
  })

  it('refuses a relative path, a missing file, a directory, and files that are not media, naming each', async () => {
    const folder = join(dir, 'clips.mp4')
    mkdirSync(folder)
    const notes = join(dir, 'notes.txt')
    writeFileSync(notes, 'hello')
    const script = join(dir, 'install.sh')
    writeFileSync(script, 'rm -rf /')
    const cases: Array<[string, string, RegExp]> = [
      ['clip.mp4', 'clip.mp4', /"clip\.mp4".*not absolute/],
      ['gone.mp4', join(dir, 'gone.mp4'), /"gone\.mp4".*does not exist/],
      ['clips.mp4', folder, /"clips\.mp4".*not a regular file/],
      ['notes.txt', notes, /"notes\.txt".*not an image, audio or video file \(\.txt\)/],
      ['install.sh', script, /"install\.sh".*not an image, audio or video file \(\.sh\)/]
    ]
    for (const [name, path, message] of cases) {
      await expect(projects.importAssetFile('promo', name, path), name).rejects.toMatchObject({ name: 'QueueError', message: expect.stringMatching(message) })
    }
    expect(projects.assets('promo')).toEqual([])
  })

  it.skipIf(process.platform === 'win32')('refuses a device, even behind a media name (a symlink to /dev/zero would never end)', async () => {
    const link = join(dir, 'zero.mp4')
    symlinkSync('/dev/zero', link)
    await expect(projects.importAssetFile('promo', 'zero.mp4', link)).rejects.toThrow(/"zero\.mp4" is not a regular file/)
    expect(projects.assets('promo')).toEqual([])
  })
})

describe('durability of imported media', () => {
  it('a copied clip and its folder entry are flushed to disk before the row that lists it', async () => {
    const source = sparseFile(join(dir, 'clip.mp4'), 2 * MB)
    const asset = await projects.importAssetFile('promo', 'clip.mp4', source)
    expect(flushes.seen.map(({ what, rows }) => ({ what, rows }))).toEqual([
      { what: 'file', rows: 0 },
      { what: 'folder', rows: 0 }
    ])
    expect(flushes.seen[1]!.path).toBe(join(asset.path, '..'))
  })

  it('dropped bytes (the browser way) have their folder entry flushed before the row too', async () => {
    const asset = await projects.importAsset('promo', 'sky.png', new Uint8Array([1, 2, 3]))
    expect(flushes.seen).toEqual([{ what: 'folder', path: join(asset.path, '..'), rows: 0 }])
    expect(readFileSync(asset.path)).toEqual(Buffer.from([1, 2, 3]))
  })
})
