// Incidents: open one, post timestamped updates to the status page, define the attack window, quarantine it, export the evidence.
import { useState } from 'preact/hooks'
import { api, downloadAttachment } from '../api.ts'
import type { Incident, WindowVersion } from '../defense-api.ts'
import { when } from '../format.ts'
import { Badge, ErrorBox, Loading, useLoad, TableHead } from '../components/ui.tsx'
import { ReasonForm } from '../components/reason-form.tsx'

const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const
const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean)
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)

function WindowEditor(props: { incident: Incident; onSaved: () => void }) {
  const saved = props.incident.window ? (JSON.parse(props.incident.window) as Record<string, unknown>) : {}
  const [from, setFrom] = useState(typeof saved.from === 'string' ? localInput(new Date(saved.from)) : localInput(new Date(Date.now() - 3_600_000)))
  // The inputs hold whole minutes: the default end is the next minute, so uploads of this minute fall inside.
  const [to, setTo] = useState(typeof saved.to === 'string' ? localInput(new Date(saved.to)) : localInput(new Date(Date.now() + 60_000)))
  const [accounts, setAccounts] = useState(Array.isArray(saved.accounts) ? (saved.accounts as string[]).join(', ') : '')
  const [ips, setIps] = useState(Array.isArray(saved.ips) ? (saved.ips as string[]).join(', ') : '')
  const [names, setNames] = useState(Array.isArray(saved.namePatterns) ? (saved.namePatterns as string[]).join(', ') : '')
  const [error, setError] = useState<string | null>(null)
  async function save(e: Event) {
    e.preventDefault()
    setError(null)
    const window = {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      ...(list(accounts).length ? { accounts: list(accounts) } : {}),
      ...(list(ips).length ? { ips: list(ips) } : {}),
      ...(list(names).length ? { namePatterns: list(names) } : {}),
    }
    try {
      await api('PUT', `defense/incidents/${props.incident.id}/window`, { window })
      props.onSaved()
    } catch (err) {
      setError((err as Error).message)
    }
  }
  const id = (f: string) => `window-${props.incident.id}-${f}`
  return (
    <form class="panel" aria-label="Attack window" onSubmit={save}>
      <h3>Attack window</h3>
      <div class="row">
        <span class="field">
          <label for={id('from')}>From</label>
          <input id={id('from')} type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </span>
        <span class="field">
          <label for={id('to')}>To</label>
          <input id={id('to')} type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </span>
        <span class="field grow">
          <label for={id('accounts')}>Accounts</label>
          <input id={id('accounts')} value={accounts} placeholder="comma-separated" onInput={(e) => setAccounts(e.currentTarget.value)} />
        </span>
        <span class="field grow">
          <label for={id('ips')}>Addresses or ranges</label>
          <input id={id('ips')} value={ips} onInput={(e) => setIps(e.currentTarget.value)} />
        </span>
        <span class="field grow">
          <label for={id('names')}>Name patterns</label>
          <input id={id('names')} value={names} placeholder="e.g. *-utils-?" onInput={(e) => setNames(e.currentTarget.value)} />
        </span>
      </div>
      <ErrorBox error={error} />
      <button type="submit">Save window</button>
    </form>
  )
}

function IncidentPanel(props: { incident: Incident; onChanged: (message: string) => void }) {
  const { incident } = props
  const versions = useLoad(() => api<{ versions: WindowVersion[] }>('GET', `defense/incidents/${incident.id}/versions`), `${incident.id}-${incident.window ?? ''}`)
  const [status, setStatus] = useState<string>(incident.status)
  const [suspend, setSuspend] = useState(false)
  return (
    <section class="panel" aria-label={`Incident ${incident.id}: ${incident.title}`}>
      <h2>
        {incident.title} <Badge kind={incident.status === 'resolved' ? 'published' : 'held'}>{incident.status}</Badge>
      </h2>
      <ol class="timeline">
        {incident.updates.map((u) => (
          <li key={u.id}>
            <time>{when(u.created_at)}</time> <b>{u.status}</b> — {u.body} <span class="muted">({u.created_by})</span>
          </li>
        ))}
      </ol>
      <ReasonForm
        title={`Post an update on ${incident.title}`}
        submitLabel="Post update"
        reasonLabel="Update (public on the status page)"
        onSubmit={async (body) => {
          await api('POST', `defense/incidents/${incident.id}/updates`, { status, body })
          props.onChanged(`Posted an update on ${incident.title}.`)
        }}
      >
        <span class="field">
          <label for={`status-${incident.id}`}>Status</label>
          <select id={`status-${incident.id}`} value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </span>
      </ReasonForm>
      <WindowEditor incident={incident} onSaved={() => props.onChanged('Saved the attack window.')} />
      {versions.data && (
        <table class="grid" aria-label="Versions in the attack window">
          <TableHead columns={['Package', 'State', 'Publisher', 'Address', 'Uploaded']} />
          <tbody>
            {versions.data.versions.map((v) => (
              <tr key={v.versionId}>
                <td>
                  {v.name}@{v.version}
                </td>
                <td>
                  <Badge kind={v.state}>{v.state}</Badge>
                </td>
                <td>{v.publisher}</td>
                <td>{v.ip ?? '—'}</td>
                <td>{when(v.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {incident.window && (
        <ReasonForm
          title={`Quarantine the window of ${incident.title}`}
          submitLabel="Quarantine"
          danger
          onSubmit={async (reason) => {
            const res = await api<{ held: string[] }>('POST', `defense/incidents/${incident.id}/quarantine`, { reason, suspendAccounts: suspend })
            props.onChanged(`Quarantined ${res.held.length} versions.`)
            versions.reload()
          }}
        >
          <label>
            <input type="checkbox" checked={suspend} onChange={(e) => setSuspend(e.currentTarget.checked)} /> Suspend the publishing accounts
          </label>
        </ReasonForm>
      )}
      <button type="button" onClick={() => void downloadAttachment(`defense/incidents/${incident.id}/export`)}>
        Export forensic bundle
      </button>
    </section>
  )
}

export function IncidentsPage() {
  const incidents = useLoad(() => api<{ incidents: Incident[] }>('GET', 'defense/incidents'), 'incidents')
  const [notice, setNotice] = useState<string | null>(null)
  const [title, setTitle] = useState('')
  const changed = (message: string) => {
    setNotice(message)
    incidents.reload()
  }
  return (
    <>
      <h1>Incidents</h1>
      <p class="muted">
        Updates appear on the public <a href="/-/status">status page</a> and its feed.
      </p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorBox error={incidents.error} />
      {incidents.loading && !incidents.data && <Loading what="incidents" />}
      {incidents.data?.incidents.map((i) => <IncidentPanel key={`${i.id}-${i.updates.length}-${i.window ?? ''}`} incident={i} onChanged={changed} />)}
      <div class="panel">
        <ReasonForm
          title="Open an incident"
          submitLabel="Open incident"
          reasonLabel="First update (public on the status page)"
          onSubmit={async (body) => {
            if (title.trim().length < 3) throw new Error('Give the incident a title.')
            await api('POST', 'defense/incidents', { title: title.trim(), body })
            setTitle('')
            changed('Opened the incident.')
          }}
        >
          <span class="field grow">
            <label for="incident-title">Title</label>
            <input id="incident-title" value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
          </span>
        </ReasonForm>
      </div>
    </>
  )
}
