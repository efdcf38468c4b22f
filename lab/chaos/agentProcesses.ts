/**
 * The OCF agent processes running on the namespace cluster's nodes, found as pacemaker-execd started them:
 * the bundle (`…/lib/promigrate/pgsql.cjs <action>`) with the node in its environment
 * (OCF_RESKEY_CRM_meta_on_node), in the node's own network namespace (other tests on the machine run the
 * same agent under the same node names). The nodes share the machine's PID namespace, so /proc shows them all.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';

export interface AgentProcess {
  readonly pid: number;
  readonly node: string;
  readonly action: string;
}

/** One process's command line and environment (NUL-separated, as /proc gives them), if it is an agent. */
export function parseAgentProcess(pid: number, cmdline: string, environ: string): AgentProcess | null {
  const argv = cmdline.split('\0').filter(Boolean);
  if (!argv.some((arg) => arg.endsWith('/lib/promigrate/pgsql.cjs'))) return null;
  const action = argv.at(-1) ?? '';
  const node = environ
    .split('\0')
    .find((entry) => entry.startsWith('OCF_RESKEY_CRM_meta_on_node='))
    ?.slice('OCF_RESKEY_CRM_meta_on_node='.length);
  return node === undefined ? null : { pid, node, action };
}

/** The agents running in the network namespace `namespace` (a name under /run/netns). */
export async function agentProcesses(namespace: string): Promise<AgentProcess[]> {
  const inode = (await stat(`/run/netns/${namespace}`)).ino;
  const found: AgentProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('pgsql.cjs')) continue;
    if ((await readlink(`/proc/${entry}/ns/net`).catch(() => '')) !== `net:[${inode}]`) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    const agent = parseAgentProcess(Number(entry), cmdline, environ);
    if (agent !== null) found.push(agent);
  }
  return found;
}

/** Polls until an agent runs `action` on `node` (in `namespace`); null when `ms` pass first. */
export async function awaitAgentAction(
  namespace: string,
  node: string,
  action: string,
  ms: number,
): Promise<AgentProcess | null> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const running = (await agentProcesses(namespace)).find((agent) => agent.action === action && agent.node === node);
    if (running !== undefined) return running;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return null;
}
