// For package owners: their packages the gate found resembling popular names, and an appeal form for each.
import { useState } from 'preact/hooks'
import { api, type OwnedFinding } from '../api.ts'
import { when } from '../format.ts'
import { Badge, ErrorBox, Loading, useLoad } from '../components/ui.tsx'
import { ReasonForm } from '../components/reason-form.tsx'

export function MyPackagesPage() {
  const list = useLoad(() => api<{ packages: OwnedFinding[] }>('GET', 'names/findings'), 'packages')
  const [appealing, setAppealing] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)

  return (
    <>
      <h1>My packages</h1>
      <p class="muted">
        Packages you own whose names the gate found close to a popular package's. If the resemblance is innocent, appeal: the security team reads your reason and
        answers here.
      </p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorBox error={list.error} />
      {list.loading && !list.data && <Loading what="your packages" />}
      {list.data && list.data.packages.length === 0 && <p class="muted">None of your packages has a look-alike finding.</p>}
      {list.data?.packages.map((p) => (
        <div class="panel" key={`${p.ecosystem}/${p.name}`} aria-label={`Findings for ${p.name}`}>
          <h2>
            <code>{p.name}</code> <span class="muted">{p.ecosystem}</span>
          </h2>
          <ul>
            {p.findings.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
          {p.appeal && (
            <p>
              Appeal filed {when(p.appeal.createdAt)}: <Badge kind={p.appeal.status}>{p.appeal.status}</Badge>
              {p.appeal.decisionReason && <span> — {p.appeal.decisionReason}</span>}
            </p>
          )}
          {(!p.appeal || p.appeal.status === 'denied') &&
            (appealing === p.name ? (
              <ReasonForm
                title={`Appeal the finding on ${p.name}`}
                submitLabel="Send appeal"
                reasonLabel="Why the name is legitimate"
                onSubmit={async (reason) => {
                  await api('POST', 'names/appeals', { ecosystem: p.ecosystem, name: p.name, reason })
                  setAppealing(null)
                  setNotice(`Your appeal for ${p.name} was sent to the security team.`)
                  list.reload()
                }}
              />
            ) : (
              <button type="button" onClick={() => setAppealing(p.name)}>
                Appeal…
              </button>
            ))}
        </div>
      ))}
    </>
  )
}
