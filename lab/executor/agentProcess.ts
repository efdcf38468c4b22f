/**
 * One resource agent process, run and finished as pacemaker-execd runs and finishes it: a given
 * environment only, the action as the one argument, done when the process exits — not when its output
 * pipes close, since a server the agent started can inherit them (PAF's `pg_ctl start` has no log file)
 * and would otherwise hold the action open forever.
 */
import { spawn } from 'node:child_process';

export interface AgentProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const actionLimitMs = 180_000;

/** `onLine` sees each line the agent writes on stderr as it is written (tests act on decisions mid-action). */
export function runAsExecd(
  path: string,
  action: string,
  env: Readonly<Record<string, string>>,
  onLine?: (line: string) => void,
): Promise<AgentProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(path, [action], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    let partial = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (onLine === undefined) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    const limit = setTimeout(() => child.kill('SIGKILL'), actionLimitMs);
    child.once('error', (error) => {
      clearTimeout(limit);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(limit);
      // What the agent itself wrote is in the pipe already; give it one turn of the event loop to arrive.
      setImmediate(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolvePromise({ code: code ?? (signal === null ? -1 : 128), stdout, stderr });
      });
    });
  });
}
