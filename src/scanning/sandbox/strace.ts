// Reads strace's output (-f, one line per call, prefixed by pid) into the events the sandbox's signals look at.

export type SyscallEvent =
  | { readonly kind: 'exec'; readonly pid: number; readonly path: string; readonly argv: readonly string[]; readonly ok: boolean }
  | { readonly kind: 'open'; readonly pid: number; readonly path: string; readonly write: boolean; readonly ok: boolean }
  | { readonly kind: 'connect'; readonly pid: number; readonly family: 'inet' | 'inet6' | 'unix'; readonly address: string; readonly port: number; readonly ok: boolean; readonly error?: string }
  | { readonly kind: 'send'; readonly pid: number; readonly address: string; readonly port: number; readonly data: string }
  | { readonly kind: 'fs'; readonly pid: number; readonly call: string; readonly path: string; readonly ok: boolean }
  | { readonly kind: 'fork'; readonly pid: number; readonly ok: boolean }

const LINE = /^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+|\?)(?:\s+(\w+))?/

/** Decodes a C-escaped string as strace prints it ("\x41\n\"…"). */
export function unescapeStrace(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16))
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8))
    return ({ n: '\n', t: '\t', r: '\r', v: '\v', f: '\f', '"': '"', '\\': '\\' } as Record<string, string>)[e] ?? e
  })
}

/** The quoted strings of an argument list, in order. */
function quoted(args: string): string[] {
  return [...args.matchAll(/"((?:\\.|[^"\\])*)"/g)].map((m) => unescapeStrace(m[1]!))
}

function socketAddress(args: string): { family: 'inet' | 'inet6' | 'unix'; address: string; port: number } | undefined {
  if (args.includes('AF_UNIX')) return { family: 'unix', address: /sun_path="([^"]*)"/.exec(args)?.[1] ?? '', port: 0 }
  const port = Number(/htons\((\d+)\)/.exec(args)?.[1] ?? 0)
  const v4 = /inet_addr\("([^"]+)"\)/.exec(args)
  if (v4) return { family: 'inet', address: v4[1]!, port }
  const v6 = /inet_pton\(AF_INET6, "([^"]+)"/.exec(args)
  if (v6) return { family: 'inet6', address: v6[1]!, port }
  return undefined
}

const WRITE_FLAGS = /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/

/** Parses a whole strace output file; calls split across lines (`<unfinished …>` / `resumed>`) are joined per pid. */
export function parseStrace(text: string): SyscallEvent[] {
  const pending = new Map<string, string>()
  const events: SyscallEvent[] = []
  for (const raw of text.split('\n')) {
    let line = raw
    const unfinished = /^(\d+)\s+(.*) <unfinished \.\.\.>$/.exec(line)
    if (unfinished) {
      pending.set(unfinished[1]!, unfinished[2]!)
      continue
    }
    const resumed = /^(\d+)\s+<\.\.\. \w+ resumed>(.*)$/.exec(line)
    if (resumed) {
      const start = pending.get(resumed[1]!)
      if (start === undefined) continue
      pending.delete(resumed[1]!)
      line = `${resumed[1]} ${start}${resumed[2]}`
    }
    const m = LINE.exec(line)
    if (!m) continue
    const pid = Number(m[1])
    const call = m[2]!
    const args = m[3]!
    const ok = m[4] !== '?' && Number(m[4]) >= 0
    const error = m[5]
    const strings = quoted(args)
    switch (call) {
      case 'execve': {
        const argv = /\[(.*?)\](?:,|$)/.exec(args.slice(args.indexOf('", ') + 3))?.[1]
        events.push({ kind: 'exec', pid, path: strings[0] ?? '', argv: argv !== undefined ? quoted(argv) : strings.slice(1), ok })
        break
      }
      case 'open':
      case 'openat':
      case 'creat':
        events.push({ kind: 'open', pid, path: strings[0] ?? '', write: call === 'creat' || WRITE_FLAGS.test(args), ok })
        break
      case 'connect': {
        const to = socketAddress(args)
        if (to) events.push({ kind: 'connect', pid, ...to, ok: ok || error === 'EINPROGRESS', ...(error ? { error } : {}) })
        break
      }
      case 'sendto':
      case 'sendmsg': {
        const to = socketAddress(args)
        if (to && to.family !== 'unix') events.push({ kind: 'send', pid, address: to.address, port: to.port, data: strings[0] ?? '' })
        break
      }
      case 'clone':
      case 'clone3':
      case 'fork':
      case 'vfork':
        events.push({ kind: 'fork', pid, ok })
        break
      default:
        if (strings[0] !== undefined) events.push({ kind: 'fs', pid, call, path: strings[strings.length - 1]!, ok })
    }
  }
  return events
}
