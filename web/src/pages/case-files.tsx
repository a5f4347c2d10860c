// A version's files: a tree of the archive's paths and a viewer with line numbers (signals open it at their line).
import { useEffect, useMemo, useRef } from 'preact/hooks'
import { api, query, type CaseVersionDetail, type FileContent, type FileEntry } from '../api.ts'
import { bytes } from '../format.ts'
import { ErrorBox, Loading, Section, useLoad } from '../components/ui.tsx'

export interface FileTarget {
  path: string
  line: number | null
}

interface Dir {
  dirs: Map<string, Dir>
  files: FileEntry[]
}

function buildTree(files: FileEntry[]): Dir {
  const root: Dir = { dirs: new Map(), files: [] }
  for (const f of files) {
    const parts = f.path.split('/')
    let dir = root
    for (const part of parts.slice(0, -1)) {
      let next = dir.dirs.get(part)
      if (!next) dir.dirs.set(part, (next = { dirs: new Map(), files: [] }))
      dir = next
    }
    dir.files.push(f)
  }
  return root
}

export function FileBrowser(props: { version: CaseVersionDetail; target: FileTarget | null; onOpen: (t: FileTarget) => void }) {
  const list = useLoad(() => api<{ files: FileEntry[] }>('GET', `review/versions/${props.version.id}/files`), String(props.version.id))
  const tree = useMemo(() => (list.data ? buildTree([...list.data.files].sort((a, b) => a.path.localeCompare(b.path))) : null), [list.data])
  const flagged = new Set(props.version.scan?.signals.map((s) => s.file).filter((f): f is string => !!f))

  return (
    <Section title={`Files of ${props.version.version}`} id="files">
      <ErrorBox error={list.error} />
      {list.loading && !list.data && <Loading what="files" />}
      {tree && (
        <div class="files">
          <nav class="tree" aria-label={`File tree of ${props.version.version}`}>
            <TreeLevel dir={tree} current={props.target?.path ?? null} flagged={flagged} onOpen={(path) => props.onOpen({ path, line: null })} />
          </nav>
          <div class="viewer">
            {props.target ? (
              <FileViewer versionId={props.version.id} target={props.target} />
            ) : (
              <p class="muted">Choose a file to read it. Files with signals are marked ⚑.</p>
            )}
          </div>
        </div>
      )}
    </Section>
  )
}

function TreeLevel(props: { dir: Dir; current: string | null; flagged: Set<string>; onOpen: (path: string) => void }) {
  return (
    <ul>
      {[...props.dir.dirs].map(([name, sub]) => (
        <li key={`d-${name}`}>
          <details open>
            <summary>{name}/</summary>
            <TreeLevel {...props} dir={sub} />
          </details>
        </li>
      ))}
      {props.dir.files.map((f) => {
        const name = f.path.split('/').pop() ?? f.path
        return (
          <li key={f.path}>
            <button
              type="button"
              class={`link file${f.path === props.current ? ' current' : ''}`}
              aria-current={f.path === props.current ? 'true' : undefined}
              aria-label={`Open ${f.path}`}
              onClick={() => props.onOpen(f.path)}
            >
              {props.flagged.has(f.path) && <span class="flag" aria-hidden="true">⚑ </span>}
              {name}
            </button>{' '}
            <span class="muted size">{bytes(f.size)}</span>
          </li>
        )
      })}
    </ul>
  )
}

function FileViewer(props: { versionId: number; target: FileTarget }) {
  const file = useLoad(() => api<FileContent>('GET', `review/versions/${props.versionId}/file${query({ path: props.target.path })}`), `${props.versionId}|${props.target.path}`)
  const marked = useRef<HTMLTableRowElement>(null)
  useEffect(() => {
    marked.current?.scrollIntoView({ block: 'center' })
  }, [file.data, props.target.line])

  return (
    <section aria-label={`File ${props.target.path}`}>
      <h3 class="path">{props.target.path}</h3>
      <ErrorBox error={file.error} />
      {file.loading && !file.data && <Loading what={props.target.path} />}
      {file.data?.binary && <p class="muted">Binary file, {bytes(file.data.size)}; download the forensic archive to inspect it.</p>}
      {file.data && file.data.text !== null && (
        <>
          {file.data.truncated && <p class="notice">Only the first 512 KiB of {bytes(file.data.size)} are shown.</p>}
          <div class="code-scroll">
            <table class="code-lines" aria-label={`Contents of ${props.target.path}`}>
              <tbody>
                {file.data.text.split('\n').map((line, i) => (
                  <tr key={i} ref={i + 1 === props.target.line ? marked : undefined} class={i + 1 === props.target.line ? 'hit' : undefined}>
                    <td class="ln">{i + 1}</td>
                    <td>
                      <code>{line}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  )
}
