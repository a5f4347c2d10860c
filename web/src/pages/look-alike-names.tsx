// Look-alike names: owners' appeals against typosquat findings (granted or denied with a reason) and the exceptions in force.
import { useState } from 'preact/hooks'
import { api, type NameAppeal, type NameException } from '../api.ts'
import { when } from '../format.ts'
import { Badge, EcosystemField, ErrorBox, Loading, Section, TableHead, useLoad } from '../components/ui.tsx'
import { ReasonAction, ReasonForm } from '../components/reason-form.tsx'

export function LookAlikeNamesPage() {
  const appeals = useLoad(() => api<{ appeals: NameAppeal[] }>('GET', 'names/appeals'), 'appeals')
  const exceptions = useLoad(() => api<{ exceptions: NameException[] }>('GET', 'names/exceptions'), 'exceptions')
  const [deciding, setDeciding] = useState<{ id: number; grant: boolean } | null>(null)
  const [removing, setRemoving] = useState<number | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [ecosystem, setEcosystem] = useState('npm')
  const [name, setName] = useState('')
  const [target, setTarget] = useState('')

  return (
    <>
      <h1>Look-alike names</h1>
      <p class="muted">
        The gate weighs names that resemble popular packages as evidence. Owners may appeal a finding; granting an appeal accepts the name as one of its own. Held
        versions stay on their case until a reviewer dismisses it.
      </p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <Section title="Appeals">
        <ErrorBox error={appeals.error} />
        {appeals.loading && !appeals.data && <Loading what="appeals" />}
        {appeals.data && (
          <table class="grid" aria-label="Appeals">
            <TableHead columns={['Package', 'Finding', 'Owner says', 'By', 'Filed', 'Status']} actions />
            <tbody>
              {appeals.data.appeals.length === 0 && (
                <tr>
                  <td colSpan={7} class="muted">
                    No appeals.
                  </td>
                </tr>
              )}
              {appeals.data.appeals.map((a) => (
                <tr key={a.id}>
                  <td>
                    <code>{a.name}</code> <span class="muted">{a.ecosystem}</span>
                  </td>
                  <td>{a.findings.join('; ')}</td>
                  <td>{a.reason}</td>
                  <td>{a.appellant}</td>
                  <td>{when(a.createdAt)}</td>
                  <td>
                    <Badge kind={a.status} title={a.decisionReason ?? undefined}>
                      {a.status}
                    </Badge>
                    {a.decidedBy && <div class="muted">by {a.decidedBy}</div>}
                  </td>
                  <td>
                    {a.status !== 'open' ? null : deciding?.id === a.id ? (
                      <ReasonForm
                        title={`${deciding.grant ? 'Grant' : 'Deny'} the appeal for ${a.name}`}
                        submitLabel={deciding.grant ? 'Grant appeal' : 'Deny appeal'}
                        danger={!deciding.grant}
                        onSubmit={async (reason) => {
                          await api('POST', `names/appeals/${a.id}/decision`, { grant: deciding.grant, reason })
                          setDeciding(null)
                          setNotice(`${deciding.grant ? 'Granted' : 'Denied'} the appeal for ${a.name}.`)
                          appeals.reload()
                          exceptions.reload()
                        }}
                      />
                    ) : (
                      <>
                        <button type="button" class="small" aria-label={`Grant the appeal for ${a.name}`} onClick={() => setDeciding({ id: a.id, grant: true })}>
                          Grant…
                        </button>{' '}
                        <button type="button" class="small" aria-label={`Deny the appeal for ${a.name}`} onClick={() => setDeciding({ id: a.id, grant: false })}>
                          Deny…
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Exceptions">
        <ErrorBox error={exceptions.error} />
        {exceptions.loading && !exceptions.data && <Loading what="exceptions" />}
        {exceptions.data && (
          <table class="grid" aria-label="Exceptions">
            <TableHead columns={['Ecosystem', 'Name', 'May resemble', 'Reason', 'By', 'Since']} actions />
            <tbody>
              {exceptions.data.exceptions.length === 0 && (
                <tr>
                  <td colSpan={7} class="muted">
                    No exceptions.
                  </td>
                </tr>
              )}
              {exceptions.data.exceptions.map((e) => (
                <tr key={e.id}>
                  <td>{e.ecosystem}</td>
                  <td>
                    <code>{e.name}</code>
                  </td>
                  <td>{e.target === '*' ? 'any popular name' : <code>{e.target}</code>}</td>
                  <td>{e.reason}</td>
                  <td>{e.createdBy}</td>
                  <td>{when(e.createdAt)}</td>
                  <td>
                    <ReasonAction
                      open={removing === e.id}
                      onOpen={() => setRemoving(e.id)}
                      button="Withdraw…"
                      title={`Withdraw the exception for ${e.name}`}
                      submitLabel="Withdraw"
                      onSubmit={async (reason) => {
                        await api('DELETE', `names/exceptions/${e.id}`, { reason })
                        setRemoving(null)
                        setNotice(`Withdrew the exception for ${e.name}.`)
                        exceptions.reload()
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
            title="Add an exception"
            submitLabel="Add exception"
            onSubmit={async (reason) => {
              if (!name.trim()) throw new Error('Enter the name to accept.')
              const row = await api<NameException>('POST', 'names/exceptions', { ecosystem, name: name.trim(), target: target.trim() || '*', reason })
              setName('')
              setTarget('')
              setNotice(`${row.name} may now resemble ${row.target === '*' ? 'any popular name' : row.target}.`)
              exceptions.reload()
            }}
          >
            <div class="row">
              <EcosystemField id="exception-ecosystem" value={ecosystem} onChange={setEcosystem} />
              <span class="field grow">
                <label for="exception-name">Name</label>
                <input id="exception-name" value={name} placeholder="e.g. reactive-utils" onInput={(e) => setName(e.currentTarget.value)} />
              </span>
              <span class="field grow">
                <label for="exception-target">May resemble (empty: any)</label>
                <input id="exception-target" value={target} placeholder="e.g. react" onInput={(e) => setTarget(e.currentTarget.value)} />
              </span>
            </div>
          </ReasonForm>
        </div>
      </Section>
    </>
  )
}
