// Emergency switches and IP blocks: flipped and added live, each with a reason that goes to the audit log.
import { useState } from 'preact/hooks'
import { api } from '../api.ts'
import type { IpBlock, SwitchEntry } from '../defense-api.ts'
import { when } from '../format.ts'
import { Badge, ErrorBox, Loading, useLoad, TableHead } from '../components/ui.tsx'
import { ReasonAction, ReasonForm } from '../components/reason-form.tsx'

function SwitchRow(props: { entry: SwitchEntry; onChanged: (message: string) => void }) {
  const { entry } = props
  const [open, setOpen] = useState(false)
  const [value, setValue] = useState(entry.kind === 'days' ? '7' : '')
  const label = entry.on ? (entry.kind === 'flag' ? 'on' : `on: ${String(entry.value)}`) : 'off'
  return (
    <tr>
      <th scope="row">
        <code>{entry.name}</code>
        <div class="muted">{entry.description}</div>
      </th>
      <td>
        <Badge kind={entry.on ? 'held' : 'published'}>{label}</Badge>
      </td>
      <td>{entry.on ? `${entry.setBy ?? ''}: ${entry.reason ?? ''}` : ''}</td>
      <td>{when(entry.setAt)}</td>
      <td>
        {open ? (
          <ReasonForm
            title={`${entry.on ? 'Turn off' : 'Turn on'} ${entry.name}`}
            submitLabel={entry.on ? 'Turn off' : 'Turn on'}
            danger={!entry.on}
            onSubmit={async (reason) => {
              const next = entry.on ? 'off' : entry.kind === 'flag' ? 'on' : entry.kind === 'days' ? Number(value) : value
              await api('PUT', `defense/switches/${entry.name}`, { value: next, reason })
              setOpen(false)
              props.onChanged(`${entry.name} is now ${entry.on ? 'off' : 'on'}.`)
            }}
          >
            {!entry.on && entry.kind !== 'flag' && (
              <span class="field">
                <label for={`value-${entry.name}`}>{entry.kind === 'days' ? 'Minimum account age (days)' : 'Banner text'}</label>
                <input id={`value-${entry.name}`} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
              </span>
            )}
          </ReasonForm>
        ) : (
          <button type="button" class="small" aria-label={`${entry.on ? 'Turn off' : 'Turn on'} ${entry.name}`} onClick={() => setOpen(true)}>
            {entry.on ? 'Turn off…' : 'Turn on…'}
          </button>
        )}
      </td>
    </tr>
  )
}

export function DefensePage() {
  const switches = useLoad(() => api<{ switches: SwitchEntry[] }>('GET', 'defense/switches'), 'switches')
  const blocks = useLoad(() => api<{ blocks: IpBlock[] }>('GET', 'defense/ip-blocks'), 'ip-blocks')
  const [notice, setNotice] = useState<string | null>(null)
  const [cidr, setCidr] = useState('')
  const [scopes, setScopes] = useState<string[]>(['registration', 'login', 'upload'])
  const [hours, setHours] = useState('')
  const [lifting, setLifting] = useState<number | null>(null)
  const changed = (message: string) => {
    setNotice(message)
    switches.reload()
    blocks.reload()
  }

  return (
    <>
      <h1>Defense</h1>
      <p class="muted">Switches and blocks apply to every server process within a second, with no restart.</p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <h2>Emergency switches</h2>
      <ErrorBox error={switches.error} />
      {switches.loading && !switches.data && <Loading what="switches" />}
      {switches.data && (
        <table class="grid" aria-label="Emergency switches">
          <TableHead columns={['Switch', 'State', 'Set by and why', 'Since']} actions />
          <tbody>
            {switches.data.switches.map((s) => (
              <SwitchRow key={`${s.name}-${String(s.on)}`} entry={s} onChanged={changed} />
            ))}
          </tbody>
        </table>
      )}

      <h2>IP blocks</h2>
      <ErrorBox error={blocks.error} />
      {blocks.data && (
        <table class="grid" aria-label="IP blocks">
          <TableHead columns={['Range', 'Blocks', 'Reason', 'Expires']} actions />
          <tbody>
            {blocks.data.blocks.length === 0 && (
              <tr>
                <td colSpan={5} class="muted">
                  No IP blocks.
                </td>
              </tr>
            )}
            {blocks.data.blocks.map((b) => (
              <tr key={b.id}>
                <td>
                  <code>{b.cidr}</code>
                </td>
                <td>{b.scopes.join(', ')}</td>
                <td>{b.reason}</td>
                <td>{b.expiresAt ? when(b.expiresAt) : 'never'}</td>
                <td>
                  <ReasonAction
                    open={lifting === b.id}
                    onOpen={() => setLifting(b.id)}
                    button="Lift…"
                    title={`Lift the block on ${b.cidr}`}
                    submitLabel="Lift block"
                    onSubmit={async (reason) => {
                      await api('DELETE', `defense/ip-blocks/${b.id}`, { reason })
                      setLifting(null)
                      changed(`Lifted the block on ${b.cidr}.`)
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="panel">
        <ReasonForm
          title="Block an address range"
          submitLabel="Add block"
          danger
          onSubmit={async (reason) => {
            if (!cidr.trim()) throw new Error('Enter an address or a CIDR range.')
            const block = await api<IpBlock>('POST', 'defense/ip-blocks', { cidr: cidr.trim(), scopes, reason, ...(hours ? { expiresInHours: Number(hours) } : {}) })
            setCidr('')
            changed(`Blocked ${block.cidr}.`)
          }}
        >
          <div class="row">
            <span class="field grow">
              <label for="block-cidr">Address or range</label>
              <input id="block-cidr" value={cidr} placeholder="203.0.113.0/24 or 2001:db8::/32" onInput={(e) => setCidr(e.currentTarget.value)} />
            </span>
            <span class="field">
              <label for="block-hours">Expires after (hours)</label>
              <input id="block-hours" value={hours} inputMode="numeric" placeholder="never" onInput={(e) => setHours(e.currentTarget.value)} />
            </span>
            <fieldset class="field">
              <legend>Blocks</legend>
              {['registration', 'login', 'upload'].map((s) => (
                <label key={s}>
                  <input
                    type="checkbox"
                    checked={scopes.includes(s)}
                    onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
                  />{' '}
                  {s}
                </label>
              ))}
            </fieldset>
          </div>
        </ReasonForm>
      </div>
    </>
  )
}
