/** Entry point of the bundled `ocf:promigrate:stateful` agent. */
import { runAgent } from '../ocf/runAgent.ts';
import { promotableHandlers } from '../promotable/promotableAgent.ts';
import { statefulAgent, statefulDependencies } from './statefulAgent.ts';

runAgent(statefulAgent, promotableHandlers(statefulDependencies), process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
