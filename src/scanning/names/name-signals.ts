// The name check as the gate runs it: the strongest look-alike match becomes one signal, weak resemblances none.
import type { EcosystemId } from '../../core/ecosystem.ts'
import type { SignalRecord } from '../engine.ts'
import { bundledIndex, type PopularIndex } from './popular-index.ts'
import { findSquats, squatSignal, type SquatMatch, type SquatOptions } from './typosquat.ts'

/** Below this a resemblance is not worth a reviewer's attention (most popular names have one). */
export const REPORTED_SQUAT = 0.5

export function nameSignals(ecosystem: EcosystemId, name: string, index: PopularIndex = bundledIndex(ecosystem), options: SquatOptions = {}): SignalRecord[] {
  return name ? strongestSquat(findSquats(ecosystem, name, index, options)) : []
}

/** The signal for the strongest of some matches (strongest first, as findSquats orders them), if it is worth reporting. */
export function strongestSquat(matches: readonly SquatMatch[]): SignalRecord[] {
  const [best] = matches
  return best && best.strength >= REPORTED_SQUAT ? [squatSignal(best)] : []
}
