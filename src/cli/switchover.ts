/**
 * `promigrate switchover CLONE --to NODE [--json] [--timeout S]`: the operator's switchover, run on a
 * cluster node. Progress line by line (hand-over, catch-up, promote, rejoin), or one JSON result; exit 0
 * when the target is the primary and the old one its standby, 1 with the reason otherwise.
 */
import { parseArgs } from 'node:util';
import { clusterView, findClone, liveCib } from '../switchover/clusterView.ts';
import { type DryRunResult, dryRun } from '../switchover/dryRun.ts';
import { runSwitchover } from '../switchover/runSwitchover.ts';
import { CommandFailure, type Output, UsageError } from './commands.ts';

const name = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

function options(args: readonly string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        to: { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    const [clone, ...extra] = positionals;
    if (clone === undefined || extra.length > 0) throw new UsageError('give one CLONE (e.g. pgsql-ha)');
    if (!name.test(clone)) throw new UsageError(`CLONE ${JSON.stringify(clone)} is not a resource name`);
    if (values.to === undefined || !name.test(values.to))
      throw new UsageError(`--to expects a node name, got ${JSON.stringify(values.to ?? '')}`);
    const timeout = values.timeout ?? '120';
    if (!/^\d{1,5}$/.test(timeout) || Number(timeout) < 1)
      throw new UsageError(`--timeout expects seconds (1 or more), got ${JSON.stringify(timeout)}`);
    return {
      clone,
      target: values.to,
      json: values.json === true,
      timeoutMs: Number(timeout) * 1000,
      dryRun: values['dry-run'] === true,
    };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
}

function formatDryRun(result: DryRunResult): string {
  const lines = [`dry run: switchover of ${result.clone} to ${result.target} (the cluster is not changed)`];
  const actions = result.actions;
  const listed =
    actions === null
      ? []
      : (['demote', 'stop', 'start', 'promote'] as const).flatMap((kind) =>
          actions[kind].map((node) => `${kind} ${node}`),
        );
  lines.push(`Pacemaker's scheduler would: ${listed.length === 0 ? 'do nothing to the clone' : listed.join(', ')}`);
  for (const migration of result.migrations) {
    lines.push(
      `  ${migration.kind} ${migration.from ?? '—'} → ${migration.to ?? '—'} (${migration.cause}${migration.detail === '' ? '' : `: ${migration.detail}`})`,
    );
  }
  const caught = result.caughtUp === null ? 'unknown' : result.caughtUp ? 'yes' : 'no';
  lines.push(`${result.target} streamed up to the primary's current position: ${caught} — ${result.caughtUpDetail}`);
  for (const blocker of result.blockers) lines.push(`blocked: ${blocker}`);
  if (result.blockers.length === 0) lines.push('nothing blocks it');
  return `${lines.join('\n')}\n`;
}

async function switchoverDryRun(clone: string, target: string, json: boolean, out: Output): Promise<number> {
  const result = await (async () => {
    const { xml, cib } = await liveCib();
    return dryRun(xml, findClone(cib, clone), target);
  })().catch((error: Error) => {
    throw new CommandFailure(error.message.split('\n')[0] as string);
  });
  out.stdout(json ? `${JSON.stringify(result)}\n` : formatDryRun(result));
  return result.blockers.length === 0 ? 0 : 1;
}

export async function switchover(args: readonly string[], out: Output): Promise<number> {
  const { clone, target, json, timeoutMs, dryRun: dry } = options(args);
  if (dry) return switchoverDryRun(clone, target, json, out);
  let interrupted = false;
  const stop = () => {
    interrupted = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const view = await clusterView(clone).catch((error: Error) => {
      throw new CommandFailure(error.message);
    });
    if (!json) out.stdout(`switchover of ${clone} to ${target}\n`);
    const result = await runSwitchover(view, {
      target,
      timeoutMs,
      interrupted: () => interrupted,
      onPhase: (phase) => {
        if (!json) out.stdout(`${String(phase.atMs).padStart(7)} ms  ${phase.phase.padEnd(9)}  ${phase.detail}\n`);
      },
    }).catch((error: Error) => {
      throw new CommandFailure(error.message.split('\n')[0] as string);
    });
    if (json) out.stdout(`${JSON.stringify(result)}\n`);
    else if (result.outcome === 'switched') {
      out.stdout(`done: ${target} is the primary, ${result.source} its standby (${result.switchoverMs} ms)\n`);
    }
    if (result.outcome !== 'switched') {
      const primary = result.primary === null ? 'no primary' : `${result.primary} is the primary`;
      throw new CommandFailure(`switchover to ${target} ${result.outcome}: ${result.reason} (${primary})`);
    }
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
