/** Entry point of the bundled `ocf:promigrate:pgsql` agent: pacemaker-execd runs it with the action as argument. */
import { runAgent } from '../ocf/runAgent.ts';
import { promotableHandlers } from '../promotable/promotableAgent.ts';
import { pgsqlAgent, pgsqlDependencies } from './pgsqlAgent.ts';

runAgent(pgsqlAgent, promotableHandlers(pgsqlDependencies), process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
