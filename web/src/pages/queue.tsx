// The review queue: cases riskiest first, filtered by status, with a claim button for unassigned ones.
import { useState } from 'preact/hooks'
import { api, errorMessage, query, type Case } from '../api.ts'
import { age } from '../format.ts'
import { Link, navigate, useRoute } from '../router.tsx'
import { Badge, ErrorBox, Loading, Risk, useLoad, TableHead } from '../components/ui.tsx'

const STATUSES = [
  { value: 'active', label: 'Active (open + awaiting second)' },
  { value: 'open', label: 'Open' },
  { value: 'awaiting-second', label: 'Awaiting second reviewer' },
  { value: 'closed', label: 'Closed' },
  { value: 'all', label: 'All' },
]

export function QueuePage() {
  const route = useRoute()
  const status = route.params.get('status') ?? 'active'
  const mine = route.params.get('assignee') === 'me'
  const cases = useLoad(() => api<{ cases: Case[] }>('GET', `review/cases${query({ status, assignee: mine ? 'me' : undefined })}`), `${status}|${mine}`)
  const [actionError, setActionError] = useState<string | null>(null)

  // Filters live in the URL, so a filtered queue can be bookmarked and survives a reload.
  function setFilter(next: { status?: string; mine?: boolean }) {
    const s = next.status ?? status
    const m = next.mine ?? mine
    navigate(`/${query({ status: s === 'active' ? undefined : s, assignee: m ? 'me' : undefined })}`, { replace: true })
  }

  async function claim(c: Case) {
    setActionError(null)
    try {
      await api('POST', `review/cases/${c.id}/claim`, {})
      cases.reload()
    } catch (err) {
      setActionError(errorMessage(err))
    }
  }

  return (
    <>
      <h1>Review queue</h1>
      <div class="toolbar">
        <label for="queue-status">Status</label>
        <select id="queue-status" value={status} onChange={(e) => setFilter({ status: e.currentTarget.value })}>
          {STATUSES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <label class="inline">
          <input type="checkbox" checked={mine} onChange={(e) => setFilter({ mine: e.currentTarget.checked })} /> Only mine
        </label>
        <button type="button" onClick={cases.reload}>
          Refresh
        </button>
      </div>
      <ErrorBox error={cases.error ?? actionError} />
      {cases.loading && !cases.data && <Loading what="cases" />}
      {cases.data && cases.data.cases.length === 0 && <p class="muted">No cases with this status. The gate holds risky versions here.</p>}
      {cases.data && cases.data.cases.length > 0 && (
        <table class="grid" aria-label="Cases">
          <TableHead columns={['Case', 'Package', 'Versions', { label: 'Risk', num: true }, 'Status', 'Source', 'Assignee', 'Age']} actions />
          <tbody>
            {cases.data.cases.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/cases/${c.id}`}>#{c.id}</Link>
                </td>
                <td>
                  <Link to={`/cases/${c.id}`}>
                    <span class="eco">{c.ecosystem}</span> {c.package}
                  </Link>
                </td>
                <td>
                  {c.versions.map((v) => (
                    <span key={v.id} class="version">
                      {v.version} <Badge kind={v.state}>{v.state}</Badge>
                    </span>
                  ))}
                </td>
                <td class="num">
                  <Risk value={c.risk} />
                </td>
                <td>
                  <Badge kind={c.status}>{c.status}</Badge>{' '}
                  {c.resolution && <Badge kind={c.resolution}>{c.resolution}</Badge>}
                </td>
                <td>{c.source}</td>
                <td>{c.assignee ?? <span class="muted">unassigned</span>}</td>
                <td title={c.openedAt}>{age(c.openedAt)}</td>
                <td>
                  {!c.assignee && c.status !== 'closed' && (
                    <button type="button" onClick={() => claim(c)} aria-label={`Claim case ${c.id} (${c.package})`}>
                      Claim
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
