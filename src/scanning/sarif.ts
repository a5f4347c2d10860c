// Renders scan reports as SARIF 2.1.0, for code-scanning dashboards and CI annotations.
import type { ScanReport } from './engine.ts'
import { RULES, RULESET_VERSION } from './rules/ruleset.ts'

const LEVEL = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' } as const

export function toSarif(reports: readonly { path: string; report: ScanReport }[]): object {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'gatehouse',
            version: RULESET_VERSION,
            informationUri: 'https://github.com/gatehouse-registry/gatehouse',
            rules: [
              ...RULES.map((r) => ({ id: r.id, name: r.id, shortDescription: { text: r.title }, fullDescription: { text: r.explanation } })),
              { id: 'scan-incomplete', name: 'scan-incomplete', shortDescription: { text: 'The scan did not complete' } },
            ],
          },
        },
        results: reports.flatMap(({ path, report }) =>
          report.signals.map((s) => ({
            ruleId: s.rule,
            level: LEVEL[s.severity],
            message: { text: `${report.name}@${report.version}: ${s.message}` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: s.file && !s.file.startsWith('[') ? s.file : path },
                  ...(s.line ? { region: { startLine: s.line, ...(s.excerpt ? { snippet: { text: s.excerpt } } : {}) } } : {}),
                },
                logicalLocations: [{ fullyQualifiedName: `${report.ecosystem}:${report.name}@${report.version}`, kind: 'package' }],
              },
            ],
            properties: { weight: s.weight, severity: s.severity, archive: path, verdict: report.verdict, score: report.score },
          })),
        ),
      },
    ],
  }
}
