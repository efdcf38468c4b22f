/**
 * docs/guide.md's cluster configuration, verbatim: the XML is taken from the guide as it is, loaded into a CIB
 * with Pacemaker's own cibadmin, and the agent is run with exactly the parameters it sets — pgdata alone,
 * every other parameter at its default (logfile empty, pghost /var/run/postgresql, port 5432, state_dir
 * /run/promigrate). So that the defaults can be used as written without touching this machine's own
 * PostgreSQL, each action runs in a private mount and network namespace where /var/lib/postgresql and
 * /run are this test's directories.
 */
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managedConninfo } from '../../lab/netcluster/clusterResources.ts';
import { AgentHarness } from '../fixtures/agentHarness.ts';

/** The first ```xml block of the guide's "Cluster configuration" section. */
async function guideConfiguration(): Promise<string> {
  const guide = await readFile('docs/guide.md', 'utf8');
  const section = guide.slice(guide.indexOf('## Cluster configuration'));
  const match = /```xml\n([\s\S]*?)```/.exec(section);
  if (match === null) throw new Error('docs/guide.md has no xml block under "Cluster configuration"');
  return match[1] as string;
}

/** The instance attributes the guide's primitive sets, by name. */
function instanceAttributes(xml: string): Record<string, string> {
  const block = /<instance_attributes[^>]*>([\s\S]*?)<\/instance_attributes>/.exec(xml)?.[1] ?? '';
  const attributes: Record<string, string> = {};
  for (const [, name, value] of block.matchAll(/<nvpair [^>]*name="([^"]+)" value="([^"]*)"/g)) {
    attributes[name as string] = value as string;
  }
  return attributes;
}

/** Paths are test-made (mkdtemp, the checkout): no quotes in them. */
const isolated = (root: string, agent: string) => `#!/bin/sh
# The built agent, run in a private mount and network namespace where /var/lib/postgresql and /run are this
# test's; the machine's own stay untouched. The postmaster stays in the namespace of the start that made it;
# later actions reach it through the socket directory, which every namespace shares.
exec unshare --mount --net --propagation private -- /bin/sh -c '
  ip link set lo up &&
  mount --bind "${root}/lib" /var/lib/postgresql &&
  mount -t tmpfs tmpfs /run &&
  mkdir /run/postgresql &&
  mount --bind "${root}/run" /run/postgresql &&
  exec "${agent}" "$0"' "$1"
`;

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([execa('id', ['-u', 'postgres']), execa('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

describe("the guide's configuration, verbatim", () => {
  let root = '';
  let harness: AgentHarness;
  let xml = '';
  beforeAll(async () => {
    xml = await guideConfiguration();
    root = await mkdtemp(join(tmpdir(), 'promigrate-guide-'));
    await chmod(root, 0o755);
    const user = await postgresIds();
    for (const dir of ['lib', 'run']) {
      await mkdir(join(root, dir));
      await chown(join(root, dir), user.uid, user.gid);
    }
    await writeFile(join(root, 'pgsql'), isolated(root, resolve('dist/ocf/resource.d/promigrate/pgsql')), {
      mode: 0o755,
    });
    const pgdata = instanceAttributes(xml).pgdata ?? '';
    expect(pgdata).toBe('/var/lib/postgresql/15/main');
    const own = join(root, 'lib', pgdata.slice('/var/lib/postgresql/'.length));
    await execa('/usr/lib/postgresql/15/bin/initdb', ['-D', own, '--auth=trust'], {
      uid: user.uid,
      gid: user.gid,
      cwd: '/',
    });
    harness = await AgentHarness.create({
      agent: { path: join(root, 'pgsql'), type: 'pgsql', provider: 'promigrate' },
      nodes: ['node1'],
      parameters: () => instanceAttributes(xml),
    });
  }, 60_000);
  afterAll(async () => {
    if (harness !== undefined) await act('stop').catch(() => undefined);
    await harness?.dispose();
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  const act = (action: string, meta: Record<string, string> = {}) => harness.run('node1', action, meta);

  it('is a clone Pacemaker reads as the guide says: promotable, notify, the parameters given', async () => {
    const cib = join(root, 'cib.xml');
    await writeFile(cib, (await execa('cibadmin', ['--empty'])).stdout);
    const env = { CIB_file: cib, PCMK_logfacility: 'none' };
    await execa('cibadmin', ['--create', '-o', 'resources', '--xml-text', xml], { env });
    const get = async (args: string[]) => (await execa('crm_resource', args, { env })).stdout.trim();
    expect(await get(['-r', 'pgsql-ha', '--meta', '--get-parameter', 'promotable'])).toBe('true');
    expect(await get(['-r', 'pgsql-ha', '--meta', '--get-parameter', 'notify'])).toBe('true');
    expect(await get(['-r', 'pgsql', '--get-parameter', 'pgdata'])).toBe('/var/lib/postgresql/15/main');
    // The cluster tests and the benchmark run exactly this template (lab/netcluster/clusterResources.ts).
    expect(await get(['-r', 'pgsql', '--get-parameter', 'primary_conninfo'])).toBe(managedConninfo);
    await execa('crm_simulate', ['-x', cib, '-S', '-O', join(root, 'simulated.xml')], { env });
  });

  it('every other parameter at its default: start, monitor, promote, demote and stop work (logfile empty)', async () => {
    expect((await act('validate-all')).code).toBe(0);
    const start = await act('start', { timeout: '30000' });
    expect(start.code, harness.transcript()).toBe(0);
    expect((await act('monitor', { interval: '16000' })).code, harness.transcript()).toBe(0);
    expect((await act('promote')).code, harness.transcript()).toBe(0);
    expect((await act('monitor', { interval: '15000' })).code, harness.transcript()).toBe(8);
    expect((await act('demote')).code, harness.transcript()).toBe(0);
    expect((await act('stop')).code, harness.transcript()).toBe(0);
    expect((await act('monitor', { interval: '0' })).code, harness.transcript()).toBe(7);
  }, 120_000);
});
