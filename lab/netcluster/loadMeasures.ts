/**
 * The figures a scenario reports, from what the write load observed (pure): the most nodes writable in one
 * sampling round, the largest gap between two acknowledged writes, when writes came back after the trigger
 * (the end of the largest gap after it), and when a node was seen streaming from the primary again.
 */
import type { LoadReport } from './loadRun.ts';

export function maxWritable(report: LoadReport): number {
  return report.samples.reduce((most, sample) => Math.max(most, sample.writable.length), 0);
}

interface Gap {
  readonly from: number;
  readonly to: number;
}

/** The largest gap between consecutive acknowledgements ending after `since` (the trigger). */
export function largestGap(report: LoadReport, since: number): Gap | null {
  let best: Gap | null = null;
  const acks = report.acknowledged;
  for (let index = 1; index < acks.length; index++) {
    const from = (acks[index - 1] as { at: number }).at;
    const to = (acks[index] as { at: number }).at;
    if (to < since) continue;
    if (best === null || to - from > best.to - best.from) best = { from, to };
  }
  return best;
}

/** From the trigger to the write that closed the largest gap: the writes are back. */
export function writesBackMs(report: LoadReport, since: number): number | null {
  const gap = largestGap(report, since);
  return gap === null ? null : Math.round(gap.to - since);
}

export function writeGapMs(report: LoadReport, since: number): number {
  const gap = largestGap(report, since);
  return gap === null ? 0 : Math.round(gap.to - gap.from);
}

/** From `since` to the first sample in which `standby` streams from `primary`. */
export function streamingAgainMs(report: LoadReport, since: number, primary: string, standby: string): number | null {
  const sample = report.samples.find((each) => each.at >= since && (each.streaming[primary] ?? []).includes(standby));
  return sample === undefined ? null : Math.round(sample.at - since);
}
