/**
 * The information rule: what an agent does when a fact is missing, stale or unreadable. Each row names the
 * fact, what the agent then knows, and what the model does with it; the code that applies the row is named
 * beside it, and test/models/informationRule.test.ts checks each one. Fail closed throughout: no missing
 * fact is ever read as the answer that allows a promotion. Drawn into docs/model.md.
 */
export interface InformationRule {
  readonly fact: string;
  readonly when: string;
  readonly rule: string;
  readonly where: string;
}

export const informationRules: readonly InformationRule[] = [
  {
    fact: "a running standby's position",
    when: 'not published in this election, published in an earlier one, or unreadable',
    rule: 'unknown (`positionKnown: false`), never taken as behind: while one is unknown, only a node holding a recorded final position is electable (a cleanly shut down primary wrote nothing past it); otherwise the promote waits for it, bounded, then refuses and points the scores at that standby, whose own promote knows its position',
    where: 'models/cluster.ts `unknownStandbys`, `isElectable`',
  },
  {
    fact: "the promoting node's own position",
    when: 'the database cannot tell',
    rule: 'the node is not electable and is not a caught-up migrate_from target',
    where: 'models/cluster.ts `isElectable`; models/roleMigration.ts `isCaughtUpTarget`',
  },
  {
    fact: 'an offline node (lost, or fenced)',
    when: 'its instance cannot be asked',
    rule: 'blocks no election: Pacemaker has given up on it and it cannot be promoted; what it recorded before (a hand-over, a demote) still binds as a floor',
    where: 'models/cluster.ts `availableStandbys`, `recordedFloors`',
  },
  {
    fact: 'a hand-over record or a demote record',
    when: 'on a timeline older than the newest one known',
    rule: 'stale: never used (a promotion happened since)',
    where: 'models/cluster.ts `freshHandover`; src/policy/agentFacts.ts',
  },
  {
    fact: 'a promotion (which timelines exist)',
    when: "the promoted node's own record went with its node (lost or fenced before anyone followed it)",
    rule: 'known from the copy the promoted node wrote onto every other record: the next promotion numbers its timeline above it, a hand-over older than it is stale, and the promoted node, back as a standby, is diverged from a sibling timeline — never a timeline ID used twice',
    where:
      'src/policy/nodeRecord.ts `knownPromotions`; src/policy/agentFacts.ts `newestRecordedTimeline`, `hasDiverged`; agent/pgsql/postgres.ts `reserveTimelines`',
  },
  {
    fact: 'a record that cannot be parsed',
    when: 'another version, a truncated or hostile value',
    rule: 'reported and ignored: its position is unknown (first row), its hand-over is not used',
    where: 'src/policy/nodeRecord.ts `parseNodeRecords`',
  },
  {
    fact: "a cluster tool's answer (attrd_updater, crm_attribute)",
    when: 'the tool fails or the daemon cannot be reached',
    rule: 'the action fails with the tool\'s error: a failed query is never "no value"',
    where: 'agent/cluster/privateAttributes.ts, agent/promotable/clusterAccess.ts',
  },
  {
    fact: "the operator's intent",
    when: 'absent, expired or unreadable as promigrate writes it',
    rule: 'no intent: a demote names no successor (its final position binds the next election); an intent never allows a promotion',
    where: 'src/policy/intent.ts `intentInForce`',
  },
];
