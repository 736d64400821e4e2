import type { StudioServices } from '../../services'
import { PipelineRegistry } from '../registry'
import { audioPipeline, graphicPipeline, imagePipeline, modelPipeline, musicPipeline, textPipeline } from './single'
import { videoPipeline, videoPipelineIn, type AssetPlace } from './video'
import { storyboardPipeline } from '../../storyboards/pipeline'
import { storyboardIdeaPipeline } from '../../storyboards/from-row'

/** With `assets`, a video's assets must be that studio's project assets or files in its data folder. */
export function builtinPipelines(assets?: AssetPlace): PipelineRegistry<StudioServices> {
  return new PipelineRegistry<StudioServices>()
    .register(assets ? videoPipelineIn(assets) : videoPipeline)
    .register(textPipeline)
    .register(imagePipeline)
    .register(graphicPipeline)
    .register(audioPipeline)
    .register(musicPipeline)
    .register(modelPipeline)
    .register(storyboardPipeline)
    .register(storyboardIdeaPipeline)
}
