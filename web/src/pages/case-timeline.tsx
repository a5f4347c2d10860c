// The case's timeline (opened, claims, comments, decisions) and a form to add a comment.
import { api, type CaseEvent } from '../api.ts'
import { when } from '../format.ts'
import { Badge, Section } from '../components/ui.tsx'
import { ReasonForm } from '../components/reason-form.tsx'

export function Timeline(props: { caseId: number; events: CaseEvent[]; onChanged: () => void }) {
  return (
    <Section title="Timeline" id="timeline">
      <ol class="timeline" aria-label="Case events">
        {props.events.map((e) => (
          <li key={e.id}>
            <span class="muted">{when(e.createdAt)}</span> <Badge kind={e.kind}>{e.kind}</Badge> <strong>{e.actor ?? 'system'}</strong>
            {e.body && <p class="event-body">{e.body}</p>}
          </li>
        ))}
      </ol>
      <ReasonForm
        title="Add a comment"
        reasonLabel="Comment"
        submitLabel="Comment"
        minLength={1}
        onSubmit={async (body) => {
          await api('POST', `review/cases/${props.caseId}/comments`, { body })
          props.onChanged()
        }}
      />
    </Section>
  )
}
