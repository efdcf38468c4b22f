/**
 * PostgreSQL's own switchover, by hand, on real instances: the facts the model and the agent are built on.
 * A connected standby receives the primary's shutdown checkpoint; a cut one does not; the old primary
 * follows the new timeline without pg_rewind; a restarted standby's receive LSN is not its end of WAL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isCleanlyShutDown, parseControlData } from '../../agent/pgsql/controlData.ts';
import {
  asPostgres,
  createInstances,
  type InstanceSet,
  type PostgresInstance,
} from '../../lab/local/postgresInstances.ts';
import { parseLsn } from '../../models/position.ts';

let set: InstanceSet | null = null;
afterEach(async () => {
  await set?.dispose();
  set = null;
});

async function until<T>(what: string, probe: () => Promise<T | null>, seconds = 15): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function finalPosition(instance: PostgresInstance) {
  const data = parseControlData((await asPostgres('pg_controldata', [instance.dataDir])).stdout);
  expect(isCleanlyShutDown(data)).toBe(true);
  return data.checkpoint;
}

const received = async (standby: PostgresInstance) => parseLsn(await standby.query('SELECT pg_last_wal_receive_lsn()'));

describe('PostgreSQL switchover facts', () => {
  it('a connected standby receives the shutdown checkpoint; promoted, the old primary follows it', async () => {
    set = await createInstances(['node1', 'node2', 'node3'], 25411);
    const [node1, node2, node3] = set.instances as [PostgresInstance, PostgresInstance, PostgresInstance];
    await node1.query('CREATE TABLE acknowledged (id int PRIMARY KEY)');
    await node1.query('INSERT INTO acknowledged SELECT generate_series(1, 100)');
    const written = parseLsn(await node1.query('SELECT pg_current_wal_lsn()'));
    await until('node2 to receive the writes', async () => ((await received(node2)) >= written ? true : null));

    await node1.stop('fast');
    const final = await finalPosition(node1);
    expect(final.timeline).toBe(1);
    // The receive LSN is the end of what arrived: past the start of the shutdown checkpoint record.
    expect(await received(node2)).toBeGreaterThan(final.lsn);

    expect(await node2.query('SELECT pg_promote(true, 30)')).toBe('t');
    await node1.followOnStart(node2);
    await node1.start();
    await until('node1 to stream from node2', async () =>
      (await node1.query('SELECT status FROM pg_stat_wal_receiver')) === 'streaming' ? true : null,
    );
    await node3.query(`ALTER SYSTEM SET primary_conninfo = '${node2.conninfoFor('node3')}'`);
    await node3.query('SELECT pg_reload_conf()');
    await node2.query('INSERT INTO acknowledged VALUES (101)');
    for (const standby of [node1, node3]) {
      await until(`${standby.name} to replay the new timeline`, async () =>
        (await standby.query('SELECT count(*) FROM acknowledged')) === '101' ? true : null,
      );
      expect(await standby.query('SELECT timeline_id FROM pg_control_checkpoint()')).toMatch(/^[12]$/);
    }
  }, 90_000);

  it('a cut standby misses the shutdown checkpoint, and a restarted standby does not report its end of WAL', async () => {
    set = await createInstances(['node1', 'node2'], 25421);
    const [node1, node2] = set.instances as [PostgresInstance, PostgresInstance];
    await node1.query('CREATE TABLE acknowledged (id int PRIMARY KEY)');
    await node2.query("ALTER SYSTEM SET primary_conninfo = ''");
    await node2.query('SELECT pg_reload_conf()');
    await until('node2 to stop receiving', async () =>
      (await node2.query('SELECT count(*) FROM pg_stat_wal_receiver')) === '0' ? true : null,
    );
    await node1.query('INSERT INTO acknowledged SELECT generate_series(1, 300)');
    await node1.stop('fast');
    const final = await finalPosition(node1);
    expect(await received(node2)).toBeLessThan(final.lsn);

    // The demote path: the old primary restarts as a standby (of nobody reachable, here).
    await node1.followOnStart(node2);
    await node1.start();
    const reported = await node1.query('SELECT pg_last_wal_receive_lsn()');
    // Empty or the start of a segment, never the shutdown checkpoint past the 300 rows: trust pg_controldata.
    expect(reported === '' || parseLsn(reported) <= final.lsn).toBe(true);
    expect(await node1.query('SELECT count(*) FROM acknowledged')).toBe('300');
  }, 90_000);
});
