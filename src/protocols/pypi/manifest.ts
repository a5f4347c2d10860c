// Builds the metadata served for a Python release: the archive's own metadata over what the uploader declared.

/**
 * Fields that decide what an install does. pip resolves dependencies from the distribution's own
 * metadata, so the served copy must never show requirements the archive does not have.
 */
const FROM_ARCHIVE = ['requires_dist', 'requires_python'] as const

/** Upload-form fields that describe the request, not the release (twine sends them alongside metadata). */
const REQUEST_ONLY = [':action', 'protocol_version', 'content', 'md5_digest', 'sha256_digest', 'blake2_256_digest', 'gpg_signature', 'attestations'] as const

export function reconcilePythonManifest(
  declared: Record<string, unknown>,
  fromArchive: Record<string, unknown>,
  identity: { name: string; version: string },
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...declared, ...fromArchive }
  for (const key of REQUEST_ONLY) delete out[key]
  for (const key of FROM_ARCHIVE) {
    if (Object.hasOwn(fromArchive, key)) out[key] = fromArchive[key]
    else delete out[key]
  }
  // The archive's own spelling of the name (`Foo_Bar`), the canonical version.
  out.name = typeof fromArchive.name === 'string' ? fromArchive.name : identity.name
  out.version = identity.version
  return out
}
