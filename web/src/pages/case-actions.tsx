// The decisions on a case: dismiss, second opinion, remove (or propose it), and confirm or decline a pending removal.
import { useState } from 'preact/hooks'
import { api, type CaseDetail, type Removal } from '../api.ts'
import { when } from '../format.ts'
import { Link } from '../router.tsx'
import { Badge, Section } from '../components/ui.tsx'
import { ReasonForm } from '../components/reason-form.tsx'

export function CaseActions(props: { detail: CaseDetail; me: string; onChanged: () => void }) {
  const c = props.detail
  const [outcome, setOutcome] = useState<string | null>(null)
  const done = (message: string) => {
    setOutcome(message)
    props.onChanged()
  }

  return (
    <Section title="Decision" id="decision">
      {outcome && (
        <p class="notice" role="status">
          {outcome}
        </p>
      )}
      {c.status === 'closed' ? (
        <p>
          Closed {when(c.closedAt)} as <Badge kind={c.resolution ?? 'closed'}>{c.resolution ?? 'closed'}</Badge>.{' '}
          {(c.removals ?? []).length > 0 && (
            <>
              See <Link to="/removals">removals</Link> to restore.
            </>
          )}
        </p>
      ) : c.pendingRemoval ? (
        <PendingRemoval caseId={c.id} removal={c.pendingRemoval} me={props.me} onDone={done} />
      ) : (
        <div class="actions">
          <ReasonForm
            title="Dismiss as legitimate"
            submitLabel="Dismiss and publish"
            onSubmit={async (reason) => {
              await api('POST', `review/cases/${c.id}/dismiss`, { reason })
              done('Dismissed: the held versions are published and the rules that fired are recorded as false positives.')
            }}
          />
          {c.status === 'open' && (
            <ReasonForm
              title="Request a second opinion"
              submitLabel="Ask for a second opinion"
              onSubmit={async (reason) => {
                await api('POST', `review/cases/${c.id}/second-opinion`, { reason })
                done('The case now awaits a second reviewer.')
              }}
            />
          )}
          <RemoveForm detail={c} onDone={done} />
        </div>
      )}
    </Section>
  )
}

function RemoveForm(props: { detail: CaseDetail; onDone: (message: string) => void }) {
  const c = props.detail
  // The server's default is the case's held and published versions; start from the same choice.
  const [picked, setPicked] = useState<Set<string>>(() => new Set(c.versions.filter((v) => v.state === 'held' || v.state === 'published').map((v) => v.version)))
  const [whole, setWhole] = useState(false)
  const [doubt, setDoubt] = useState(false)
  const [suspend, setSuspend] = useState(false)
  const [reserve, setReserve] = useState(false)

  const toggle = (version: string, on: boolean) => {
    const next = new Set(picked)
    if (on) next.add(version)
    else next.delete(version)
    setPicked(next)
  }

  return (
    <ReasonForm
      title="Remove as malicious"
      submitLabel={doubt ? 'Propose removal' : 'Remove'}
      danger
      onSubmit={async (reason) => {
        if (!whole && picked.size === 0) throw new Error('Choose at least one version, or the whole package.')
        const body = { reason, wholePackage: whole, doubt, suspendOwners: suspend, reserveName: reserve, ...(whole ? {} : { versions: [...picked] }) }
        const answer = await api<{ removal: Removal }>('POST', `review/cases/${c.id}/remove`, body)
        props.onDone(
          answer.removal.status === 'pending'
            ? `Removal proposed (${answer.removal.advisoryId}); it waits for a second reviewer to confirm.`
            : `Removed ${answer.removal.wholePackage ? 'the whole package' : answer.removal.versions.join(', ')}: advisory ${answer.removal.advisoryId}.`,
        )
      }}
    >
      <fieldset disabled={whole}>
        <legend>Versions to remove</legend>
        {c.versions.map((v) => (
          <label key={v.id} class="inline">
            <input type="checkbox" checked={picked.has(v.version)} onChange={(e) => toggle(v.version, e.currentTarget.checked)} /> {v.version}{' '}
            <span class="muted">({v.state})</span>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Options</legend>
        <label class="inline">
          <input type="checkbox" checked={whole} onChange={(e) => setWhole(e.currentTarget.checked)} /> Whole package (every version)
        </label>
        <label class="inline">
          <input type="checkbox" checked={doubt} onChange={(e) => setDoubt(e.currentTarget.checked)} /> I am in doubt: a second reviewer must confirm
        </label>
        <label class="inline">
          <input type="checkbox" checked={suspend} onChange={(e) => setSuspend(e.currentTarget.checked)} /> Suspend the owners
        </label>
        <label class="inline">
          <input type="checkbox" checked={reserve} onChange={(e) => setReserve(e.currentTarget.checked)} /> Reserve the name
        </label>
      </fieldset>
    </ReasonForm>
  )
}

function PendingRemoval(props: { caseId: number; removal: Removal; me: string; onDone: (message: string) => void }) {
  const r = props.removal
  const mine = r.proposedBy === props.me
  return (
    <>
      <div class="pending" role="region" aria-label="Pending removal">
        <p>
          <strong>{r.proposedBy ?? 'someone'}</strong> proposed removing {r.wholePackage ? 'the whole package' : r.versions.join(', ')} ({r.advisoryId}) on {when(r.createdAt)}
          {r.suspendOwners ? ', suspending the owners' : ''}
          {r.reserveName ? ', reserving the name' : ''}.
        </p>
        <blockquote>{r.reason}</blockquote>
        {mine && <p class="muted">You proposed this removal: another reviewer must confirm it. You may still withdraw it.</p>}
      </div>
      <div class="actions">
        {!mine && (
          <ReasonForm
            title="Confirm the removal"
            submitLabel="Confirm removal"
            danger
            onSubmit={async (reason) => {
              await api('POST', `review/cases/${props.caseId}/confirm`, { reason })
              props.onDone('Removal confirmed and carried out.')
            }}
          />
        )}
        <ReasonForm
          title="Decline the removal"
          submitLabel="Decline removal"
          onSubmit={async (reason) => {
            await api('POST', `review/cases/${props.caseId}/decline`, { reason })
            props.onDone('Removal declined; the case is open again.')
          }}
        />
      </div>
    </>
  )
}
