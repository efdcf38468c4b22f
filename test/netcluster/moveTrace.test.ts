/** A move's milestones from the controller's log lines (as pacemaker-controld 2.1.5 writes them) and the load. */
import { describe, expect, it } from 'vitest';
import type { LoadReport } from '../../lab/netcluster/loadRun.ts';
import { logStamp, moveSteps, parseControllerLog } from '../../lab/netcluster/moveTrace.ts';

const log = `Dec 03 17:13:53.100 node3 pacemaker-controld  [19814] (execute_rsc_action) 	notice: Initiating notify operation pgsql_pre_notify_demote_0 on node1 | action 40
Dec 03 17:13:53.200 node3 pacemaker-controld  [19814] (execute_rsc_action) 	notice: Initiating demote operation pgsql_demote_0 on node1 | action 5
Dec 03 17:13:53.500 node1 pacemaker-controld  [23206] (log_executor_event) 	notice: Result of demote operation for pgsql on node1: ok | CIB update 47, graph action confirmed; call=40 key=pgsql_demote_0 rc=0
Dec 03 17:13:53.821 node3 pacemaker-controld  [19814] (execute_rsc_action) 	notice: Initiating notify operation pgsql_pre_notify_promote_0 locally on node3 | action 45
Dec 03 17:13:53.897 node3 pacemaker-controld  [19814] (execute_rsc_action) 	notice: Initiating promote operation pgsql_promote_0 on node2 | action 6
Dec 03 17:13:54.300 node2 pacemaker-controld  [19815] (log_executor_event) 	notice: Result of promote operation for pgsql on node2: ok | CIB update 33, graph action confirmed; call=33 key=pgsql_promote_0 rc=0
Dec 03 17:13:54.401 node3 pacemaker-controld  [19814] (execute_rsc_action) 	notice: Initiating start operation pgsql-vip_start_0 on node2 | action 32
Dec 03 17:13:54.561 node2 pacemaker-controld  [19815] (log_executor_event) 	notice: Result of start operation for pgsql-vip on node2: ok | CIB update 37, graph action confirmed; call=36 key=pgsql-vip_start_0 rc=0`;

describe('a traced move', () => {
  const year = 2026;
  const at = (stamp: string) => logStamp(stamp, year);
  const trigger = at('Dec 03 17:13:53.000');

  it('reads both kinds of controller lines, with their resources and nodes', () => {
    const events = parseControllerLog(log, year);
    expect(events.map((e) => `${e.kind} ${e.operation} ${e.resource} ${e.node}`)).toEqual([
      'initiating notify pgsql node1',
      'initiating demote pgsql node1',
      'result demote pgsql node1',
      'initiating notify pgsql node3',
      'initiating promote pgsql node2',
      'result promote pgsql node2',
      'initiating start pgsql-vip node2',
      'result start pgsql-vip node2',
    ]);
    expect(events[5]?.result).toBe('ok');
  });

  it('places every milestone from the trigger', () => {
    const load: LoadReport = {
      acknowledged: [
        { id: 1, node: 'node1', at: at('Dec 03 17:13:53.150') },
        { id: 2, node: 'node2', at: at('Dec 03 17:13:54.700') },
      ],
      samples: [
        { at: at('Dec 03 17:13:54.350'), writable: ['node2'], streaming: { node2: ['node3'] } },
        { at: at('Dec 03 17:13:54.450'), writable: ['node2'], streaming: { node2: ['node3', 'node1'] } },
      ],
    } as unknown as LoadReport;
    const steps = moveSteps(parseControllerLog(log, year), load, {
      trigger,
      source: 'node1',
      target: 'node2',
      resource: 'pgsql',
      address: 'pgsql-vip',
    });
    expect(steps).toEqual({
      transitionStarted: 100,
      demoteStarted: 200,
      demoted: 500,
      prePromoteNotifyStarted: 821,
      promoteStarted: 897,
      promoted: 1300,
      addressStarted: 1401,
      addressUp: 1561,
      firstStandbyStreaming: 1350,
      oldPrimaryStreaming: 1450,
      writesBack: 1700,
    });
  });
});
