// The security console's entry point: the shell (navigation, who is signed in) and the page for each route.
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, onSessionExpired } from './api.ts'
import { clearSession, currentSession, isReviewer, type Session } from './session.ts'
import { Link, navigate, useRoute } from './router.tsx'
import { LoginPage } from './pages/login.tsx'
import { QueuePage } from './pages/queue.tsx'
import { CasePage } from './pages/case-page.tsx'
import { AuditPage } from './pages/audit-log.tsx'
import { NameBlocksPage } from './pages/name-blocks.tsx'
import { RemovalsPage } from './pages/removals.tsx'
import { DefensePage } from './pages/defense.tsx'
import { AlertsPage } from './pages/alerts.tsx'
import { IncidentsPage } from './pages/incidents.tsx'
import { LookAlikeNamesPage } from './pages/look-alike-names.tsx'
import { MyPackagesPage } from './pages/my-packages.tsx'
import { ClustersPage } from './pages/clusters.tsx'
import { IntelligencePage } from './pages/intelligence.tsx'
import type { PublicStatus } from './defense-api.ts'

const NAV = [
  { to: '/', label: 'Queue' },
  { to: '/removals', label: 'Removals' },
  { to: '/name-blocks', label: 'Name blocks' },
  { to: '/look-alike-names', label: 'Look-alike names' },
  { to: '/clusters', label: 'Clusters' },
  { to: '/intelligence', label: 'Intelligence' },
  { to: '/audit', label: 'Audit log' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/incidents', label: 'Incidents' },
  { to: '/defense', label: 'Defense' },
]

/** Package owners who are not on the security team see only their own packages' findings. */
const OWNER_NAV = [{ to: '/my-packages', label: 'My packages' }]

const navFor = (session: Session) => (isReviewer(session.user) ? NAV : OWNER_NAV)

function App() {
  const route = useRoute()
  const [session, setSession] = useState<Session | null>(currentSession)
  const [notice, setNotice] = useState<string | null>(null)

  useEffect(() => {
    onSessionExpired(() => {
      setSession(null)
      setNotice('Your session has ended; sign in again.')
    })
  }, [])

  useEffect(() => {
    document.title = session ? `Gatehouse console — ${titleOf(route.path)}` : 'Gatehouse console — sign in'
  }, [route.path, session])

  if (!session) {
    return (
      <LoginPage
        notice={notice}
        onLogin={(s) => {
          setNotice(null)
          setSession(s)
          if (route.path === '/login') navigate('/', { replace: true })
        }}
      />
    )
  }

  async function logout() {
    // Revoke the token on the server too; a failure (already expired) still signs out here.
    await api('DELETE', 'session').catch(() => undefined)
    clearSession()
    setSession(null)
    setNotice('Signed out.')
  }

  return (
    <>
      <header class="topbar">
        <span class="brand">Gatehouse · security console</span>
        <nav aria-label="Main">
          {navFor(session).map((n) => (
            <Link key={n.to} to={n.to} aria-current={isCurrent(route.path, n.to) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <span class="who">
          {session.user.name} <span class="muted">({session.user.role})</span>
          <button type="button" class="link" onClick={logout}>
            Sign out
          </button>
        </span>
      </header>
      <Banner path={route.path} />
      <main>{page(route.path, session)}</main>
    </>
  )
}

/** The operators' public banner, on every page while it is set, linking to the status page. */
function Banner(props: { path: string }) {
  const [status, setStatus] = useState<PublicStatus | null>(null)
  useEffect(() => {
    api<PublicStatus>('GET', 'status').then(setStatus, () => setStatus(null))
  }, [props.path])
  if (!status?.banner && !status?.restrictions.length) return null
  return (
    <p class="banner" role="status" aria-label="Registry banner">
      {status.banner ?? `Restrictions in force: ${status.restrictions.map((r) => r.name).join(', ')}`} — <a href="/-/status">status page</a>
    </p>
  )
}

function isCurrent(path: string, to: string): boolean {
  return to === '/' ? path === '/' || path.startsWith('/cases/') : path.startsWith(to)
}

function titleOf(path: string): string {
  if (path.startsWith('/cases/')) return `case ${path.slice(7)}`
  return [...NAV, ...OWNER_NAV].find((n) => n.to !== '/' && path.startsWith(n.to))?.label ?? 'queue'
}

function page(path: string, session: Session) {
  if (!isReviewer(session.user)) return <MyPackagesPage />
  if (path.startsWith('/my-packages')) return <MyPackagesPage />
  if (path.startsWith('/look-alike-names')) return <LookAlikeNamesPage />
  if (path.startsWith('/clusters')) return <ClustersPage />
  if (path.startsWith('/intelligence')) return <IntelligencePage />
  const caseMatch = /^\/cases\/(\d+)\/?$/.exec(path)
  if (caseMatch) return <CasePage id={Number(caseMatch[1])} me={session.user.name} />
  if (path === '/' || path === '/login') return <QueuePage />
  if (path.startsWith('/audit')) return <AuditPage />
  if (path.startsWith('/name-blocks')) return <NameBlocksPage />
  if (path.startsWith('/removals')) return <RemovalsPage />
  if (path.startsWith('/alerts')) return <AlertsPage />
  if (path.startsWith('/incidents')) return <IncidentsPage />
  if (path.startsWith('/defense')) return <DefensePage />
  return (
    <p>
      No such page. <Link to="/">Back to the queue</Link>
    </p>
  )
}

render(<App />, document.getElementById('app')!)
