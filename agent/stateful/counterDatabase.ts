/**
 * The database of the reference agent `ocf:promigrate:stateful`: a position counter per node, in files.
 * It has what the protocol needs and nothing else: a primary whose writes advance its position, standbys
 * that copy the primary's position while their link is connected, a clean shutdown that writes one more
 * record (the "shutdown checkpoint") and hands it to the connected standbys, and timelines that a
 * promotion advances. All nodes' files live under one directory (`state_root/<node>`), so that a standby
 * can read its primary: on one machine, or on a shared file system.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { comparePositions, type Position } from '../../models/position.ts';
import type { DatabaseState, ReplicatedDatabase } from '../database/replicatedDatabase.ts';

export interface CounterInstance {
  readonly role: 'primary' | 'standby' | 'stopped';
  /** False after a crash (the instance was not stopped through the agent). */
  readonly clean: boolean;
  readonly position: Position;
  /** The replication link: a cut standby receives nothing. */
  readonly link: 'connected' | 'cut';
}

const initial: CounterInstance = { role: 'stopped', clean: true, position: { timeline: 1, lsn: 0 }, link: 'connected' };

export class CounterStore {
  constructor(
    readonly root: string,
    readonly node: string,
  ) {}

  private file(node: string): string {
    return join(this.root, node, 'instance.json');
  }

  async read(node = this.node): Promise<CounterInstance> {
    const text = await readFile(this.file(node), 'utf8').catch(() => null);
    return text === null ? initial : (JSON.parse(text) as CounterInstance);
  }

  async write(instance: CounterInstance, node = this.node): Promise<void> {
    await mkdir(join(this.root, node), { recursive: true });
    const temporary = `${this.file(node)}.${process.pid}`;
    await writeFile(temporary, `${JSON.stringify(instance)}\n`);
    await rename(temporary, this.file(node));
  }

  async peers(): Promise<Map<string, CounterInstance>> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const peers = new Map<string, CounterInstance>();
    for (const name of names.sort()) if (name !== this.node) peers.set(name, await this.read(name));
    return peers;
  }

  /** A connected standby copies its primary's position (it streams). */
  async pull(): Promise<CounterInstance> {
    const own = await this.read();
    if (own.role !== 'standby' || own.link !== 'connected') return own;
    const primary = [...(await this.peers()).values()].find((peer) => peer.role === 'primary');
    if (primary === undefined || comparePositions(primary.position, own.position) <= 0) return own;
    const updated = { ...own, position: primary.position };
    await this.write(updated);
    return updated;
  }

  /**
   * Hands `position` to every connected standby behind it, as PostgreSQL's walsender does; a standby on an
   * older timeline follows the new one (recovery_target_timeline = 'latest') unless it went past the fork.
   */
  async push(position: Position): Promise<void> {
    for (const [name, peer] of await this.peers()) {
      const follows = peer.role === 'standby' && peer.link === 'connected';
      if (follows && comparePositions(peer.position, position) < 0 && peer.position.lsn <= position.lsn) {
        await this.write({ ...peer, position }, name);
      }
    }
  }

  /** One acknowledged write on the primary (tests and the demo make writes with this). */
  async acknowledgeWrite(): Promise<Position> {
    const own = await this.read();
    if (own.role !== 'primary') throw new Error(`${this.node} is not the primary`);
    const position = { ...own.position, lsn: own.position.lsn + 1 };
    await this.write({ ...own, position });
    await this.push(position);
    return position;
  }

  async setLink(link: CounterInstance['link']): Promise<void> {
    await this.write({ ...(await this.read()), link });
  }

  /** The instance dies without a clean shutdown. */
  async crash(): Promise<void> {
    await this.write({ ...(await this.read()), role: 'stopped', clean: false });
  }
}

export function counterDatabase(store: CounterStore): ReplicatedDatabase {
  return {
    async validate() {
      return null;
    },

    async observe(): Promise<DatabaseState> {
      const own = await store.pull();
      if (own.role === 'primary') {
        const standbys = new Map<string, number>();
        for (const [name, peer] of await store.peers()) {
          if (peer.role === 'standby' && peer.link === 'connected') standbys.set(name, peer.position.lsn);
        }
        return { kind: 'primary', position: own.position, standbys };
      }
      if (own.role === 'standby') {
        const primary = [...(await store.peers()).values()].some((peer) => peer.role === 'primary');
        return { kind: 'standby', position: own.position, streaming: own.link === 'connected' && primary };
      }
      return { kind: 'stopped', clean: own.clean, position: own.position };
    },

    async startStandby() {
      const own = await store.read();
      if (own.role === 'primary') throw new Error('the instance runs as a primary');
      await store.write({ ...own, role: 'standby', clean: true });
      await store.pull();
    },

    async stop() {
      const own = await store.read();
      if (own.role === 'stopped') return null;
      await store.write({ ...own, role: 'stopped', clean: true });
      return 'fast';
    },

    async shutdownCheckpoint() {
      const own = await store.read();
      if (own.role !== 'primary') throw new Error('only a primary has a shutdown checkpoint');
      const final = { ...own.position, lsn: own.position.lsn + 1 };
      await store.write({ ...own, role: 'stopped', clean: true, position: final });
      await store.push(final);
      return final;
    },

    async promote(newerThan) {
      const own = await store.read();
      const timeline = Math.max(own.position.timeline, newerThan) + 1;
      await store.write({ ...own, role: 'primary', position: { timeline, lsn: own.position.lsn } });
      const skipped: number[] = [];
      for (let each = own.position.timeline + 1; each < timeline; each++) skipped.push(each);
      return { onto: timeline, reserved: skipped, switchPoint: own.position };
    },

    async received() {
      return (await store.pull()).position;
    },

    // The counter's standbys pull from the shared store: there is no upstream to point anywhere.
    async follow() {
      return false;
    },
  };
}
