// Kysely table types: the one description of the database shared by both dialects.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

/** Timestamps are ISO-8601 UTC strings in TypeScript on both dialects (see db/dialect.ts). */
export type Timestamp = string
/** JSON documents are stored as text on both dialects and parsed by the repositories. */
export type JsonText = string

export type Role = 'user' | 'admin' | 'reviewer'
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
}

export type UserRow = Selectable<UsersTable>
export type TokenRow = Selectable<TokensTable>
export type PackageRow = Selectable<PackagesTable>
export type VersionRow = Selectable<VersionsTable>
export type ArtifactRow = Selectable<ArtifactsTable>
export type JobRow = Selectable<JobsTable>
export type AuditRow = Selectable<AuditLogTable>
export type ScanRow = Selectable<ScansTable>
export type NewVersion = Insertable<VersionsTable>
export type VersionUpdate = Updateable<VersionsTable>
