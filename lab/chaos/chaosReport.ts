/**
 * reports/chaos.json and the timeline picture beside it: the run's parameters, the summary per fault kind
 * and per replication mode, the final state, and every event as recorded (the JSON is what a rerun with the
 * same seed is compared against).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LoadReport } from '../netcluster/loadRun.ts';
import type { PlanSpec } from './chaosPlan.ts';
import { type CampaignSummary, type EventRecord, summarize, timeToWritableMs } from './chaosRecord.ts';
import { timelineSvg } from './timelineSvg.ts';

export interface FinalState {
  readonly primary: string | null;
  readonly streaming: readonly string[];
  /** Acknowledged rows missing on the final primary that no event's check counted (must be 0). */
  readonly missingAtEnd: number;
  readonly problem: string | null;
}

export interface ChaosReport {
  readonly seed: number;
  readonly spec: PlanSpec;
  readonly seconds: number;
  readonly stoppedEarly: string | null;
  readonly summary: CampaignSummary;
  readonly final: FinalState;
  readonly events: readonly unknown[];
}

export function chaosReport(
  seed: number,
  spec: PlanSpec,
  seconds: number,
  stoppedEarly: string | null,
  records: readonly EventRecord[],
  load: LoadReport,
  final: FinalState,
): ChaosReport {
  return {
    seed,
    spec,
    seconds,
    stoppedEarly,
    summary: summarize(records, load),
    final,
    events: records.map((record) => ({
      index: record.index + 1,
      ...record.plan,
      primaryBefore: record.primaryBefore,
      victim: record.victim,
      target: record.target,
      where: record.where,
      primaryAfter: record.primaryAfter,
      switchoverOutcome: record.switchoverOutcome,
      recovered: record.recovered,
      recoveryMs: record.recoveredAt - record.startedAt,
      timeToWritableMs: timeToWritableMs(load, record),
      lostWrites: record.lostWrites,
      inevitableLosses: record.inevitableLosses,
      fenced: record.fenced,
      reason: record.reason,
      notes: record.notes,
    })),
  };
}

export async function writeChaosReport(
  file: string,
  report: ChaosReport,
  nodes: readonly string[],
  records: readonly EventRecord[],
  load: LoadReport,
): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  const picture = file.replace(/\.json$/, '') + '.svg';
  await writeFile(picture, timelineSvg(nodes, records, load));
  return picture;
}

/** One progress line per event, as the campaign goes. */
export function progressLine(record: EventRecord, total: number, load: LoadReport): string {
  const what =
    record.plan.type === 'switchover'
      ? `switchover ${record.primaryBefore}→${record.target} by ${record.plan.command}: ${record.switchoverOutcome}`
      : `${record.plan.kind} on ${record.victim ?? '?'} (${record.where})`;
  const writable = timeToWritableMs(load, record);
  const verdict = record.recovered
    ? `recovered in ${((record.recoveredAt - record.startedAt) / 1000).toFixed(1)} s`
    : `NOT RECOVERED: ${record.reason}`;
  return (
    `[${record.index + 1}/${total}] ${record.mode} ${what} → ${verdict}, writes back after ${writable ?? '?'} ms, ` +
    `primary ${record.primaryAfter ?? 'none'}, lost ${record.lostWrites} (inevitable ${record.inevitableLosses}), fenced ${record.fenced}`
  );
}

/** The summary as a Markdown table (docs/reliability.md holds the long run's). */
export function summaryTable(report: ChaosReport): string {
  const rows = Object.entries(report.summary.byKind).map(
    ([kind, each]) =>
      `| ${kind} | ${each.injected} | ${each.recovered} | ${each.timeToWritableMs.median ?? '–'} | ${each.timeToWritableMs.max ?? '–'} | ${each.lostWrites} | ${each.inevitableLosses} | ${each.doublePrimaryIntervals} | ${each.fenced} |`,
  );
  const switchovers = report.summary.switchovers;
  return [
    '| fault | injected | recovered | writable again, median ms | max ms | lost (avoidable) | lost (inevitable, async) | two writable | fencings |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    `| controlled switchovers | ${switchovers.run} | ${switchovers.recovered} | ${switchovers.writeGapMs.median ?? '–'} | ${switchovers.writeGapMs.max ?? '–'} | – | – | – | – |`,
  ].join('\n');
}
