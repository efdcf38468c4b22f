/**
 * Debian's ocf-tester (resource-agents) on both agents, installed with `promigrate install-agents` into an
 * OCF root of the test's own: meta-data against ra-api-1.dtd (xmllint), permissions, and the start / stop /
 * monitor / promote / demote / notify sequence with its idempotency checks. The cluster tools are the
 * agent tests' usual ones (lab/local/offlineTools.ts).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineTools } from '../../lab/local/offlineTools.ts';
import { createInstances, type InstanceSet } from '../../lab/local/postgresInstances.ts';
import { ocfTester as runOcfTester } from '../fixtures/ocfTester.ts';
import { OfflineCluster } from '../fixtures/offlineCluster.ts';

describe('ocf-tester', () => {
  let dir: string;
  let cluster: OfflineCluster;
  let postgres: InstanceSet;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promigrate-ocf-tester-'));
    // ocf-tester reads the meta-data as user nobody: the OCF root must be reachable by others.
    await chmod(dir, 0o755);
    await execa('node', ['bin/promigrate.js', 'install-agents', '--ocf-root', join(dir, 'ocf')]);
    await offlineTools(join(dir, 'sbin'));
    cluster = await OfflineCluster.create({ nodes: 2, clones: [{ id: 'tested-clone', primitive: 'tested' }] });
    postgres = await createInstances(['node1'], 25461);
  }, 120_000);
  afterAll(async () => {
    await postgres?.dispose();
    await cluster?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const ocfTester = (agent: string, parameters: Readonly<Record<string, string>>) =>
    runOcfTester({
      agentPath: join(dir, 'ocf', 'resource.d', 'promigrate', agent),
      ocfRoot: join(dir, 'ocf'),
      sbinDir: join(dir, 'sbin'),
      attrdDir: join(dir, 'attrd'),
      cib: cluster.cib,
      parameters,
    });

  it('passes for ocf:promigrate:stateful', async () => {
    const result = await ocfTester('stateful', {
      state_root: join(dir, 'stateful'),
      state_dir: join(dir, 'state-stateful'),
    });
    expect(result.stdout, `${result.stdout}\n${result.stderr}`).toContain('passed all tests');
    expect(result.stdout).not.toMatch(/^\* rc=/m);
    expect(result.exitCode).toBe(0);
  });

  it('passes for ocf:promigrate:pgsql on a real PostgreSQL instance', async () => {
    const [instance] = postgres.instances;
    const result = await ocfTester('pgsql', {
      pgdata: instance?.dataDir as string,
      pghost: '127.0.0.1',
      pgport: String(instance?.port),
      logfile: join(instance?.home as string, 'server.log'),
      state_dir: join(dir, 'state-pgsql'),
    });
    expect(result.stdout, `${result.stdout}\n${result.stderr}`).toContain('passed all tests');
    expect(result.stdout).not.toMatch(/^\* rc=/m);
    expect(result.exitCode).toBe(0);
  });
});
