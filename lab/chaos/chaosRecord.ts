/**
 * What the campaign records of each event as it runs, and the checker's verdicts over them (pure): per
 * fault kind, how many were injected and recovered, time to writable again (median, max), acknowledged
 * writes lost (avoidable: a survivor had them; inevitable: asynchronous replication and the only node that
 * had them is gone), intervals with two writable nodes; the switchovers' outcomes and write gaps.
 */
import type { LoadReport } from '../netcluster/loadRun.ts';
import type { ReplicationMode } from '../netcluster/nodePostgres.ts';
import type { FaultKind, PlannedEvent } from './chaosPlan.ts';

export interface EventRecord {
  readonly index: number;
  readonly plan: PlannedEvent;
  readonly mode: ReplicationMode;
  /** The primary before the event, the node the fault hit, the switchover's target. */
  readonly primaryBefore: string;
  readonly victim: string | null;
  readonly target: string | null;
  /** When the event began (a switchover's command, or the fault), and when the fault was made. */
  readonly startedAt: number;
  readonly faultAt: number | null;
  /** Where the fault fell, as observed (e.g. `switchover.catchingUp: promote running on node2`). */
  readonly where: string;
  readonly primaryAfter: string | null;
  /** Back to one primary with every other node streaming from it, within the bound. */
  readonly recovered: boolean;
  readonly recoveredAt: number;
  /** Why the cluster did not get back (or what a switchover was refused for), if it did not. */
  readonly reason: string | null;
  readonly switchoverOutcome: 'switched' | 'refused' | 'not run' | null;
  readonly lostWrites: number;
  readonly inevitableLosses: number;
  readonly fenced: number;
  readonly notes: readonly string[];
}

export interface Interval {
  readonly from: number;
  readonly to: number;
}

/** Sampling rounds that saw two writable nodes, as intervals until the next round. */
export function doublePrimaryIntervals(report: LoadReport): Interval[] {
  const intervals: Interval[] = [];
  report.samples.forEach((sample, index) => {
    if (sample.writable.length < 2) return;
    const next = report.samples[index + 1];
    intervals.push({ from: sample.at, to: next?.at ?? sample.at });
  });
  return intervals;
}

/** Gaps between consecutive acknowledged writes of at least `minMs`. */
export function writeGaps(report: LoadReport, minMs: number): Interval[] {
  const gaps: Interval[] = [];
  const acks = report.acknowledged;
  for (let index = 1; index < acks.length; index++) {
    const from = (acks[index - 1] as { at: number }).at;
    const to = (acks[index] as { at: number }).at;
    if (to - from >= minMs) gaps.push({ from, to });
  }
  return gaps;
}

/** A gap shorter than this is the load's own pace (one write every few ms), not an outage. */
export const outageMs = 200;

/**
 * From the fault to writes acknowledged again: the end of the largest gap in the event's window that is an
 * outage; 0 when writes never stopped (a fault on a standby, a healed blip).
 */
export function timeToWritableMs(report: LoadReport, record: EventRecord): number | null {
  const from = record.faultAt ?? record.startedAt;
  const gaps = writeGaps(report, outageMs).filter((gap) => gap.to >= from && gap.from <= record.recoveredAt);
  if (gaps.length === 0) return 0;
  const largest = gaps.reduce((best, gap) => (gap.to - gap.from > best.to - best.from ? gap : best));
  return Math.max(0, Math.round(largest.to - from));
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : Math.round(((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2);
}

export interface KindSummary {
  readonly injected: number;
  readonly recovered: number;
  readonly timeToWritableMs: { readonly median: number | null; readonly max: number | null };
  readonly lostWrites: number;
  readonly inevitableLosses: number;
  readonly doublePrimaryIntervals: number;
  readonly fenced: number;
}

export interface CampaignSummary {
  readonly byKind: Readonly<Record<string, KindSummary>>;
  readonly byMode: Readonly<Record<string, { readonly faults: number; readonly switchovers: number }>>;
  readonly switchovers: {
    readonly run: number;
    readonly switched: number;
    readonly refused: number;
    readonly recovered: number;
    readonly writeGapMs: { readonly median: number | null; readonly max: number | null };
  };
  readonly faults: number;
  readonly acknowledged: number;
  readonly lostWrites: number;
  readonly inevitableLosses: number;
  readonly doublePrimaryIntervals: number;
  readonly doublePrimaryMs: number;
  readonly unrecovered: number;
}

function within(interval: Interval, record: EventRecord, next: EventRecord | undefined): boolean {
  return interval.from >= record.startedAt && interval.from < (next?.startedAt ?? Number.POSITIVE_INFINITY);
}

export function summarize(records: readonly EventRecord[], report: LoadReport): CampaignSummary {
  const doubles = doublePrimaryIntervals(report);
  const byKind: Record<string, KindSummary> = {};
  const byMode: Record<string, { faults: number; switchovers: number }> = {};
  const faultRecords = records.filter((record) => record.plan.type === 'fault');
  const kinds = [...new Set(faultRecords.map((record) => (record.plan as { kind: FaultKind }).kind))].sort();
  for (const kind of kinds) {
    const ofKind = faultRecords.filter((record) => (record.plan as { kind: FaultKind }).kind === kind);
    const times = ofKind.map((record) => timeToWritableMs(report, record)).filter((ms): ms is number => ms !== null);
    byKind[kind] = {
      injected: ofKind.length,
      recovered: ofKind.filter((record) => record.recovered).length,
      timeToWritableMs: { median: median(times), max: times.length === 0 ? null : Math.max(...times) },
      lostWrites: ofKind.reduce((sum, record) => sum + record.lostWrites, 0),
      inevitableLosses: ofKind.reduce((sum, record) => sum + record.inevitableLosses, 0),
      doublePrimaryIntervals: doubles.filter((interval) =>
        ofKind.some((record) => within(interval, record, records[record.index + 1])),
      ).length,
      fenced: ofKind.reduce((sum, record) => sum + record.fenced, 0),
    };
  }
  for (const record of records) {
    const entry = byMode[record.mode] ?? { faults: 0, switchovers: 0 };
    byMode[record.mode] = entry;
    if (record.plan.type === 'fault') entry.faults++;
    else entry.switchovers++;
  }
  const switchovers = records.filter((record) => record.plan.type === 'switchover');
  const gaps = switchovers.map((record) => timeToWritableMs(report, record)).filter((ms): ms is number => ms !== null);
  return {
    byKind,
    byMode,
    switchovers: {
      run: switchovers.length,
      switched: switchovers.filter((record) => record.switchoverOutcome === 'switched').length,
      refused: switchovers.filter((record) => record.switchoverOutcome === 'refused').length,
      recovered: switchovers.filter((record) => record.recovered).length,
      writeGapMs: { median: median(gaps), max: gaps.length === 0 ? null : Math.max(...gaps) },
    },
    faults: faultRecords.length,
    acknowledged: report.acknowledged.length,
    lostWrites: records.reduce((sum, record) => sum + record.lostWrites, 0),
    inevitableLosses: records.reduce((sum, record) => sum + record.inevitableLosses, 0),
    doublePrimaryIntervals: doubles.length,
    doublePrimaryMs: Math.round(doubles.reduce((sum, interval) => sum + (interval.to - interval.from), 0)),
    unrecovered: records.filter((record) => !record.recovered).length,
  };
}
