import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { copyFile, link, rename, rm } from 'node:fs/promises'
import { basename, isAbsolute, join, relative } from 'node:path'
import { permanent } from '../errors'
import { syncFile, syncFolder } from '../pool/sync-files'
import { projectFolder } from '../projects'
import { makePrivateDir } from '../store/private-files'
import { probe } from '../render/ffmpeg'
import type { BinarySettings } from '../render/binaries'
import type { ArtifactStore, CachedArtifact } from '../store/storyboards'

/** A reused or new artifact as a step sees it: absolute paths. */
export interface Artifact {
  key: string
  data: Record<string, unknown>
  files: Record<string, string>
  costUsd: number | null
  provider: string | null
}

export interface AssetFile {
  id: string
  kind: string
  path: string
  name: string
  sha256: string
  /** Seconds, for audio and video. */
  durationSec: number | null
}

/**
 * Artifacts by content key, per project. A step that made something keeps it here (a hard link
 * to its own file: no copy, and it outlives the job's folder); a later step with the same key
 * takes it instead of paying again. Files are flushed and linked before the row that lists them.
 * The store is this studio's SQLite, or on a farm worker the farm's PostgreSQL with the files in
 * the shared data folder (`dataDir`), so that a worker reuses what another made.
 */
export class ArtifactCache {
  constructor(
    private readonly store: ArtifactStore,
    private readonly dataDir: string
  ) {}

  /** The artifact for `key`, when its row and every one of its files are still there. */
  async lookup(projectId: string, key: string): Promise<Artifact | null> {
    const hit = await this.store.cached(projectId, key)
    if (!hit) return null
    const files = Object.fromEntries(Object.entries(hit.files).map(([name, rel]) => [name, join(this.dataDir, rel)]))
    if (!Object.values(files).every((f) => existsSync(f))) {
      // Someone cleaned the folder: the artifact is made again.
      await this.store.forgetArtifact(projectId, key)
      return null
    }
    return { key, data: (hit.data ?? {}) as Record<string, unknown>, files, costUsd: hit.costUsd, provider: hit.provider }
  }

  async has(projectId: string, keys: readonly string[]): Promise<Set<string>> {
    return this.store.cachedKeys(projectId, keys)
  }

  /** Keep a step's new files under the project's cache folder and record them under `key`. */
  async keep(projectId: string, key: string, kind: string, made: Omit<Artifact, 'key'>): Promise<Artifact> {
    const dir = join(projectFolder(this.dataDir, projectId), 'cache')
    makePrivateDir(dir)
    const files: Record<string, string> = {}
    for (const [name, source] of Object.entries(made.files)) {
      const target = join(dir, `${key}-${basename(source)}`)
      // Unique among the machines sharing the folder (two hosts may run the same pid).
      const temp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
      await rm(temp, { force: true })
      try {
        await link(source, temp)
      } catch {
        // A file system without hard links: a copy, flushed.
        await copyFile(source, temp)
        await syncFile(temp)
      }
      await rename(temp, target)
      files[name] = target
    }
    if (Object.keys(files).length) await syncFolder(dir)
    const row: CachedArtifact = {
      kind,
      data: made.data,
      files: Object.fromEntries(Object.entries(files).map(([n, p]) => [n, relative(this.dataDir, p)])),
      costUsd: made.costUsd,
      provider: made.provider
    }
    await this.store.storeArtifact(projectId, key, row)
    return { key, ...made, files }
  }

  /**
   * A project asset's file, hash and length. Assets are looked up by id inside the render's own
   * project only: a payload can name no file, and no other project's media.
   */
  async asset(projectId: string, assetId: string, binaries: BinarySettings): Promise<AssetFile> {
    const facts = await this.store.assetFacts(assetId)
    if (!facts || facts.projectId !== projectId) throw permanent(`asset ${assetId} is not in project ${projectId} (it was removed, or belongs to another project)`)
    if (!isAbsolute(facts.path) || !existsSync(facts.path)) throw permanent(`the file of asset "${facts.name}" is missing`)
    let { sha256, durationSec } = facts
    if (!sha256) {
      sha256 = await hashFile(facts.path)
      durationSec = facts.kind === 'video' || facts.kind === 'audio' ? await mediaDuration(facts.path, binaries) : null
      await this.store.saveAssetFacts(assetId, { sha256, durationSec })
    }
    return { id: assetId, kind: facts.kind, path: facts.path, name: facts.name, sha256, durationSec }
  }
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

async function mediaDuration(path: string, settings: BinarySettings): Promise<number | null> {
  try {
    const info = await probe(path, { settings })
    return info.durationSec > 0 ? info.durationSec : null
  } catch {
    return null
  }
}
