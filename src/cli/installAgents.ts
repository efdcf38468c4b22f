/**
 * `promigrate install-agents [--ocf-root DIR]`: puts the bundled agents where Pacemaker looks for them,
 * `DIR/resource.d/promigrate/{pgsql,stateful}` (default OCF root /usr/lib/ocf). Each file is written beside
 * its destination and renamed over it, so a cluster that runs a monitor meanwhile sees the old agent or the
 * new one, never half of one. Mode 755: pacemaker-execd runs agents directly, and ocf-tester checks that
 * another user can read the meta-data.
 */
import { chmod, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Output, UsageError } from './commands.ts';

export const agentNames = ['pgsql', 'stateful'] as const;

/** Where the build leaves the agents: beside the bundled CLI, in dist/agents. */
function bundledAgent(name: string): string {
  return fileURLToPath(new URL(`./agents/${name}.cjs`, import.meta.url));
}

export async function installAgents(args: readonly string[], out: Output): Promise<number> {
  let ocfRoot: string;
  try {
    const { values } = parseArgs({
      args: [...args],
      options: { 'ocf-root': { type: 'string', default: '/usr/lib/ocf' } },
      strict: true,
      allowPositionals: false,
    });
    ocfRoot = values['ocf-root'];
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  if (!isAbsolute(ocfRoot) || /[\0\n]/.test(ocfRoot)) {
    throw new UsageError(`--ocf-root expects an absolute directory, got ${JSON.stringify(ocfRoot)}`);
  }
  for (const name of agentNames) {
    const source = bundledAgent(name);
    if ((await stat(source).catch(() => null)) === null) {
      throw new UsageError(`${source} is missing: run npm run build first`);
    }
  }
  const provider = join(ocfRoot, 'resource.d', 'promigrate');
  await mkdir(provider, { recursive: true, mode: 0o755 });
  for (const name of agentNames) {
    const destination = join(provider, name);
    const temporary = `${destination}.${process.pid}.tmp`;
    try {
      await copyFile(bundledAgent(name), temporary);
      await chmod(temporary, 0o755);
      await rename(temporary, destination);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    out.stdout(`installed ocf:promigrate:${name} as ${destination}\n`);
  }
  return 0;
}
