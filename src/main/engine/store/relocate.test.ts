import { mkdtempSync, renameSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path, { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase, type Db } from './database'
import { DATA_ROOT_KEY, inferDataRoot, rebasePath, relocateDataRoot } from './relocate'

describe('rebasePath', () => {
  it('moves a path that lies in the old folder, and nothing else', () => {
    expect(rebasePath('/old/data/jobs/j1/01-a/a.txt', '/old/data', '/new/place', path.posix)).toBe('/new/place/jobs/j1/01-a/a.txt')
    expect(rebasePath('/old/data', '/old/data', '/new/place', path.posix)).toBe('/new/place')
    // Same beginning, another folder.
    expect(rebasePath('/old/data2/jobs/x.txt', '/old/data', '/new/place', path.posix)).toBeNull()
    expect(rebasePath('/home/me/picture.png', '/old/data', '/new/place', path.posix)).toBeNull()
    expect(rebasePath('not a path', '/old/data', '/new/place', path.posix)).toBeNull()
  })

  it("takes the new system's separators when the folder changes system", () => {
    const win = 'C:\\Users\\ana\\AppData\\Roaming\\Creative Studio'
    expect(rebasePath(`${win}\\jobs\\j1\\05-video.ab\\video.mp4`, win, '/Users/ana/Library/Application Support/Creative Studio', path.posix)).toBe(
      '/Users/ana/Library/Application Support/Creative Studio/jobs/j1/05-video.ab/video.mp4'
    )
    expect(rebasePath('/home/ana/.config/Creative Studio/jobs/j1/a.txt', '/home/ana/.config/Creative Studio', 'D:\\Studio', path.win32)).toBe(
      'D:\\Studio\\jobs\\j1\\a.txt'
    )
  })

  it('handles a data folder at the root of a disk', () => {
    expect(rebasePath('/jobs/j1/a.txt', '/', '/srv/studio', path.posix)).toBe('/srv/studio/jobs/j1/a.txt')
  })
})

function insertJob(db: Db, id: string, payload: unknown, result: unknown): void {
  db.prepare(
    `INSERT INTO jobs (id, type, payload, status, position, seq, result, created_at, updated_at)
     VALUES (?, 'video', ?, 'completed', 1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs), ?, 0, 0)`
  ).run(id, JSON.stringify(payload), JSON.stringify(result))
}

function insertStep(db: Db, jobId: string, idx: number, workDir: string, files: Record<string, string>, output: unknown): void {
  db.prepare(
    `INSERT INTO steps (job_seq, job_id, idx, name, title, resource, status, work_dir, files, output)
     VALUES ((SELECT seq FROM jobs WHERE id = ?), ?, ?, ?, ?, 'cpu', 'completed', ?, ?, ?)`
  ).run(jobId, jobId, idx, `s${idx}`, `S${idx}`, workDir, JSON.stringify(files), JSON.stringify(output))
}

/** A data folder whose database holds paths into itself and one path to a user's own file. */
function populatedFolder(): { dir: string; mine: string } {
  const dir = mkdtempSync(join(tmpdir(), 'relocate-a-'))
  const mine = '/home/someone/own picture.png'
  const db = openDatabase(join(dir, 'studio.db'))
  const work = join(dir, 'jobs', 'j1', '04-visuals.1a2b')
  const asset = join(dir, 'projects', 'default', 'assets', 'ab12-cat.png')
  insertJob(db, 'j1', { idea: 'cats', assets: [asset, mine] }, { output: null, files: { visuals: { image1: join(work, 'image-1.png') } } })
  insertStep(db, 'j1', 0, work, { image1: join(work, 'image-1.png') }, { images: [join(work, 'image-1.png'), mine] })
  db.prepare("INSERT INTO assets (id, project_id, name, kind, path, bytes, created_at) VALUES ('a1', 'default', 'cat.png', 'image', ?, 1, 0)").run(asset)
  db.prepare(
    `INSERT INTO batches (id, name, status, source_label, source_file, project_id, config, created_at, updated_at)
     VALUES ('b1', 'b', 'paused', 'rows.csv', ?, 'default', '{}', 0, 0)`
  ).run(join(dir, 'batches', 'b1', 'source.csv'))
  db.prepare("INSERT INTO batch_rows (batch_id, row_number, state, input) VALUES ('b1', 1, 'ready', ?)").run(JSON.stringify({ assets: [asset] }))
  db.close()
  return { dir, mine }
}

function movedAway(dir: string): string {
  const to = join(mkdtempSync(join(tmpdir(), 'relocate-b-')), 'moved data')
  renameSync(dir, to)
  return to
}

describe('a data folder opened from a new place', () => {
  it('has every path into it moved along; paths elsewhere stay', () => {
    const { dir, mine } = populatedFolder()
    const to = movedAway(dir)
    const db = openDatabase(join(to, 'studio.db'))
    const work = join(to, 'jobs', 'j1', '04-visuals.1a2b')
    const asset = join(to, 'projects', 'default', 'assets', 'ab12-cat.png')
    const job = db.prepare<[], { payload: string; result: string }>("SELECT payload, result FROM jobs WHERE id = 'j1'").get()!
    expect(JSON.parse(job.payload)).toEqual({ idea: 'cats', assets: [asset, mine] })
    expect(JSON.parse(job.result)).toEqual({ output: null, files: { visuals: { image1: join(work, 'image-1.png') } } })
    const step = db.prepare<[], { work_dir: string; files: string; output: string }>('SELECT work_dir, files, output FROM steps').get()!
    expect(step.work_dir).toBe(work)
    expect(JSON.parse(step.files)).toEqual({ image1: join(work, 'image-1.png') })
    expect(JSON.parse(step.output)).toEqual({ images: [join(work, 'image-1.png'), mine] })
    expect(db.prepare('SELECT path FROM assets').pluck().get()).toBe(asset)
    expect(db.prepare('SELECT source_file FROM batches').pluck().get()).toBe(join(to, 'batches', 'b1', 'source.csv'))
    expect(JSON.parse(db.prepare('SELECT input FROM batch_rows').pluck().get() as string)).toEqual({ assets: [asset] })
    // Remembered: the next opening from here moves nothing.
    expect(relocateDataRoot(db, to)).toBeNull()
    db.close()
  })

  it('finds where a database from before this release was, from its paths', () => {
    const { dir } = populatedFolder()
    const db = openDatabase(join(dir, 'studio.db'))
    db.prepare('DELETE FROM settings WHERE key = ?').run(DATA_ROOT_KEY)
    expect(inferDataRoot(db)).toBe(dir)
    db.close()
    const to = movedAway(dir)
    const reopened = openDatabase(join(to, 'studio.db'))
    expect(reopened.prepare('SELECT work_dir FROM steps').pluck().get()).toBe(join(to, 'jobs', 'j1', '04-visuals.1a2b'))
    reopened.close()
  })

  it('takes a folder that was used on Windows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relocate-win-'))
    const win = 'C:\\Users\\ana\\AppData\\Roaming\\Creative Studio'
    const db = openDatabase(join(dir, 'studio.db'))
    insertJob(db, 'j1', { idea: 'x' }, null)
    insertStep(db, 'j1', 0, `${win}\\jobs\\j1\\01-script.aa`, { script: `${win}\\jobs\\j1\\01-script.aa\\script.txt` }, null)
    db.prepare('UPDATE settings SET value = ? WHERE key = ?').run(JSON.stringify(win), DATA_ROOT_KEY)
    db.close()
    const reopened = openDatabase(join(dir, 'studio.db'))
    expect(JSON.parse(reopened.prepare('SELECT files FROM steps').pluck().get() as string)).toEqual({
      script: join(dir, 'jobs', 'j1', '01-script.aa', 'script.txt')
    })
    reopened.close()
  })
})
