// Removals: what the desk took down, under which advisory, and a way to restore a removal with a reason.
import { useState } from 'preact/hooks'
import { api, type Removal } from '../api.ts'
import { when } from '../format.ts'
import { Link } from '../router.tsx'
import { Badge, ErrorBox, Loading, useLoad, TableHead } from '../components/ui.tsx'
import { ReasonForm } from '../components/reason-form.tsx'

export function RemovalsPage() {
  const list = useLoad(() => api<{ removals: Removal[] }>('GET', 'review/removals'), 'removals')
  const [restoring, setRestoring] = useState<number | null>(null)
  const [notice, setNotice] = useState<string | null>(null)

  return (
    <>
      <h1>Removals</h1>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorBox error={list.error} />
      {list.loading && !list.data && <Loading what="removals" />}
      {list.data && list.data.removals.length === 0 && <p class="muted">Nothing has been removed.</p>}
      {list.data && list.data.removals.length > 0 && (
        <table class="grid" aria-label="Removals">
          <TableHead columns={['Advisory', 'Package', 'Versions', 'Status', 'Reason', 'Proposed / confirmed', 'When']} actions />
          <tbody>
            {list.data.removals.map((r) => (
              <tr key={r.id}>
                <td class="nowrap">
                  <a href={`/-/advisories/${encodeURIComponent(r.advisoryId)}`} target="_blank" rel="noopener">
                    {r.advisoryId}
                  </a>
                  {r.caseId ? (
                    <div>
                      <Link to={`/cases/${r.caseId}`}>case #{r.caseId}</Link>
                    </div>
                  ) : null}
                </td>
                <td>
                  <span class="eco">{r.ecosystem}</span> {r.package}
                </td>
                <td>{r.wholePackage ? <em>whole package</em> : r.versions.join(', ')}</td>
                <td>
                  <Badge kind={r.status}>{r.status}</Badge> {r.suspendOwners && <Badge kind="flag">owners suspended</Badge>}{' '}
                  {r.reserveName && <Badge kind="flag">name reserved</Badge>}
                </td>
                <td>{r.reason}</td>
                <td>
                  {r.proposedBy ?? '—'} / {r.confirmedBy ?? '—'}
                </td>
                <td class="nowrap">
                  {when(r.createdAt)}
                  {r.restoredAt && <div class="muted">restored {when(r.restoredAt)}</div>}
                </td>
                <td>
                  {r.status === 'done' &&
                    (restoring === r.id ? (
                      <ReasonForm
                        title={`Restore ${r.advisoryId}`}
                        submitLabel="Restore"
                        onSubmit={async (reason) => {
                          await api('POST', `review/removals/${r.id}/restore`, { reason })
                          setRestoring(null)
                          setNotice(`Restored ${r.package}: ${r.advisoryId} is withdrawn.`)
                          list.reload()
                        }}
                      />
                    ) : (
                      <button type="button" class="small" aria-label={`Restore ${r.advisoryId}`} onClick={() => setRestoring(r.id)}>
                        Restore…
                      </button>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
