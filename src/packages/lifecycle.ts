// The version lifecycle: which state changes are allowed (pure; the service applies them by compare-and-set).
import type { VersionState } from '../db/schema.ts'

const TRANSITIONS: Readonly<Record<VersionState, readonly VersionState[]>> = {
  // The gate's verdict.
  pending: ['published', 'held', 'rejected', 'removed'],
  // Security removal, the owner's unpublish within the window, or a quarantine (incident, rescan, intel) for review.
  published: ['removed', 'unpublished', 'held'],
  // A reviewer dismisses (publish) or confirms (remove).
  held: ['published', 'removed'],
  rejected: [],
  // A reviewer's restore puts the version back where the removal found it.
  removed: ['published', 'held'],
  unpublished: [],
}

export function canTransition(from: VersionState, to: VersionState): boolean {
  return TRANSITIONS[from].includes(to)
}

/** Only these versions are ever served to installers. */
export const INSTALLABLE: readonly VersionState[] = ['published']
