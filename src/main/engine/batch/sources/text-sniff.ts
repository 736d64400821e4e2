/**
 * What the first bytes of a file say before any decoding: UTF-16 without a byte order mark
 * (every other byte NUL, as the ASCII of a sheet's header is), or not text at all.
 */

/** UTF-16 text without a BOM, from the NUL pattern of its ASCII characters; undefined when not seen. */
export function utf16WithoutBom(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.floor(Math.min(head.length, 1024) / 2)
  if (pairs < 2) return undefined
  let zeroEven = 0
  let zeroOdd = 0
  for (let i = 0; i < pairs * 2; i += 2) {
    if (head[i] === 0) zeroEven++
    if (head[i + 1] === 0) zeroOdd++
  }
  // Latin text in UTF-16 has a NUL in nearly every pair, on the same side; a binary file's NULs fall anywhere.
  if (zeroOdd >= pairs * 0.3 && zeroEven <= zeroOdd * 0.1) return 'utf-16le'
  if (zeroEven >= pairs * 0.3 && zeroOdd <= zeroEven * 0.1) return 'utf-16be'
  return undefined
}

/**
 * True when the first bytes are not text in any encoding we read: a NUL (outside UTF-16), or
 * control characters no spreadsheet export writes (only tab, line breaks and form feed do).
 */
export function looksBinary(head: Uint8Array): boolean {
  const start = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return false
  const bytes = head.subarray(start, Math.min(head.length, 1024))
  if (utf16WithoutBom(bytes) !== undefined) return false
  let controls = 0
  for (const b of bytes) {
    if (b === 0) return true
    // ESC and BEL are left out: terminal escapes pasted into a cell are hostile text, still text (escaped when shown).
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b && b !== 0x07) || b === 0x7f) controls++
  }
  return controls > 2 && controls * 20 > bytes.length
}
