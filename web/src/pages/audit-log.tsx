// The audit log: every state change with actor, reason and before/after, filtered and paged newest first.
import { useEffect, useState } from 'preact/hooks'
import { api, errorMessage, query, type AuditEntry } from '../api.ts'
import { compact, when } from '../format.ts'
import { Link, navigate, useRoute } from '../router.tsx'
import { ErrorBox, Loading, TableHead } from '../components/ui.tsx'

const FILTERS = [
  { key: 'actor', label: 'Actor', hint: 'user:rita' },
  { key: 'action', label: 'Action', hint: 'case.dismiss' },
  { key: 'subjectType', label: 'Subject type', hint: 'case' },
  { key: 'subjectId', label: 'Subject id', hint: '7' },
] as const

type Filters = Record<(typeof FILTERS)[number]['key'], string>

const PAGE = 50

export function AuditPage() {
  const route = useRoute()
  const applied: Filters = { actor: route.params.get('actor') ?? '', action: route.params.get('action') ?? '', subjectType: route.params.get('subjectType') ?? '', subjectId: route.params.get('subjectId') ?? '' }
  const key = JSON.stringify(applied)
  const [draft, setDraft] = useState<Filters>(applied)
  const [entries, setEntries] = useState<AuditEntry[] | null>(null)
  const [next, setNext] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)

  async function load(before: number | null) {
    setLoading(true)
    setError(null)
    try {
      const page = await api<{ entries: AuditEntry[]; next: number | null }>('GET', `audit${query({ ...applied, before, limit: PAGE })}`)
      setEntries((prev) => (before === null ? page.entries : [...(prev ?? []), ...page.entries]))
      setNext(page.next)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setLoading(false)
    }
  }

  useEffect(() => {
    setDraft(applied)
    setEntries(null)
    void load(null)
    // A change of the applied filters (the URL) starts a fresh listing.
  }, [key])

  return (
    <>
      <h1>Audit log</h1>
      <form
        class="toolbar filters"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault()
          navigate(`/audit${query(draft)}`)
        }}
      >
        {FILTERS.map((f) => (
          <span key={f.key} class="field">
            <label for={`audit-${f.key}`}>{f.label}</label>
            <input id={`audit-${f.key}`} placeholder={f.hint} value={draft[f.key]} onInput={(e) => setDraft({ ...draft, [f.key]: e.currentTarget.value })} />
          </span>
        ))}
        <button type="submit">Filter</button>
        <button type="button" onClick={() => navigate('/audit')}>
          Clear
        </button>
      </form>
      <ErrorBox error={error} />
      {entries === null && loading && <Loading what="the audit log" />}
      {entries && entries.length === 0 && <p class="muted">No entries match.</p>}
      {entries && entries.length > 0 && (
        <table class="grid audit" aria-label="Audit entries">
          <TableHead columns={[{ label: '#', num: true }, 'When', 'Actor', 'Action', 'Subject', 'Reason', 'Change']} />
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td class="num">{e.id}</td>
                <td class="nowrap">{when(e.at)}</td>
                <td>
                  {e.actor}
                  {e.ip && <span class="muted"> {e.ip}</span>}
                </td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>
                  {e.subjectType === 'case' && e.subjectId !== null ? (
                    <Link to={`/cases/${e.subjectId}`}>case {e.subjectId}</Link>
                  ) : (
                    <>
                      {e.subjectType} {e.subjectId ?? ''}
                    </>
                  )}
                </td>
                <td>{e.reason ?? <span class="muted">—</span>}</td>
                <td class="change">
                  {e.before !== null && e.before !== undefined && (
                    <div>
                      <span class="muted">before</span> <code>{compact(e.before)}</code>
                    </div>
                  )}
                  {e.after !== null && e.after !== undefined && (
                    <div>
                      <span class="muted">after</span> <code>{compact(e.after)}</code>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && (
        <button type="button" onClick={() => load(next)} disabled={loading}>
          {loading ? 'Loading…' : 'Older entries'}
        </button>
      )}
    </>
  )
}
