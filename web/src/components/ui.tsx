// Shared building blocks: loading data from the API, showing errors, status badges.
import type { ComponentChildren } from 'preact'
import { useCallback, useEffect, useState } from 'preact/hooks'
import { errorMessage } from '../api.ts'

export interface Loaded<T> {
  data: T | null
  error: string | null
  loading: boolean
  reload: () => void
}

/** Loads once per change of `key`, and again on reload(); a late answer for an old key is dropped. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({ data: null, error: null, loading: true })
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let live = true
    setState((s) => ({ ...s, loading: true }))
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (err: unknown) => live && setState({ data: null, error: errorMessage(err), loading: false }),
    )
    return () => {
      live = false
    }
    // `load` is a fresh closure each render; `key` says when it means something new.
  }, [key, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { ...state, reload }
}

export function ErrorBox(props: { error: string | null }) {
  if (!props.error) return null
  return (
    <p class="error" role="alert">
      {props.error}
    </p>
  )
}

export function Loading(props: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {props.what}…
    </p>
  )
}

export function Badge(props: { kind: string; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge badge-${props.kind.replace(/[^a-z0-9-]/gi, '')}`} title={props.title}>
      {props.children}
    </span>
  )
}

/** Risk as a number with a colour band matching the gate's thresholds (50 hold, 150 reject by default). */
export function Risk(props: { value: number | null }) {
  if (props.value === null) return <span class="muted">—</span>
  const band = props.value >= 150 ? 'critical' : props.value >= 50 ? 'high' : props.value > 0 ? 'low' : 'none'
  return <span class={`risk risk-${band}`}>{props.value}</span>
}

export function Section(props: { title: string; children: ComponentChildren; id?: string }) {
  const headingId = `${props.id ?? props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-heading`
  return (
    <section aria-labelledby={headingId} class="panel">
      <h2 id={headingId}>{props.title}</h2>
      {props.children}
    </section>
  )
}

/** A table's column headers; `actions` adds the visually hidden header of a trailing actions column. */
export function TableHead(props: { columns: readonly (string | { label: string; num: true })[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c) =>
          typeof c === 'string' ? (
            <th key={c} scope="col">
              {c}
            </th>
          ) : (
            <th key={c.label} scope="col" class="num">
              {c.label}
            </th>
          ),
        )}
        {props.actions && (
          <th scope="col">
            <span class="sr-only">Actions</span>
          </th>
        )}
      </tr>
    </thead>
  )
}

/** The ecosystem picker of the console's forms; `all` adds an "all ecosystems" choice. */
export function EcosystemField(props: { id: string; value: string; onChange: (value: string) => void; all?: boolean }) {
  return (
    <span class="field">
      <label for={props.id}>Ecosystem</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="npm">npm</option>
        <option value="pypi">PyPI</option>
        <option value="rubygems">RubyGems</option>
        {props.all && <option value="all">all ecosystems</option>}
      </select>
    </span>
  )
}
