/**
 * `promigrate install-agents [--ocf-root DIR]`: puts the built agents where Pacemaker looks for them, as the
 * build lays them out in dist/ocf: DIR/resource.d/promigrate/{pgsql,stateful}, the entry points execd runs
 * (mode 755), and DIR/lib/promigrate/{pgsql,stateful}.cjs, the bundles they start (mode 644). Default OCF
 * root /usr/lib/ocf. Each file is written beside its destination and renamed over it, bundles first, so a
 * cluster that runs a monitor meanwhile sees the old agent or the new one, never half of one.
 */
import { chmod, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Output, UsageError } from './commands.ts';

export const agentNames = ['pgsql', 'stateful'] as const;

/** The built files, relative to an OCF root, with their modes: bundles before the entry points that run them. */
const installed = agentNames.flatMap((name) => [
  { path: join('lib', 'promigrate', `${name}.cjs`), mode: 0o644 },
  { path: join('resource.d', 'promigrate', name), mode: 0o755 },
]);

/** Where the build leaves them: beside the bundled CLI, in dist/ocf. */
function built(path: string): string {
  return join(fileURLToPath(new URL('./ocf/', import.meta.url)), path);
}

async function install(source: string, destination: string, mode: number): Promise<void> {
  const temporary = `${destination}.${process.pid}.tmp`;
  try {
    await copyFile(source, temporary);
    await chmod(temporary, mode);
    await rename(temporary, destination);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
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
  for (const { path } of installed) {
    if ((await stat(built(path)).catch(() => null)) === null) {
      throw new UsageError(`${built(path)} is missing: run npm run build first`);
    }
  }
  for (const { path, mode } of installed) {
    const destination = join(ocfRoot, path);
    await mkdir(join(destination, '..'), { recursive: true, mode: 0o755 });
    await install(built(path), destination, mode);
  }
  for (const name of agentNames) {
    out.stdout(`installed ocf:promigrate:${name} as ${join(ocfRoot, 'resource.d', 'promigrate', name)}\n`);
  }
  return 0;
}
