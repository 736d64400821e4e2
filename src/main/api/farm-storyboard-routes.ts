import { FarmStoryboards } from '../engine/farm/farm-storyboards'
import type { FarmQueue } from '../engine/farm/farm-queue'
import type { Studio } from '../engine/studio'
import { withFarmErrors } from './farm-errors'
import type { Handlers } from './handler-map'

/**
 * The storyboard commands of a window on a farm (and of `studio storyboard --queue-url`): editing
 * stays this computer's (the local routes' own work), renders and previews go to the farm's queue,
 * and every view answered shows the renders queued there with their farm job's progress and
 * result (engine/farm/farm-storyboards.ts). A storyboard created with `render` is rendered there.
 */
export function farmStoryboardRoutes(farm: FarmQueue, studio: Studio): Partial<Handlers> {
  const renders = new FarmStoryboards({ studio, farm, sharedDir: farm.dataDir })
  const boards = studio.storyboards
  const routes: Partial<Handlers> = {
    'storyboards/list': (r) => renders.list(r.projectId),
    'storyboards/get': (r) => renders.view(r.id),
    'storyboards/create': async (r) => {
      const made = await boards.create({ ...r, render: false })
      return r.render ? (await renders.render({ id: made.id })).storyboard : renders.view(made.id)
    },
    'storyboards/edit': async (r) => {
      await boards.edit(r.id, r.edit, r.revision)
      return renders.view(r.id)
    },
    'storyboards/undo': (r) => {
      boards.undo(r.id)
      return renders.view(r.id)
    },
    'storyboards/redo': (r) => {
      boards.redo(r.id)
      return renders.view(r.id)
    },
    'storyboards/rewriteNarration': async (r) => {
      await boards.rewriteNarration(r.id, r.sceneId)
      return renders.view(r.id)
    },
    'storyboards/plan': (r) => renders.plan(r),
    'storyboards/render': (r) => renders.render(r),
    'storyboards/preview': (r) => renders.render({ id: r.id, draft: true, ...(r.sceneId ? { sceneId: r.sceneId } : {}) })
  }
  return withFarmErrors(routes, farm.where)
}
