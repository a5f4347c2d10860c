// Small formatting helpers shared by the console's pages.

/** "3 min", "5 h", "2 d": how long a case has waited, at a glance. */
export function age(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (seconds < 60) return `${seconds} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h`
  return `${Math.floor(seconds / 86400)} d`
}

/** A timestamp in the reviewer's time zone, to the second (audit entries are compared by time). */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}

/** Renders a JSON value compactly for tables (audit before/after, trace fields). */
export function compact(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}

/** An audit actor label as people read it: `user:rita` is rita; `system:…` and `cli` stay as they are. */
export function actorName(label: string): string {
  return label.startsWith('user:') ? label.slice(5) : label
}
