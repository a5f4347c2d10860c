// Name blocks: names new packages may not take (exact, prefix or glob), added and lifted with a reason.
import { useState } from 'preact/hooks'
import { api, type NameBlock } from '../api.ts'
import { when } from '../format.ts'
import { EcosystemField, ErrorBox, Loading, useLoad, TableHead } from '../components/ui.tsx'
import { ReasonAction, ReasonForm } from '../components/reason-form.tsx'

export function NameBlocksPage() {
  const list = useLoad(() => api<{ blocks: NameBlock[] }>('GET', 'review/name-blocks'), 'blocks')
  const [ecosystem, setEcosystem] = useState('npm')
  const [kind, setKind] = useState<NameBlock['kind']>('exact')
  const [pattern, setPattern] = useState('')
  const [removing, setRemoving] = useState<number | null>(null)
  const [notice, setNotice] = useState<string | null>(null)

  return (
    <>
      <h1>Name blocks</h1>
      <p class="muted">A new package whose normalised name matches a block is refused. Existing packages are unaffected.</p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorBox error={list.error} />
      {list.loading && !list.data && <Loading what="name blocks" />}
      {list.data && (
        <table class="grid" aria-label="Name blocks">
          <TableHead columns={['Ecosystem', 'Kind', 'Pattern', 'Reason', 'By', 'Since']} actions />
          <tbody>
            {list.data.blocks.length === 0 && (
              <tr>
                <td colSpan={7} class="muted">
                  No name blocks.
                </td>
              </tr>
            )}
            {list.data.blocks.map((b) => (
              <tr key={b.id}>
                <td>{b.ecosystem ?? 'all'}</td>
                <td>{b.kind}</td>
                <td>
                  <code>{b.pattern}</code>
                </td>
                <td>{b.reason}</td>
                <td>{b.createdBy ?? b.source ?? '—'}</td>
                <td>{when(b.createdAt)}</td>
                <td>
                  <ReasonAction
                    open={removing === b.id}
                    onOpen={() => setRemoving(b.id)}
                    button="Lift…"
                    title={`Lift the block on ${b.pattern}`}
                    submitLabel="Lift block"
                    onSubmit={async (reason) => {
                      await api('DELETE', `review/name-blocks/${b.id}`, { reason })
                      setRemoving(null)
                      setNotice(`Lifted the block on ${b.pattern}.`)
                      list.reload()
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
          title="Add a name block"
          submitLabel="Add block"
          onSubmit={async (reason) => {
            if (!pattern.trim()) throw new Error('Enter the name or pattern to block.')
            const block = await api<NameBlock>('POST', 'review/name-blocks', { ecosystem: ecosystem === 'all' ? null : ecosystem, kind, pattern: pattern.trim(), reason })
            setPattern('')
            setNotice(`Blocked ${block.kind} ${block.pattern}.`)
            list.reload()
          }}
        >
          <div class="row">
            <EcosystemField id="block-ecosystem" value={ecosystem} onChange={setEcosystem} all />
            <span class="field">
              <label for="block-kind">Kind</label>
              <select id="block-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as NameBlock['kind'])}>
                <option value="exact">exact</option>
                <option value="prefix">prefix</option>
                <option value="glob">glob</option>
              </select>
            </span>
            <span class="field grow">
              <label for="block-pattern">Pattern</label>
              <input id="block-pattern" value={pattern} placeholder="e.g. expresss or @acme-internal/*" onInput={(e) => setPattern(e.currentTarget.value)} />
            </span>
          </div>
        </ReasonForm>
      </div>
    </>
  )
}
