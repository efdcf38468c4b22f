/**
 * FAULT INJECTION for the chaos campaign: `crm_attribute` and `attrd_updater` that fail on one node while a
 * flag is set there, as the real tools fail when their daemon cannot be reached (exit 102, CRM_EX_NOT_CONNECTED,
 * with the real message). Installed beside the fence agent in the overlay over each node's /usr/sbin: the
 * wrapper runs the real program (copied next to it) whenever the flag is absent, so every other test sees
 * the real tools unchanged. The flag lives in the node's own /run (a tmpfs per node, gone at a reboot).
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NamespaceCluster } from './namespaceCluster.ts';

export const failingTools = ['crm_attribute', 'attrd_updater'] as const;
const flag = '/run/promigrate-fault-tools';

const daemonOf: Record<(typeof failingTools)[number], string> = {
  crm_attribute: 'Could not connect to the CIB: Transport endpoint is not connected',
  attrd_updater: 'Could not connect to attrd: Transport endpoint is not connected',
};

function wrapper(tool: (typeof failingTools)[number]): string {
  return `#!/bin/sh
# FAULT INJECTION (promigrate's chaos campaign, lab/netcluster/toolFaults.ts): fails like the real ${tool}
# when its daemon is unreachable while ${flag} exists on this node; otherwise the real program runs.
if [ -e ${flag} ]; then
  echo "${tool}: ${daemonOf[tool]}" >&2
  exit 102
fi
exec /usr/sbin/${tool}.real "$@"
`;
}

/** Writes the wrappers and copies of the real programs into the overlay directory over /usr/sbin. */
export async function installToolFaults(overlay: string): Promise<void> {
  for (const tool of failingTools) {
    await copyFile(`/usr/sbin/${tool}`, join(overlay, `${tool}.real`));
    await writeFile(join(overlay, tool), wrapper(tool), { mode: 0o755 });
  }
}

/** The node's cluster tools fail (true) or work again (false). */
export async function setToolsFailing(cluster: NamespaceCluster, node: string, failing: boolean): Promise<void> {
  const result = await cluster.exec(node, failing ? ['touch', flag] : ['rm', '-f', flag]);
  if (result.exitCode !== 0) throw new Error(`${node}: cannot ${failing ? 'set' : 'clear'} the tool fault flag`);
}
