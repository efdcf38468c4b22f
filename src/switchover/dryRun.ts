/**
 * `promigrate switchover CLONE --to NODE --dry-run`: the switchover as Pacemaker would carry it out, without
 * touching the cluster. The live CIB is copied to a private file, the move is added to the copy with
 * crm_resource (CIB_file), and Pacemaker's scheduler computes the transition of the copy (crm_simulate):
 * the decision is Pacemaker's own, not a re-implementation. Beside it, the facts a switchover needs (the
 * target streaming up to the primary's current position, its promotion score) and what would block it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { cibFromElement, type PromotableClone } from '../adapter/cib.ts';
import type { Migration } from '../adapter/classify.ts';
import { classifyTransition } from '../adapter/classify.ts';
import { scheduledFacts } from '../adapter/explain.ts';
import type { CloneChange } from '../adapter/facts.ts';
import { parseXmlDocument } from '../adapter/xmlDocument.ts';
import { gatherStatus } from '../status/gatherStatus.ts';
import { type StatusReport, statusReport } from '../status/statusReport.ts';
import { ClusterViewError } from './clusterView.ts';
import { type DryRunVerdict, dryRunVerdict } from './dryRunVerdict.ts';

export interface DryRunResult extends DryRunVerdict {
  readonly clone: string;
  readonly target: string;
  /** The clone's actions in the transition Pacemaker computed for the move. */
  readonly actions: Pick<CloneChange, 'promote' | 'demote' | 'stop' | 'start'> | null;
  readonly migrations: readonly Migration[];
  readonly status: StatusReport;
}

/** The live CIB with the move added, through crm_resource on a private copy. */
async function cibWithMove(liveXml: string, clone: string, target: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'promigrate-dry-run-'));
  try {
    const copy = join(work, 'cib.xml');
    await writeFile(copy, liveXml, { mode: 0o600 });
    const moved = await execa('crm_resource', ['--resource', clone, '--move', '--promoted', '--node', target], {
      reject: false,
      stdin: 'ignore',
      timeout: 30_000,
      // CIB_file: every CIB tool reads and writes this file instead of the cluster's CIB.
      env: { CIB_file: copy, PCMK_logfacility: 'none' },
    });
    if (moved.exitCode !== 0) {
      const message = String(moved.stderr || moved.stdout)
        .trim()
        .split('\n')[0];
      throw new ClusterViewError(`crm_resource --move on the copy: ${message}`);
    }
    return await readFile(copy, 'utf8');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function dryRun(liveXml: string, clone: PromotableClone, target: string): Promise<DryRunResult> {
  const [movedXml, facts] = await Promise.all([cibWithMove(liveXml, clone.id, target), gatherStatus(clone)]);
  const source = 'the live CIB with the move';
  const cib = cibFromElement(parseXmlDocument(movedXml, source).element, source);
  const transition = await scheduledFacts(movedXml, cib, source, null);
  const change = transition.clones.find((each) => each.resource === clone.id) ?? null;
  const migrations = classifyTransition(transition).filter((each) => each.resource === clone.id);
  const status = statusReport(facts);
  const actions =
    change === null ? null : { promote: change.promote, demote: change.demote, stop: change.stop, start: change.start };
  return {
    clone: clone.id,
    target,
    actions,
    migrations,
    status,
    ...dryRunVerdict(status, target, migrations, transition.fenced),
  };
}
