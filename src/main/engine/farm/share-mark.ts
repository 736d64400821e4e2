/**
 * Whether a folder is this farm's shared data folder, not merely a folder that works. The classic
 * mistake is a share that is not mounted: its mount point is an empty local folder that exists and
 * takes writes, so every check of shared-media.ts passes while the files go nowhere the farm's
 * other machines can see. So the farm names its share: a random id kept in the farm's database
 * (store/postgres/share-id.ts) and in a small file at the share's root, `.studio-farm`. The first
 * worker to check its share when the farm has no id yet draws the id and marks the folder (a
 * window never marks: see proveFarmShare); every later check compares the two:
 *  - the folder's mark names this farm: the same folder;
 *  - the folder has no mark while the farm has one: another folder than the one the farm's
 *    machines write into (not mounted here, or the wrong path);
 *  - the mark names another farm: another farm's share.
 * A farm's database made anew over an existing share (the mark there, no id in the database)
 * adopts the share's id: the files are the ones its jobs will name.
 */
import { randomUUID } from 'node:crypto'
import { link, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type pg from 'pg'
import { tempPathFor } from '../providers/atomic-write'
import { withClient } from '../store/postgres/init'
import { adoptShareId, readShareId } from '../store/postgres/share-id'
import { checkSharedMedia, type SharedMediaProblem } from './shared-media'

export const SHARE_MARK_FILE = '.studio-farm'

export type FarmShareProblem = SharedMediaProblem | 'another-farm' | 'not-the-share' | 'unmarked'

export type FarmShareCheck = { ok: true; dir: string } | { ok: false; dir: string; problem: FarmShareProblem; reason: string }

type Mark = { id: string } | { unreadable: string } | null

async function readMark(dir: string): Promise<Mark> {
  let text: string
  try {
    text = await readFile(join(dir, SHARE_MARK_FILE), 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return null
    return { unreadable: code ?? (err as Error).message }
  }
  try {
    const parsed = JSON.parse(text) as { farm?: unknown }
    if (typeof parsed.farm === 'string' && parsed.farm.length > 0) return { id: parsed.farm }
  } catch {
    // said below
  }
  return { unreadable: 'not a farm mark' }
}

function refuse(dir: string, problem: FarmShareProblem, detail: string): FarmShareCheck {
  return { ok: false, dir, problem, reason: `the shared data folder ${dir} ${detail}` }
}

/**
 * Whether `dir` (already known to work: checkSharedMedia) is the share of the farm `db` is connected
 * to. `mayMark`: when the farm has no share yet, name it after this folder (a worker, started by a
 * person on the machine). A window may not: a page could otherwise name any folder the farm's share
 * and keep the real workers out; it finds the mark a worker made.
 */
export async function proveFarmShare(db: Pick<pg.Client, 'query'>, dir: string, mayMark = true): Promise<FarmShareCheck> {
  // The farm's id is read before the folder's mark, and a worker marks the folder before it names
  // the farm's id (below): so an id seen here means the mark of the folder it was drawn for is
  // already written. Two workers starting at once on an unmarked share then agree.
  const farmId = await readShareId(db)
  let mark = await readMark(dir)
  if (mark && 'unreadable' in mark) return refuse(dir, 'another-farm', `holds a ${SHARE_MARK_FILE} file this studio cannot read (${mark.unreadable}): it is not this farm's shared folder`)
  if (farmId === null && !mayMark) {
    return refuse(dir, 'unmarked', `cannot be checked yet: no farm worker has marked the farm's shared folder; start one (\`studio farm worker --data-dir SHARED\`), then save it again`)
  }
  if (farmId === null) {
    if (mark === null) {
      mark = await markFolder(dir, randomUUID())
      if ('unreadable' in mark) return refuse(dir, 'another-farm', `holds a ${SHARE_MARK_FILE} file this studio cannot read (${mark.unreadable}): it is not this farm's shared folder`)
    }
    const id = await adoptShareId(db, mark.id)
    return id === mark.id ? { ok: true, dir } : refuse(dir, 'another-farm', `belongs to another farm (its ${SHARE_MARK_FILE} names another farm than this one)`)
  }
  if (mark === null) {
    return refuse(dir, 'not-the-share', `is not the folder this farm's machines write into (it has no ${SHARE_MARK_FILE} mark of the farm): is the share mounted here, at this path?`)
  }
  return mark.id === farmId ? { ok: true, dir } : refuse(dir, 'another-farm', `belongs to another farm (its ${SHARE_MARK_FILE} names another farm than this one)`)
}

/**
 * Writes the folder's mark unless another machine just did: the file is written whole under a
 * temporary name, then linked to its name, which fails when the name exists. The mark the folder
 * has afterwards, this one or the other machine's.
 */
async function markFolder(dir: string, id: string): Promise<Mark & object> {
  const target = join(dir, SHARE_MARK_FILE)
  const temp = tempPathFor(target)
  try {
    await writeFile(temp, JSON.stringify({ farm: id }) + '\n', { flush: true, mode: 0o644 })
    await link(temp, target)
    return { id }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return (await readMark(dir)) ?? { unreadable: 'removed while it was read' }
  } finally {
    await rm(temp, { force: true })
  }
}

/** What a window checks before it reads a farm's shared folder: it works here (shared-media.ts), and it is this farm's (never marking it). */
export async function checkFarmShare(url: string, dir: string): Promise<FarmShareCheck> {
  const media = await checkSharedMedia(dir)
  if (!media.ok) return media
  return withClient(url, (c) => proveFarmShare(c, dir, false))
}
