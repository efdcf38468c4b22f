/**
 * The cluster as the switchover command sees it, through Pacemaker's own tools on this node: the clone's
 * primitive, the status (crm_mon), the published node records (private attributes), and the two things
 * the command creates — the move constraint and the operator's intent — with their removal.
 */
import { execa } from 'execa';
import { parseAttributeQuery } from '../../agent/cluster/privateAttributes.ts';
import { promotionScores } from '../../agent/cluster/promotionScores.ts';
import { type Cib, type PromotableClone, parseCib } from '../adapter/cib.ts';
import { parseClusterStatus } from '../adapter/clusterStatus.ts';
import { formatIntent, intentAttribute } from '../policy/intent.ts';
import { type NodeRecord, parseNodeRecord } from '../policy/nodeRecord.ts';

export class ClusterViewError extends Error {}

export async function tool(program: string, args: readonly string[]): Promise<string> {
  const result = await execa(program, args, { reject: false, stdin: 'ignore', timeout: 30_000 });
  if (result.exitCode !== 0 || result.failed) {
    const message = String(result.stderr || result.stdout || result.message)
      .trim()
      .split('\n')[0];
    throw new ClusterViewError(`${program} ${args.join(' ')}: ${message}`);
  }
  return String(result.stdout);
}

/**
 * The promotable clone named `clone`, or with no name the one promotable clone of a promigrate agent the CIB
 * holds; an error names what is there instead.
 */
export function findClone(cib: Cib, clone: string | null): PromotableClone {
  if (clone !== null) {
    const found = cib.clones.find((each) => each.id === clone);
    if (found === undefined) throw new ClusterViewError(`no promotable clone ${clone} in the CIB`);
    return found;
  }
  const ours = cib.clones.filter((each) => each.agent?.startsWith('ocf:promigrate:') === true);
  if (ours.length === 1) return ours[0] as PromotableClone;
  const names = (ours.length === 0 ? cib.clones : ours).map((each) => each.id);
  throw new ClusterViewError(
    names.length === 0
      ? 'the CIB holds no promotable clone'
      : `name the clone: the CIB holds ${names.length === 1 ? 'only ' : ''}${names.join(', ')}`,
  );
}

/** The live CIB, read with cibadmin, as the adapter reads a CIB. */
export async function liveCib(): Promise<{ xml: string; cib: Cib }> {
  const xml = await tool('cibadmin', ['--query']);
  try {
    return { xml, cib: parseCib(xml, 'cibadmin --query') };
  } catch (error) {
    throw new ClusterViewError((error as Error).message);
  }
}

export interface ClusterSnapshot {
  readonly at: number;
  readonly online: readonly string[];
  readonly promoted: readonly string[];
  readonly unpromoted: readonly string[];
  readonly failures: readonly { readonly node: string; readonly task: string; readonly exitReason: string }[];
  /** Every node's published record (an unreadable one is left out: never trusted). */
  readonly records: ReadonlyMap<string, NodeRecord>;
}

export interface ClusterView {
  readonly clone: string;
  readonly primitive: string;
  observe(): Promise<ClusterSnapshot>;
  /** The node's promotion score (null: none), which the scheduler adds to the move's INFINITY. */
  promotionScore(node: string): Promise<number | null>;
  setIntent(target: string, expiresAtMs: number): Promise<void>;
  move(target: string): Promise<void>;
  /** Removes the move constraint and the intent; each is attempted even when the other fails. */
  clean(): Promise<string[]>;
}

export async function clusterView(clone: string): Promise<ClusterView> {
  const { primitive } = findClone((await liveCib()).cib, clone);
  const record = `promigrate-${primitive}`;
  return {
    clone,
    primitive,
    async observe() {
      const [xml, records] = await Promise.all([
        tool('crm_mon', ['--one-shot', '--output-as=xml', '--inactive']),
        execa('attrd_updater', ['--private', '--name', record, '--query', '--all'], { reject: false, stdin: 'ignore' }),
      ]);
      const at = Date.now();
      const status = parseClusterStatus(xml, primitive, '');
      const texts = parseAttributeQuery(String(records.stdout), record);
      const parsed = new Map<string, NodeRecord>();
      for (const [node, text] of texts) {
        try {
          parsed.set(node, parseNodeRecord(text));
        } catch {}
      }
      const { online, promoted, unpromoted, failures } = status;
      return { at, online, promoted, unpromoted, failures, records: parsed };
    },
    async setIntent(target, expiresAtMs) {
      await tool('crm_attribute', [...intentAttribute(primitive), '--update', formatIntent(target, expiresAtMs)]);
    },
    promotionScore(node) {
      // Unreadable counts as none: the precheck then leaves the verdict to the cluster.
      return promotionScores({ resource: primitive, node })
        .get()
        .catch(() => null);
    },
    async move(target) {
      await tool('crm_resource', ['--resource', clone, '--move', '--promoted', '--node', target]);
    },
    async clean() {
      const problems: string[] = [];
      await tool('crm_resource', ['--resource', clone, '--clear']).catch((error: Error) =>
        problems.push(error.message),
      );
      const removed = await execa('crm_attribute', [...intentAttribute(primitive), '--delete'], {
        reject: false,
        stdin: 'ignore',
      });
      if (removed.exitCode !== 0 && removed.exitCode !== 105) problems.push(String(removed.stderr).trim());
      return problems;
    },
  };
}
