// Parses Python core metadata (PKG-INFO, METADATA, WHEEL): RFC 822-style headers and a description body.

/** Fields that may repeat, and the manifest key each collects into (Warehouse's JSON names). */
const MULTI_VALUED: Record<string, string> = {
  classifier: 'classifiers',
  platform: 'platform',
  'supported-platform': 'supported_platform',
  'requires-dist': 'requires_dist',
  'requires-external': 'requires_external',
  'project-url': 'project_urls',
  'provides-extra': 'provides_extra',
  'provides-dist': 'provides_dist',
  'obsoletes-dist': 'obsoletes_dist',
  'license-file': 'license_files',
  dynamic: 'dynamic',
  requires: 'requires',
  provides: 'provides',
  obsoletes: 'obsoletes',
  'import-name': 'import_names',
  'import-namespace': 'import_namespaces',
  // WHEEL
  tag: 'tags',
}

/**
 * Reads the header block the way Python's email parser does for these files: one field per line,
 * continuation lines start with whitespace, the first occurrence of a single-valued field wins
 * (it is the one pip reads), and the text after the first blank line is the description.
 * Fields are keyed in snake_case, multi-valued ones as arrays, Project-URL as a label → URL object.
 */
export function parseCoreMetadata(content: Buffer): Record<string, unknown> {
  const text = content.toString('utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  const lines = text.split('\n')
  const headers: Array<{ key: string; value: string }> = []
  let index = 0
  for (; index < lines.length; index += 1) {
    const line = lines[index]!
    if (line === '') {
      index += 1
      break
    }
    if (/^[ \t]/.test(line)) {
      const last = headers.at(-1)
      if (last) last.value += `\n${unindent(line)}`
      continue
    }
    const colon = line.indexOf(':')
    // Not a header: the email parser treats it as the start of the body.
    if (colon <= 0) break
    headers.push({ key: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() })
  }
  const body = lines.slice(index).join('\n').replace(/\n+$/, '')

  const fields: Record<string, unknown> = {}
  for (const { key, value } of headers) {
    const multi = MULTI_VALUED[key]
    if (multi === 'project_urls') {
      const urls = (fields.project_urls ??= {}) as Record<string, string>
      const comma = value.indexOf(',')
      const label = comma < 0 ? value : value.slice(0, comma).trim()
      const url = comma < 0 ? value : value.slice(comma + 1).trim()
      if (!Object.hasOwn(urls, label)) setOwn(urls, label, url)
    } else if (multi) {
      const list = (Object.hasOwn(fields, multi) ? fields[multi] : setOwn(fields, multi, [])) as string[]
      list.push(value)
    } else {
      const snake = key.replace(/-/g, '_')
      if (!Object.hasOwn(fields, snake)) setOwn(fields, snake, value)
    }
  }
  if (body.trim() !== '') setOwn(fields, 'description', body)
  return fields
}

/** distutils indented continuation lines by eight spaces, some tools by seven and a `|`. */
function unindent(line: string): string {
  if (line.startsWith('       |')) return line.slice(8)
  if (line.startsWith('        ')) return line.slice(8)
  return line.trimStart()
}

/** Assigns without ever reaching a prototype setter: header names come from the uploader. */
function setOwn<T>(target: Record<string, unknown>, key: string, value: T): T {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  return value
}
