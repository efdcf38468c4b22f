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
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (!started || settled) return;
      settled = true;
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const problem =
        code === 0
          ? ''
          : signal !== null
            ? `killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${options.timeoutMs} ms?)` : ''}`
            : `exit status ${code}`;
      resolve({ command, exitCode: code, stdout, stderr, failed: code !== 0, problem });
    };
    child.on('close', finish);
    // A program may leave a daemon holding our pipes: `pg_ctl start` without -l hands its stdout and stderr
    // to the postmaster, and 'close' then comes only when the server exits. Once the program itself exited,
    // what it wrote is read within the grace; then the pipes are let go (the server ignores SIGPIPE).
    child.on('exit', (code, signal) => {
      setTimeout(() => {
        if (settled) return;
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal);
      }, exitGraceMs);
    });
  });
}

/** How long output is still read after the program exited, when a child of its keeps the pipes open. */
const exitGraceMs = 100;

/** The first line a failed program said, or why it failed. */
export function complaint(result: ProgramResult): string {
  return (result.stderr.trim() || result.stdout.trim() || result.problem).split('\n')[0] as string;
}
