import type { Readable } from 'node:stream'
import type yauzl from 'yauzl'
import { lazyPackage } from '../../lazy-package'

const yauzlPackage = lazyPackage<typeof yauzl>('yauzl')

/**
 * An XLSX file's zip, read through its central directory: any part can be opened, in any order,
 * whatever order the writer stored them in. Part names are case-insensitive, as OPC says.
 */
export interface XlsxArchive {
  /** The part's decompressed bytes as a stream; undefined when the file has no such part. */
  open(partName: string): Promise<Readable | undefined>
}

/** Open the zip held in `bytes`. Rejects when it is not a zip (no central directory). */
export async function openXlsxArchive(bytes: Buffer): Promise<XlsxArchive> {
  const zip = await yauzlPackage().fromBufferPromise(bytes, { validateEntrySizes: true })
  const entries = new Map<string, yauzl.Entry>()
  for await (const entry of zip.eachEntry()) entries.set(normalizePartName(entry.fileName), entry)
  return {
    open: async (partName) => {
      const entry = entries.get(normalizePartName(partName))
      return entry ? zip.openReadStreamPromise(entry) : undefined
    }
  }
}

/**
 * Where a relationship's target lives, as a part name: targets are relative to the folder of the
 * part that names them ("worksheets/sheet1.xml" from xl/workbook.xml), or absolute from the root
 * ("/xl/worksheets/sheet1.xml", which some writers use).
 */
export function resolveTarget(fromFolder: string, target: string): string {
  const parts = target.startsWith('/') ? [] : fromFolder.split('/').filter(Boolean)
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') parts.pop()
    else parts.push(segment)
  }
  return parts.join('/')
}

function normalizePartName(name: string): string {
  return name.replace(/^\/+/, '').toLowerCase()
}
