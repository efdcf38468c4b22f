/** This node's name as Pacemaker knows it: CRM_meta_on_node, else the host name (what `crm_node -n` falls back to). */
import { hostname } from 'node:os';

export function nodeName(env: Readonly<Record<string, string | undefined>>): string {
  const node = env.OCF_RESKEY_CRM_meta_on_node;
  return node === undefined || node === '' ? hostname() : node;
}
