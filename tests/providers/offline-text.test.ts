import { describe, expect, it } from 'vitest'
import { extractTopic, fixFrench, OfflineTextProvider } from '../../src/main/engine/providers/offline-text'
import type { TextRequest } from '../../src/main/engine/providers/types'

const provider = new OfflineTextProvider()
const generate = async (request: Partial<TextRequest>) =>
  (await provider.generate({ prompt: 'Write a short video script about home composting', ...request }, { signal: new AbortController().signal })).text
const sentences = (text: string) => text.split(/(?<=[.!?])\s+/).filter(Boolean)

describe('OfflineTextProvider', () => {
  it('is labelled offline and free', async () => {
    const progress: number[] = []
    const result = await provider.generate({ prompt: 'about tea' }, { signal: new AbortController().signal, onProgress: (p) => progress.push(p) })
    expect(result).toMatchObject({ provider: 'offline-templates', offline: true, costUsd: 0, priceKnown: true, finishReason: 'stop' })
    expect(result.usage.estimated).toBe(true)
    expect(progress).toEqual([100])
  })

  it('is deterministic for the same idea and seed', async () => {
    expect(await generate({})).toBe(await generate({}))
    expect(await generate({ seed: 42 })).toBe(await generate({ seed: 42 }))
    expect(await generate({ seed: 42 })).not.toBe(await generate({ seed: 43 }))
  })

  it('differs between ideas and is built around the idea', async () => {
    const ideas = ['home composting', 'learning the guitar', 'saving money on groceries', 'urban cycling', 'sleep hygiene']
    const texts = await Promise.all(ideas.map((topic) => generate({ topic })))
    expect(new Set(texts).size).toBe(ideas.length)
    texts.forEach((text, i) => expect(text).toContain(ideas[i]))
    // Not just the topic swapped into one fixed text: the sentences themselves vary.
    const withoutTopic = texts.map((text, i) => text.replaceAll(ideas[i] as string, 'X'))
    expect(new Set(withoutTopic).size).toBeGreaterThan(3)
  })

  it('has a hook, 3–5 body sentences and a call to action', async () => {
    for (const intensity of [0.5, 1, 1.5]) {
      const text = await generate({ style: { selective: 'lightEnhancement', intensity } })
      const [hook, body, cta] = text.split('\n\n')
      expect(hook && body && cta).toBeTruthy()
      expect(sentences(body as string).length).toBe(Math.round(2 + 2 * intensity))
      expect(cta).toMatch(/follow|save|share|subscribe|try/i)
    }
  })

  it('intensity changes the length and the number of enhancements', async () => {
    const low = await generate({ style: { selective: 'fullEnhancement', intensity: 0.5 } })
    const mid = await generate({ style: { selective: 'fullEnhancement', intensity: 1 } })
    const high = await generate({ style: { selective: 'fullEnhancement', intensity: 1.5 } })
    expect(low.length).toBeLessThan(mid.length)
    expect(mid.length).toBeLessThan(high.length)
    expect(sentences(high).length).toBeGreaterThan(sentences(low).length)
  })

  it('each selective preset changes the text visibly', async () => {
    const presets = ['lightEnhancement', 'standardEnhancement', 'fullEnhancement', 'personalityFocus', 'fluidityFocus'] as const
    const texts = await Promise.all(presets.map((selective) => generate({ style: { selective } })))
    expect(new Set(texts).size).toBe(presets.length)
    // personalityFocus: first-person asides.
    expect(texts[3]).toMatch(/\b(I|I'll|my|me)\b/)
    expect(texts[0]).not.toMatch(/\b(I'll|Personally|In my experience|I tried|I wish)\b/)
    // fluidityFocus: sentences merged and carried on with transitions.
    expect(sentences(texts[4] as string).length).toBeLessThan(sentences(texts[1] as string).length)
    expect(texts[4]).toMatch(/From there|Building on that|Which brings us|Naturally|once that is in place/)
  })

  it('adversarial rewrites stock AI wording; heavy adds short fragments', async () => {
    // A seed whose draft contains stock phrases.
    let seed = 0
    let plain = ''
    for (; seed < 200; seed++) {
      plain = await generate({ seed, style: { adversarial: 'none' } })
      if (/Moreover|Furthermore|Additionally|utilize|leverage|crucial/.test(plain)) break
    }
    const light = await generate({ seed, style: { adversarial: 'light' } })
    expect(light).not.toMatch(/Moreover|Furthermore|Additionally|utilize|leverage|It is crucial/)
    const heavy = await generate({ seed, style: { adversarial: 'heavy', intensity: 1.5 } })
    expect(heavy).toMatch(/Simple as that\.|No magic\.|Big difference\.|Really\./)
    expect(sentences(heavy).length).toBeGreaterThan(sentences(plain).length)
  })

  it('humanSimulation uses spoken forms; patternBreaking adds questions or varies connectors', async () => {
    const spoken = await generate({ style: { humanSimulation: 'personalityFocus', intensity: 1.5 } })
    expect(spoken).toMatch(/Well,|You know,|Basically,|Look,/)
    expect(spoken).toMatch(/Crazy, right\?|I know, I know\.|Wild, but true\.|Stay with me here\./)
    const questions = await generate({ style: { patternBreaking: 'syntaxFocus', intensity: 1.5 } })
    expect(questions.split('\n\n')[1]).toMatch(/\?/)
    const connectors = await generate({ style: { patternBreaking: 'connectorsFocus', intensity: 1.5 } })
    const openers = sentences(connectors.split('\n\n')[1] as string).map((s) => s.split(',')[0])
    expect(connectors).toMatch(/Plus,|On top of that,|That said,|here's the thing|Better still,|Meanwhile,|In other words,|Even so,/)
    // Varied: no connector used twice.
    const used = openers.filter((o) => /^(Plus|On top of that|That said|Better still|Meanwhile|In other words|Even so)$/.test(o ?? ''))
    expect(new Set(used).size).toBe(used.length)
  })

  it('rejects style values outside the presets as permanent errors', async () => {
    await expect(generate({ style: { intensity: 3 } })).rejects.toMatchObject({ kind: 'permanent', provider: 'offline-templates', message: expect.stringMatching(/intensity/) })
    await expect(generate({ style: { selective: 'turbo' as never } })).rejects.toMatchObject({ kind: 'permanent', message: expect.stringMatching(/selective/) })
  })

  it('writes French for language fr, with correct contractions', async () => {
    const text = await generate({ prompt: 'Écris un script sur le compost à la maison', language: 'fr' })
    expect(text).toContain('compost à la maison')
    expect(text).toMatch(/\b(vous|votre|les|est|pour)\b/)
    expect(text).not.toMatch(/\b(the|you|and)\b/)
    expect(text).not.toMatch(/\bde le\b|\bà le\b|\bde les\b/)
    const styled = await generate({ topic: 'les réseaux sociaux', language: 'fr', style: { selective: 'personalityFocus', humanSimulation: 'lightSimulation', patternBreaking: 'connectorsFocus', intensity: 1.5 } })
    expect(styled).toMatch(/\b(je|j’|moi|ma|mon)\b/i)
    expect(styled).not.toBe(await generate({ topic: 'les réseaux sociaux', language: 'fr' }))
  })

  it('writes short titles', async () => {
    const title = await generate({ topic: 'home composting', format: 'title' })
    expect(title.toLowerCase()).toContain('home composting')
    expect(title.length).toBeLessThan(60)
    expect(await generate({ topic: 'le compost', format: 'title', language: 'fr' })).toMatch(/compost/i)
  })

  it('honours cancellation', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(provider.generate({ prompt: 'x' }, { signal: controller.signal })).rejects.toMatchObject({ kind: 'cancelled' })
  })
})

describe('extractTopic / fixFrench', () => {
  it('finds the idea in a prompt', () => {
    expect(extractTopic('Write a 30-second script about home composting.')).toBe('home composting')
    expect(extractTopic('Écris une vidéo sur les abeilles en ville', 'fr')).toBe('les abeilles en ville')
    expect(extractTopic('Write a 30 to 45 second narration script about: Urban beekeeping')).toBe('Urban beekeeping')
    expect(extractTopic('Sourdough bread')).toBe('Sourdough bread')
    expect(extractTopic('   ')).toBe('this topic')
    expect(extractTopic('x'.repeat(300)).length).toBeLessThanOrEqual(80)
  })

  it('contracts French articles and elides before vowels', () => {
    expect(fixFrench('Parlons de le yoga et de les abeilles, à le marché et à les champs.')).toBe('Parlons du yoga et des abeilles, au marché et aux champs.')
    expect(fixFrench('Le secret de intelligence artificielle, que il faut voir.')).toBe('Le secret d’intelligence artificielle, qu’il faut voir.')
    expect(fixFrench('Et voilà le truc : de la musique.')).toBe('Et voilà le truc : de la musique.')
    // Pronouns after an imperative never elide.
    expect(fixFrench('Partagez-la avec un ami. Croyez-le ou non.')).toBe('Partagez-la avec un ami. Croyez-le ou non.')
  })
})
