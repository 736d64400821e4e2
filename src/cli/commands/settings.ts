/** The studio's set-up: settings, voices and doctor (what this machine can run). */
import type { Handlers } from '../../main/api/handlers'
import { JsonDepthError, parseJsonText } from '../../main/engine/json-text'
import { InputFileError, checkArgumentText } from '../input-file'
import { CommandFailed, UsageError, parse, type CommandGroup } from './context'

export const settingsCommands: CommandGroup = async (command, args, { open, call, print }) => {
  switch (command) {
    case 'voices': {
      const { values } = parse(args, {}, { min: 0, max: 0, usage: 'voices' })
      const { studioHandlers } = await import('../../main/api/studio-handlers')
      const list = (await call(studioHandlers(await open(values)), 'providers/voices', { kind: 'speech' })) as Awaited<ReturnType<Handlers['providers/voices']>>
      print(list, () => (list.length ? list.map((v) => `${v.engine.padEnd(11)} ${v.id.padEnd(24)} ${(v.language ?? '—').padEnd(12)} ${v.name}`).join('\n') : 'no voices: no speech engine is installed'))
      return 0
    }
    case 'settings': {
      const { values } = parse(
        args,
        { set: { type: 'string' }, providers: { type: 'string' } },
        { min: 0, max: 0, usage: "settings [--set JSON] [--providers JSON]" }
      )
      const e = await open(values)
      const { Studio } = await import('../../main/engine/studio')
      if (!(e instanceof Studio)) throw new UsageError('settings need the studio (not a test engine)')
      const { studioHandlers } = await import('../../main/api/studio-handlers')
      const handlers = studioHandlers(e)
      if (values.set !== undefined) {
        let patch: unknown
        try {
          patch = parseJsonText(checkArgumentText(String(values.set), '--set'))
        } catch (err) {
          if (err instanceof InputFileError || err instanceof JsonDepthError) throw new UsageError(`--set: ${err.message.replace(/^--set /, '')}`)
          throw new UsageError(`--set is not valid JSON: ${(err as Error).message}`)
        }
        await call(handlers, 'settings/update', patch as never)
      }
      if (values.providers !== undefined) {
        // The full provider settings (moderation, apiKeyEnv, names, prices) that the UI form leaves out.
        let providers: unknown
        try {
          providers = parseJsonText(checkArgumentText(String(values.providers), '--providers'))
        } catch (err) {
          if (err instanceof InputFileError || err instanceof JsonDepthError) throw new UsageError(`--providers: ${err.message.replace(/^--providers /, '')}`)
          throw new UsageError(`--providers is not valid JSON: ${(err as Error).message}`)
        }
        const { ProviderSettings } = await import('../../main/engine/providers/registry')
        const { describeZodError } = await import('../../shared/schemas')
        const checked = ProviderSettings.safeParse(providers)
        if (!checked.success) throw new CommandFailed('bad_request', describeZodError(checked.error, 'providers', 'providers.'))
        e.settings.replace({ ...e.settings.get(), providers })
      }
      const view = await call(handlers, 'settings/get', {})
      print(view, () => JSON.stringify(view, null, 2))
      return 0
    }
    case 'doctor': {
      const { values } = parse(args, {}, { min: 0, max: 0, usage: 'doctor' })
      const { doctor, speechSettingsOf } = await import('../../main/engine/doctor')
      const e = await open(values)
      const settings = 'services' in e ? (e as { services: { binaries(): Record<string, string> } }).services.binaries() : {}
      // The speech row reports the engine these settings would use (a forced mespeak, an endpoint), not just what auto finds.
      const providers = 'settings' in e ? (e as { settings: { get(): { providers: unknown } } }).settings.get().providers : undefined
      const report = await doctor(settings, speechSettingsOf(providers))
      print(report, () => report.map((r) => `${r.ok ? 'ok  ' : 'MISS'}  ${r.name.padEnd(12)} ${r.detail}`).join('\n'))
      return report.every((r) => r.ok || r.name === 'imagemagick') ? 0 : 1
    }
  }
  throw new Error(`not a settings command: ${command}`)
}
