import type { NetworkPolicy } from '../engine/batch/sources'
import { stockServiceOf } from '../engine/stock/service'
import type { Studio } from '../engine/studio'
import type { Routes } from './handler-map'

/** projects/*, assets/* and stock/*: a project's media bin and what fills it. */
export function projectRoutes(studio: Studio, network: NetworkPolicy): Routes<'projects/'> & Routes<'assets/'> & Routes<'stock/'> {
  const { projects } = studio
  return {
    'projects/list': () => projects.list(),
    'projects/create': (r) => projects.create(r.name),
    'assets/list': (r) => projects.assets(r.projectId),
    'assets/import': (r) => projects.importAsset(r.projectId, r.name, Buffer.from(r.contentBase64, 'base64')),
    'assets/remove': (r) => {
      projects.removeAsset(r.id)
      return null
    },
    'stock/search': (r) => stockServiceOf(studio, network).search(r),
    'stock/import': (r) => stockServiceOf(studio, network).import(r.projectId, r.id, r.kind)
  }
}
