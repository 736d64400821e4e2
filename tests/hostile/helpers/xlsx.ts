import { writeFileSync } from 'node:fs'
import JSZip from 'jszip'

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships'

export interface XlsxSpec {
  /** Each sheet's `<sheetData>` content, written as the test wants it (formula cells, cached results). */
  sheets: { name: string; rows: string }[]
  /** Bytes put into the first sheet's cells as they are (invalid UTF-8, say). */
  rawFirstSheetBytes?: Buffer
  sharedStrings?: string[]
  /** Custom number formats: style index i + 1 uses the i-th (style 0 is General). */
  numFmts?: string[]
  date1904?: boolean
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * An XLSX file written part by part, as Excel, LibreOffice or Numbers may store it: what exceljs
 * cannot write (a formula whose cached result is FALSE, 0 or #DIV/0!, a LibreOffice date serial)
 * is written as XML. Read back by the app through its own zip reader.
 */
export async function writeXlsx(file: string, spec: XlsxSpec): Promise<void> {
  const jszip = new JSZip()
  // Given as bytes: JSZip's own string encoding splits a surrogate pair between its chunks.
  const zip = { file: (name: string, text: string) => jszip.file(name, Buffer.from(text, 'utf8')) }
  const sheets = spec.sheets
  zip.file(
    '[Content_Types].xml',
    `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
      `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
      sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
      `</Types>`
  )
  zip.file('_rels/.rels', `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
  zip.file(
    'xl/workbook.xml',
    `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${REL}">` +
      (spec.date1904 ? '<workbookPr date1904="1"/>' : '<workbookPr/>') +
      `<sheets>${sheets.map((s, i) => `<sheet name="${esc(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`
  )
  const n = sheets.length
  zip.file(
    'xl/_rels/workbook.xml.rels',
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PKG_REL}">` +
      sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
      `<Relationship Id="rId${n + 1}" Type="${REL}/styles" Target="styles.xml"/>` +
      (spec.sharedStrings ? `<Relationship Id="rId${n + 2}" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : '') +
      `</Relationships>`
  )
  const fmts = spec.numFmts ?? []
  zip.file(
    'xl/styles.xml',
    `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="${MAIN}">` +
      (fmts.length ? `<numFmts count="${fmts.length}">${fmts.map((f, i) => `<numFmt numFmtId="${164 + i}" formatCode="${esc(f).replace(/"/g, '&quot;')}"/>`).join('')}</numFmts>` : '') +
      `<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>` +
      `<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
      `<cellXfs count="${fmts.length + 1}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
      fmts.map((_, i) => `<xf numFmtId="${164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`).join('') +
      `</cellXfs></styleSheet>`
  )
  if (spec.sharedStrings) {
    zip.file(
      'xl/sharedStrings.xml',
      `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN}" count="${spec.sharedStrings.length}" uniqueCount="${spec.sharedStrings.length}">` +
        spec.sharedStrings.map((s) => `<si><t xml:space="preserve">${esc(s)}</t></si>`).join('') +
        `</sst>`
    )
  }
  sheets.forEach((s, i) => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>${s.rows}</sheetData></worksheet>`
    if (i === 0 && spec.rawFirstSheetBytes) {
      const [before, after] = xml.split('RAW')
      jszip.file(`xl/worksheets/sheet${i + 1}.xml`, Buffer.concat([Buffer.from(before!), spec.rawFirstSheetBytes, Buffer.from(after ?? '')]))
    } else zip.file(`xl/worksheets/sheet${i + 1}.xml`, xml)
  })
  writeFileSync(file, await jszip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }))
}

/** An inline-string cell. */
export const str = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${esc(text)}</t></is></c>`
