// The defense layer's JSON API as the console sees it: switches, IP blocks, alerts, incidents, the public status.
export interface SwitchEntry {
  name: string
  on: boolean
  value: unknown
  reason: string | null
  setBy: string | null
  setAt: string | null
  kind: 'flag' | 'days' | 'text'
  description: string
}

export interface IpBlock {
  id: number
  cidr: string
  scopes: string[]
  reason: string
  expiresAt: string | null
  createdBy: string
  createdAt: string
}

export interface Alert {
  id: number
  rule: string
  key: string
  severity: 'info' | 'warning' | 'critical'
  summary: string
  details: unknown
  count: number
  firstAt: string
  lastAt: string
  deliveries: Record<string, string>
}

export interface IncidentUpdate {
  id: number
  status: string
  body: string
  created_by: string
  created_at: string
}

export interface Incident {
  id: number
  title: string
  status: 'investigating' | 'identified' | 'monitoring' | 'resolved'
  severity: string
  public: number
  window: string | null
  postmortem: string | null
  created_by: string
  created_at: string
  updates: IncidentUpdate[]
}

export interface WindowVersion {
  versionId: number
  ecosystem: string
  name: string
  version: string
  state: string
  publisher: string
  ip: string | null
  createdAt: string
}

export interface PublicStatus {
  banner: string | null
  restrictions: { name: string; description: string; since: string | null }[]
}
