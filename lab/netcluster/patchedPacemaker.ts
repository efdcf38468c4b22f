/**
 * A patched Pacemaker inside a namespace node: the build tree of upstream/pacemaker/build.sh, bound over the
 * distribution's files in the node's own mount namespace (the host's files are never written). Its shared
 * libraries replace Debian's of the same soname and version — so Debian's pacemaker-schedulerd schedules
 * with the patched libpacemaker, and pacemaker-based accepts a CIB of the patched feature set — and its
 * pacemaker-controld replaces Debian's, because the controller reports the feature set it was compiled with
 * (#feature-set at join), which the migration's gate reads. Every other daemon and tool is Debian's.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** Where Debian's Pacemaker libraries and daemons are. */
const libraryDir = '/usr/lib/x86_64-linux-gnu';
const daemonDir = '/usr/lib/pacemaker';

/** The tree's built libraries: lib/<part>/.libs/lib*.so.<version> (files, not the soname links). */
async function builtLibraries(tree: string): Promise<string[]> {
  const found: string[] = [];
  for (const part of await readdir(join(tree, 'lib'))) {
    const dir = join(tree, 'lib', part, '.libs');
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const entry of entries) {
      if (!/^lib[\w]+\.so\.\d+\.\d+\.\d+$/.test(entry)) continue;
      if ((await stat(join(dir, entry))).isFile()) found.push(join(dir, entry));
    }
  }
  return found.sort();
}

/** The shell lines that bind the patched build over Debian's files, for a node's start-up script. */
export async function patchedPacemakerMounts(tree: string): Promise<string[]> {
  const libraries = await builtLibraries(tree);
  if (libraries.length === 0) throw new Error(`no built Pacemaker libraries under ${tree}/lib (run build.sh)`);
  const controller = join(tree, 'daemons', 'controld', '.libs', 'pacemaker-controld');
  await stat(controller).catch(() => {
    throw new Error(`no built pacemaker-controld at ${controller} (run build.sh)`);
  });
  return [
    ...libraries.map((library) => `mount --bind ${library} ${libraryDir}/${basename(library)}`),
    `mount --bind ${controller} ${daemonDir}/pacemaker-controld`,
  ];
}
