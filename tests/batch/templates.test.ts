import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  defaultBundledTemplatesDir,
  loadTemplate,
  parseTemplateXml,
  renderTemplate,
  templateCachePath,
  TemplateError
} from '../../src/main/engine/batch/templates'
import { ANY_ADDRESS } from '../../src/main/engine/batch/sources'
import { makeTempDir } from './helpers/fs'
import { startServer, type TestServer } from './helpers/http-server'

const REMOTE_XML = `<?xml version="1.0"?>
<templates name="remote-video">
  <prompt id="script">Remote script about {{idea}} in {{language}}</prompt>
</templates>`

let dir: string
let cleanup: () => Promise<void>
let server: TestServer | undefined
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()))
afterAll(() => cleanup())
afterEach(async () => {
  await server?.close()
  server = undefined
})

function serveXml(body: string, status = 200): Promise<TestServer> {
  return startServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/xml' })
    res.end(body)
  })
}

describe('loadTemplate', () => {
  it('uses the bundled default when the batch names no template', async () => {
    const loaded = await loadTemplate(undefined, { localRoot: dir, network: ANY_ADDRESS, cacheDir: join(dir, 'cache-a') })
    expect(loaded.source).toBe('bundled')
    expect(loaded.path).toBe(join(defaultBundledTemplatesDir(), 'default.xml'))
    expect(Object.keys(loaded.template.prompts)).toEqual(['script', 'adapt'])
    expect(loaded.fallbackReason).toBeUndefined()
  })

  it('reads a template from a local folder', async () => {
    const folder = join(dir, 'my-templates')
    await mkdir(folder, { recursive: true })
    await writeFile(join(folder, 'video.xml'), REMOTE_XML)
    const loaded = await loadTemplate({ source: folder, file: 'video.xml' }, { localRoot: dir, network: ANY_ADDRESS, cacheDir: join(dir, 'cache-b') })
    expect(loaded).toMatchObject({ source: 'folder', path: join(folder, 'video.xml') })
    expect(loaded.template.name).toBe('remote-video')
  })

  it('falls back to the bundled default when the folder has no such file, saying why', async () => {
    const loaded = await loadTemplate({ source: join(dir, 'nowhere'), file: 'video.xml' }, { localRoot: dir, network: ANY_ADDRESS, cacheDir: join(dir, 'cache-c') })
    expect(loaded.source).toBe('bundled')
    expect(loaded.fallbackReason).toMatch(/nowhere\/video\.xml: file not found/)
  })

  it('downloads a remote template, caches it atomically, then serves the fresh cache without asking again', async () => {
    server = await serveXml(REMOTE_XML)
    const cacheDir = join(dir, 'cache-d')
    const ref = { source: `${server.origin}/templates/`, file: 'video.xml' }

    const first = await loadTemplate(ref, { localRoot: dir, network: ANY_ADDRESS, cacheDir })
    expect(first.source).toBe('remote')
    expect(first.path).toBe(templateCachePath(cacheDir, `${server.origin}/templates/video.xml`, 'video.xml'))
    expect(first.path).toMatch(/templates[/\\][0-9a-f]{16}[/\\]video\.xml$/)
    expect(await readFile(first.path, 'utf8')).toBe(REMOTE_XML)
    expect(await readdir(join(first.path, '..'))).toEqual(['video.xml'])

    const second = await loadTemplate(ref, { localRoot: dir, network: ANY_ADDRESS, cacheDir })
    expect(second).toMatchObject({ source: 'cache', stale: false, path: first.path })
    expect(server.requests).toEqual(['/templates/video.xml'])
  })

  it('accepts the URL of the file itself', async () => {
    server = await serveXml(REMOTE_XML)
    const loaded = await loadTemplate({ source: `${server.origin}/bucket/templates/video.xml` }, { localRoot: dir, network: ANY_ADDRESS, cacheDir: join(dir, 'cache-e') })
    expect(loaded.source).toBe('remote')
    expect(server.requests).toEqual(['/bucket/templates/video.xml'])
  })

  it('uses the cached copy when the source is unreachable', async () => {
    server = await serveXml(REMOTE_XML)
    const cacheDir = join(dir, 'cache-f')
    const ref = { source: `${server.origin}/t/`, file: 'video.xml' }
    expect((await loadTemplate(ref, { localRoot: dir, network: ANY_ADDRESS, cacheDir })).source).toBe('remote')
    await server.close()
    server = undefined

    // maxAgeMs 0: the cache is always stale, so the remote is tried first and fails.
    const loaded = await loadTemplate(ref, { localRoot: dir, network: ANY_ADDRESS, cacheDir, maxAgeMs: 0, timeoutMs: 500 })
    expect(loaded).toMatchObject({ source: 'cache', stale: true })
    expect(loaded.fallbackReason).toMatch(/could not download http:\/\/127\.0\.0\.1:\d+\/t\/video\.xml/)
    expect(loaded.template.name).toBe('remote-video')
  })

  it('uses the cached copy when the server hangs past the timeout', async () => {
    // Answers the first request, then never again.
    server = await startServer((_req, res, index) => {
      if (index > 0) return
      res.writeHead(200, { 'content-type': 'application/xml' })
      res.end(REMOTE_XML)
    })
    const cacheDir = join(dir, 'cache-g')
    const ref = { source: `${server.origin}/t/`, file: 'video.xml' }
    expect((await loadTemplate(ref, { localRoot: dir, network: ANY_ADDRESS, cacheDir })).source).toBe('remote')

    const started = Date.now()
    const loaded = await loadTemplate(ref, { localRoot: dir, network: ANY_ADDRESS, cacheDir, maxAgeMs: 0, timeoutMs: 200 })
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(loaded).toMatchObject({ source: 'cache', stale: true })
    expect(loaded.fallbackReason).toMatch(/no answer within 200 ms/)
  })

  it('falls back to the bundled default when the remote fails and nothing is cached', async () => {
    server = await serveXml('missing', 404)
    const loaded = await loadTemplate({ source: `${server.origin}/t/`, file: 'video.xml' }, { localRoot: dir, network: ANY_ADDRESS, cacheDir: join(dir, 'cache-h') })
    expect(loaded.source).toBe('bundled')
    expect(loaded.path).toBe(join(defaultBundledTemplatesDir(), 'default.xml'))
    expect(loaded.fallbackReason).toMatch(/video\.xml was not found \(HTTP 404\): check the template source and file name/)
  })

  it('never caches a download that is not a template', async () => {
    server = await serveXml('<html><body>Access denied</body></html>')
    const cacheDir = join(dir, 'cache-i')
    const loaded = await loadTemplate({ source: `${server.origin}/t/`, file: 'video.xml' }, { localRoot: dir, network: ANY_ADDRESS, cacheDir })
    expect(loaded.source).toBe('bundled')
    expect(loaded.fallbackReason).toMatch(/not a template file \(no <templates> element\)/)
    await expect(readdir(join(cacheDir, 'templates'))).rejects.toThrow()
  })

  it('refuses plain http except on this machine, and unsafe file names', async () => {
    await expect(loadTemplate({ source: 'http://example.com/t/' }, { localRoot: dir, network: ANY_ADDRESS, cacheDir: dir })).rejects.toThrow(
      'template.source: must be an https URL (got http://example.com/t/)'
    )
    await expect(loadTemplate({ source: dir, file: '../secret.xml' }, { localRoot: dir, network: ANY_ADDRESS, cacheDir: dir })).rejects.toThrow(/template\.file: must be a plain file name/)
  })
})

describe('template format and rendering', () => {
  it('reads prompts with CDATA, entities, attributes, and strips the XML indentation', () => {
    const parsed = parseTemplateXml(`<templates name="t">
      <description>Demo &amp; test</description>
      <!-- <prompt id="commented">ignored</prompt> -->
      <prompt id="a" step="script">
        Line one about {{idea}}
          indented &lt;b&gt; &#233;
      </prompt>
      <prompt id='b'><![CDATA[Keep <tags> & {{language}} as is]]></prompt>
    </templates>`)
    expect(parsed.name).toBe('t')
    expect(parsed.description).toBe('Demo & test')
    expect(parsed.prompts.a).toEqual({
      id: 'a',
      text: 'Line one about {{idea}}\n  indented <b> é',
      attributes: { step: 'script' },
      variables: ['idea']
    })
    expect(parsed.prompts.b!.text).toBe('Keep <tags> & {{language}} as is')
    expect(Object.keys(parsed.prompts)).toEqual(['a', 'b'])
  })

  it.each([
    ['<nothing/>', /no <templates> element/],
    ['<templates></templates>', /has no <prompt> element/],
    ['<templates><prompt>x</prompt></templates>', /a <prompt> has no id attribute/],
    ['<templates><prompt id="a">x</prompt><prompt id="a">y</prompt></templates>', /prompt "a" is defined twice/],
    ['<templates><prompt id="a">Hi {{ name</prompt></templates>', /prompt "a": malformed placeholder near "Hi {{ name"/]
  ])('rejects %s', (xml, message) => {
    expect(() => parseTemplateXml(xml, 'x.xml')).toThrow(message)
  })

  it('renders placeholders, with spaces inside the braces allowed', () => {
    expect(renderTemplate('About {{idea}} in {{ language }} ({{idea}})', { idea: 'cats', language: 'fr' })).toBe('About cats in fr (cats)')
    expect(renderTemplate('n={{n}} ok={{ok}} empty=[{{e}}]', { n: 1.5, ok: true, e: '' })).toBe('n=1.5 ok=true empty=[]')
  })

  it('refuses an unknown placeholder, naming it and the values given', () => {
    expect(() => renderTemplate('About {{idea}} for {{audience}} in {{tone}}', { idea: 'cats', language: 'fr' })).toThrow(
      new TemplateError('unknown placeholders {{audience}}, {{tone}} (values given: idea, language)')
    )
    expect(() => renderTemplate('{{toString}}', {})).toThrow(/unknown placeholder \{\{toString\}\}/)
  })

  it('renders every prompt of the bundled default with the documented variables', async () => {
    const { template } = await loadTemplate(undefined, { localRoot: dir, network: ANY_ADDRESS, cacheDir: dir })
    const vars = { idea: 'Les chats', language: 'fr', style: '', script: 'Texte', intensity: 1 }
    for (const prompt of Object.values(template.prompts)) {
      const text = renderTemplate(prompt.text, vars)
      expect(text).not.toMatch(/\{\{|\}\}/)
    }
    expect(template.prompts.script!.variables).toEqual(['language', 'idea', 'style'])
    expect(template.prompts.adapt!.variables).toEqual(['language', 'intensity', 'script'])
  })
})
