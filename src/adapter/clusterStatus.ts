/**
 * What `crm_mon --output-as=xml` says of a promotable clone and its primary address: which nodes there are
 * and which are online, who is promoted, who runs unpromoted, where the address runs, and the failed
 * operations (with the agent's exit reason). Pure: the text in, the status out, read with the adapter's XML
 * reader (entities decoded, malformed XML refused with its line and column).
 */
import { InputError } from './inputError.ts';
import { attribute, children, parseXmlDocument, type XmlElement } from './xmlDocument.ts';

export interface FailedOperation {
  readonly node: string;
  readonly task: string;
  readonly exitReason: string;
}

export interface ClusterStatus {
  /** Every node crm_mon lists, online or not. */
  readonly nodes: readonly string[];
  readonly online: readonly string[];
  readonly promoted: readonly string[];
  readonly unpromoted: readonly string[];
  readonly vip: readonly string[];
  readonly failures: readonly FailedOperation[];
}

/** Every `resource` element under `element`, at any depth (clones, groups and bundles nest them). */
function resourcesWithin(element: XmlElement): XmlElement[] {
  const found: XmlElement[] = [];
  for (const [name, list] of Object.entries(element.children)) {
    for (const each of list) {
      if (name === 'resource') found.push(each);
      else found.push(...resourcesWithin(each));
    }
  }
  return found;
}

export function parseClusterStatus(xml: string, primitive: string, vip: string): ClusterStatus {
  let document: { root: string; element: XmlElement };
  try {
    document = parseXmlDocument(xml, 'crm_mon');
  } catch (error) {
    if (error instanceof InputError) throw new Error(`crm_mon gave no XML status (${error.message})`);
    throw error;
  }
  if (document.root !== 'pacemaker-result') throw new Error('crm_mon gave no XML status');
  const result = document.element;
  const listed = children(children(result, 'nodes')[0], 'node');
  const nodes = listed.map((node) => attribute(node, 'name') ?? '').filter((name) => name !== '');
  const online = listed.filter((node) => attribute(node, 'online') === 'true').map((node) => attribute(node, 'name'));
  const promoted: string[] = [];
  const unpromoted: string[] = [];
  const vipNodes: string[] = [];
  for (const resource of resourcesWithin(children(result, 'resources')[0] ?? result)) {
    if (attribute(resource, 'active') !== 'true') continue;
    // A failed promote leaves the instance shown as Promoted with failed="true": it is no primary.
    if (attribute(resource, 'failed') === 'true') continue;
    const id = attribute(resource, 'id');
    const role = attribute(resource, 'role');
    const on = children(resource, 'node').map((node) => attribute(node, 'name') ?? '');
    // Pacemaker before 2.1 names the roles Master and Slave.
    if (id === primitive && (role === 'Promoted' || role === 'Master')) promoted.push(...on);
    else if (id === primitive && (role === 'Unpromoted' || role === 'Slave')) unpromoted.push(...on);
    else if (id === vip && role === 'Started') vipNodes.push(...on);
  }
  const failures: FailedOperation[] = [];
  for (const failure of children(children(result, 'failures')[0], 'failure')) {
    const op = attribute(failure, 'op_key') ?? '';
    if (!op.startsWith(`${primitive}_`)) continue;
    failures.push({
      node: attribute(failure, 'node') ?? '',
      task: attribute(failure, 'task') ?? op,
      exitReason: attribute(failure, 'exitreason') ?? '',
    });
  }
  return {
    nodes,
    online: online.filter((name): name is string => name !== undefined),
    promoted: promoted.sort(),
    unpromoted: unpromoted.sort(),
    vip: vipNodes,
    failures,
  };
}
