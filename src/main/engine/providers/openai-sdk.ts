import { lazyPackage } from '../lazy-package'

/** The `openai` package, loaded when a client is first made (not by every command that opens the studio). */
export const openaiSdk = lazyPackage<typeof import('openai')>('openai')
