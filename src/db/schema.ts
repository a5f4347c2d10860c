// Kysely table types: the one description of the database shared by both dialects.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

/** Timestamps are ISO-8601 UTC strings in TypeScript on both dialects (see db/dialect.ts). */
export type Timestamp = string
/** JSON documents are stored as text on both dialects and parsed by the repositories. */
export type JsonText = string

/** 'reporter': a trusted outside reporter whose observations can hold versions (see intel/). */
export type Role = 'user' | 'admin' | 'reviewer' | 'reporter'
export type TokenScope = 'read' | 'publish'
export type VersionState = 'pending' | 'published' | 'held' | 'rejected' | 'removed' | 'unpublished'
export type JobState = 'queued' | 'active' | 'done' | 'failed'

export interface UsersTable {
  id: Generated<number>
  name: string
  email: string
  password_hash: string
  role: ColumnType<Role, Role | undefined, Role>
  created_at: Timestamp
  updated_at: Timestamp
  suspended_at: Timestamp | null
}

export interface TokensTable {
  id: Generated<number>
  user_id: number
  /** sha512 hex of the secret: also the token's public `key` in npm's token API. */
  key_hash: string
  /** First characters of the secret, shown in listings so users can tell tokens apart. */
  prefix: string
  name: string | null
  scope: TokenScope
  cidr_whitelist: JsonText | null
  created_at: Timestamp
  expires_at: Timestamp | null
  last_used_at: Timestamp | null
  revoked_at: Timestamp | null
}

export interface PackagesTable {
  id: Generated<number>
  ecosystem: string
  /** Canonical name as the ecosystem normalises it; unique per ecosystem. */
  name: string
  display_name: string
  /** Bumped on every change of the package document (npm's `_rev`). */
  revision: ColumnType<number, number | undefined, number>
  created_at: Timestamp
  updated_at: Timestamp
  created_by: number | null
}

export interface PackageOwnersTable {
  package_id: number
  user_id: number
  created_at: Timestamp
}

export interface VersionsTable {
  id: Generated<number>
  package_id: number
  version: string
  state: VersionState
  /** The ecosystem's manifest for this version (npm: package.json as published). */
  manifest: JsonText
  description: string | null
  deprecated: string | null
  /** Dist-tags the publisher asked for; applied when the gate publishes the version. */
  requested_tags: JsonText
  publisher_id: number
  token_id: number | null
  upload_ip: string | null
  created_at: Timestamp
  published_at: Timestamp | null
  state_changed_at: Timestamp
  state_reason: string | null
}

export interface ArtifactsTable {
  id: Generated<number>
  version_id: number
  filename: string
  size: number
  sha1: string
  sha256: string
  sha512: string
  blob_key: string
  file_count: number
  unpacked_size: number
  created_at: Timestamp
}

export interface DistTagsTable {
  package_id: number
  tag: string
  version_id: number
}

export interface JobsTable {
  id: Generated<number>
  name: string
  payload: JsonText
  state: JobState
  attempts: ColumnType<number, number | undefined, number>
  max_attempts: number
  run_at: Timestamp
  locked_until: Timestamp | null
  last_error: string | null
  created_at: Timestamp
  finished_at: Timestamp | null
}

export interface AuditLogTable {
  id: Generated<number>
  created_at: Timestamp
  actor_id: number | null
  /** 'user:<name>', 'system:<component>' — kept as text so the log stays readable after deletions. */
  actor: string
  action: string
  subject_type: string
  subject_id: string
  reason: string | null
  before: JsonText | null
  after: JsonText | null
  ip: string | null
  prev_hash: string
  hash: string
}

export interface ScansTable {
  id: Generated<number>
  version_id: number
  ruleset_version: string
  verdict: 'publish' | 'hold' | 'reject'
  score: number
  reasons: JsonText
  signals: JsonText
  stats: JsonText
  ms: number
  created_at: Timestamp
  /** JSON VersionProfile (history diff); null for scans recorded before profiles existed. */
  profile: JsonText | null
  /** JSON sandbox trace when the dynamic stage ran (or the reason it could not); null otherwise. */
  trace: JsonText | null
}

export type CaseStatus = 'open' | 'awaiting-second' | 'closed'
export type RemovalStatus = 'pending' | 'done' | 'declined' | 'restored'

export interface CasesTable {
  id: Generated<number>
  package_id: number
  status: CaseStatus
  resolution: 'legitimate' | 'malicious' | null
  /** The highest score among the case's versions: the queue's order. */
  risk: number
  /** What opened it: 'gate', later 'report', 'osv', 'rescan'… */
  source: string
  assignee_id: number | null
  opened_at: Timestamp
  updated_at: Timestamp
  closed_at: Timestamp | null
}

export interface CaseVersionsTable {
  case_id: number
  version_id: number
  added_at: Timestamp
}

export interface CaseEventsTable {
  id: Generated<number>
  case_id: number
  actor_id: number | null
  actor: string
  kind: string
  body: string | null
  created_at: Timestamp
}

export interface RemovalsTable {
  id: Generated<number>
  case_id: number | null
  package_id: number
  /** JSON array of version ids. */
  version_ids: JsonText
  whole_package: number
  status: RemovalStatus
  reason: string
  doubt: number
  suspend_owners: number
  reserve_name: number
  proposed_by: number
  confirmed_by: number | null
  /** JSON map version id → state before the removal, for restore. */
  prior_states: JsonText | null
  /** JSON array of the user ids this removal suspended (restore lifts exactly these). */
  suspended_user_ids: JsonText | null
  name_block_id: number | null
  created_at: Timestamp
  done_at: Timestamp | null
  restored_at: Timestamp | null
}

export interface ForensicArtifactsTable {
  artifact_id: number
  removal_id: number
  blob_key: string
  sha256: string
  sha512: string
  size: number
  scan_id: number | null
  stored_at: Timestamp
}

export type NameBlockKind = 'exact' | 'prefix' | 'glob'

export interface NameBlocksTable {
  id: Generated<number>
  /** null: every ecosystem. */
  ecosystem: string | null
  kind: NameBlockKind
  pattern: string
  reason: string
  /** 'reviewer', 'removal', later 'osv'. */
  source: string
  created_by: string
  created_at: Timestamp
}

/** A fingerprint of one version: 'content' (the whole package, name and version masked) or 'payload' (one install/load-time file). */
export interface VersionFingerprintsTable {
  version_id: number
  package_id: number
  kind: 'content' | 'payload'
  hash: string
  created_at: Timestamp
}

/** A campaign: versions of two or more packages tied together by shared fingerprints. */
export interface DownloadCountsTable {
  version_id: number
  /** UTC day, YYYY-MM-DD. */
  day: string
  count: number
}

export interface ClustersTable {
  id: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface ClusterFingerprintsTable {
  cluster_id: number
  kind: 'content' | 'payload'
  hash: string
}

/** A look-alike name the security team accepted: `target` '*' covers every popular name. */
export interface NameExceptionsTable {
  id: Generated<number>
  ecosystem: string
  name: string
  target: string
  reason: string
  appeal_id: number | null
  created_by: string
  created_at: Timestamp
}

export type NameAppealStatus = 'open' | 'granted' | 'denied'

/** An owner's appeal against a typosquat finding on their package. */
export interface NameAppealsTable {
  id: Generated<number>
  ecosystem: string
  package_id: number
  name: string
  /** JSON array of the popular names the finding said it resembles. */
  targets: JsonText
  reason: string
  status: NameAppealStatus
  appellant_id: number
  appellant: string
  created_at: Timestamp
  decided_by: string | null
  decided_at: Timestamp | null
  decision_reason: string | null
}

export interface RuleOutcomesTable {
  id: Generated<number>
  rule: string
  version_id: number
  outcome: 'confirmed' | 'dismissed'
  created_at: Timestamp
}

export interface SwitchesTable {
  name: string
  /** JSON value; null when the switch is off. */
  value: JsonText | null
  reason: string
  set_by: string
  set_at: Timestamp
}

export interface IpBlocksTable {
  id: Generated<number>
  cidr: string
  /** JSON array of 'registration' | 'login' | 'upload'. */
  scopes: JsonText
  reason: string
  expires_at: Timestamp | null
  created_by: string
  created_at: Timestamp
}

export interface UploadEventsTable {
  id: Generated<number>
  at: Timestamp
  user_id: number
  account_created_at: Timestamp
  ip: string | null
  token_id: number | null
  ecosystem: string
  package_name: string
  version_id: number
  new_package: number
  /** Content hash with the package's own name and version masked: clones share it. */
  fingerprint: string
}

export interface AlertsTable {
  id: Generated<number>
  rule: string
  dedup_key: string
  severity: 'info' | 'warning' | 'critical'
  summary: string
  details: JsonText
  /** How many firings this alert gathered while deduplicated. */
  count: number
  first_at: Timestamp
  last_at: Timestamp
  /** JSON map channel → 'sent' | 'failed: …'. */
  deliveries: JsonText
}

export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved'

export interface IncidentsTable {
  id: Generated<number>
  title: string
  status: IncidentStatus
  severity: string
  public: number
  /** JSON attack-window query. */
  window: JsonText | null
  postmortem: string | null
  created_by: string
  created_at: Timestamp
  updated_at: Timestamp
  resolved_at: Timestamp | null
}

export interface IncidentUpdatesTable {
  id: Generated<number>
  incident_id: number
  status: IncidentStatus
  body: string
  created_by: string
  created_at: Timestamp
}

export type RescanStatus = 'running' | 'done' | 'cancelled'

export interface RescanRunsTable {
  id: Generated<number>
  ruleset_version: string
  status: RescanStatus
  reason: string
  total: number
  done_count: number
  /** Published versions whose new score reached the review threshold (a case was opened or joined). */
  flagged: number
  /** Of those, the ones past the critical threshold that were held at once. */
  held: number
  started_by: string
  created_at: Timestamp
  updated_at: Timestamp
  finished_at: Timestamp | null
}

export interface RescanItemsTable {
  run_id: number
  version_id: number
  /** Priority order fixed at the start of the run: 0 is rescanned first. */
  position: number
  status: 'queued' | 'done' | 'skipped'
  score: number | null
  done_at: Timestamp | null
}

export interface OsvRecordsTable {
  /** The record's own id (MAL-2025-1234, GHSA-…, GATEHOUSE-MAL-…). */
  id: string
  /** Gatehouse ecosystem id ('npm', 'pypi', 'rubygems'). */
  ecosystem: string
  /** Canonical (normalised) package name. */
  package_name: string
  modified: string
  withdrawn: string | null
  summary: string | null
  document: JsonText
  /** Where it came from: a file path or feed URL. */
  source: string
  imported_at: Timestamp
}

export interface OsvMatchesTable {
  record_id: string
  version_id: number
  /** 'held', 'filed' (a case only; the version was not installable) or 'none' (already removed or rejected). */
  action: string
  created_at: Timestamp
}

export type ReportStatus = 'open' | 'confirmed' | 'dismissed'

export interface ReportsTable {
  id: Generated<number>
  /** 'reporter' (a trusted account's observation) or 'community'. */
  source: string
  reporter_id: number | null
  /** 'user:<name>' or 'anonymous:<ip>' — kept as text, like the audit log. */
  reporter_label: string
  /** Where the outcome is sent: the account's address, or one an anonymous reporter gave. */
  contact_email: string | null
  trusted: number
  ecosystem: string
  package_name: string
  package_id: number | null
  version: string | null
  kind: string
  evidence: string
  case_id: number | null
  /** What the report did at once: 'held', 'filed', 'none' (no such package yet). */
  action: string
  status: ReportStatus
  /** sha256 of the receipt secret an anonymous reporter uses to check the outcome. */
  receipt_hash: string | null
  ip: string | null
  created_at: Timestamp
  resolved_at: Timestamp | null
}

export interface NotificationsTable {
  id: Generated<number>
  /** 'dependent-removed', 'dependent-blocked', 'dependent-filed', 'report-outcome'. */
  kind: string
  /** 'review': a package filed with the review desk (recipient 'review-desk'), recorded so that it is filed once. */
  channel: 'email' | 'webhook' | 'review'
  recipient: string
  /** What it is about, e.g. 'removal:12:package:34'; with kind, channel and recipient it is sent once. */
  subject_key: string
  body: JsonText
  status: 'sent' | 'failed' | 'skipped'
  error: string | null
  created_at: Timestamp
}

export interface SchedulesTable {
  name: string
  next_run_at: Timestamp
}

export interface Database {
  users: UsersTable
  tokens: TokensTable
  packages: PackagesTable
  package_owners: PackageOwnersTable
  versions: VersionsTable
  artifacts: ArtifactsTable
  dist_tags: DistTagsTable
  jobs: JobsTable
  audit_log: AuditLogTable
  scans: ScansTable
  cases: CasesTable
  case_versions: CaseVersionsTable
  case_events: CaseEventsTable
  removals: RemovalsTable
  forensic_artifacts: ForensicArtifactsTable
  name_blocks: NameBlocksTable
  name_exceptions: NameExceptionsTable
  version_fingerprints: VersionFingerprintsTable
  clusters: ClustersTable
  download_counts: DownloadCountsTable
  cluster_fingerprints: ClusterFingerprintsTable
  name_appeals: NameAppealsTable
  rule_outcomes: RuleOutcomesTable
  switches: SwitchesTable
  ip_blocks: IpBlocksTable
  upload_events: UploadEventsTable
  alerts: AlertsTable
  incidents: IncidentsTable
  incident_updates: IncidentUpdatesTable
  rescan_runs: RescanRunsTable
  rescan_items: RescanItemsTable
  osv_records: OsvRecordsTable
  osv_matches: OsvMatchesTable
  reports: ReportsTable
  notifications: NotificationsTable
  schedules: SchedulesTable
}

export type UserRow = Selectable<UsersTable>
export type TokenRow = Selectable<TokensTable>
export type PackageRow = Selectable<PackagesTable>
export type VersionRow = Selectable<VersionsTable>
export type ArtifactRow = Selectable<ArtifactsTable>
export type JobRow = Selectable<JobsTable>
export type AuditRow = Selectable<AuditLogTable>
export type ScanRow = Selectable<ScansTable>
export type NameExceptionRow = Selectable<NameExceptionsTable>
export type ClusterRow = Selectable<ClustersTable>
export type NameAppealRow = Selectable<NameAppealsTable>
export type NewVersion = Insertable<VersionsTable>
export type VersionUpdate = Updateable<VersionsTable>
export type CaseRow = Selectable<CasesTable>
export type CaseEventRow = Selectable<CaseEventsTable>
export type RemovalRow = Selectable<RemovalsTable>
export type NameBlockRow = Selectable<NameBlocksTable>
export type IpBlockRow = Selectable<IpBlocksTable>
export type AlertRow = Selectable<AlertsTable>
export type IncidentRow = Selectable<IncidentsTable>
export type IncidentUpdateRow = Selectable<IncidentUpdatesTable>
export type RescanRunRow = Selectable<RescanRunsTable>
export type OsvRecordRow = Selectable<OsvRecordsTable>
export type ReportRow = Selectable<ReportsTable>
export type NotificationRow = Selectable<NotificationsTable>
