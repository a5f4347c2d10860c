// Sign-in: trades a name and password for a 12-hour token; only reviewers and admins may use the console.
import { useState } from 'preact/hooks'
import { api, errorMessage, type SessionUser } from '../api.ts'
import { saveSession, type Session } from '../session.ts'

interface SessionAnswer {
  token: string
  user: SessionUser
  expiresAt: string
}

export function LoginPage(props: { onLogin: (session: Session) => void; notice: string | null }) {
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function submit(e: Event) {
    e.preventDefault()
    if (!name || !password) {
      setError('Enter your user name and password.')
      return
    }
    setBusy(true)
    setError(null)
    try {
      const answer = await api<SessionAnswer>('POST', 'session', { name, password })
      const session = { token: answer.token, user: answer.user, expiresAt: answer.expiresAt }
      saveSession(session)
      props.onLogin(session)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class="login">
      <form onSubmit={submit} aria-label="Sign in" noValidate>
        <h1>Gatehouse security console</h1>
        {props.notice && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
        <label for="login-name">User name</label>
        <input id="login-name" autocomplete="username" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="login-password">Password</label>
        <input id="login-password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
