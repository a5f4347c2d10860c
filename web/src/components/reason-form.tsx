// A form for a state-changing action: every one needs a written reason, which goes to the audit log.
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { errorMessage } from '../api.ts'

/** Mirrors GATEHOUSE_REVIEW_REASON_MIN_LENGTH's default; the server has the last word and its error is shown. */
export const MIN_REASON = 10

export interface ReasonFormProps {
  /** The form's accessible name, e.g. "Dismiss as legitimate". */
  title: string
  submitLabel: string
  onSubmit: (reason: string) => Promise<void>
  danger?: boolean
  /** Extra fields shown above the reason. */
  children?: ComponentChildren
  /** Text of the reason field's label. */
  reasonLabel?: string
  /** Shortest accepted text; comments accept anything non-empty. */
  minLength?: number
}

export function ReasonForm(props: ReasonFormProps) {
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const min = props.minLength ?? MIN_REASON
  const id = `reason-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`

  async function submit(e: Event) {
    e.preventDefault()
    const text = reason.trim()
    if (text.length < min) {
      setError(min > 1 ? `Write a reason of at least ${min} characters: it goes to the audit log.` : 'Write something first.')
      return
    }
    setBusy(true)
    setError(null)
    try {
      await props.onSubmit(text)
      setReason('')
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class={`reason-form${props.danger ? ' danger' : ''}`} aria-label={props.title} onSubmit={submit} noValidate>
      <h3>{props.title}</h3>
      {props.children}
      <label for={id}>{props.reasonLabel ?? 'Reason'}</label>
      <textarea id={id} rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} aria-invalid={error ? true : undefined} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class={props.danger ? 'danger' : undefined} disabled={busy}>
        {busy ? 'Working…' : props.submitLabel}
      </button>
    </form>
  )
}

/** A row's action: a small button that opens a reason form in its place (the page keeps which row is open). */
export function ReasonAction(props: { open: boolean; onOpen: () => void; button: string; title: string; submitLabel: string; onSubmit: (reason: string) => Promise<void>; danger?: boolean }) {
  if (props.open) return <ReasonForm title={props.title} submitLabel={props.submitLabel} onSubmit={props.onSubmit} {...(props.danger ? { danger: true } : {})} />
  return (
    <button type="button" class="small" aria-label={props.title} onClick={props.onOpen}>
      {props.button}
    </button>
  )
}
