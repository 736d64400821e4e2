// Regenerates the PNG icon set from icon.svg / tray.svg with sharp:
//   node resources/icons/generate.mjs
// electron-builder makes the .icns (macOS) and .ico (Windows) from resources/icon.png (1024 px).
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'

const dir = dirname(fileURLToPath(import.meta.url))
const icon = readFileSync(join(dir, 'icon.svg'))
const tray = readFileSync(join(dir, 'tray.svg'))

const render = (svg, size, density) => sharp(svg, { density }).resize(size, size).png({ compressionLevel: 9 })

await render(icon, 1024, 72).toFile(join(dir, '..', 'icon.png'))
for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
  await render(icon, size, Math.max(72, Math.ceil((72 * size) / 1024) * 2)).toFile(join(dir, `${size}x${size}.png`))
}
// Tray: colour mark for Windows/Linux, black template images for the macOS menu bar.
await render(icon, 32, 72).toFile(join(dir, 'tray.png'))
await render(icon, 64, 72).toFile(join(dir, 'tray@2x.png'))
await render(tray, 16, 72).toFile(join(dir, 'trayTemplate.png'))
await render(tray, 32, 144).toFile(join(dir, 'trayTemplate@2x.png'))
console.log('icons written to', dir)
