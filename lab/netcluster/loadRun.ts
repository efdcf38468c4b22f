/**
 * One run of the cluster probe (clusterProbe.ts) in the hub: its lines read as they come, and when it is
 * stopped, what it observed — every acknowledged INSERT with the node that acknowledged it, and every
 * sampling round that differed from the one before.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Acknowledged {
  readonly id: number;
  readonly node: string;
  readonly at: number;
}

export interface Sample {
  readonly at: number;
  readonly writable: readonly string[];
  /** Per writable node, the standbys streaming from it. */
  readonly streaming: Readonly<Record<string, readonly string[]>>;
}

export interface LoadReport {
  readonly acknowledged: readonly Acknowledged[];
  readonly samples: readonly Sample[];
}

export function parseSample(line: string): Sample | null {
  const [, at, writable, streaming] = line.split(' ');
  if (at === undefined || writable === undefined || streaming === undefined) return null;
  const byNode: Record<string, string[]> = {};
  if (streaming !== '-') {
    for (const part of streaming.split(';')) {
      const [node, standbys] = part.split(':');
      if (node) byNode[node] = (standbys ?? '').split(',').filter(Boolean);
    }
  }
  return { at: Number(at), writable: writable === '-' ? [] : writable.split(','), streaming: byNode };
}

export class LoadRun {
  private readonly acknowledged: Acknowledged[] = [];
  private readonly samples: Sample[] = [];
  private errors = '';
  private readonly ended: Promise<number | null>;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('ack ')) {
        const [, id, node, at] = line.split(' ');
        this.acknowledged.push({ id: Number(id), node: node as string, at: Number(at) });
      } else if (line.startsWith('sample ')) {
        const sample = parseSample(line);
        if (sample !== null) this.samples.push(sample);
      }
    });
    child.stderr.on('data', (chunk) => {
      this.errors += chunk;
    });
    this.ended = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Polls `done` every 20 ms until it holds, the load ends, or `ms` pass. */
  private async until(done: () => boolean, ms: number): Promise<'done' | 'ended' | 'timed out'> {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (this.child.exitCode !== null) return 'ended';
      if (Date.now() > deadline) return 'timed out';
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return 'done';
  }

  /** Resolves once the load has acknowledged `count` writes (it is running and reaching the primary). */
  async warmUp(count = 20, ms = 20_000): Promise<void> {
    const outcome = await this.until(() => this.acknowledged.length >= count, ms);
    if (outcome === 'ended') throw new Error(`the write load ended: ${this.errors.trim()}`);
    if (outcome === 'timed out')
      throw new Error(`the write load acknowledged ${this.acknowledged.length} writes in ${ms} ms`);
  }

  /** Whether the load process still runs (it ends only when asked, or on an error). */
  async running(): Promise<boolean> {
    return this.child.exitCode === null;
  }

  errorText(): string {
    return this.errors.trim();
  }

  /** The sampling rounds so far. */
  get samplesSoFar(): readonly Sample[] {
    return this.samples;
  }

  /** The acknowledgements so far (the load keeps running). */
  get soFar(): readonly Acknowledged[] {
    return this.acknowledged;
  }

  /** Resolves once `node` has acknowledged `count` writes since `since`; false when `ms` passed first. */
  async acknowledgedBy(node: string, since: number, count: number, ms: number): Promise<boolean> {
    const enough = () => this.acknowledged.filter((ack) => ack.node === node && ack.at >= since).length >= count;
    return (await this.until(enough, ms)) === 'done';
  }

  async stop(): Promise<LoadReport> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await this.ended;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`the write load failed (${code}): ${this.errors.trim()}`);
    return { acknowledged: [...this.acknowledged], samples: [...this.samples] };
  }
}
