/**
 * The installed entry point: notifications with nothing to do are answered by the shell alone — shown by
 * an OCF root that holds the entry point but not the bundle — and the bundled agent gives the same answer
 * for each of them; every other action reaches the bundle.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const idle = ['pre', 'post']
  .flatMap((type) => ['start', 'stop', 'demote', 'promote'].map((operation) => ({ type, operation })))
  .filter(({ type, operation }) => !(type === 'pre' && operation === 'promote'));

describe('the agents’ entry point', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'promigrate-entry-'));
    await mkdir(join(root, 'resource.d', 'promigrate'), { recursive: true });
    await copyFile(resolve('dist/ocf/resource.d/promigrate/pgsql'), join(root, 'resource.d', 'promigrate', 'pgsql'));
  });
  afterAll(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  const run = (path: string, action: string, env: Record<string, string>, viaNode = false) =>
    execa(viaNode ? process.execPath : path, viaNode ? [path, action] : [action], {
      reject: false,
      stdin: 'ignore',
      extendEnv: false,
      env: { PATH: '/usr/bin:/bin', OCF_ROOT: root, OCF_RESOURCE_INSTANCE: 'pgsql', ...env },
    });
  const meta = (type: string, operation: string) => ({
    OCF_RESKEY_CRM_meta_notify_type: type,
    OCF_RESKEY_CRM_meta_notify_operation: operation,
  });

  it.each(idle)('answers the $type-$operation notify itself, as the bundle does', async ({ type, operation }) => {
    const shell = await run(join(root, 'resource.d', 'promigrate', 'pgsql'), 'notify', meta(type, operation));
    expect([shell.exitCode, shell.stdout, shell.stderr]).toEqual([0, '', '']);
    const bundled = await run(
      resolve('dist/ocf/lib/promigrate/pgsql.cjs'),
      'notify',
      { ...meta(type, operation), OCF_RESKEY_pgdata: '/nonexistent' },
      true,
    );
    expect(bundled.exitCode, bundled.stderr).toBe(0);
  });

  it.each([
    ['notify', meta('pre', 'promote')],
    ['monitor', {}],
    ['meta-data', {}],
  ])('hands %s to the bundle (absent here, so Node fails to load it)', async (action, env) => {
    const result = await run(join(root, 'resource.d', 'promigrate', 'pgsql'), action, env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(join(root, 'lib', 'promigrate', 'pgsql.cjs'));
  });
});
