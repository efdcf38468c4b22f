/**
 * What the controller writes into the CIB's status section after running a resource operation, so that
 * the next transition is computed from the real outcome: the `lrm_rsc_op` entry (with the op-digest the
 * scheduler compares against the configuration) and the fail counts. Pure: the executor applies them.
 *
 * Measured here (../shared/notes/executor.md): crm_simulate's own entries have exactly these digests;
 * an entry without its digest makes the scheduler see "definition changed" and clear fail counts.
 */
import { createHash } from 'node:crypto';

/** Pacemaker's op-digest: md5 of the sorted parameters, with meta attributes left out. */
export function operationDigest(attributes: Readonly<Record<string, string>>, interval: number): string {
  const kept = Object.keys(attributes)
    .filter((name) => {
      if (name === 'CRM_meta_timeout') return interval > 0;
      return !name.startsWith('CRM_meta_') && name !== 'crm_feature_set';
    })
    .sort();
  const pairs = kept.map((name) => ` ${name}="${escapeAttribute(attributes[name] as string)}"`).join('');
  return createHash('md5').update(` <parameters${pairs}/>\n`).digest('hex');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface OperationOutcome {
  readonly resource: string;
  readonly node: string;
  readonly operation: string;
  readonly interval: number;
  readonly actionId: number;
  readonly transition: number;
  readonly expectedRc: number;
  readonly rc: number;
  readonly callId: number;
  readonly attributes: Readonly<Record<string, string>>;
  readonly exitReason: string;
  readonly at: number;
  readonly ms: number;
}

const controllerUuid = '00000000-0000-4000-8000-70726f6d6967';

/**
 * The `lrm_rsc_op` elements for an outcome, with the ids the controller gives them
 * (pcmk__create_history_xml): a recurring operation under its own key; migrate_to and migrate_from under
 * their own key too, failed or not ("migration history is preserved separately"), so that `_last_0` keeps the
 * operation before them; any other under `_last_0`, and a failure also under `_last_failure_0`.
 */
export function operationEntries(outcome: OperationOutcome, failed: boolean): string[] {
  const { resource, operation, interval } = outcome;
  const key = `${outcome.actionId}:${outcome.transition}:${outcome.expectedRc}:${controllerUuid}`;
  const attributes = (id: string) =>
    [
      ['id', id],
      ['operation_key', `${resource}_${operation}_${interval}`],
      ['operation', operation],
      ['crm-debug-origin', 'do_update_resource'],
      ['crm_feature_set', outcome.attributes.crm_feature_set ?? '3.16.1'],
      ['transition-key', key],
      ['transition-magic', `0:${outcome.rc};${key}`],
      ['exit-reason', outcome.exitReason],
      ['on_node', outcome.node],
      ['call-id', String(outcome.callId)],
      ['rc-code', String(outcome.rc)],
      ['op-status', '0'],
      ['interval', String(interval)],
      ['last-rc-change', String(Math.floor(outcome.at / 1000))],
      ['exec-time', String(Math.round(outcome.ms))],
      ['queue-time', '0'],
      ['op-digest', operationDigest(outcome.attributes, interval)],
      ...migrationNodes(outcome),
    ]
      .map(([name, value]) => `${name}="${escapeAttribute(value as string)}"`)
      .join(' ');
  const migration = isMigration(operation);
  const id = interval > 0 || migration ? `${resource}_${operation}_${interval}` : `${resource}_last_0`;
  const entries = [`<lrm_rsc_op ${attributes(id)}/>`];
  if (failed && !migration) entries.push(`<lrm_rsc_op ${attributes(`${resource}_last_failure_0`)}/>`);
  return entries;
}

/** Whether an operation is one half of a migration, whose history the controller keeps apart. */
function isMigration(operation: string): boolean {
  return operation === 'migrate_to' || operation === 'migrate_from';
}

/** A migration's two nodes, which the controller copies from the action onto both halves' entries. */
function migrationNodes(outcome: OperationOutcome): [string, string][] {
  if (!isMigration(outcome.operation)) return [];
  const { CRM_meta_migrate_source: source, CRM_meta_migrate_target: target } = outcome.attributes;
  return source === undefined || target === undefined
    ? []
    : [
        ['migrate_source', source],
        ['migrate_target', target],
      ];
}

/** How a failure counts, as the controller counts it: start and stop failures are fatal on the node. */
export function failCountAfter(operation: string, current: number): number {
  return operation === 'start' || operation === 'stop' ? 1_000_000 : Math.min(1_000_000, current + 1);
}
