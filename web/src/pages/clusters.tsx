// Campaign clusters: packages of different names (and accounts) whose content or payload is the same once names and versions are masked.
import { useState } from 'preact/hooks'
import { api, type ClusterDetail, type ClusterSummary } from '../api.ts'
import { when } from '../format.ts'
import { Link } from '../router.tsx'
import { Badge, ErrorBox, Loading, Section, TableHead, useLoad } from '../components/ui.tsx'

export function ClustersPage() {
  const clusters = useLoad(() => api<{ clusters: ClusterSummary[] }>('GET', 'clusters'), 'clusters')
  const [open, setOpen] = useState<number | null>(null)

  return (
    <>
      <h1>Campaign clusters</h1>
      <p class="muted">
        Versions of different packages whose files are the same once their names and versions are masked, or that carry the same install-time or flagged code. Removing
        one member as malicious holds every published member; a new upload that matches a removed member is held by the gate.
      </p>
      <Section title="Clusters">
        <ErrorBox error={clusters.error} />
        {clusters.loading && !clusters.data && <Loading what="clusters" />}
        {clusters.data && (
          <table class="grid" aria-label="Clusters">
            <TableHead
              columns={['Cluster', { label: 'Packages', num: true }, { label: 'Published', num: true }, { label: 'Held', num: true }, { label: 'Removed', num: true }, 'First seen', 'Last joined']}
              actions
            />
            <tbody>
              {clusters.data.clusters.length === 0 && (
                <tr>
                  <td colSpan={8} class="muted">
                    No two packages share a fingerprint.
                  </td>
                </tr>
              )}
              {clusters.data.clusters.map((c) => (
                <tr key={c.id} aria-current={open === c.id ? 'true' : undefined}>
                  <td>#{c.id}</td>
                  <td class="num">{c.packages}</td>
                  <td class="num">{c.published}</td>
                  <td class="num">{c.held}</td>
                  <td class="num">{c.removed > 0 ? <Badge kind="removed">{c.removed}</Badge> : 0}</td>
                  <td>{when(c.createdAt)}</td>
                  <td>{when(c.updatedAt)}</td>
                  <td>
                    <button type="button" class="small" aria-label={`Show the members of cluster ${c.id}`} onClick={() => setOpen(open === c.id ? null : c.id)}>
                      {open === c.id ? 'Hide' : 'Members'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {open !== null && <ClusterMembers id={open} />}
    </>
  )
}

function ClusterMembers(props: { id: number }) {
  const detail = useLoad(() => api<ClusterDetail>('GET', `clusters/${props.id}`), `cluster-${props.id}`)
  return (
    <Section title={`Cluster #${props.id}`} id="cluster-members">
      <ErrorBox error={detail.error} />
      {detail.loading && !detail.data && <Loading what="members" />}
      {detail.data && (
        <>
          <p class="muted">
            Shared fingerprints:{' '}
            {detail.data.fingerprints.map((f) => (
              <code key={f}>{f} </code>
            ))}
          </p>
          <table class="grid" aria-label={`Members of cluster ${props.id}`}>
            <TableHead columns={['Package', 'Version', 'State', 'Publisher', 'Uploaded', 'Case']} />
            <tbody>
              {detail.data.members.map((m) => (
                <tr key={m.versionId}>
                  <td>
                    <code>{m.name}</code> <span class="muted">{m.ecosystem}</span>
                  </td>
                  <td>{m.version}</td>
                  <td>
                    <Badge kind={m.state}>{m.state}</Badge>
                  </td>
                  <td>{m.publisher ?? '—'}</td>
                  <td>{when(m.createdAt)}</td>
                  <td>{m.caseId !== null ? <Link to={`/cases/${m.caseId}`}>#{m.caseId}</Link> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Section>
  )
}
