/**
 * `promigrate status [CLONE] [--json]`: the role-migration view crm_mon does not have — where the promoted
 * role is, each node's role, timeline, position, lag and promotion score, the latest hand-over record and
 * its verdict, an intent in force. Read-only. Exit 0 when it could read the cluster, 1 when it could not.
 */
import { parseArgs } from 'node:util';
import { gatherStatus } from '../status/gatherStatus.ts';
import { type NodeStatus, type StatusReport, statusReport } from '../status/statusReport.ts';
import { findClone, liveCib } from '../switchover/clusterView.ts';
import { CommandFailure, type Output, UsageError } from './commands.ts';

const name = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

function options(args: readonly string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 1) throw new UsageError('give at most one CLONE');
    const clone = positionals[0] ?? null;
    if (clone !== null && !name.test(clone))
      throw new UsageError(`CLONE ${JSON.stringify(clone)} is not a resource name`);
    return { clone, json: values.json === true };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

/** Pacemaker's way of writing ±1,000,000. */
function scoreText(score: number): string {
  if (score >= 1_000_000) return 'INFINITY';
  if (score <= -1_000_000) return '-INFINITY';
  return String(score);
}

function positionCell(node: NodeStatus): string {
  if (node.position === null) return 'unknown';
  const { timeline, lsn, source, ageMs } = node.position;
  const age = source === 'live' ? 'live' : `published ${Math.round((ageMs ?? 0) / 1000)} s ago`;
  return `${timeline}:${lsn} (${age})`;
}

function lagCell(node: NodeStatus): string {
  if (node.role !== 'unpromoted') return '';
  return node.lagBytes === null ? `unknown: ${node.lagUnknownBecause}` : `${node.lagBytes} bytes`;
}

export function formatStatus(report: StatusReport): string {
  const lines = [
    `${report.clone} (${report.agent ?? 'group'}, primitive ${report.primitive}): ${
      report.primary === null ? 'no single primary' : `promoted on ${report.primary}`
    }`,
  ];
  const rows = report.nodes.map((node) => [
    node.node,
    node.role,
    positionCell(node),
    lagCell(node),
    node.promotionScore === null ? 'none' : scoreText(node.promotionScore),
  ]);
  const table = [['node', 'role', 'timeline:position', 'lag', 'promotion score'], ...rows];
  const widths = table[0]?.map((_, column) => Math.max(...table.map((row) => (row[column] as string).length))) ?? [];
  for (const row of table)
    lines.push(`  ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd());
  const { handover } = report;
  lines.push(
    handover === null
      ? 'hand-over: none recorded'
      : `hand-over: ${handover.source} > ${handover.target} at ${handover.final}, ${handover.verdict === 'pending' ? 'pending (the target may promote once it has received it)' : 'aborted (the target refused: the source goes back)'}`,
  );
  lines.push(report.intent === null ? 'intent: none in force' : `intent: switch over to ${report.intent.target}`);
  for (const failure of report.failures)
    lines.push(`failed: ${failure.task} on ${failure.node}: ${failure.exitReason}`);
  for (const what of report.unknown) lines.push(`unknown: ${what}`);
  return `${lines.join('\n')}\n`;
}

export async function status(args: readonly string[], out: Output): Promise<number> {
  const { clone, json } = options(args);
  const report = await (async () => {
    const { cib } = await liveCib();
    return statusReport(await gatherStatus(findClone(cib, clone)));
  })().catch((error: Error) => {
    throw new CommandFailure(error.message.split('\n')[0] as string);
  });
  out.stdout(json ? `${JSON.stringify(report)}\n` : formatStatus(report));
  return 0;
}
