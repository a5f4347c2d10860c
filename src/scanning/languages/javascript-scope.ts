// The JavaScript walker's model of names: what a name is bound to in its scope, and calls to resolve after the walk.
import type { FlowSource } from '../facts.ts'

export interface Binding {
  /** What the name refers to when it is an import or an alias of one. */
  alias?: string
  taint?: Set<FlowSource>
  /** A string constant it was initialised with (commands are often built in a variable first). */
  value?: string
  /** It was given the path of a credential store (`path.join(os.homedir(), '.npmrc')`): reading it reads a secret. */
  credentialPath?: boolean
  /** It holds a request or socket: its write/end/send send data out. */
  network?: boolean
  /** It names a function declared in this file (for summaries across calls). */
  fn?: string
  /** It is parameter `index` of function `fn`. */
  param?: { fn: string; index: number }
}

/** A call to a function of this file, resolved against the function's summary after the walk. */
export interface CallSite {
  fn: string
  args: Set<string>[]
  offsets: number[]
}

export class Scope {
  readonly vars = new Map<string, Binding>()
  constructor(readonly parent?: Scope) {}

  lookup(name: string): Binding | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const b = s.vars.get(name)
      if (b) return b
    }
    return undefined
  }
}
