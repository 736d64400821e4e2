import { randomUUID } from 'node:crypto'
import { constants, rmSync } from 'node:fs'
import { chmod, copyFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, extname, isAbsolute, join } from 'node:path'
import { assetKindOf } from '../../shared/asset-kinds'
import type { AssetCredit, AssetView, ProjectView } from '../../shared/types'
import { QueueError } from './errors'
import { syncFile, syncFolder } from './pool/sync-files'
import type { ProjectRecords } from './store/projects'
import { makePrivateDir, PRIVATE_FILE_MODE } from './store/private-files'

/** A stock medium's credit, and the library's id for it ("pexels:photo:123"). */
export interface StockOrigin extends AssetCredit {
  sourceId: string
}

/**
 * Projects group jobs and the media a user dropped in (assets), which pipelines can use
 * (a video from your own images). Asset files live in the data folder, under the project.
 */
export class ProjectStore {
  constructor(
    private readonly records: ProjectRecords,
    private readonly dataDir: string
  ) {}

  list(): ProjectView[] {
    return this.records.list()
  }

  create(name: string): ProjectView {
    const clean = name.trim()
    if (this.records.idOfName(clean) !== undefined) throw new QueueError('exists', `a project named "${clean}" already exists`)
    const id = slug(clean) || randomUUID().slice(0, 8)
    const finalId = this.records.idTaken(id) ? `${id}-${randomUUID().slice(0, 4)}` : id
    this.records.insert(finalId, clean, Date.now())
    return this.list().find((p) => p.id === finalId)!
  }

  assets(projectId: string): AssetView[] {
    return this.records.assets(projectId)
  }

  /** The project's newest audio asset: the first "existing track" a music fallback offers (seed 4). */
  newestTrack(projectId: string): string | null {
    return this.records.newestAsset(projectId, 'audio')?.path ?? null
  }

  /**
   * Store a dropped file's bytes as a project asset (written to a temp name, flushed, renamed).
   * The user's own media are on disk for good before the row that lists them (see publish).
   */
  async importAsset(projectId: string, name: string, bytes: Uint8Array): Promise<AssetView> {
    const target = this.assetTarget(projectId, name)
    const tmp = target.path + '.tmp'
    try {
      await writeFile(tmp, bytes, { flush: true, mode: PRIVATE_FILE_MODE })
      await publish(tmp, target.path)
    } catch (err) {
      await rm(tmp, { force: true })
      throw err
    }
    return this.recordAsset(projectId, target, bytes.byteLength)
  }

  /**
   * Store a file already on disk as a project asset, copied by the kernel (a reflink where the
   * file system has them) to a temp name, then renamed: a clip of several GB never passes
   * through memory. Only a regular image, audio or video file given by an absolute path is taken.
   */
  async importAssetFile(projectId: string, name: string, sourcePath: string): Promise<AssetView> {
    const label = JSON.stringify(name)
    if (!isAbsolute(sourcePath)) throw new QueueError('bad_request', `${label}: the path is not absolute`)
    if (assetKindOf(sourcePath) === 'other' || assetKindOf(safeAssetName(name)) === 'other') {
      throw new QueueError('bad_request', `${label} is not an image, audio or video file (${extname(sourcePath) || 'no extension'})`)
    }
    const info = await stat(sourcePath).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new QueueError('not_found', `${label}: the file does not exist`)
      throw new QueueError('bad_request', `${label}: cannot read it (${err.code ?? err.message})`)
    })
    // A directory, a device or a pipe is never a medium (and copying a pipe might never end).
    if (!info.isFile()) throw new QueueError('bad_request', `${label} is not a regular file`)
    const target = this.assetTarget(projectId, name)
    const tmp = target.path + '.tmp'
    let bytes: number
    try {
      await copyFile(sourcePath, tmp, constants.COPYFILE_FICLONE)
      // A copy keeps the source's mode: the data folder's copy is the owner's only.
      await chmod(tmp, PRIVATE_FILE_MODE)
      bytes = (await stat(tmp)).size
      await syncFile(tmp)
      await publish(tmp, target.path)
    } catch (err) {
      await rm(tmp, { force: true })
      throw new QueueError('internal', `${label}: cannot copy it (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
    }
    return this.recordAsset(projectId, target, bytes)
  }

  /**
   * Take a file just streamed into the data folder (an upload from the browser bridge) as a
   * project asset: renamed into place, never copied, so a clip of several GB costs no second write.
   */
  async adoptUploadedAsset(projectId: string, name: string, uploadedPath: string, origin?: StockOrigin): Promise<AssetView> {
    const label = JSON.stringify(name)
    if (assetKindOf(safeAssetName(name)) === 'other') throw new QueueError('bad_request', `${label} is not an image, audio or video file`)
    const { size } = await stat(uploadedPath)
    const target = this.assetTarget(projectId, name)
    await chmod(uploadedPath, PRIVATE_FILE_MODE)
    await syncFile(uploadedPath)
    await publish(uploadedPath, target.path)
    return this.recordAsset(projectId, target, size, origin)
  }

  /** A stock item already in this project's bin (taken before): used again, not downloaded twice. */
  stockAsset(projectId: string, sourceId: string): AssetView | null {
    return this.records.assetFromSource(projectId, sourceId) ?? null
  }

  /** Where an asset named `name` goes (the folder is created): its safe file name, kind, id and path. */
  private assetTarget(projectId: string, name: string): AssetTarget {
    const safeName = safeAssetName(name)
    const id = randomUUID()
    const dir = join(projectFolder(this.dataDir, projectId), 'assets')
    makePrivateDir(dir)
    return { id, name: safeName, kind: assetKindOf(safeName), path: join(dir, `${id.slice(0, 8)}-${safeName}`) }
  }

  /** The asset's row, once its file is in place. */
  private recordAsset(projectId: string, target: AssetTarget, bytes: number, origin?: StockOrigin): AssetView {
    const { sourceId, ...credit } = origin ?? { sourceId: undefined }
    return this.records.insertAsset({
      ...target,
      projectId,
      bytes,
      createdAt: Date.now(),
      ...(origin ? { credit: credit as AssetCredit, sourceId } : {})
    })
  }

  /** The file of the asset with this id, or undefined when there is none. */
  assetPath(id: string): string | undefined {
    return this.records.asset(id)?.path
  }

  removeAsset(id: string): void {
    const asset = this.records.asset(id)
    if (!asset) throw new QueueError('not_found', `no asset with id ${id}`)
    this.records.removeAsset(id)
    rmSync(asset.path, { force: true })
  }
}

/**
 * Move a flushed temp file to its name and flush the folder's entry: the asset survives a power
 * cut before its row is written (the row alone would point at an empty or missing file).
 */
async function publish(tmp: string, path: string): Promise<void> {
  await rename(tmp, path)
  await syncFolder(dirname(path))
}

interface AssetTarget {
  id: string
  name: string
  kind: AssetView['kind']
  path: string
}

function safeAssetName(name: string): string {
  return name.replace(/[/\\\0]/g, '_').replace(/^\.+/, '').slice(0, 200) || 'asset'
}


/** A project's own folder in the data folder: its assets, and the artifacts its storyboards reuse. */
export function projectFolder(dataDir: string, projectId: string): string {
  return join(dataDir, 'projects', slug(projectId) || 'default')
}

function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
}
