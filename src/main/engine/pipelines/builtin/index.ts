import type { StudioServices } from '../../services'
import { PipelineRegistry } from '../registry'
import { audioPipeline, graphicPipeline, imagePipeline, modelPipeline, musicPipeline, textPipeline } from './single'
import { videoPipeline } from './video'
import { storyboardPipeline } from '../../storyboards/pipeline'
import { storyboardIdeaPipeline } from '../../storyboards/from-row'

export function builtinPipelines(): PipelineRegistry<StudioServices> {
  return new PipelineRegistry<StudioServices>()
    .register(videoPipeline)
    .register(textPipeline)
    .register(imagePipeline)
    .register(graphicPipeline)
    .register(audioPipeline)
    .register(musicPipeline)
    .register(modelPipeline)
    .register(storyboardPipeline)
    .register(storyboardIdeaPipeline)
}
