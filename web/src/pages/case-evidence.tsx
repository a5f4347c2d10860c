// A version's evidence: the verdict's reasons, each signal with its code excerpt, and the sandbox trace if one ran.
import { Fragment } from 'preact'
import type { CaseVersionDetail, Signal } from '../api.ts'
import { compact, when } from '../format.ts'
import { Badge, Section } from '../components/ui.tsx'
import type { FileTarget } from './case-files.tsx'

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info']
const rank = (s: Signal) => {
  const i = SEVERITY_ORDER.indexOf(s.severity)
  return i < 0 ? SEVERITY_ORDER.length : i
}

export function Evidence(props: { version: CaseVersionDetail; onOpen: (target: FileTarget) => void }) {
  const scan = props.version.scan
  if (!scan) {
    return (
      <Section title={`Evidence for ${props.version.version}`} id="evidence">
        <p class="muted">No scan recorded for this version.</p>
      </Section>
    )
  }
  const signals = [...scan.signals].sort((a, b) => rank(a) - rank(b) || b.weight - a.weight)
  return (
    <Section title={`Evidence for ${props.version.version}`} id="evidence">
      <p>
        Verdict <Badge kind={scan.verdict}>{scan.verdict}</Badge> with score <strong>{scan.score}</strong>
        <span class="muted">
          {' '}
          · ruleset {scan.rulesetVersion} · scanned {when(scan.createdAt)}
        </span>
      </p>
      {props.version.stateReason && <p class="muted">{props.version.stateReason}</p>}
      <h3>Verdict reasons</h3>
      {scan.reasons.length ? (
        <ul aria-label="Verdict reasons">
          {scan.reasons.map((r, i) => (
            <li key={i}>{r}</li>
          ))}
        </ul>
      ) : (
        <p class="muted">No reasons given.</p>
      )}
      <h3>Signals ({signals.length})</h3>
      <ol class="signals" aria-label="Signals">
        {signals.map((s, i) => (
          <li key={i} class={`signal sev-${s.severity}`}>
            <div class="signal-head">
              <Badge kind={s.severity}>{s.severity}</Badge>
              <strong>{s.title ?? s.message ?? s.rule}</strong>
              <code class="rule">{s.rule}</code>
              <span class="muted">weight {s.weight}</span>
              {s.file && (
                <button type="button" class="link location" onClick={() => props.onOpen({ path: s.file!, line: s.line ?? null })} title="Open in the file viewer">
                  {s.file}
                  {s.line ? `:${s.line}` : ''}
                </button>
              )}
            </div>
            {s.explanation && <p class="explanation">{s.explanation}</p>}
            {s.message && s.message !== s.title && <p class="muted">{s.message}</p>}
            {s.excerpt && (
              <pre class="excerpt" aria-label={`Excerpt from ${s.file ?? 'the package'}${s.line ? ` line ${s.line}` : ''}`}>
                <code>{s.excerpt}</code>
              </pre>
            )}
          </li>
        ))}
      </ol>
      {scan.trace !== undefined && scan.trace !== null && <Trace trace={scan.trace} />}
    </Section>
  )
}

/** The sandbox's record, shown generically: a summary of fields, events as a table, anything else as JSON. */
function Trace(props: { trace: unknown }) {
  const t = props.trace
  if (typeof t !== 'object' || t === null || Array.isArray(t)) {
    return (
      <>
        <h3>Sandbox trace</h3>
        <pre class="code">{JSON.stringify(t, null, 2)}</pre>
      </>
    )
  }
  const record = t as Record<string, unknown>
  const events = Array.isArray(record.events) ? (record.events as unknown[]) : null
  const summary = record.summary
  const rest = Object.entries(record).filter(([k]) => k !== 'events' && k !== 'summary')
  return (
    <div aria-label="Sandbox trace" role="region">
      <h3>Sandbox trace</h3>
      {summary !== undefined && <KeyValues value={summary} label="Trace summary" />}
      {rest.length > 0 && <KeyValues value={Object.fromEntries(rest)} label="Trace details" />}
      {events && <EventTable events={events} />}
    </div>
  )
}

function KeyValues(props: { value: unknown; label: string }) {
  if (typeof props.value !== 'object' || props.value === null || Array.isArray(props.value)) return <p>{compact(props.value)}</p>
  return (
    <dl class="facts" aria-label={props.label}>
      {Object.entries(props.value as Record<string, unknown>).map(([k, v]) => (
        <Fragment key={k}>
          <dt>{k}</dt>
          <dd>{typeof v === 'object' && v !== null ? <code>{JSON.stringify(v)}</code> : compact(v)}</dd>
        </Fragment>
      ))}
    </dl>
  )
}

const MAX_EVENTS = 500

function EventTable(props: { events: unknown[] }) {
  const rows = props.events.slice(0, MAX_EVENTS).map((e) => (typeof e === 'object' && e !== null && !Array.isArray(e) ? (e as Record<string, unknown>) : { value: e }))
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  return (
    <>
      <table class="grid" aria-label="Trace events">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c}>
                  <code>{compact(r[c])}</code>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {props.events.length > MAX_EVENTS && <p class="muted">{props.events.length - MAX_EVENTS} more events not shown.</p>}
    </>
  )
}
