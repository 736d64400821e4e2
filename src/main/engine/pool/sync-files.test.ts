import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { syncFile, syncFolder, worthSyncing } from './sync-files'

describe('syncFile / syncFolder', () => {
  it('flushes a file without changing it, and its folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sync-files-'))
    writeFileSync(join(dir, 'a.txt'), 'content')
    await syncFile(join(dir, 'a.txt'))
    await syncFolder(dir)
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('content')
  })

  it('fails for a file that is not there (a checkpoint must not name it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sync-files-'))
    await expect(syncFile(join(dir, 'gone.txt'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('does not fail on a folder it cannot sync', async () => {
    await expect(syncFolder(join(tmpdir(), 'no-such-folder-for-sync-files'))).resolves.toBeUndefined()
  })
})

describe('worthSyncing', () => {
  it('fsyncs checkpoints that hold files, cost money or came from a provider; not free file-less ones', () => {
    expect(worthSyncing({ video: '/x/video.mp4' }, 0, null)).toBe(true)
    expect(worthSyncing({}, 0.002, null)).toBe(true)
    expect(worthSyncing({}, 0, 'openai:gpt-4o-mini')).toBe(true)
    expect(worthSyncing({}, 0, null)).toBe(false)
  })
})
