/** pg_controldata parsing, on a real PostgreSQL 15 cluster made by initdb, started and cleanly stopped. */
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { ControlDataError, isCleanlyShutDown, parseControlData } from '../../agent/pgsql/controlData.ts';

const bin = '/usr/lib/postgresql/15/bin';
const asPostgres = (command: string, args: string[]) =>
  execa('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], { env: { LC_ALL: 'C' }, stdin: 'ignore' });

describe('pg_controldata', () => {
  let work = '';
  afterAll(async () => {
    if (work === '') return;
    // Only the instance this test started, should it still run after a failure.
    await asPostgres('pg_ctl', ['-D', join(work, 'data'), '-m', 'immediate', '-w', '-s', 'stop']).catch(
      () => undefined,
    );
    await rm(work, { recursive: true, force: true });
  });

  it('gives the shutdown checkpoint of a cleanly stopped instance', async () => {
    work = await mkdtemp(join(tmpdir(), 'promigrate-pg-'));
    const { stdout: uid } = await execa('id', ['-u', 'postgres']);
    const { stdout: gid } = await execa('id', ['-g', 'postgres']);
    await chown(work, Number(uid), Number(gid));
    const data = join(work, 'data');
    await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    const options = `-c port=25391 -c listen_addresses='' -c unix_socket_directories=${work}`;
    // With a log file, the server does not hold our output pipe open.
    await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(work, 'server.log'), '-w', '-s', 'start']);
    const running = parseControlData((await asPostgres('pg_controldata', [data])).stdout);
    expect(running.state).toBe('in production');
    expect(isCleanlyShutDown(running)).toBe(false);
    await asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-s', 'stop']);
    const stopped = parseControlData((await asPostgres('pg_controldata', [data])).stdout);
    expect(stopped.state).toBe('shut down');
    expect(isCleanlyShutDown(stopped)).toBe(true);
    expect(stopped.checkpoint.timeline).toBe(1);
    // The shutdown checkpoint is written at stop: past the one initdb left, and its own REDO point.
    expect(stopped.checkpoint.lsn).toBeGreaterThan(running.checkpoint.lsn);
    expect(stopped.redo).toBe(stopped.checkpoint.lsn);
    expect(stopped.systemIdentifier).toBe(running.systemIdentifier);
  }, 60_000);

  it('refuses output it cannot read, naming the label', () => {
    expect(() => parseControlData('Datenbank-Cluster-Status: heruntergefahren')).toThrow(
      new ControlDataError('pg_controldata output has no "Database cluster state" (was LC_ALL=C set?)'),
    );
    expect(() =>
      parseControlData(
        "Database cluster state: shut down\nDatabase system identifier: 1\nLatest checkpoint's TimeLineID: 1\nLatest checkpoint location: 0/XYZ\n",
      ),
    ).toThrow(/Minimum recovery ending location|Latest checkpoint location/);
  });
});
