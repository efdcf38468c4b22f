/**
 * Running a program from an agent: an argument array (never a shell), a fixed environment, optionally as
 * another user, bounded in time; output collected. node:child_process directly, because the agent starts on
 * every monitor and a process library would add to each start more than it saves.
 */
import { spawn } from 'node:child_process';

export interface ProgramOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly uid?: number;
  readonly gid?: number;
  readonly timeoutMs: number;
}

export interface ProgramResult {
  /** The command as one line, for messages. */
  readonly command: string;
  /** Null when the program was killed by a signal or could not be started. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly failed: boolean;
  /** Why it failed, in one line: the exit status, the signal, or the error starting it. */
  readonly problem: string;
}

export function runProgram(program: string, args: readonly string[], options: ProgramOptions): Promise<ProgramResult> {
  const command = [program, ...args].join(' ');
  return new Promise((resolve) => {
    const child = spawn(program, [...args], {
      env: { ...options.env },
      uid: options.uid,
      gid: options.gid,
      cwd: '/',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    let started = true;
    child.on('error', (error) => {
      started = false;
      resolve({ command, exitCode: null, stdout: '', stderr: '', failed: true, problem: error.message });
    });
    child.on('close', (code, signal) => {
      if (!started) return;
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const problem =
        code === 0
          ? ''
          : signal !== null
            ? `killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${options.timeoutMs} ms?)` : ''}`
            : `exit status ${code}`;
      resolve({ command, exitCode: code, stdout, stderr, failed: code !== 0, problem });
    });
  });
}

/** The first line a failed program said, or why it failed. */
export function complaint(result: ProgramResult): string {
  return (result.stderr.trim() || result.stdout.trim() || result.problem).split('\n')[0] as string;
}
