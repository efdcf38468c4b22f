/**
 * The client side of the cluster tests, run in the hub namespace (only there are the nodes' addresses
 * reachable): an application's INSERT stream through the primary address, and a sampler that asks every
 * node, every few milliseconds, whether it accepts writes and who streams from it. It prints one line per
 * observation; the test process reads them:
 *
 *   ack <id> <node> <ms>                       an INSERT acknowledged by <node> (its cluster_name)
 *   sample <ms> <writable,...> <node>:<streaming,...>;...   one sampling round, when it differs from the last
 *
 * It stops when its standard input ends. Times are wall-clock milliseconds (the test reads the same clock).
 */
import { createInterface } from 'node:readline';
import pg from 'pg';

interface ProbeSpec {
  readonly vip: string;
  readonly nodes: Readonly<Record<string, string>>;
  readonly firstId: number;
  readonly writeIntervalMs: number;
  readonly sampleIntervalMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => Math.round((performance.timeOrigin + performance.now()) * 10) / 10;
let running = true;

/** A dead node answers nothing: every connection and query is bounded, or one probe round would hang. */
async function connect(host: string, timeoutMs: number, queryTimeoutMs: number): Promise<pg.Client | null> {
  const client = new pg.Client({
    host,
    port: 5432,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: queryTimeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch {
    forget(client);
    return null;
  }
}

/** Ends a connection without waiting: ending one to a dead or restarting server can wait for ever. */
function forget(client: pg.Client): void {
  client.end().catch(() => undefined);
}

async function writes(spec: ProbeSpec): Promise<void> {
  let id = spec.firstId;
  let client: pg.Client | null = null;
  while (running) {
    client ??= await connect(spec.vip, 300, 1000);
    if (client === null) {
      await sleep(5);
      continue;
    }
    try {
      // Each INSERT is its own transaction: its acknowledgement is the commit's.
      const { rows } = await client.query(
        "INSERT INTO promigrate_writes (id) VALUES ($1) RETURNING current_setting('cluster_name') AS node",
        [id],
      );
      process.stdout.write(`ack ${id} ${rows[0]?.node} ${now()}\n`);
      id++;
      await sleep(spec.writeIntervalMs);
    } catch {
      forget(client);
      client = null;
      id++;
    }
  }
  if (client !== null) forget(client);
}

async function samples(spec: ProbeSpec): Promise<void> {
  const clients = new Map<string, pg.Client | null>();
  let last = '';
  const ask = async (node: string, host: string): Promise<{ writable: boolean; streaming: string } | null> => {
    let client = clients.get(node) ?? null;
    client ??= await connect(host, 200, 500);
    clients.set(node, client);
    if (client === null) return null;
    try {
      const { rows } = await client.query(
        "SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off' AS writable, " +
          "(SELECT coalesce(string_agg(application_name, ',' ORDER BY application_name), '') FROM pg_stat_replication WHERE state = 'streaming') AS streaming",
      );
      return { writable: rows[0]?.writable === true, streaming: String(rows[0]?.streaming ?? '') };
    } catch {
      forget(client);
      clients.set(node, null);
      return null;
    }
  };
  while (running) {
    const answers = await Promise.all(
      Object.entries(spec.nodes).map(async ([node, host]) => [node, await ask(node, host)] as const),
    );
    const writable = answers.filter(([, answer]) => answer?.writable).map(([node]) => node);
    const streaming = answers
      .filter(([, answer]) => answer?.writable)
      .map(([node, answer]) => `${node}:${answer?.streaming}`)
      .join(';');
    const line = `${writable.join(',') || '-'} ${streaming || '-'}`;
    if (line !== last) process.stdout.write(`sample ${now()} ${line}\n`);
    last = line;
    await sleep(spec.sampleIntervalMs);
  }
  for (const client of clients.values()) if (client) forget(client);
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as ProbeSpec;
  const input = createInterface({ input: process.stdin });
  input.on('close', () => {
    running = false;
    // The loops end within a query timeout; whatever still hangs does not keep the observations back.
    setTimeout(() => {
      process.stdout.write('done\n');
      process.exit(0);
    }, 3000).unref();
  });
  await Promise.all([writes(spec), samples(spec)]);
  process.stdout.write('done\n');
  process.exit(0);
}

main().catch((error: Error) => {
  process.stderr.write(`cluster-probe: ${error.message}\n`);
  process.exit(2);
});
