import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import type { SourceRow } from '../../../src/main/engine/batch/sources'

/** A fresh temp folder per test file; removed by the returned cleanup. */
export async function makeTempDir(prefix = 'batch-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

export async function writeText(dir: string, name: string, text: string, encoding: 'utf8' | 'utf8-bom' | 'win1252' | 'utf16le-bom' = 'utf8'): Promise<string> {
  const path = join(dir, name)
  const bytes =
    encoding === 'utf8'
      ? Buffer.from(text, 'utf8')
      : encoding === 'utf8-bom'
        ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
        : encoding === 'win1252'
          ? iconv.encode(text, 'win1252')
          : Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')])
  await writeFile(path, bytes)
  return path
}

export async function collect(rows: AsyncIterable<SourceRow>): Promise<SourceRow[]> {
  const out: SourceRow[] = []
  for await (const row of rows) out.push(row)
  return out
}
