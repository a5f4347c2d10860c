// The public status page: banner, switches in force, incidents with their timestamped updates, as JSON, HTML and Atom.
import type { Deps } from '../deps.ts'
import { SWITCHES } from './switches.ts'

export interface StatusDocument {
  readonly banner: string | null
  readonly restrictions: readonly { name: string; description: string; since: string | null }[]
  readonly incidents: readonly {
    id: number
    title: string
    status: string
    severity: string
    createdAt: string
    updatedAt: string
    resolvedAt: string | null
    postmortem: string | null
    updates: readonly { status: string; body: string; at: string }[]
  }[]
}

export async function statusDocument(deps: Pick<Deps, 'defense'>): Promise<StatusDocument> {
  const state = await deps.defense.switches.current()
  const incidents = await deps.defense.incidents.list({ publicOnly: true })
  return {
    banner: state.banner,
    restrictions: state.entries
      .filter((e) => e.on && e.name !== 'banner')
      .map((e) => ({
        name: e.name,
        description: e.name === 'new-account-uploads' ? `no uploads from accounts younger than ${String(e.value)} days` : SWITCHES.find((s) => s.name === e.name)!.description,
        since: e.setAt,
      })),
    incidents: incidents.map((i) => ({
      id: i.id,
      title: i.title,
      status: i.status,
      severity: i.severity,
      createdAt: i.created_at,
      updatedAt: i.updated_at,
      resolvedAt: i.resolved_at,
      postmortem: i.postmortem,
      updates: i.updates.map((u) => ({ status: u.status, body: u.body, at: u.created_at })),
    })),
  }
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

export function statusHtml(doc: StatusDocument): string {
  const open = doc.incidents.filter((i) => i.status !== 'resolved')
  const state = open.length === 0 && doc.restrictions.length === 0 ? 'All systems normal' : open.length > 0 ? 'Incident in progress' : 'Operating with restrictions'
  const incident = (i: StatusDocument['incidents'][number]) => `<article>
<h3>${escape(i.title)} <small>${escape(i.status)}</small></h3>
<ol>${i.updates.map((u) => `<li><time datetime="${escape(u.at)}">${escape(u.at)}</time> <b>${escape(u.status)}</b> — ${escape(u.body)}</li>`).join('')}</ol>
${i.postmortem ? `<h4>Post-mortem</h4><p>${escape(i.postmortem)}</p>` : ''}
</article>`
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Registry status</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="alternate" type="application/atom+xml" href="status/feed.atom">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}.banner{background:#fff3cd;border:1px solid #e0c36a;padding:.6rem 1rem}small{color:#666;font-weight:normal}ol{padding-left:1.2rem}</style></head>
<body><h1>Registry status</h1>
${doc.banner ? `<p class="banner" role="alert">${escape(doc.banner)}</p>` : ''}
<h2>${state}</h2>
${doc.restrictions.length ? `<h2>Restrictions in force</h2><ul>${doc.restrictions.map((r) => `<li>${escape(r.description)}${r.since ? ` <small>since ${escape(r.since)}</small>` : ''}</li>`).join('')}</ul>` : ''}
<h2>Incidents</h2>${doc.incidents.length ? doc.incidents.map(incident).join('\n') : '<p>No incidents reported.</p>'}
</body></html>`
}

export function statusAtom(publicUrl: string, doc: StatusDocument): string {
  const updated = doc.incidents[0]?.updatedAt ?? new Date(0).toISOString()
  const entries = doc.incidents.flatMap((i) =>
    i.updates.map(
      (u, n) => `<entry><id>${escape(`${publicUrl}-/status#incident-${i.id}-${i.updates.length - n}`)}</id><title>${escape(`${i.title}: ${u.status}`)}</title><updated>${escape(u.at)}</updated><link href="${escape(`${publicUrl}-/status`)}"/><content type="text">${escape(u.body)}</content></entry>`,
    ),
  )
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>${escape(`${publicUrl}-/status`)}</id><title>Registry status</title><updated>${escape(updated)}</updated><link rel="self" href="${escape(`${publicUrl}-/status/feed.atom`)}"/>${entries.join('')}</feed>
`
}
