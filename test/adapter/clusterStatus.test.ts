/** crm_mon's XML → the clone's roles, the address and the failures (pure), incl. a failed promote's "Promoted". */
import { describe, expect, it } from 'vitest';
import { parseClusterStatus } from '../../src/adapter/clusterStatus.ts';
import { crmMonXml as xml } from '../fixtures/crmMonStatus.ts';

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
