/**
 * stop on real PostgreSQL 15: a fast shutdown that does not end is followed by an immediate one, so that a
 * stop never runs into its timeout (a failed stop gets the node fenced). The hang is made by stopping the
 * standby's checkpointer (SIGSTOP), whose shutdown restartpoint a fast shutdown waits for.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgsqlScenario } from '../fixtures/pgsqlScenario.ts';

const nodes = ['node1', 'node2'];

describe('ocf:promigrate:pgsql stop', () => {
  let s: PgsqlScenario;
  let frozen: number | null = null;
  beforeAll(async () => {
    s = await PgsqlScenario.create(nodes, 25641);
  }, 120_000);
  afterAll(async () => {
    if (frozen !== null) await execa('kill', ['-CONT', String(frozen)], { reject: false });
    await s?.dispose();
  });

  it('stops a standby whose fast shutdown hangs, at once, well within its timeout', async () => {
    await s.waitFor('node2 streaming', () => s.streamsFrom('node1', 'node2'));
    const postmaster = await s.instance('node2').pid();
    const children = await execa('ps', ['--ppid', String(postmaster), '-o', 'pid=,args=']);
    const line = children.stdout.split('\n').find((each) => each.includes('checkpointer'));
    frozen = Number(line?.trim().split(/\s+/)[0]);
    expect(frozen).toBeGreaterThan(0);
    await execa('kill', ['-STOP', String(frozen)]);
    const stop = await s.harness.run('node2', 'stop', { timeout: '20000' });
    expect(stop.code, s.harness.transcript()).toBe(0);
    expect(stop.stderr).toContain('stopped at once');
    expect(stop.ms).toBeLessThan(20_000);
    expect(
      await s
        .instance('node2')
        .pid()
        .then((pid) =>
          pid === null ? false : execa('kill', ['-0', String(pid)], { reject: false }).then((r) => r.exitCode === 0),
        ),
    ).toBe(false);
  }, 60_000);
});
