/**
 * The CIB `<resources>` of a promotable clone `pgsql-ha` of `ocf:promigrate:pgsql` over local PostgreSQL
 * instances, one node each: the per-node parameters (data directory, port, log, state) sit in the CIB
 * itself, one instance_attributes set per node with a `#uname` rule, so the scheduler puts the right values
 * on every action, as for a real cluster whose nodes differ.
 */
import type { PostgresInstance } from './postgresInstances.ts';

export function pgsqlCloneResources(
  instances: readonly PostgresInstance[],
  common: Readonly<Record<string, string>> = {},
  cloneMeta: Readonly<Record<string, string>> = {},
): string {
  const pairs = (id: string, values: Readonly<Record<string, string>>) =>
    Object.entries(values)
      .map(([name, value]) => `<nvpair id="${id}-${name}" name="${name}" value="${value}"/>`)
      .join('');
  const perNode = instances
    .map((instance) => {
      const id = `pgsql-${instance.name}`;
      const values = {
        pgdata: instance.dataDir,
        pgport: String(instance.port),
        logfile: `${instance.home}/server.log`,
        state_dir: `${instance.home}/agent-state`,
      };
      return `<instance_attributes id="${id}" score="10"><rule id="${id}-rule" score="INFINITY"><expression id="${id}-expr" attribute="#uname" operation="eq" value="${instance.name}"/></rule>${pairs(id, values)}</instance_attributes>`;
    })
    .join('');
  const shared = pairs('pgsql-common', { pghost: '127.0.0.1', ...common });
  const operations = [
    '<op id="pgsql-monitor-promoted" name="monitor" interval="15s" timeout="10s" role="Promoted"/>',
    '<op id="pgsql-monitor-unpromoted" name="monitor" interval="16s" timeout="10s" role="Unpromoted"/>',
    '<op id="pgsql-promote" name="promote" interval="0" timeout="30s"/>',
    '<op id="pgsql-demote" name="demote" interval="0" timeout="120s"/>',
  ].join('');
  const meta = pairs('pgsql-ha-meta', { promotable: 'true', notify: 'true', ...cloneMeta });
  return `<clone id="pgsql-ha"><meta_attributes id="pgsql-ha-meta">${meta}</meta_attributes><primitive id="pgsql" class="ocf" provider="promigrate" type="pgsql"><instance_attributes id="pgsql-common" score="1">${shared}</instance_attributes>${perNode}<operations>${operations}</operations></primitive></clone>`;
}
