// The console's login: the session token and user, kept in sessionStorage so closing the tab signs out.
import type { SessionUser } from './api.ts'

const KEY = 'gatehouse.console.session'

export interface Session {
  token: string
  user: SessionUser
  expiresAt: string
}

export function currentSession(): Session | null {
  const raw = sessionStorage.getItem(KEY)
  if (!raw) return null
  try {
    const session = JSON.parse(raw) as Session
    // An expired token would only earn a 401 on the next call; drop it now.
    if (Date.parse(session.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(KEY)
      return null
    }
    return session
  } catch {
    sessionStorage.removeItem(KEY)
    return null
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session))
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY)
}

export const isReviewer = (user: SessionUser): boolean => user.role === 'reviewer' || user.role === 'admin'
