// What a Python file writes to disk and later runs: files it saves (a download, a decoded blob, literal code) and folders it clones.

/** A path written by `open(…)` or cloned into: the expression naming it and its literal file name, if any. */
export interface WrittenPath {
  readonly expression: string
  readonly name?: string
  /** The path is the enclosing function's parameter (or built from one): its callers choose where the data goes. */
  readonly callerNamed?: boolean
}

/** Something the file put on disk: what it was (literal text, data sources), where, and in which function. */
export interface Drop {
  readonly path: WrittenPath
  readonly text?: string
  readonly sources: ReadonlySet<string>
  readonly offset: number
  readonly fn: string | undefined
  /** A folder of fetched code (a cloned repository) rather than one file. */
  readonly folder?: boolean
}

/** Temporary-file handles: written through the handle, run by its `.name`. */
export const TEMP_FILES = new Set(['tempfile.NamedTemporaryFile', 'tempfile.TemporaryFile', 'tempfile.SpooledTemporaryFile'])
/** Calls that save a download under a path they are given (→ the keyword naming it). */
export const SAVES_DOWNLOAD: ReadonlyMap<string, string> = new Map([
  ['urllib.request.urlretrieve', 'filename'],
  ['urllib.urlretrieve', 'filename'],
  ['wget.download', 'out'],
])
/** Calls that open an archive (→ a reader whose `extractall`/`extract` unpack it). */
export const ARCHIVE_OPENERS = new Set(['zipfile.ZipFile', 'zipfile.PyZipFile', 'tarfile.open', 'tarfile.TarFile'])
/** Cloning a repository writes code from the network into a folder. */
export const CLONES = new Set(['git.Repo.clone_from', 'pygit2.clone_repository'])
/** `git clone [options] URL DIR` in a command. */
const GIT_CLONE = /\bgit\s+clone\s+(?:-\S+\s+)*\S+\s+([\w.-]{3,})/
/** A command that runs a script named relative to the working folder: `python x.py`, `sh build.sh`, `./run`. */
const RELATIVE_SCRIPT = /(?:^|\s)(?:python[\d.]*|py|sh|bash|node|ruby|perl)\s+(?:-\w+\s+)*(?![-/~$])[\w.-]+|(?:^|\s)\.\/[\w.-]+/

export class Drops {
  /** Names holding files opened for writing (→ which path): their write methods write data to disk. */
  private readonly writers = new Map<string, WrittenPath | undefined>()
  private readonly written: Drop[] = []
  /** Per function ('' for module level): the fetched folder it changed into with `os.chdir`. */
  private readonly workingIn = new Map<string, Drop>()

  /** `name` holds a file opened for writing at `path`. */
  opened(name: string, path: WrittenPath | undefined): void {
    this.writers.set(name, path)
  }

  isWriter(name: string): boolean {
    return this.writers.has(name)
  }

  pathOf(writer: string): WrittenPath | undefined {
    return this.writers.get(writer)
  }

  add(drop: Drop): void {
    this.written.push(drop)
  }

  /** A repository cloned into `path` (a variable or a literal folder), or a `git clone URL DIR` command. */
  cloned(path: WrittenPath, offset: number, fn: string | undefined): void {
    this.written.push({ path, sources: new Set(['network-response']), offset, fn, folder: true })
  }

  clonedByCommand(command: string, offset: number, fn: string | undefined): void {
    const dir = GIT_CLONE.exec(command)?.[1]
    if (dir) this.cloned({ expression: dir, name: dir }, offset, fn)
  }

  /**
   * An archive unpacked into a folder (`ZipFile(p).extractall(d)`, `shutil.unpack_archive(p, d)`): when the
   * archive is a file this one saved (a download), the folder holds what was saved, as a cloned one does.
   */
  extracted(archive: WrittenPath, folder: WrittenPath, offset: number, fn: string | undefined): void {
    const saved = this.written.find((w) => !w.folder && w.sources.size > 0 && (archive.name !== undefined ? w.path.name === archive.name : w.path.expression === archive.expression && w.fn === fn))
    if (saved) this.written.push({ path: folder, sources: saved.sources, offset, fn, folder: true })
  }

  /** `os.chdir(expression)`: when it names a cloned folder, the function's later commands run in fetched code. */
  changedInto(expression: string, literal: string | undefined, fn: string | undefined): void {
    const folder = this.written.find((w) => w.folder && (w.path.expression === expression || (literal !== undefined && w.path.name === literal)))
    if (folder) this.workingIn.set(fn ?? '', folder)
  }

  /**
   * What a process or evaluator argument runs of what the file put on disk: a drop named by the same
   * literal file name anywhere in the file, or by the same variable within one function (across
   * functions the walker's call sites link them); and a script named relative to a fetched folder
   * the function changed into.
   */
  runBy(argument: string, command: string | undefined, fn: string | undefined, isProcess: boolean): Drop[] {
    const runs = this.written.filter((drop) => {
      const how = runsPath(drop.path, argument, command, drop.folder)
      return how === 'name' || (how === 'expression' && drop.fn === fn)
    })
    const folder = this.workingIn.get(fn ?? '')
    if (folder && isProcess && command && RELATIVE_SCRIPT.test(command) && !runs.includes(folder)) runs.push(folder)
    return runs
  }
}

/** Whether a process argument runs a written path: by the same literal file name, or the same variable or expression. */
function runsPath(path: WrittenPath, argument: string, command: string | undefined, folder = false): 'name' | 'expression' | undefined {
  // a folder is named as a whole path part (`py %TEMP%\\here\\run.py` runs from `here`, `where` names no folder `here`)
  if (path.name && command !== undefined && (folder ? pathPartIn(command, path.name) : command.includes(path.name))) return 'name'
  return path.expression.length >= 3 && !/^["']/.test(path.expression) && argument.includes(path.expression) ? 'expression' : undefined
}

function pathPartIn(command: string, name: string): boolean {
  for (let at = command.indexOf(name); at >= 0; at = command.indexOf(name, at + 1)) {
    const before = command[at - 1]
    const after = command[at + name.length]
    if ((before === undefined || /[\s\\/"'=]/.test(before)) && (after === undefined || /[\s\\/"']/.test(after))) return true
  }
  return false
}
