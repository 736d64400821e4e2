/**
 * Seed 1's ModelGenerator3D was a simulation returning "technical specifications". Offline, we
 * produce something real and small instead: a primitive mesh (Wavefront OBJ) chosen from the
 * prompt, plus its measured spec. A real 3D provider can replace this step behind the same type.
 */
export type Primitive = 'cube' | 'sphere' | 'cylinder' | 'torus'

const KEYWORDS: Array<[Primitive, RegExp]> = [
  ['torus', /\b(torus|donut|doughnut|ring|anneau|beignet)\b/i],
  ['cylinder', /\b(cylinder|cylindre|can|canette|tube|column|colonne|tower|tour|bottle|bouteille)\b/i],
  ['sphere', /\b(sphere|sphère|ball|balle|planet|planète|globe|orb|boule)\b/i],
  ['cube', /\b(cube|box|boîte|boite|crate|caisse|block|bloc|building|immeuble)\b/i]
]

export function primitiveFor(prompt: string): Primitive {
  return KEYWORDS.find(([, re]) => re.test(prompt))?.[0] ?? 'cube'
}

export interface Mesh {
  vertices: Array<[number, number, number]>
  /** 1-based vertex indices, as OBJ wants them. */
  faces: number[][]
}

export function buildMesh(shape: Primitive, segments = 24): Mesh {
  const v: Mesh['vertices'] = []
  const f: Mesh['faces'] = []
  const ring = (count: number, fn: (i: number) => [number, number, number]) => {
    for (let i = 0; i < count; i++) v.push(fn(i))
  }
  if (shape === 'cube') {
    for (const x of [-0.5, 0.5]) for (const y of [-0.5, 0.5]) for (const z of [-0.5, 0.5]) v.push([x, y, z])
    f.push([1, 2, 4, 3], [5, 7, 8, 6], [1, 5, 6, 2], [3, 4, 8, 7], [1, 3, 7, 5], [2, 6, 8, 4])
  } else if (shape === 'sphere') {
    const rings = Math.max(4, Math.floor(segments / 2))
    for (let r = 0; r <= rings; r++) {
      const phi = (Math.PI * r) / rings
      ring(segments, (i) => {
        const theta = (2 * Math.PI * i) / segments
        return [0.5 * Math.sin(phi) * Math.cos(theta), 0.5 * Math.cos(phi), 0.5 * Math.sin(phi) * Math.sin(theta)]
      })
    }
    for (let r = 0; r < rings; r++)
      for (let i = 0; i < segments; i++) {
        const a = r * segments + i + 1
        const b = r * segments + ((i + 1) % segments) + 1
        f.push([a, b, b + segments, a + segments])
      }
  } else if (shape === 'cylinder') {
    for (const y of [-0.5, 0.5]) ring(segments, (i) => [0.5 * Math.cos((2 * Math.PI * i) / segments), y, 0.5 * Math.sin((2 * Math.PI * i) / segments)])
    for (let i = 0; i < segments; i++) {
      const a = i + 1
      const b = ((i + 1) % segments) + 1
      f.push([a, b, b + segments, a + segments])
    }
    f.push(Array.from({ length: segments }, (_, i) => segments - i))
    f.push(Array.from({ length: segments }, (_, i) => segments + i + 1))
  } else {
    const tube = Math.max(6, Math.floor(segments / 2))
    for (let i = 0; i < segments; i++) {
      const u = (2 * Math.PI * i) / segments
      ring(tube, (j) => {
        const w = (2 * Math.PI * j) / tube
        const r = 0.35 + 0.15 * Math.cos(w)
        return [r * Math.cos(u), 0.15 * Math.sin(w), r * Math.sin(u)]
      })
    }
    for (let i = 0; i < segments; i++)
      for (let j = 0; j < tube; j++) {
        const a = i * tube + j + 1
        const b = i * tube + ((j + 1) % tube) + 1
        const c = ((i + 1) % segments) * tube + ((j + 1) % tube) + 1
        const d = ((i + 1) % segments) * tube + j + 1
        f.push([a, b, c, d])
      }
  }
  return { vertices: v, faces: f }
}

export function toObj(mesh: Mesh, name: string): string {
  const lines = [`# Creative Studio offline 3D: ${name}`, `o ${name.replace(/\s+/g, '_').slice(0, 60) || 'model'}`]
  for (const [x, y, z] of mesh.vertices) lines.push(`v ${x.toFixed(5)} ${y.toFixed(5)} ${z.toFixed(5)}`)
  for (const face of mesh.faces) lines.push(`f ${face.join(' ')}`)
  return lines.join('\n') + '\n'
}

export function meshSpec(mesh: Mesh, shape: Primitive) {
  const axis = (k: 0 | 1 | 2) => {
    const values = mesh.vertices.map((p) => p[k])
    return Math.max(...values) - Math.min(...values)
  }
  return {
    shape,
    format: 'obj',
    vertices: mesh.vertices.length,
    faces: mesh.faces.length,
    boundingBox: { x: round(axis(0)), y: round(axis(1)), z: round(axis(2)) },
    units: 'm'
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000
