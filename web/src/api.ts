// The review desk's JSON API as the console sees it (docs/review-api.md): types and one fetch wrapper.
import { clearSession, currentSession } from './session.ts'

export type Role = 'user' | 'reviewer' | 'admin'
export type CaseStatus = 'open' | 'awaiting-second' | 'closed'

export interface SessionUser {
  name: string
  role: Role
}

export interface CaseVersion {
  id: number
  version: string
  state: string
  score: number | null
}

export interface Case {
  id: number
  ecosystem: string
  package: string
  status: CaseStatus
  risk: number
  source: string
  assignee: string | null
  openedAt: string
  updatedAt: string
  closedAt: string | null
  resolution: 'legitimate' | 'malicious' | null
  versions: CaseVersion[]
}

export interface Signal {
  rule: string
  severity: string
  weight: number
  message?: string
  title?: string
  explanation?: string
  file?: string
  line?: number
  excerpt?: string
}

export interface Scan {
  id?: number
  verdict: string
  score: number
  reasons: string[]
  signals: Signal[]
  rulesetVersion: string
  createdAt: string
  trace?: unknown
}

export interface CaseVersionDetail extends CaseVersion {
  createdAt: string | null
  publisher: string | null
  stateReason?: string | null
  uploadIp?: string | null
  scan: Scan | null
}

export interface CaseEvent {
  id: number
  kind: string
  actor: string | null
  body: string | null
  createdAt: string
}

export interface Removal {
  id: number
  advisoryId: string
  caseId?: number | null
  ecosystem: string
  package: string
  versions: string[]
  wholePackage: boolean
  status: 'pending' | 'done' | 'declined' | 'restored'
  reason: string
  proposedBy: string | null
  confirmedBy: string | null
  suspendOwners: boolean
  reserveName: boolean
  createdAt: string
  doneAt: string | null
  restoredAt: string | null
}

export interface CaseDetail extends Omit<Case, 'versions'> {
  versions: CaseVersionDetail[]
  events: CaseEvent[]
  pendingRemoval: Removal | null
  removals?: Removal[]
}

export interface FileEntry {
  path: string
  size: number
  mode: number
}

export interface FileContent {
  path: string
  size: number
  binary: boolean
  text: string | null
  truncated: boolean
}

export interface VersionDiff {
  previous: { id: number; version: string } | null
  files: { path: string; status: 'added' | 'removed' | 'changed'; patch: string }[]
}

export interface NameBlock {
  id: number
  ecosystem: string | null
  kind: 'exact' | 'prefix' | 'glob'
  pattern: string
  reason: string
  source?: string
  createdBy: string | null
  createdAt: string
}

export interface AuditEntry {
  id: number
  at: string
  actor: string
  ip?: string | null
  action: string
  subjectType: string
  subjectId: string | number | null
  reason: string | null
  before: unknown
  after: unknown
}

/** An error answer from the registry, with its stable code, so forms can show the server's own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** Called when the registry says the token is no longer good: the shell sends the reviewer back to the login page. */
let onExpired: (() => void) | null = null
export function onSessionExpired(handler: () => void): void {
  onExpired = handler
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  const session = currentSession()
  if (session) headers.authorization = `Bearer ${session.token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(`/-/api/v1/${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
  } catch {
    throw new ApiError(0, 'network', 'the registry did not answer; check that it is running')
  }
  const text = await res.text()
  let data: unknown = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = null
  }
  if (!res.ok) {
    const err = (data ?? {}) as { error?: string; code?: string }
    if (res.status === 401 && session && path !== 'session') {
      clearSession()
      onExpired?.()
    }
    throw new ApiError(res.status, err.code ?? 'httpError', err.error ?? `the registry answered ${res.status} ${res.statusText}`)
  }
  return data as T
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/** Builds a query string from the filters that are set. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

/**
 * Downloads an authenticated attachment (forensic archives): a plain link cannot carry the Bearer
 * token, so the bytes are fetched and handed to the browser as a file. Returns the archive's SHA-256.
 */
export async function downloadAttachment(path: string): Promise<string | null> {
  const session = currentSession()
  const res = await fetch(`/-/api/v1/${path}`, { headers: session ? { authorization: `Bearer ${session.token}` } : {} })
  if (!res.ok) {
    const err = (await res.json().catch(() => ({}))) as { error?: string; code?: string }
    throw new ApiError(res.status, err.code ?? 'httpError', err.error ?? `the registry answered ${res.status}`)
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'archive'
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return res.headers.get('x-gatehouse-sha256')
}

export interface NameException {
  id: number
  ecosystem: string
  name: string
  /** '*' when the name may resemble any popular package. */
  target: string
  reason: string
  appealId: number | null
  createdBy: string
  createdAt: string
}

export interface NameAppeal {
  id: number
  ecosystem: string
  name: string
  findings: string[]
  reason: string
  status: 'open' | 'granted' | 'denied'
  appellant: string
  createdAt: string
  decidedBy: string | null
  decidedAt: string | null
  decisionReason: string | null
}

export interface OwnedFinding {
  ecosystem: string
  name: string
  findings: string[]
  appeal: NameAppeal | null
}

export interface ClusterSummary {
  id: number
  createdAt: string
  updatedAt: string
  packages: number
  versions: number
  published: number
  /** Held or still pending. */
  held: number
  removed: number
}

export interface ClusterDetail {
  id: number
  createdAt: string
  /** `content:…` or `payload:…`, shortened. */
  fingerprints: string[]
  members: {
    versionId: number
    ecosystem: string
    name: string
    version: string
    state: string
    publisher: string | null
    createdAt: string
    caseId: number | null
  }[]
}

export interface RescanRun {
  id: number
  rulesetVersion: string
  status: 'running' | 'done' | 'cancelled'
  reason: string
  total: number
  done: number
  flagged: number
  held: number
  percent: number
  startedBy: string
  createdAt: string
  finishedAt: string | null
}

export interface ReporterStats {
  reporter: string
  trusted: boolean
  reports: number
  confirmed: number
  dismissed: number
  open: number
  accuracy: number | null
}
