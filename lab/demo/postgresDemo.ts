/**
 * `npm run demo` (lab/demo/main.ts): the model at work on the real system, with no cluster to install. Three
 * local PostgreSQL instances are the nodes of a promotable clone of `ocf:promigrate:pgsql`; Pacemaker's
 * own scheduler (crm_simulate on a CIB file, played by the executor) decides every transition and the real
 * agents carry it out. It plays a controlled switchover, an aborted switchover (target cut off) and a
 * failover, printing each decision of the model as the agents take it (event → state, with the reason),
 * the writes acknowledged, lost and the largest gap between them, and the final state. Everything it
 * started is stopped and removed at the end, also on Ctrl-C.
 */
import type { ExecutedAction } from '../executor/controller.ts';
import { type LocalCluster, localCluster } from '../executor/localCluster.ts';
import { LocalPostgres } from '../local/localPostgres.ts';
import { pgsqlCloneResources } from '../local/pgsqlClone.ts';
import { lostWrites, type WriteReport } from '../local/writeLoop.ts';

export interface DemoOutput {
  readonly stdout: (text: string) => void;
}

const nodes = ['node1', 'node2', 'node3'];
const basePort = 25601;

/** The agent's own lines ("pgsql(pgsql)[demote]: …") and its exit reason, as the demo prints them. */
function agentLines(executed: ExecutedAction): string[] {
  const { action, result } = executed;
  if (result === null || action.kind !== 'rsc_op') return [];
  const where = `${action.node} ${action.operation}`.padEnd(16);
  const lines: string[] = [];
  for (const line of result.stderr.split('\n')) {
    const decision = /^\w+\([^)]*\)\[[\w-]+\]: (?!debug:)(.*)$/.exec(line);
    if (decision !== null) lines.push(`  ${where} ${decision[1]}`);
    const reason = /^ocf-exit-reason:(.*)$/.exec(line);
    if (reason !== null) lines.push(`  ${where} ✗ ${reason[1]}`);
  }
  return lines;
}

function formatWrites(report: WriteReport, lost: number): string {
  return `  writes: ${report.acknowledged.length} acknowledged, ${lost} lost, largest gap between two ${report.largestGapMs.toFixed(0)} ms`;
}

export async function postgresDemo(out: DemoOutput, ocfRoot: string): Promise<number> {
  out.stdout('promigrate on three local PostgreSQL 15 instances, Pacemaker deciding every transition (crm_simulate)\n');
  const postgres = await LocalPostgres.create(nodes, basePort);
  let cluster: LocalCluster | null = null;
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await cluster?.dispose();
    await postgres.dispose();
  };
  const interrupted = () => {
    out.stdout('\ninterrupted: stopping the instances and removing their directories\n');
    void dispose().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  try {
    cluster = await localCluster({
      nodes,
      resources: pgsqlCloneResources(postgres.set.instances, { catch_up_timeout: '2' }),
      promigrateOcfRoot: ocfRoot,
      onAction: (executed) => {
        for (const line of agentLines(executed)) out.stdout(`${line}\n`);
      },
      // Fencing on, as production clusters run: the scheduler fences a lost node before it elects.
      powerOff: (node) => postgres.killIfRunning(node),
    });
    const { controller } = cluster;
    const move = (target: string) =>
      controller.tool('crm_resource', ['--move', '--promoted', '--resource', 'pgsql-ha', '--node', target]);
    const clear = () => controller.tool('crm_resource', ['--clear', '--resource', 'pgsql-ha']);
    const lost = async (node: string, report: WriteReport) =>
      (await lostWrites(postgres.instance(node), report.acknowledged)).length;
    let failures = 0;
    const expectPrimary = async (node: string) => {
      const primary = await postgres.primaryNow();
      if (primary !== node) failures++;
      out.stdout(`  → ${primary ?? 'no node'} is the primary${primary === node ? '' : ` (expected ${node})`}\n`);
    };

    out.stdout('\nS0 the cluster takes over the running instances (node1 primary, node2 and node3 streaming)\n');
    await postgres.waitFor(
      'standbys streaming',
      async () => (await postgres.streamsFrom('node1', 'node2')) && (await postgres.streamsFrom('node1', 'node3')),
    );
    await controller.settle();
    await expectPrimary('node1');

    out.stdout('\nS1 controlled switchover node1 → node2 (crm_resource --move --promoted), under writes\n');
    const s1 = await postgres.underWrites(async () => {
      await move('node2');
      await controller.settle();
    });
    await clear();
    await controller.settle();
    await expectPrimary('node2');
    const s1Lost = await lost('node2', s1.report);
    out.stdout(`${formatWrites(s1.report, s1Lost)}\n`);
    await postgres.waitFor('node1 streaming from node2', () => postgres.streamsFrom('node2', 'node1'));
    out.stdout('  node1 streams from node2: the old primary follows the new one, no rebuild\n');

    out.stdout('\nS2 switchover to node3, whose replication was cut before the move, under writes\n');
    await postgres.cut('node3');
    await postgres.waitFor('node3 cut off', async () => !(await postgres.streamsFrom('node2', 'node3')));
    const s2 = await postgres.underWrites(async () => {
      await move('node3');
      await controller.settle();
    });
    await clear();
    await controller.settle();
    await expectPrimary('node2');
    const s2Lost = await lost('node2', s2.report);
    out.stdout(`${formatWrites(s2.report, s2Lost)}\n`);
    await postgres.restore('node3');
    await postgres.waitFor('node3 following node2', () => postgres.streamsFrom('node2', 'node3'));
    out.stdout('  node3 reconnected and follows node2\n');

    out.stdout("\nS3 failover: node2's postgres is killed and its node lost\n");
    const s3 = await postgres.writesFor(300);
    await postgres.waitFor(
      'standbys caught up',
      async () => (await postgres.caughtUp('node2', 'node1')) && (await postgres.caughtUp('node2', 'node3')),
    );
    const killed = performance.now();
    await postgres.killPostgres('node2');
    await cluster.failNode('node2');
    await controller.settle();
    const writable = performance.now() - killed;
    const elected = await postgres.primaryNow();
    if (elected === null || elected === 'node2') failures++;
    out.stdout(`  → ${elected ?? 'no node'} is the primary, writable ${writable.toFixed(0)} ms after the kill\n`);
    const s3Lost = elected === null ? s3.acknowledged.length : await lost(elected, s3);
    out.stdout(`  writes: ${s3.acknowledged.length} acknowledged (replicated before the kill), ${s3Lost} lost\n`);

    out.stdout('\nfinal state\n');
    for (const node of nodes) {
      const recovery = await postgres
        .instance(node)
        .query('SELECT pg_is_in_recovery()')
        .catch(() => null);
      const role = recovery === null ? 'down' : recovery === 'f' ? 'primary' : 'standby';
      out.stdout(`  ${node}: ${role}\n`);
    }
    const lostTotal = s1Lost + s2Lost + s3Lost;
    out.stdout(
      `\n${lostTotal} acknowledged writes lost in all; ${failures === 0 ? 'every scenario ended as the model says' : `${failures} scenario(s) did not end as expected`}\n`,
    );
    return lostTotal === 0 && failures === 0 ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', interrupted);
    await dispose();
  }
}
