/**
 * Google Sheets links as people paste them (".../edit#gid=123", ".../edit?usp=sharing",
 * published ".../pubhtml") turned into the URL that downloads the tab as CSV. Only
 * docs.google.com links are rewritten; any other URL is fetched as given.
 */
export function isGoogleSheetsUrl(raw: string): boolean {
  try {
    const url = new URL(raw)
    return url.hostname === 'docs.google.com' && url.pathname.startsWith('/spreadsheets/')
  } catch {
    return false
  }
}

export function toCsvDownloadUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return raw
  }
  if (url.hostname !== 'docs.google.com') return raw

  const gid = readGid(url)
  const published = /^\/spreadsheets\/d\/e\/([\w-]+)/.exec(url.pathname)
  if (published) {
    // "Publish to the web" links live under /d/e/<id>/ and export through /pub, not /export.
    const query = gid === undefined ? 'output=csv' : `gid=${gid}&single=true&output=csv`
    return `https://docs.google.com/spreadsheets/d/e/${published[1]}/pub?${query}`
  }
  const document = /^\/spreadsheets\/d\/([\w-]+)(\/[^?#]*)?/.exec(url.pathname)
  if (!document) return raw
  // An export link for another format (e.g. format=xlsx) is already what the user wants.
  if (document[2] === '/export' && url.searchParams.has('format')) return raw
  return `https://docs.google.com/spreadsheets/d/${document[1]}/export?format=csv${gid === undefined ? '' : `&gid=${gid}`}`
}

/** The tab id, from "#gid=N" (what the address bar shows) or "?gid=N". Without it Google exports the first tab. */
function readGid(url: URL): string | undefined {
  const fromHash = /(?:^#|&)gid=(\d+)/.exec(url.hash)?.[1]
  const fromQuery = url.searchParams.get('gid')
  const gid = fromHash ?? fromQuery ?? undefined
  return gid !== undefined && /^\d+$/.test(gid) ? gid : undefined
}
