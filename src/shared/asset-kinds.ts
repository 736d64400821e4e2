import type { AssetView } from './types'

/**
 * The files a project takes as assets, by extension: what the pipelines can read (sharp for
 * images, FFmpeg for sound and clips). The engine files an asset under its kind from this table,
 * and the app offers to import exactly these, so a file is never accepted on one side and
 * refused on the other.
 */
const ASSET_KINDS: Readonly<Record<string, AssetView['kind']>> = {
  png: 'image', jpg: 'image', jpeg: 'image', webp: 'image', gif: 'image',
  wav: 'audio', mp3: 'audio', m4a: 'audio', aac: 'audio', flac: 'audio', ogg: 'audio',
  mp4: 'video', mov: 'video', webm: 'video', mkv: 'video'
}

/** An asset's kind from its file name; 'other' for anything a pipeline cannot use. */
export function assetKindOf(fileName: string): AssetView['kind'] {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? ''
  return Object.hasOwn(ASSET_KINDS, ext) ? ASSET_KINDS[ext]! : 'other'
}
