/**
 * What `crm_mon --output-as=xml` says of the PostgreSQL clone and its primary address: who is promoted,
 * who runs unpromoted, where the address runs, which nodes are online, and the failed operations (with the
 * agent's exit reason). Pure: the text in, the status out.
 */

export interface FailedOperation {
  readonly node: string;
  readonly task: string;
  readonly exitReason: string;
}

export interface ClusterStatus {
  readonly online: readonly string[];
  readonly promoted: readonly string[];
  readonly unpromoted: readonly string[];
  readonly vip: readonly string[];
  readonly failures: readonly FailedOperation[];
}

const attribute = (tag: string, name: string): string | null => {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match === null ? null : (match[1] as string);
};

function unescapeXml(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

export function parseClusterStatus(xml: string, primitive: string, vip: string): ClusterStatus {
  if (!xml.includes('<pacemaker-result')) throw new Error('crm_mon gave no XML status');
  const online = [...xml.matchAll(/<node name="([^"]+)"[^>]*\sonline="true"/g)].map((match) => match[1] as string);
  const promoted: string[] = [];
  const unpromoted: string[] = [];
  const vipNodes: string[] = [];
  // <resource id="X" ... role="R" active="true" ...> <node name="N" .../> </resource>
  for (const match of xml.matchAll(/<resource (id="[^"]*"[^>]*?)(?:\/>|>([\s\S]*?)<\/resource>)/g)) {
    const head = match[1] as string;
    const id = attribute(` ${head}`, 'id');
    const role = attribute(` ${head}`, 'role');
    const nodes = [...(match[2] ?? '').matchAll(/<node name="([^"]+)"/g)].map((each) => each[1] as string);
    if (attribute(` ${head}`, 'active') !== 'true') continue;
    // A failed promote leaves the instance shown as Promoted with failed="true": it is no primary.
    if (attribute(` ${head}`, 'failed') === 'true') continue;
    // Pacemaker before 2.1 names the roles Master and Slave.
    if (id === primitive && (role === 'Promoted' || role === 'Master')) promoted.push(...nodes);
    else if (id === primitive && (role === 'Unpromoted' || role === 'Slave')) unpromoted.push(...nodes);
    else if (id === vip && role === 'Started') vipNodes.push(...nodes);
  }
  const failures: FailedOperation[] = [];
  for (const match of xml.matchAll(/<failure ([^>]*)\/?>/g)) {
    const tag = ` ${match[1]}`;
    const op = attribute(tag, 'op_key') ?? '';
    if (!op.startsWith(`${primitive}_`)) continue;
    failures.push({
      node: attribute(tag, 'node') ?? '',
      task: attribute(tag, 'task') ?? op,
      exitReason: unescapeXml(attribute(tag, 'exitreason') ?? ''),
    });
  }
  return { online, promoted: promoted.sort(), unpromoted: unpromoted.sort(), vip: vipNodes, failures };
}
