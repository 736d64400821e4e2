import { execFile } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { checkSharedMedia, fromDataRelative, toDataRelative } from '../../src/main/engine/farm/shared-media'
import { canMount, mountTmpfs, unmount } from '../helpers/mounts'

const root = mkdtempSync(join(tmpdir(), 'studio-shared-media-'))
const mounted: string[] = []
afterAll(() => {
  for (const m of mounted) unmount(m)
  chmodSync(root, 0o700)
  rmSync(root, { recursive: true, force: true })
})

const run = promisify(execFile)
const isRoot = process.getuid?.() === 0
const mountable = canMount()

describe('shared media check', () => {
  it('a folder this machine can write passes, and the check leaves nothing behind', async () => {
    const dir = join(root, 'ok')
    mkdirSync(dir)
    expect(await checkSharedMedia(dir)).toEqual({ ok: true, dir })
    expect(readdirSync(dir)).toEqual([])
  })

  it('refuses a missing folder, a file, and a relative path, saying which', async () => {
    const file = join(root, 'a-file')
    writeFileSync(file, 'x')
    expect(await checkSharedMedia(join(root, 'nowhere'))).toMatchObject({ ok: false, problem: 'missing', reason: expect.stringMatching(/does not exist on this machine \(is the share mounted\?\)/) })
    expect(await checkSharedMedia(file)).toMatchObject({ ok: false, problem: 'not-a-folder' })
    expect(await checkSharedMedia(join(file, 'below'))).toMatchObject({ ok: false, problem: 'not-a-folder' })
    expect(await checkSharedMedia('shared/media')).toMatchObject({ ok: false, problem: 'not-absolute', reason: expect.stringContaining('dataDir') })
    expect(await checkSharedMedia('')).toMatchObject({ ok: false, problem: 'not-absolute' })
  })

  // Root ignores permission bits, so as root a read-only folder is a read-only mount (EROFS), the
  // case a share mounted `ro` gives; as another user chmod 0555 gives EACCES.
  it.runIf(mountable)('refuses a folder mounted read-only (a real read-only tmpfs)', async () => {
    const dir = join(root, 'ro-mount')
    mountTmpfs(dir, { sizeKb: 256, readOnly: true })
    mounted.push(dir)
    const r = await checkSharedMedia(dir)
    expect(r).toMatchObject({ ok: false, problem: 'read-only', reason: `the shared data folder ${dir} is mounted read-only here` })
  })

  it.runIf(mountable)('refuses a full folder (a real tmpfs filled up)', async () => {
    const dir = join(root, 'full-mount')
    mountTmpfs(dir, { sizeKb: 64 })
    mounted.push(dir)
    // Fill it: one file the size of the whole disk fails part-way, leaving it full.
    try {
      writeFileSync(join(dir, 'filler'), Buffer.alloc(1024 * 1024))
    } catch {
      // ENOSPC expected
    }
    expect(await checkSharedMedia(dir)).toMatchObject({ ok: false, problem: 'full' })
  })

  // As root, the same check runs in a child process as the unprivileged `nobody`, for whom the bits hold.
  it('refuses a folder this user may not write (chmod 0555)', async () => {
    const dir = join(root, 'ro-chmod')
    mkdirSync(dir)
    chmodSync(root, 0o755)
    chmodSync(dir, 0o555)
    try {
      const r = isRoot ? await checkAsNobody(dir) : await checkSharedMedia(dir)
      expect(r).toMatchObject({ ok: false, problem: 'not-writable', reason: expect.stringContaining('EACCES') })
      // And the same user can write a folder that allows it (the refusal is the bits, not the user).
      const open = join(root, 'open')
      mkdirSync(open, { mode: 0o777 })
      chmodSync(open, 0o777)
      expect(isRoot ? await checkAsNobody(open) : await checkSharedMedia(open)).toEqual({ ok: true, dir: open })
    } finally {
      chmodSync(dir, 0o755)
    }
  })
})

async function checkAsNobody(dir: string): Promise<unknown> {
  const module = fileURLToPath(new URL('../../src/main/engine/farm/shared-media.ts', import.meta.url))
  const code = `import(${JSON.stringify(module)}).then(async (m) => process.stdout.write(JSON.stringify(await m.checkSharedMedia(${JSON.stringify(dir)}))))`
  const { stdout } = await run('runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', '-e', code], { timeout: 60_000 })
  return JSON.parse(stdout)
}

describe('paths relative to the data folder', () => {
  const data = '/srv/studio-data'
  it('stores paths inside the folder relative, with forward slashes', () => {
    expect(toDataRelative(data, '/srv/studio-data/projects/p/media/a.png')).toBe('projects/p/media/a.png')
    expect(toDataRelative(data, 'projects/p/cache/x.wav')).toBe('projects/p/cache/x.wav')
    expect(fromDataRelative('/mnt/farm', 'projects/p/media/a.png')).toBe('/mnt/farm/projects/p/media/a.png')
  })
  it('refuses paths outside it, naming the field', () => {
    for (const bad of ['/etc/passwd', '/srv/studio-data/../x', '/srv/studio-data', '/srv/studio-data-other/a']) {
      expect(() => toDataRelative(data, bad), bad).toThrow(/^path: /)
    }
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'C:\\x', '\\\\server\\x', '']) {
      expect(() => fromDataRelative(data, bad), bad).toThrow(/^path: /)
    }
  })
})
