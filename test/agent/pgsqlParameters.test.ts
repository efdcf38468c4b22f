/**
 * `ocf:promigrate:pgsql` with missing, invalid and hostile parameters: every action fails with the right OCF
 * code and one reason, and a value is always data — a data directory whose name is full of shell syntax
 * is initialised, started and stopped for real, and nothing in the name ever runs.
 */
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asPostgres } from '../../lab/local/postgresInstances.ts';
import { AgentHarness, promigrateAgent } from '../fixtures/agentHarness.ts';

describe('ocf:promigrate:pgsql parameters', () => {
  let dir: string;
  let harness: AgentHarness;
  let parameters: Record<string, string> = {};
  const sentinel = () => join(dir, 'SENTINEL');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promigrate-params-'));
    await chmod(dir, 0o755);
    harness = await AgentHarness.create({
      agent: promigrateAgent('pgsql'),
      nodes: ['node1', 'node2'],
      parameters: () => parameters,
    });
  });
  afterAll(async () => {
    await harness?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const valid = () => ({
    pgdata: join(dir, 'nowhere'),
    pghost: '127.0.0.1',
    pgport: '25491',
    state_dir: join(dir, 'state'),
  });

  it.each([
    [{ pgdata: '' }, 6, /^parameter pgdata is required$/],
    [{ pgdata: 'relative/data' }, 6, /^parameter pgdata="relative\/data": expected an absolute path$/],
    [{ pgdata: '/srv/pg\ndata' }, 6, /control characters are not allowed/],
    [{ pgdata: '/srv/$(touch SENTINEL)' }, 6, /may not contain " \$ ` or \\ \(pg_ctl passes paths through a shell\)/],
    [{ logfile: '/var/log/`touch SENTINEL`' }, 6, /pg_ctl passes paths through a shell/],
    [{ pgport: '5432; touch SENTINEL' }, 6, /^parameter pgport=".*": expected an integer$/],
    [{ pgport: '70000' }, 6, /expected a port from 1 to 65535/],
    [{ system_user: "nobody'; touch SENTINEL" }, 6, /no such system user/],
    [{ system_user: 'root' }, 6, /PostgreSQL may not run as root/],
    [{ catch_up_timeout: 'soon' }, 6, /expected an integer/],
    [{ bindir: '/nonexistent/bin' }, 5, /^\/nonexistent\/bin\/pg_ctl not found \(bindir\)$/],
    [{ pgdata: '/tmp/no data; touch SENTINEL' }, 2, /is not a PostgreSQL data directory$/],
  ])('%j: validate-all and every action fail with %i and one reason', async (override, code, reason) => {
    parameters = { ...valid(), ...override };
    for (const action of ['validate-all', 'start', 'promote', 'demote', 'monitor']) {
      const result = await harness.run('node1', action, action === 'monitor' ? { interval: '16000' } : {});
      expect(result.code, `${action}: ${result.stderr}`).toBe(code);
      const reasons = result.stderr.split('\n').filter((line) => line.startsWith('ocf-exit-reason:'));
      expect(reasons).toHaveLength(1);
      expect((reasons[0] as string).slice('ocf-exit-reason:'.length)).toMatch(reason);
    }
    expect(existsSync(join(process.cwd(), 'SENTINEL'))).toBe(false);
  });

  it('answers a probe where PostgreSQL is not installed with "not running", so the cluster looks elsewhere', async () => {
    parameters = { ...valid(), bindir: '/nonexistent/bin' };
    expect((await harness.run('node1', 'monitor', { interval: '0' })).code).toBe(7);
  });

  it('a stop where the data directory is gone succeeds: nothing can run from it, and a failed stop is fenced', async () => {
    parameters = valid();
    const stop = await harness.run('node1', 'stop');
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr).toMatch(/nothing to stop \(.*nowhere is not a PostgreSQL data directory\)/);
    expect((await harness.run('node1', 'start')).code).toBe(2);
  });

  it('an unknown action is unimplemented (3) and says so', async () => {
    parameters = valid();
    const result = await harness.run('node1', 'reload-agent');
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('ocf-exit-reason:action "reload-agent" is not implemented by pgsql\n');
  });

  it("a data directory named with spaces, quotes and ';' is data: initialised, started as the owner, stopped", async () => {
    const hostile = join(dir, "data; touch SENTINEL 'quoted' & more");
    await mkdir(hostile);
    const { stdout: uid } = await execa('id', ['-u', 'postgres']);
    const { stdout: gid } = await execa('id', ['-g', 'postgres']);
    await chown(hostile, Number(uid), Number(gid));
    await chmod(hostile, 0o700);
    await asPostgres('initdb', ['-D', hostile, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await execa('sh', [
      '-c',
      'printf "%s\\n" "$1" >> "$2"',
      'sh',
      "listen_addresses = '127.0.0.1'\nport = 25491\nunix_socket_directories = ''",
      join(hostile, 'postgresql.conf'),
    ]);
    const logs = join(dir, "logs; 'x'");
    await mkdir(logs);
    await chown(logs, Number(uid), Number(gid));
    parameters = { ...valid(), pgdata: hostile, logfile: join(logs, 'server log') };
    expect((await harness.run('node1', 'validate-all')).code).toBe(0);
    expect((await harness.run('node1', 'monitor')).code).toBe(7);
    const start = await harness.run('node1', 'start');
    expect(start.code, start.stderr).toBe(0);
    try {
      expect((await harness.run('node1', 'monitor', { interval: '16000' })).code).toBe(0);
      const pid = Number((await readFile(join(hostile, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      // Never as root: the server runs as the instance owner.
      expect((await stat(`/proc/${pid}`)).uid).toBe(Number(uid));
    } finally {
      expect((await harness.run('node1', 'stop')).code).toBe(0);
    }
    expect((await harness.run('node1', 'monitor')).code).toBe(7);
    expect(existsSync(sentinel())).toBe(false);
    expect(existsSync(join(hostile, 'SENTINEL'))).toBe(false);
    expect(existsSync(join(process.cwd(), 'SENTINEL'))).toBe(false);
  });
});
