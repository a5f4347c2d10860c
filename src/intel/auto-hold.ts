// When a report holds a package at once (pure, in the spirit of Warehouse's quarantine rules): each answer carries its reason.

export interface PriorReport {
  /** Who reported: 'user:<id>' for accounts, 'ip:<address>' for anonymous reports. */
  readonly reporterKey: string
  readonly trusted: boolean
}

export interface AutoHoldInput {
  readonly trusted: boolean
  readonly reporterKey: string
  /** Hours since the package was created. */
  readonly packageAgeHours: number
  readonly youngPackageHours: number
  /** Reports on the same package still awaiting a decision, before this one. */
  readonly openReports: readonly PriorReport[]
}

export type AutoHoldDecision = { readonly hold: true; readonly reason: string } | { readonly hold: false; readonly reason: string }

export function autoHoldDecision(input: AutoHoldInput): AutoHoldDecision {
  if (input.trusted && input.packageAgeHours < input.youngPackageHours) {
    return { hold: true, reason: `a trusted report on a package younger than ${input.youngPackageHours} h` }
  }
  const all = [...input.openReports, { reporterKey: input.reporterKey, trusted: input.trusted }]
  const reporters = new Set(all.map((r) => r.reporterKey))
  if (reporters.size >= 2 && all.some((r) => r.trusted)) {
    return { hold: true, reason: `${reporters.size} independent reports, at least one from a trusted reporter` }
  }
  return { hold: false, reason: input.trusted ? 'a trusted report on an established package: filed for review' : 'filed for review' }
}
