import type { Studio } from '../engine/studio'
import type { Routes } from './handler-map'

/** The storyboards/* commands, wired to the studio's storyboard service. */
export function storyboardRoutes(studio: Studio): Routes<'storyboards/'> {
  const boards = studio.storyboards
  return {
    'storyboards/list': (r) => boards.list(r.projectId),
    'storyboards/create': (r) => boards.create(r),
    'storyboards/get': (r) => boards.view(r.id),
    'storyboards/edit': (r) => boards.edit(r.id, r.edit, r.revision),
    'storyboards/undo': (r) => boards.undo(r.id),
    'storyboards/redo': (r) => boards.redo(r.id),
    'storyboards/rewriteNarration': (r) => boards.rewriteNarration(r.id, r.sceneId),
    'storyboards/plan': (r) => boards.plan(r),
    'storyboards/render': (r) => boards.render(r),
    'storyboards/preview': (r) => boards.render({ id: r.id, draft: true, ...(r.sceneId ? { sceneId: r.sceneId } : {}) }),
    'storyboards/remove': (r) => {
      boards.remove(r.id)
      return null
    }
  }
}
