import type { Engine } from '../engine/engine'
import type { Routes } from './handler-map'

/** pipelines/*: what the new job dialog and a batch sheet can make. */
export function pipelineRoutes(engine: Engine<any>): Routes<'pipelines/'> {
  return {
    'pipelines/list': () =>
      // A storyboard render is made by storyboards/render, never from the new job dialog or a sheet.
      engine.pipelines
        .list()
        .filter((p) => !p.internal)
        .map((p) => ({
          name: p.name,
          title: p.title,
          mainField: p.mainField ?? 'idea',
          fields: Object.keys((p.input as unknown as { shape?: Record<string, unknown> }).shape ?? {}),
          steps: p.steps.map((s) => ({ name: s.name, title: s.title, resource: s.resource }))
        }))
  }
}
