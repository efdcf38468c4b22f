/**
 * The cluster as the switchover command sees it, through Pacemaker's own tools on this node: the clone's
 * primitive, the status (crm_mon), the published node records (private attributes), and the two things
 * the command creates — the move constraint and the operator's intent — with their removal.
 */
import { execa } from 'execa';
import { parseAttributeQuery } from '../../agent/cluster/privateAttributes.ts';
import { promotionScores } from '../../agent/cluster/promotionScores.ts';
import { parseClusterStatus } from '../adapter/clusterStatus.ts';
import { formatIntent, intentAttribute } from '../policy/intent.ts';
import { type NodeRecord, parseNodeRecord } from '../policy/nodeRecord.ts';

export class ClusterViewError extends Error {}

async function tool(program: string, args: readonly string[]): Promise<string> {
  const result = await execa(program, args, { reject: false, stdin: 'ignore', timeout: 30_000 });
  if (result.exitCode !== 0 || result.failed) {
    const message = String(result.stderr || result.stdout || result.message)
      .trim()
      .split('\n')[0];
    throw new ClusterViewError(`${program} ${args.join(' ')}: ${message}`);
  }
  return String(result.stdout);
}

/** The primitive of a promotable clone, from the CIB's resources. */
export function clonePrimitive(resourcesXml: string, clone: string): string | null {
  const escaped = clone.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const block = new RegExp(`<clone[^>]*\\sid="${escaped}"[^>]*>([\\s\\S]*?)</clone>`).exec(resourcesXml);
  if (block === null) return null;
  const promotable = /name="promotable" value="true"/.test(block[1] as string);
  const primitive = /<primitive[^>]*\sid="([^"]+)"/.exec(block[1] as string);
  return promotable && primitive !== null ? (primitive[1] as string) : null;
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
  const primitive = clonePrimitive(await tool('cibadmin', ['--query', '--scope', 'resources']), clone);
  if (primitive === null) throw new ClusterViewError(`no promotable clone ${clone} in the CIB`);
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
