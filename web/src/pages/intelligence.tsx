// Intelligence: retroactive rescans with their progress (refreshed while one runs), and how accurate each reporter has been.
import { useEffect, useState } from 'preact/hooks'
import { api, type ReporterStats, type RescanRun } from '../api.ts'
import { actorName, when } from '../format.ts'
import { Badge, ErrorBox, Loading, Section, TableHead, useLoad } from '../components/ui.tsx'
import { ReasonForm } from '../components/reason-form.tsx'

const POLL_MS = 2000

export function IntelligencePage() {
  const rescans = useLoad(() => api<{ rescans: RescanRun[] }>('GET', 'intel/rescans'), 'rescans')
  const reporters = useLoad(() => api<{ reporters: ReporterStats[] }>('GET', 'intel/reporters'), 'reporters')
  const [starting, setStarting] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const running = rescans.data?.rescans.some((r) => r.status === 'running') ?? false

  useEffect(() => {
    if (!running) return
    const timer = setInterval(rescans.reload, POLL_MS)
    return () => clearInterval(timer)
  }, [running])

  return (
    <>
      <h1>Intelligence</h1>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <Section title="Rescans">
        <p class="muted">
          Stored versions judged again under the current rules: the newest and the most downloaded first. A published version that now scores past the review
          threshold opens a case; past the critical threshold it is held at once. A worker starts one by itself when the rules change.
        </p>
        {starting ? (
          <ReasonForm
            title="Start a rescan"
            submitLabel="Start rescan"
            onSubmit={async (reason) => {
              const run = await api<RescanRun>('POST', 'intel/rescans', { reason })
              setStarting(false)
              setNotice(run.status === 'running' ? `Rescan ${run.id} is running over ${run.total} versions.` : `Rescan ${run.id}: every version is already judged under these rules.`)
              rescans.reload()
            }}
          />
        ) : (
          <button type="button" onClick={() => setStarting(true)}>
            Start a rescan…
          </button>
        )}
        <ErrorBox error={rescans.error} />
        {rescans.loading && !rescans.data && <Loading what="rescans" />}
        {rescans.data && (
          <table class="grid" aria-label="Rescans">
            <TableHead columns={['Run', 'Status', 'Progress', { label: 'Flagged', num: true }, { label: 'Held', num: true }, 'Rules', 'Why', 'Started']} />
            <tbody>
              {rescans.data.rescans.length === 0 && (
                <tr>
                  <td colSpan={8} class="muted">
                    No rescans yet.
                  </td>
                </tr>
              )}
              {rescans.data.rescans.map((r) => (
                <tr key={r.id}>
                  <td>#{r.id}</td>
                  <td>
                    <Badge kind={r.status === 'running' ? 'pending' : r.status === 'done' ? 'published' : 'del'}>{r.status}</Badge>
                  </td>
                  <td>
                    <progress max={Math.max(r.total, 1)} value={r.total === 0 ? 1 : r.done} aria-label={`Rescan ${r.id} progress`} />{' '}
                    <span>
                      {r.done} / {r.total} ({r.percent}%)
                    </span>
                  </td>
                  <td class="num">{r.flagged}</td>
                  <td class="num">{r.held}</td>
                  <td>
                    <code>{r.rulesetVersion}</code>
                  </td>
                  <td>{r.reason}</td>
                  <td>
                    {when(r.createdAt)} <span class="muted">by {actorName(r.startedBy)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Reporters">
        <p class="muted">Accuracy is the share of a reporter's decided reports that reviewers confirmed as malicious.</p>
        <ErrorBox error={reporters.error} />
        {reporters.loading && !reporters.data && <Loading what="reporters" />}
        {reporters.data && (
          <table class="grid" aria-label="Reporters">
            <TableHead columns={['Reporter', { label: 'Reports', num: true }, { label: 'Confirmed', num: true }, { label: 'Dismissed', num: true }, { label: 'Open', num: true }, 'Accuracy']} />
            <tbody>
              {reporters.data.reporters.length === 0 && (
                <tr>
                  <td colSpan={6} class="muted">
                    No reports yet.
                  </td>
                </tr>
              )}
              {reporters.data.reporters.map((r) => (
                <tr key={r.reporter}>
                  <td>
                    {actorName(r.reporter)} {r.trusted && <Badge kind="published">trusted</Badge>}
                  </td>
                  <td class="num">{r.reports}</td>
                  <td class="num">{r.confirmed}</td>
                  <td class="num">{r.dismissed}</td>
                  <td class="num">{r.open}</td>
                  <td>{r.accuracy === null ? '—' : `${Math.round(r.accuracy * 100)}%`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  )
}
