/**
 * The facts `promigrate status` and `switchover --dry-run` read on a cluster node, through Pacemaker's own
 * tools (crm_mon, crm_node, crm_attribute, attrd_updater) and, for the PostgreSQL agent with an instance on
 * this node, the local server with the clone's own parameters. Nothing is written. Every reading that fails
 * is kept as unreadable with the tool's message: a failure is not "no value".
 */
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { privateAttributes } from '../../agent/cluster/privateAttributes.ts';
import { promotionScores } from '../../agent/cluster/promotionScores.ts';
import { readParameters } from '../../agent/ocf/parameters.ts';
import { pgsqlAgent } from '../../agent/pgsql/pgsqlAgent.ts';
import { postgresDatabase, type ServerRow } from '../../agent/pgsql/postgres.ts';
import { findSystemUser } from '../../agent/pgsql/systemUser.ts';
import type { PromotableClone } from '../adapter/cib.ts';
import { parseClusterStatus } from '../adapter/clusterStatus.ts';
import { intentAttribute } from '../policy/intent.ts';
import { type NodeRecord, parseNodeRecord } from '../policy/nodeRecord.ts';
import { tool } from '../switchover/clusterView.ts';
import type { Reading, StatusFacts } from './statusReport.ts';

const firstLine = (error: unknown) => ((error as Error).message.split('\n')[0] as string).trim();

async function reading<T>(read: () => Promise<T>): Promise<Reading<T>> {
  try {
    return { value: await read() };
  } catch (error) {
    return { unreadable: firstLine(error) };
  }
}

async function intentText(primitive: string): Promise<string | null> {
  const result = await execa('crm_attribute', [...intentAttribute(primitive), '--query', '--quiet'], {
    reject: false,
    stdin: 'ignore',
    timeout: 30_000,
  });
  // 105 (ENXIO): no such property — the one answer that means "none".
  if (result.exitCode === 105) return null;
  if (result.exitCode !== 0) throw new Error(`crm_attribute: ${String(result.stderr).trim().split('\n')[0]}`);
  return String(result.stdout).trim();
}

/** The local PostgreSQL's row, asked with the clone's parameters (the agent's defaults filled in). */
async function localServerRow(clone: PromotableClone): Promise<ServerRow> {
  const env: Record<string, string> = {};
  for (const [name, value] of clone.parameters) env[`OCF_RESKEY_${name}`] = value;
  const parameters = readParameters(pgsqlAgent, env);
  if (!parameters.ok) throw new Error(`the clone's parameters: ${parameters.result.reason ?? 'invalid'}`);
  const p = parameters.values;
  const owner = findSystemUser(readFileSync('/etc/passwd', 'utf8'), p.system_user as string);
  if (owner === null) throw new Error(`no system user ${p.system_user}`);
  const database = postgresDatabase({
    bindir: p.bindir as string,
    pgdata: p.pgdata as string,
    owner,
    host: p.pghost as string,
    port: Number(p.pgport),
    logfile: '',
    deadline: Date.now() + 10_000,
  });
  return database.serverRow();
}

export async function gatherStatus(clone: PromotableClone): Promise<StatusFacts> {
  const { primitive } = clone;
  const [monitor, localNode] = await Promise.all([
    tool('crm_mon', ['--one-shot', '--output-as=xml', '--inactive']),
    tool('crm_node', ['--name']).then(
      (name) => name.trim() || null,
      () => null,
    ),
  ]);
  const status = parseClusterStatus(monitor, primitive, '');
  const here = localNode ?? status.nodes[0] ?? 'unknown';
  const runsHere = localNode !== null && (status.promoted.includes(localNode) || status.unpromoted.includes(localNode));
  const [records, scoreList, intent, localServer] = await Promise.all([
    reading(async () => {
      const texts = await privateAttributes({ resource: primitive, node: here }).queryAll(`promigrate-${primitive}`);
      const parsed = new Map<string, Reading<NodeRecord>>();
      for (const [node, text] of texts) parsed.set(node, await reading(async () => parseNodeRecord(text)));
      return parsed as ReadonlyMap<string, Reading<NodeRecord>>;
    }),
    Promise.all(status.nodes.map((node) => reading(() => promotionScores({ resource: primitive, node }).get()))),
    reading(() => intentText(primitive)),
    clone.agent === 'ocf:promigrate:pgsql' && runsHere ? reading(() => localServerRow(clone)) : Promise.resolve(null),
  ]);
  const scores = new Map(status.nodes.map((node, index) => [node, scoreList[index] as Reading<number | null>]));
  return {
    now: Date.now(),
    clone: clone.id,
    primitive,
    agent: clone.agent,
    localNode,
    status,
    records,
    scores,
    intent,
    localServer,
  };
}
