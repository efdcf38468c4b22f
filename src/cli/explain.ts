/** `promigrate explain PATH... [--json]`: what a transition, CIB, pe-input or history does to promoted roles. */
import { parseArgs } from 'node:util';
import type { Migration } from '../adapter/classify.ts';
import { explainInput } from '../adapter/explain.ts';
import { readInput } from '../adapter/readInput.ts';
import { type Output, UsageError } from './commands.ts';

function formatMigration(migration: Migration): string {
  const route = `${migration.from ?? '—'} → ${migration.to ?? '—'}`;
  const why = migration.detail.length > 0 ? `${migration.cause}: ${migration.detail}` : migration.cause;
  const spanned =
    migration.transitions.length === 0
      ? ''
      : `  [transition${migration.transitions.length > 1 ? 's' : ''} ${migration.transitions.join(', ')}]`;
  const planned = migration.planned === true ? '  planned: its outcome is not recorded yet' : '';
  const unsure = migration.cannotTell === undefined ? '' : `  cannot tell ${migration.cannotTell}`;
  return `${migration.resource}  ${migration.kind}  ${route}  (${why})${spanned}${planned}${unsure}`;
}

export async function explain(args: readonly string[], out: Output): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: { json: { type: 'boolean' } }; allowPositionals: true }>>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  if (parsed.positionals.length === 0)
    throw new UsageError('give at least one PATH (graph, CIB, pe-input-N.bz2 or a directory)');
  const migrations: Migration[] = [];
  for (const path of parsed.positionals) migrations.push(...(await explainInput(await readInput(path))));
  if (parsed.values.json === true) {
    const shaped = migrations.map(({ resource, kind, from, to, cause, transitions, planned, cannotTell }) => ({
      resource,
      kind,
      from,
      to,
      cause,
      transitions,
      ...(planned === true ? { planned } : {}),
      ...(cannotTell === undefined ? {} : { cannotTell }),
    }));
    out.stdout(`${JSON.stringify({ migrations: shaped })}\n`);
  } else if (migrations.length === 0) {
    out.stdout('no promoted role changes\n');
  } else {
    for (const migration of migrations) out.stdout(`${formatMigration(migration)}\n`);
  }
  return 0;
}
