import type { PipelineDefinition } from './types'

/** The pipelines and single-step job types this engine knows, by name. */
export class PipelineRegistry<Services = unknown> {
  private readonly pipelines = new Map<string, PipelineDefinition<Services>>()

  register(pipeline: PipelineDefinition<Services>): this {
    if (pipeline.steps.length === 0) throw new Error(`pipeline ${pipeline.name} has no steps`)
    const names = new Set<string>()
    for (const step of pipeline.steps) {
      if (names.has(step.name)) throw new Error(`pipeline ${pipeline.name} has two steps named ${step.name}`)
      names.add(step.name)
    }
    this.pipelines.set(pipeline.name, pipeline)
    return this
  }

  get(name: string): PipelineDefinition<Services> | undefined {
    return this.pipelines.get(name)
  }

  names(): string[] {
    return [...this.pipelines.keys()].sort()
  }

  list(): PipelineDefinition<Services>[] {
    return this.names().map((n) => this.pipelines.get(n)!)
  }
}
