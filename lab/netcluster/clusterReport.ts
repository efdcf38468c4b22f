/** reports/cluster.json and the table printed after the cluster scenarios (pure formatting; the caller writes). */
import type { ScenarioResult } from './clusterScenarios.ts';

/** Each result as reports/cluster.json has it: everything but the bookkeeping (acknowledged ids count, problems). */
export function reportEntries(results: readonly ScenarioResult[]) {
  return results.map(({ acknowledged: _acknowledged, problems: _problems, ...entry }) => entry);
}

const ms = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${value}`);

export function reportTable(results: readonly ScenarioResult[]): string {
  const rows = results.map((result) => [
    result.name,
    result.replication,
    result.passed ? 'yes' : 'NO',
    result.promoted ?? '—',
    String(result.lostWrites),
    String(result.inevitableLosses),
    String(result.maxWritablePrimaries),
    String(result.fenceEvents),
    ms(result.switchoverMs),
    ms(result.writeGapMs),
    ms(result.oldPrimaryStreamingMs),
    String(result.acknowledged),
  ]);
  const header = [
    'scenario',
    'replication',
    'passed',
    'promoted',
    'lost',
    'inevitable',
    'max writable',
    'fenced',
    'writes back ms',
    'write gap ms',
    'old primary streaming ms',
    'acked',
  ];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] as number))
      .join('  ')
      .trimEnd();
  const listed = (pick: (result: ScenarioResult) => readonly string[]) =>
    results.flatMap((result) => pick(result).map((entry) => `  ${result.name} (${result.replication}): ${entry}`));
  const notes = listed((result) => result.notes ?? []);
  const problems = listed((result) => result.problems);
  return [
    line(header),
    ...rows.map(line),
    ...(notes.length > 0 ? ['notes:', ...notes] : []),
    ...(problems.length > 0 ? ['problems:', ...problems] : []),
  ].join('\n');
}
