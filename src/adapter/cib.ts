/**
 * The facts of a CIB that explain a promoted-role change: nodes (online, standby, lost), promotable clones,
 * location constraints, and from the status section each instance's role and failures.
 */
import { InputError } from './inputError.ts';
import { attribute, child, children, parseXmlDocument, type XmlElement } from './xmlDocument.ts';

export type InstanceRole = 'promoted' | 'unpromoted' | 'stopped';

export interface CibNode {
  readonly name: string;
  readonly online: boolean;
  /** Lost: not online although the cluster expected it (crashed, partitioned, or fenced down). */
  readonly lost: boolean;
  readonly standby: boolean;
}

export interface PromotableClone {
  readonly id: string;
  readonly primitive: string;
  readonly notify: boolean;
  /** How many instances may be promoted at once (promoted-max, or the older master-max; 1 when unset). */
  readonly promotedMax: number;
  /** The primitive's agent as `class:provider:type` (`ocf:promigrate:pgsql`), null for a group. */
  readonly agent: string | null;
  /** The primitive's instance attributes (the agent's parameters as configured; defaults not filled in). */
  readonly parameters: ReadonlyMap<string, string>;
}

export interface LocationConstraint {
  readonly id: string;
  readonly resource: string;
  readonly node: string | null;
  readonly role: string | null;
  readonly score: string;
}

export interface Instance {
  readonly role: InstanceRole;
  /** The call id of the promote that made it promoted: a new one means it was promoted again. */
  readonly promotedBy: number | null;
  /** A failed operation or a fail-count is recorded for it on that node. */
  readonly failed: boolean;
}

export interface Cib {
  readonly featureSet: string | null;
  /** When the scheduler saved this input (`execution-date`, seconds): pe-inputs carry it, a live CIB not. */
  readonly executionDate: number | null;
  /** admin_epoch, epoch, num_updates: the CIB's version, which only grows while the cluster runs. */
  readonly version: readonly [number, number, number];
  readonly nodes: ReadonlyMap<string, CibNode>;
  readonly clones: readonly PromotableClone[];
  readonly locations: readonly LocationConstraint[];
  /** primitive id → node → instance */
  readonly instances: ReadonlyMap<string, ReadonlyMap<string, Instance>>;
}

function wholeNumber(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : null;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['true', 'yes', 'on', '1', 'y'].includes(value.toLowerCase());
}

function nvpairs(element: XmlElement | undefined, set: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const attributes of children(element, set)) {
    for (const pair of children(attributes, 'nvpair')) {
      const name = attribute(pair, 'name');
      const value = attribute(pair, 'value');
      if (name !== undefined && value !== undefined) result.set(name, value);
    }
  }
  return result;
}

function promotableClones(resources: XmlElement | undefined): PromotableClone[] {
  const found: PromotableClone[] = [];
  const visit = (element: XmlElement, legacyMaster: boolean) => {
    const meta = nvpairs(element, 'meta_attributes');
    const primitiveElement = child(element, 'primitive');
    const primitive = attribute(primitiveElement, 'id') ?? attribute(child(element, 'group'), 'id');
    const id = attribute(element, 'id');
    if (id !== undefined && primitive !== undefined && (legacyMaster || isTrue(meta.get('promotable')))) {
      const agent =
        primitiveElement === undefined
          ? null
          : ['class', 'provider', 'type'].map((name) => attribute(primitiveElement, name) ?? '').join(':');
      const parameters = nvpairs(primitiveElement, 'instance_attributes');
      const promotedMax = Number(meta.get('promoted-max') ?? meta.get('master-max') ?? '1');
      found.push({
        id,
        primitive,
        notify: isTrue(meta.get('notify')),
        promotedMax: Number.isInteger(promotedMax) && promotedMax >= 0 ? promotedMax : 1,
        agent,
        parameters,
      });
    }
  };
  for (const clone of children(resources, 'clone')) visit(clone, false);
  for (const master of children(resources, 'master')) visit(master, true);
  return found;
}

/**
 * A probe (a monitor with interval 0) that found the instance stopped, running or running promoted: what it
 * found, not a failure. Pacemaker records a probe that finds an instance promoted (rc 8 against an expected
 * 7) as `last_failure` too, and its scheduler does not count it (unpack.c: "Probe found ... active and
 * promoted"); nor may the adapter, or a standby on the primary's node reads as a failover caused by failure.
 */
function isProbeFinding(operation: XmlElement): boolean {
  const probe =
    attribute(operation, 'operation') === 'monitor' && Number(attribute(operation, 'interval') ?? '0') === 0;
  return (
    probe &&
    ['0', '7', '8'].includes(attribute(operation, 'rc-code') ?? '') &&
    attribute(operation, 'op-status') === '0'
  );
}

/** The role recorded by an operation's result, as the scheduler reads it. */
function roleFrom(operation: string, rc: number): InstanceRole | null {
  if (operation === 'promote') return rc === 0 ? 'promoted' : null;
  if (operation === 'demote' || operation === 'start') return rc === 0 ? 'unpromoted' : null;
  if (operation === 'stop') return 'stopped';
  if (operation === 'monitor') {
    if (rc === 8 || rc === 9) return 'promoted';
    if (rc === 0) return 'unpromoted';
    if (rc === 7) return 'stopped';
  }
  return null;
}

function instancesOf(status: XmlElement | undefined): Map<string, Map<string, Instance>> {
  const result = new Map<string, Map<string, Instance>>();
  for (const state of children(status, 'node_state')) {
    const node = attribute(state, 'uname') ?? attribute(state, 'id') ?? '';
    const transient = new Map<string, string>();
    for (const set of children(state, 'transient_attributes')) {
      for (const [name, value] of nvpairs(set, 'instance_attributes')) transient.set(name, value);
    }
    for (const resource of children(child(child(state, 'lrm'), 'lrm_resources'), 'lrm_resource')) {
      // An anonymous clone's instance may be recorded numbered (`rsc1:0`, older histories and Pacemaker's own
      // test inputs), its operations still named after the primitive (`rsc1_last_0`): one primitive either way.
      const recorded = attribute(resource, 'id') ?? '';
      const primitive = recorded.replace(/:\d+$/, '');
      const ops = children(resource, 'lrm_rsc_op');
      const named = (suffix: string) =>
        ops.find(
          (op) => attribute(op, 'id') === `${primitive}${suffix}` || attribute(op, 'id') === `${recorded}${suffix}`,
        );
      const last = named('_last_0');
      const lastFailure = named('_last_failure_0');
      const callId = (op: XmlElement | undefined) => Number(attribute(op, 'call-id') ?? -1);
      let role: InstanceRole = 'stopped';
      if (last !== undefined) {
        role = roleFrom(attribute(last, 'operation') ?? '', Number(attribute(last, 'rc-code'))) ?? 'stopped';
      }
      const failCounted = [...transient.entries()].some(
        ([name, value]) => name.startsWith(`fail-count-${primitive}#`) && value !== '0',
      );
      const failed =
        failCounted ||
        (lastFailure !== undefined && !isProbeFinding(lastFailure) && callId(lastFailure) >= callId(last));
      const perNode = result.get(primitive) ?? new Map<string, Instance>();
      const promotedBy = role === 'promoted' && attribute(last, 'operation') === 'promote' ? callId(last) : null;
      perNode.set(node, { role, promotedBy, failed });
      result.set(primitive, perNode);
    }
  }
  return result;
}

export function cibFromElement(element: XmlElement, source: string): Cib {
  const configuration = child(element, 'configuration');
  const status = child(element, 'status');
  if (configuration === undefined) throw new InputError(source, '<cib> without <configuration>');
  const states = new Map(children(status, 'node_state').map((state) => [attribute(state, 'uname') ?? '', state]));
  const nodes = new Map<string, CibNode>();
  for (const node of children(child(configuration, 'nodes'), 'node')) {
    const name = attribute(node, 'uname') ?? attribute(node, 'id') ?? '';
    const state = states.get(name);
    const inMembership = isTrue(attribute(state, 'in_ccm')) || /^\d+$/.test(attribute(state, 'in_ccm') ?? '');
    const controller = attribute(state, 'crmd');
    const online = state !== undefined && inMembership && (controller === 'online' || /^\d+$/.test(controller ?? ''));
    const expected = attribute(state, 'expected') === 'member' || attribute(state, 'join') === 'member';
    let transientStandby = false;
    for (const set of children(state, 'transient_attributes')) {
      if (isTrue(nvpairs(set, 'instance_attributes').get('standby'))) transientStandby = true;
    }
    const standby = isTrue(nvpairs(node, 'instance_attributes').get('standby')) || transientStandby;
    nodes.set(name, { name, online, lost: state !== undefined && !online && expected, standby });
  }
  const locations: LocationConstraint[] = children(child(configuration, 'constraints'), 'rsc_location').map(
    (location) => ({
      id: attribute(location, 'id') ?? '',
      resource: attribute(location, 'rsc') ?? '',
      node: attribute(location, 'node') ?? attribute(child(child(location, 'rule'), 'expression'), 'value') ?? null,
      role: attribute(location, 'role') ?? attribute(child(location, 'rule'), 'role') ?? null,
      score: attribute(location, 'score') ?? attribute(child(location, 'rule'), 'score') ?? '',
    }),
  );
  return {
    featureSet: attribute(element, 'crm_feature_set') ?? null,
    executionDate: wholeNumber(attribute(element, 'execution-date')),
    version: [
      wholeNumber(attribute(element, 'admin_epoch')) ?? 0,
      wholeNumber(attribute(element, 'epoch')) ?? 0,
      wholeNumber(attribute(element, 'num_updates')) ?? 0,
    ],
    nodes,
    clones: promotableClones(child(configuration, 'resources')),
    locations,
    instances: instancesOf(status),
  };
}

export function parseCib(text: string, source: string): Cib {
  const { root, element } = parseXmlDocument(text, source);
  if (root !== 'cib') throw new InputError(source, `expected <cib>, found <${root}>`);
  return cibFromElement(element, source);
}

/** Nodes whose instance is recorded promoted; lost nodes only when asked (who held the role before). */
export function promotedNodes(cib: Cib, clone: PromotableClone, includeLost = false): string[] {
  const perNode = cib.instances.get(clone.primitive);
  if (perNode === undefined) return [];
  const counts = (node: string) =>
    cib.nodes.get(node)?.online === true || (includeLost && cib.nodes.get(node)?.lost === true);
  return [...perNode.entries()]
    .filter(([node, instance]) => instance.role === 'promoted' && counts(node))
    .map(([node]) => node)
    .sort();
}
