// Alert history: what the upload monitor (and the drill) raised, how often, and whether each channel delivered it.
import { api } from '../api.ts'
import type { Alert } from '../defense-api.ts'
import { compact, when } from '../format.ts'
import { Badge, ErrorBox, Loading, useLoad, TableHead } from '../components/ui.tsx'

export function AlertsPage() {
  const list = useLoad(() => api<{ alerts: Alert[] }>('GET', 'defense/alerts'), 'alerts')
  return (
    <>
      <h1>Alerts</h1>
      <p class="muted">Repeated firings within the deduplication window are counted on one alert, not sent again.</p>
      <ErrorBox error={list.error} />
      {list.loading && !list.data && <Loading what="alerts" />}
      {list.data && (
        <table class="grid" aria-label="Alerts">
          <TableHead columns={['Severity', 'Rule', 'Summary', 'Firings', 'First seen', 'Last seen', 'Delivered']} />
          <tbody>
            {list.data.alerts.length === 0 && (
              <tr>
                <td colSpan={7} class="muted">
                  No alerts.
                </td>
              </tr>
            )}
            {list.data.alerts.map((a) => (
              <tr key={a.id}>
                <td>
                  <Badge kind={a.severity === 'critical' ? 'rejected' : a.severity === 'warning' ? 'held' : 'published'}>{a.severity}</Badge>
                </td>
                <td>
                  <code>{a.rule}</code>
                </td>
                <td>
                  <details>
                    <summary>{a.summary}</summary>
                    <pre class="details">{compact(a.details)}</pre>
                  </details>
                </td>
                <td>{a.count}</td>
                <td>{when(a.firstAt)}</td>
                <td>{when(a.lastAt)}</td>
                <td>
                  {Object.entries(a.deliveries).map(([channel, result]) => (
                    <div key={channel}>
                      {channel}: {result}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
