// Prometheus metrics for one process: uploads, scans and verdicts, alerts, switches (served at /metrics).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'

export class Metrics {
  readonly registry = new Registry()
  readonly uploads = new Counter({ name: 'gatehouse_uploads_total', help: 'Uploads accepted for scanning', labelNames: ['ecosystem', 'new_package'] as const, registers: [this.registry] })
  readonly scans = new Counter({ name: 'gatehouse_scans_total', help: 'Scans finished, by verdict', labelNames: ['ecosystem', 'verdict'] as const, registers: [this.registry] })
  readonly alerts = new Counter({ name: 'gatehouse_alerts_total', help: 'Alert firings, including deduplicated ones', labelNames: ['rule', 'severity'] as const, registers: [this.registry] })
  readonly refusals = new Counter({ name: 'gatehouse_refusals_total', help: 'Requests refused by a switch, an IP block or a rate limit', labelNames: ['reason'] as const, registers: [this.registry] })
  readonly switches = new Gauge({ name: 'gatehouse_switch_on', help: '1 while an emergency switch is on', labelNames: ['switch'] as const, registers: [this.registry] })

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_process_' })
  }
}
