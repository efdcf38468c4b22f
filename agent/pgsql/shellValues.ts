/**
 * What the shell pre-promote notify (prePromoteNotify.sh) takes from the TypeScript sources, so that the two
 * cannot drift: the position query, the parameters' defaults and the attribute name. Read at build time.
 */
import { positionAttribute } from '../promotable/clusterAccess.ts';
import { pgsqlAgent } from './pgsqlAgent.ts';
import { positionSql } from './postgres.ts';

function defaultOf(name: string): string {
  const parameter = pgsqlAgent.parameters.find((each) => each.name === name);
  if (parameter?.default === undefined) throw new Error(`parameter ${name} has no default`);
  return parameter.default;
}

export const shellValues: Readonly<Record<string, string>> = {
  POSITION_SQL: positionSql,
  POSITION_ATTRIBUTE_PREFIX: positionAttribute(''),
  DEFAULT_system_user: defaultOf('system_user'),
  DEFAULT_pghost: defaultOf('pghost'),
  DEFAULT_pgport: defaultOf('pgport'),
  DEFAULT_bindir: defaultOf('bindir'),
};
