// A version's profile: the compact summary of its facts that the next version is compared against.
import { createHash } from 'node:crypto'
import type { Artifact } from '../../core/ecosystem.ts'
import type { Capability, FlowSink, FlowSource, IndicatorKind, PackageFacts, Role } from '../facts.ts'
import { isReachable, roleOf } from '../facts.ts'

export interface ProfileEvidence {
  readonly file: string
  readonly line: number
  readonly excerpt: string
}

export interface ProfileIndicator extends ProfileEvidence {
  readonly kind: IndicatorKind
  readonly value: string
  readonly role: Role
}

export interface ProfileFlow extends ProfileEvidence {
  readonly source: FlowSource
  readonly sink: FlowSink
  readonly role: Role
}

export interface ProfileCapability extends ProfileEvidence {
  readonly cap: Capability
  readonly role: Role
  readonly api: string
}

/** A file that is built output rather than written source: where event-stream's payload hid. */
export interface ProfileMinified {
  readonly path: string
  readonly sha256: string
  readonly role: Role
  readonly capabilities: Capability[]
}

export interface VersionProfile {
  /** Bumped when the shape changes; a diff against a profile of another shape is skipped. */
  readonly v: 1
  readonly hooks: { readonly phase: string; readonly command: string }[]
  /** The first use of each capability in each role (one entry per role and capability). */
  readonly capabilities: ProfileCapability[]
  /** Threat indicators, one per kind, value and role. */
  readonly indicators: ProfileIndicator[]
  /** Source→sink flows, one per source, sink and role. */
  readonly flows: ProfileFlow[]
  readonly minified: ProfileMinified[]
  readonly binaries: { readonly path: string; readonly sha256: string }[]
  readonly fileCount: number
  /** Top-level modules the version installs, where the ecosystem names them apart from the package (Python). */
  readonly modules?: readonly string[]
}

const MAX_INDICATORS = 100
const ROLE_RANK: Record<Role, number> = { install: 0, import: 1, runtime: 2 }

export function profileOf(facts: PackageFacts, artifact: Artifact): VersionProfile {
  const byPath = new Map(artifact.files.map((f) => [f.path, f]))
  const capabilities = new Map<string, ProfileCapability>()
  const indicators = new Map<string, ProfileIndicator>()
  const flows = new Map<string, ProfileFlow>()
  // Install-time files first, so each capability's evidence is the riskiest place it appears.
  const files = [...facts.files].sort((a, b) => ROLE_RANK[roleOf(facts, a.path)] - ROLE_RANK[roleOf(facts, b.path)])
  for (const file of files) {
    const role = roleOf(facts, file.path)
    for (const use of file.capabilities) {
      if (!isReachable(file, use)) continue
      const key = `${role}:${use.cap}`
      if (!capabilities.has(key)) capabilities.set(key, { cap: use.cap, role, api: use.api, file: file.path, line: use.line, excerpt: use.excerpt })
    }
    for (const ind of file.indicators) {
      const key = `${role}:${ind.kind}:${ind.value}`
      if (!indicators.has(key) && indicators.size < MAX_INDICATORS) {
        indicators.set(key, { kind: ind.kind, value: ind.value.slice(0, 200), role, file: file.path, line: ind.line, excerpt: ind.excerpt })
      }
    }
    for (const flow of file.flows) {
      if (!isReachable(file, flow)) continue
      const key = `${role}:${flow.source}:${flow.sink}`
      if (!flows.has(key)) flows.set(key, { source: flow.source, sink: flow.sink, role, file: file.path, line: flow.line, excerpt: flow.excerpt })
    }
  }
  const minified: ProfileMinified[] = []
  for (const file of facts.files) {
    const content = byPath.get(file.path)?.content
    if (!content || !looksMinified(content)) continue
    minified.push({
      path: file.path,
      sha256: sha256(content),
      role: roleOf(facts, file.path),
      capabilities: [...new Set(file.capabilities.map((c) => c.cap))].sort(),
    })
  }
  return {
    v: 1,
    hooks: facts.hooks.map((h) => ({ phase: h.phase, command: h.command })),
    capabilities: [...capabilities.values()],
    indicators: [...indicators.values()],
    flows: [...flows.values()],
    minified,
    binaries: facts.binaries.map((path) => ({ path, sha256: sha256(byPath.get(path)?.content ?? Buffer.alloc(0)) })),
    fileCount: facts.fileCount,
    ...(facts.modules ? { modules: facts.modules } : {}),
  }
}

/** Minified or bundled: long lines on average, or one very long line. Cheap: looks at the bytes only. */
export function looksMinified(content: Buffer): boolean {
  if (content.length < 2048) return false
  let lines = 1
  let longest = 0
  let start = 0
  for (let nl = content.indexOf(0x0a); nl !== -1; nl = content.indexOf(0x0a, start)) {
    lines++
    longest = Math.max(longest, nl - start)
    start = nl + 1
  }
  longest = Math.max(longest, content.length - start)
  return content.length / lines > 250 || longest > 5000
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex')
}
