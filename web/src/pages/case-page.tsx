// One case: its versions and their evidence, files, diff, timeline, and the decisions a reviewer can take.
import { useEffect, useState } from 'preact/hooks'
import { api, downloadAttachment, errorMessage, type CaseDetail } from '../api.ts'
import { age, when } from '../format.ts'
import { Link } from '../router.tsx'
import { Badge, ErrorBox, Loading, Risk, Section, useLoad } from '../components/ui.tsx'
import { Evidence } from './case-evidence.tsx'
import { FileBrowser, type FileTarget } from './case-files.tsx'
import { DiffView } from './case-diff.tsx'
import { Timeline } from './case-timeline.tsx'
import { CaseActions } from './case-actions.tsx'

export function CasePage(props: { id: number; me: string }) {
  const detail = useLoad(() => api<CaseDetail>('GET', `review/cases/${props.id}`), String(props.id))
  const [versionId, setVersionId] = useState<number | null>(null)
  const [target, setTarget] = useState<FileTarget | null>(null)
  const [claimError, setClaimError] = useState<string | null>(null)
  const [forensic, setForensic] = useState<string | null>(null)
  const c = detail.data

  // Start on the riskiest version still under review: that is the one to judge.
  useEffect(() => {
    if (!c) return
    if (versionId !== null && c.versions.some((v) => v.id === versionId)) return
    const ranked = [...c.versions].sort((a, b) => Number(b.state === 'held') - Number(a.state === 'held') || (b.score ?? 0) - (a.score ?? 0))
    setVersionId(ranked[0]?.id ?? null)
  }, [c, versionId])

  if (detail.error && !c) return <ErrorBox error={detail.error} />
  if (!c) return <Loading what={`case ${props.id}`} />
  const version = c.versions.find((v) => v.id === versionId) ?? c.versions[0]

  async function claim(on: boolean) {
    setClaimError(null)
    try {
      await api('POST', `review/cases/${props.id}/${on ? 'claim' : 'unclaim'}`, {})
      detail.reload()
    } catch (err) {
      setClaimError(errorMessage(err))
    }
  }

  async function download(versionId: number, label: string) {
    setClaimError(null)
    try {
      const sha256 = await downloadAttachment(`review/forensics/${versionId}`)
      setForensic(`Downloaded the forensic archive of ${label}${sha256 ? `; SHA-256 ${sha256}` : ''}.`)
    } catch (err) {
      setClaimError(errorMessage(err))
    }
  }

  return (
    <>
      <p class="crumbs">
        <Link to="/">Queue</Link> › case #{c.id}
      </p>
      <h1>
        <span class="eco">{c.ecosystem}</span> {c.package} <span class="muted">· case #{c.id}</span>
      </h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <Badge kind={c.status}>{c.status}</Badge>{' '}
          {c.resolution && <Badge kind={c.resolution}>{c.resolution}</Badge>}
        </dd>
        <dt>Risk</dt>
        <dd>
          <Risk value={c.risk} />
        </dd>
        <dt>Source</dt>
        <dd>{c.source}</dd>
        <dt>Opened</dt>
        <dd title={when(c.openedAt)}>{age(c.openedAt)} ago</dd>
        <dt>Assignee</dt>
        <dd>
          {c.assignee ?? <span class="muted">unassigned</span>}{' '}
          {c.status !== 'closed' &&
            (c.assignee === props.me ? (
              <button type="button" class="small" onClick={() => claim(false)}>
                Unclaim
              </button>
            ) : (
              <button type="button" class="small" onClick={() => claim(true)}>
                {c.assignee ? 'Take over' : 'Claim'}
              </button>
            ))}
        </dd>
      </dl>
      <ErrorBox error={claimError ?? detail.error} />
      {forensic && (
        <p class="notice" role="status">
          {forensic}
        </p>
      )}

      <Section title="Versions">
        <table class="grid" aria-label="Versions in this case">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">State</th>
              <th scope="col" class="num">Score</th>
              <th scope="col">Verdict</th>
              <th scope="col">Publisher</th>
              <th scope="col">Uploaded</th>
              <th scope="col">
                <span class="sr-only">Show</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {c.versions.map((v) => (
              <tr key={v.id} class={v.id === version?.id ? 'selected' : undefined}>
                <td>{v.version}</td>
                <td>
                  <Badge kind={v.state}>{v.state}</Badge>
                  {v.state === 'removed' && (
                    <button type="button" class="small" onClick={() => download(v.id, v.version)}>
                      Forensic archive
                    </button>
                  )}
                </td>
                <td class="num">
                  <Risk value={v.score} />
                </td>
                <td>{v.scan?.verdict ?? '—'}</td>
                <td>{v.publisher ?? '—'}</td>
                <td>{when(v.createdAt)}</td>
                <td>
                  {v.id === version?.id ? (
                    <span class="muted">shown below</span>
                  ) : (
                    <button
                      type="button"
                      class="small"
                      onClick={() => {
                        setVersionId(v.id)
                        setTarget(null)
                      }}
                    >
                      Show {v.version}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      {version && (
        <>
          <Evidence version={version} onOpen={setTarget} />
          <FileBrowser key={version.id} version={version} target={target} onOpen={setTarget} />
          <DiffView key={`diff-${version.id}`} version={version} />
        </>
      )}
      <CaseActions detail={c} me={props.me} onChanged={detail.reload} />
      <Timeline caseId={c.id} events={c.events} onChanged={detail.reload} />
    </>
  )
}
