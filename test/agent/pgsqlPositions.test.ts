/**
 * The true end of WAL the pgsql agent reports for a stopped standby, on real PostgreSQL 15: a standby shut
 * down cleanly has its last restartpoint as its latest checkpoint, but it received WAL past it; an election
 * that took the restartpoint would count it as behind what it holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLsn } from '../../models/position.ts';
import { PgsqlScenario } from '../fixtures/pgsqlScenario.ts';

const nodes = ['node1', 'node2'];

describe('ocf:promigrate:pgsql positions of stopped instances', () => {
  let s: PgsqlScenario;
  beforeAll(async () => {
    s = await PgsqlScenario.create(nodes, 25581);
  }, 120_000);
  afterAll(async () => {
    await s?.dispose();
  });

  it('a cleanly stopped standby publishes the end of the WAL it received, not its last restartpoint', async () => {
    await s.waitFor('node2 streaming', () => s.streamsFrom('node1', 'node2'));
    await s.instance('node1').query('CHECKPOINT');
    await s.writesFor(200);
    await s.waitFor('node2 caught up', () => s.caughtUp('node1', 'node2'));
    const received = parseLsn(await s.instance('node2').query('SELECT pg_last_wal_receive_lsn()'));
    await s.instance('node2').stop('fast');
    const lists = { active: nodes, promoted: [], promote: ['node2'] };
    const [, notify] = (await s.harness.notify('pre', 'promote', lists)) as [unknown, { stderr: string }];
    const published = /published TL \d+ @ (\S+) for the election/.exec(notify.stderr)?.[1];
    expect(published, s.harness.transcript()).toBeDefined();
    expect(parseLsn(published as string)).toBeGreaterThanOrEqual(received);
  });
});
