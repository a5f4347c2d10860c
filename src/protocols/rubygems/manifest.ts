// Builds the metadata served for a gem version: the gemspec inside the .gem over anything declared alongside it.

/**
 * `gem push` sends only the .gem, so the archive is the one authority; these fields decide what
 * an install fetches and runs and are never taken from anywhere else.
 */
const FROM_ARCHIVE = [
  'name',
  'version',
  'platform',
  'dependencies',
  'extensions',
  'executables',
  'bindir',
  'require_paths',
  'files',
  'required_ruby_version',
  'required_rubygems_version',
  'post_install_message',
] as const

export function reconcileGemManifest(declared: Record<string, unknown>, fromArchive: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...declared, ...fromArchive }
  for (const key of FROM_ARCHIVE) {
    if (Object.hasOwn(fromArchive, key)) out[key] = fromArchive[key]
    else delete out[key]
  }
  return out
}
