/** crm_mon's XML → the clone's roles, the address and the failures (pure), incl. a failed promote's "Promoted". */
import { describe, expect, it } from 'vitest';
import { parseClusterStatus } from '../../src/adapter/clusterStatus.ts';

const xml = `<pacemaker-result api-version="2.29" request="crm_mon --output-as=xml">
  <nodes>
    <node name="node1" id="1" online="true" standby="false"/>
    <node name="node2" id="2" online="true" standby="false"/>
    <node name="node3" id="3" online="false" standby="false"/>
  </nodes>
  <resources>
    <clone id="pgsql-ha" multi_state="true" unique="false" managed="true" disabled="false" failed="true" failure_ignored="false">
      <resource id="pgsql" resource_agent="ocf:promigrate:pgsql" role="Promoted" active="true" orphaned="false" blocked="false" managed="true" failed="false" failure_ignored="false" nodes_running_on="1">
        <node name="node1" id="1" cached="true"/>
      </resource>
      <resource id="pgsql" resource_agent="ocf:promigrate:pgsql" role="Promoted" active="true" orphaned="false" blocked="false" managed="true" failed="true" failure_ignored="false" nodes_running_on="1">
        <node name="node2" id="2" cached="true"/>
      </resource>
      <resource id="pgsql" resource_agent="ocf:promigrate:pgsql" role="Stopped" active="false" orphaned="false" blocked="false" managed="true" failed="false" failure_ignored="false" nodes_running_on="0"/>
    </clone>
    <resource id="pgsql-vip" resource_agent="ocf:heartbeat:IPaddr2" role="Started" active="true" orphaned="false" blocked="false" managed="true" failed="false" failure_ignored="false" nodes_running_on="1">
      <node name="node1" id="1" cached="true"/>
    </resource>
  </resources>
  <failures>
    <failure op_key="pgsql_promote_0" node="node2" exitstatus="error" exitreason="node2 at TL 2 @ 0/1 is behind &quot;node1&quot;" exitcode="1" call="21" status="complete" last-rc-change="2026-12-02 04:40:05Z" queued="0" exec="1100" interval="0" task="promote"/>
  </failures>
  <status code="0" message="OK"/>
</pacemaker-result>`;

describe('parseClusterStatus', () => {
  it('reads roles, the address and failures; a failed promote is no primary', () => {
    expect(parseClusterStatus(xml, 'pgsql', 'pgsql-vip')).toEqual({
      nodes: ['node1', 'node2', 'node3'],
      online: ['node1', 'node2'],
      promoted: ['node1'],
      unpromoted: [],
      vip: ['node1'],
      failures: [{ node: 'node2', task: 'promote', exitReason: 'node2 at TL 2 @ 0/1 is behind "node1"' }],
    });
  });

  it('reads the roles under their names before Pacemaker 2.1 (Master, Slave) too', () => {
    const legacy = xml
      .replace(
        'role="Promoted" active="true" orphaned="false" blocked="false" managed="true" failed="false"',
        'role="Master" active="true" orphaned="false" blocked="false" managed="true" failed="false"',
      )
      .replace(
        'role="Promoted" active="true" orphaned="false" blocked="false" managed="true" failed="true"',
        'role="Slave" active="true" orphaned="false" blocked="false" managed="true" failed="false"',
      );
    const status = parseClusterStatus(legacy, 'pgsql', 'pgsql-vip');
    expect([status.promoted, status.unpromoted]).toEqual([['node1'], ['node2']]);
  });

  it('refuses what is not crm_mon XML', () => {
    expect(() => parseClusterStatus('Error: not connected', 'pgsql', 'pgsql-vip')).toThrow(
      'crm_mon gave no XML status',
    );
  });
});
