// Shell, batch and PowerShell text (install hook commands, .sh/.ps1/.bat files): what they fetch and run.
import type { FileFacts } from '../facts.ts'
import { FactSink, scanText } from './source-file.ts'

const FETCHERS = /\b(curl|wget|Invoke-WebRequest|iwr|Invoke-RestMethod|irm|certutil|bitsadmin|Start-BitsTransfer|nc|ncat|telnet)\b/i

export function analyzeShell(path: string, source: string): FileFacts {
  const sink = new FactSink(path, 'shell', source)
  // Every line of a script or hook command is something the shell runs.
  scanText(sink, { executed: true })
  let offset = 0
  for (const line of source.split('\n')) {
    const fetcher = FETCHERS.exec(line)
    if (fetcher) sink.capability('network', fetcher[1]!.toLowerCase(), offset + fetcher.index)
    offset += line.length + 1
  }
  return sink.facts()
}
