/**
 * Pacemaker's own scheduler, run offline: `crm_simulate` computes the transition for a CIB. promigrate never
 * re-implements scheduling; it reads the graph the real scheduler writes.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { InputError } from './inputError.ts';

export interface ScheduledTransition {
  readonly graphXml: string;
}

/** Computes the transition graph of a CIB (its XML text). */
export async function scheduleTransition(cibXml: string, source: string): Promise<ScheduledTransition> {
  const work = await mkdtemp(join(tmpdir(), 'promigrate-scheduler-'));
  try {
    const input = join(work, 'input.xml');
    const graph = join(work, 'graph.xml');
    await writeFile(input, cibXml);
    const result = await execa(
      'crm_simulate',
      ['--xml-file', input, '--save-graph', graph, '--save-output', join(work, 'out.xml')],
      {
        reject: false,
        stdin: 'ignore',
        env: { CIB_shadow_dir: work, PCMK_logfacility: 'none', PCMK_debug: 'no' },
        timeout: 120_000,
      },
    );
    if (result.failed) {
      const reason =
        String(result.stderr || result.stdout || result.shortMessage || '')
          .split('\n')
          .find((line) => line.trim()) ?? '';
      throw new InputError(
        source,
        `the scheduler rejected this CIB (crm_simulate exit ${result.exitCode ?? '?'}): ${reason.replaceAll(input, 'input').trim()}`,
      );
    }
    return { graphXml: await readFile(graph, 'utf8') };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
