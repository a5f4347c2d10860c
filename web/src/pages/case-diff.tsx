// The version's changes against the package's previous published version, as unified patches.
import { api, type CaseVersionDetail, type VersionDiff } from '../api.ts'
import { Badge, ErrorBox, Loading, Section, useLoad } from '../components/ui.tsx'

/** Past this many files the patches start collapsed, so a big release does not bury the page. */
const OPEN_LIMIT = 8

export function DiffView(props: { version: CaseVersionDetail }) {
  const diff = useLoad(() => api<VersionDiff>('GET', `review/versions/${props.version.id}/diff`), String(props.version.id))
  const d = diff.data
  return (
    <Section title={`Changes in ${props.version.version}`} id="diff">
      <ErrorBox error={diff.error} />
      {diff.loading && !d && <Loading what="the diff" />}
      {d && (
        <>
          <p class="muted">
            {d.previous ? `Compared with ${d.previous.version}, the previous published version.` : 'No earlier published version: every file is new.'}{' '}
            {d.files.length} file{d.files.length === 1 ? '' : 's'} changed.
          </p>
          {d.files.map((f) => (
            <details key={f.path} class="patch" open={d.files.length <= OPEN_LIMIT}>
              <summary>
                <Badge kind={f.status}>{f.status}</Badge> <code>{f.path}</code>
              </summary>
              <Patch text={f.patch} />
            </details>
          ))}
        </>
      )}
    </Section>
  )
}

function Patch(props: { text: string }) {
  // The "Index:" and "===" header lines of the diff library repeat the path shown above.
  const lines = props.text.split('\n').filter((l, i) => !(i < 2 && (l.startsWith('Index:') || l.startsWith('====='))))
  return (
    <pre class="code diff">
      {lines.map((l, i) => {
        const kind = l.startsWith('+++') || l.startsWith('---') ? 'meta' : l.startsWith('@@') ? 'hunk' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'ctx'
        return (
          <span key={i} class={`dl ${kind}`}>
            {l}
            {'\n'}
          </span>
        )
      })}
    </pre>
  )
}
