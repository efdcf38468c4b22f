/**
 * PostgreSQL (12+, measured on 15) as a ReplicatedDatabase. Every PostgreSQL program runs as the instance
 * owner with an argument array (never a shell, never as root). Waiting is done by polling files the server
 * maintains (postmaster.pid, global/pg_control) every few milliseconds instead of `pg_ctl -w`, whose 100 ms
 * poll is the largest single cost of a switchover (../shared/notes/postgresql.md).
 */
import { access, chown, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Position } from '../../models/position.ts';
import { formatLsn, parseLsn } from '../../models/position.ts';
import type { DatabaseState, ReplicatedDatabase } from '../database/replicatedDatabase.ts';
import { complaint, runProgram } from '../process/runProgram.ts';
import { parseControlData } from './controlData.ts';
import type { SystemUser } from './systemUser.ts';
import { parseWaldumpLine, recordEnd } from './walRecord.ts';

export interface PostgresSettings {
  readonly bindir: string;
  readonly pgdata: string;
  readonly owner: SystemUser;
  /** Where to connect: a socket directory or an address. */
  readonly host: string;
  readonly port: number;
  /** The server's log file for pg_ctl; empty: the server's own logging configuration. */
  readonly logfile: string;
  /** The deadline of the running action, in ms since the epoch. */
  readonly deadline: number;
  /** The primary_conninfo that follows a node (conninfo.ts), or null when the operator manages it. */
  readonly conninfoFor?: (primary: string) => string | null;
}

export class PostgresError extends Error {}

const pollMs = 2;
/** A primary's fast shutdown gets at least this long before stop escalates to an immediate one. */
const fastStopMinimumMs = 5_000;
/** A standby's fast shutdown (its restartpoint; measured 0.1–0.3 s) gets this long. */
const standbyFastStopMs = 2_000;
/** How long a started postmaster may take to write its lock file before the start counts as failed. */
const startGraceMs = 3_000;
/** DBState in pg_control (catalog/pg_control.h), a 4-byte enum after system_identifier and two versions. */
const controlStateOffset = 16;
const dbInProduction = 6;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The row the monitor and every decision read: one query, one process. */
export const observeSql = `SELECT pg_is_in_recovery(),
  CASE WHEN pg_is_in_recovery() THEN greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), '0/0')
       ELSE pg_current_wal_lsn() END,
  CASE WHEN pg_is_in_recovery() THEN '' ELSE pg_walfile_name(pg_current_wal_lsn()) END,
  (SELECT timeline_id FROM pg_control_checkpoint()),
  (SELECT min_recovery_end_timeline FROM pg_control_recovery()),
  (SELECT received_tli FROM pg_stat_wal_receiver WHERE status = 'streaming'),
  (SELECT max(substr(name, 1, 8)) FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'),
  (SELECT string_agg(application_name || '=' || write_lsn, ',') FROM pg_stat_replication WHERE state = 'streaming')`;

/**
 * The instance's position as `timeline:LSN`, computed by the server exactly as parseServerRow reads the
 * observe row: what the shell entry point publishes in a pre-promote notify without starting Node
 * (agent/pgsql/prePromoteNotify.sh). A test holds the two to the same answer on primaries and standbys.
 */
export const positionSql = `SELECT CASE WHEN pg_is_in_recovery() THEN greatest(
    coalesce(nullif((SELECT timeline_id FROM pg_control_checkpoint()), 0), 1),
    coalesce((SELECT min_recovery_end_timeline FROM pg_control_recovery()), 0),
    coalesce((SELECT received_tli FROM pg_stat_wal_receiver WHERE status = 'streaming'), 0),
    coalesce((SELECT ('x' || max(substr(name, 1, 8)))::bit(32)::int FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'), 0))
  ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END
  || ':' ||
  CASE WHEN pg_is_in_recovery() THEN greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), '0/0')
       ELSE pg_current_wal_lsn() END`;

export interface ServerRow {
  readonly recovery: boolean;
  readonly position: Position;
  readonly streaming: boolean;
  /** Primary only: the standbys streaming from it (application_name → written LSN). */
  readonly standbys: ReadonlyMap<string, number>;
}

/** The observe query's one row, `|`-separated, empty for NULL. */
export function parseServerRow(line: string): ServerRow {
  const fields = line.trim().split('|');
  if (fields.length !== 8) throw new PostgresError(`unexpected answer from PostgreSQL: ${JSON.stringify(line)}`);
  const [recovery, lsn, walfile, checkpointTli, minTli, receivedTli, segmentTli, standbyList] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const isStandby = recovery === 't';
  // A primary's timeline is in its current WAL file name. A standby's is the newest it has received: its
  // WAL receiver says so only while connected (not during a switchover), its WAL segment names always do.
  const timeline = isStandby
    ? Math.max(
        Number(checkpointTli) || 1,
        Number(minTli) || 0,
        Number(receivedTli) || 0,
        Number.parseInt(segmentTli || '0', 16) || 0,
      )
    : Number.parseInt(walfile.slice(0, 8), 16);
  const standbys = new Map<string, number>();
  for (const entry of standbyList === '' ? [] : standbyList.split(',')) {
    const equals = entry.lastIndexOf('=');
    standbys.set(entry.slice(0, equals), parseLsn(entry.slice(equals + 1)));
  }
  return {
    recovery: isStandby,
    position: { timeline, lsn: parseLsn(lsn) },
    streaming: isStandby && receivedTli !== '',
    standbys,
  };
}

export function postgresDatabase(settings: PostgresSettings): ReplicatedDatabase & {
  serverRow(): Promise<ServerRow>;
} {
  const program = (name: string) => join(settings.bindir, name);
  const env = {
    LC_ALL: 'C',
    PGHOST: settings.host,
    PGPORT: String(settings.port),
    PGUSER: settings.owner.name,
    PGDATABASE: 'postgres',
    PGAPPNAME: 'promigrate',
    PGCONNECT_TIMEOUT: '5',
  };
  const remaining = () => Math.max(1_000, settings.deadline - Date.now());
  const check = async (name: string, args: readonly string[]) => {
    const result = await runProgram(program(name), args, {
      uid: settings.owner.uid,
      gid: settings.owner.gid,
      env,
      timeoutMs: remaining(),
    });
    if (result.failed) throw new PostgresError(`${name} ${args.join(' ')}: ${complaint(result)}`);
    return result.stdout;
  };
  const pidFile = join(settings.pgdata, 'postmaster.pid');

  /**
   * The process named by the lock file, with its status line: null when there is no lock file or its PID
   * is gone; `running` false when it is a zombie (a killed postmaster lingers until it is reaped).
   */
  async function lockHolder(): Promise<{ pid: number; status: string; running: boolean } | null> {
    const text = await readFile(pidFile, 'utf8').catch(() => null);
    if (text === null) return null;
    const lines = text.split('\n');
    const pid = Number(lines[0]);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    const procStat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    if (procStat === null) return null;
    return { pid, status: (lines[7] ?? '').trim(), running: !/^\d+ \(.*\) [ZX]/.test(procStat) };
  }

  /** The postmaster's PID and status line, or null when none runs (a stale file after a crash included). */
  async function postmaster(): Promise<{ pid: number; status: string } | null> {
    const holder = await lockHolder();
    return holder?.running ? holder : null;
  }

  /** The newest timeline with a history file in pg_wal, and where it branched off its parent. */
  async function newestHistory(): Promise<Position | null> {
    const names = await readdir(join(settings.pgdata, 'pg_wal')).catch(() => [] as string[]);
    const newest = names
      .filter((name) => /^[0-9A-F]{8}\.history$/.test(name))
      .sort()
      .at(-1);
    if (newest === undefined) return null;
    const lines = (await readFile(join(settings.pgdata, 'pg_wal', newest), 'utf8')).trim().split('\n');
    const switchPoint = (lines.at(-1) ?? '').split(/\s+/)[1] ?? '';
    return { timeline: Number.parseInt(newest.slice(0, 8), 16), lsn: parseLsn(switchPoint) };
  }

  async function controlData() {
    return parseControlData(await check('pg_controldata', ['-D', settings.pgdata]));
  }

  /**
   * An instance that stopped without a clean shutdown holds WAL past its latest checkpoint: its true end of
   * WAL is the end of the last valid record from there on. pg_waldump stops with an error at that point.
   */
  async function endOfWal(checkpoint: Position): Promise<Position> {
    // A promotion after the latest checkpoint started a timeline pg_control does not name yet: read from its
    // switch point (the newest .history file's last entry), since pg_waldump does not follow timelines.
    const newest = await newestHistory();
    const from = newest !== null && newest.timeline > checkpoint.timeline ? newest : checkpoint;
    const result = await runProgram(
      program('pg_waldump'),
      ['-p', join(settings.pgdata, 'pg_wal'), '-t', String(from.timeline), '-s', formatLsn(from.lsn)],
      { uid: settings.owner.uid, gid: settings.owner.gid, env, timeoutMs: remaining() },
    );
    const records = result.stdout.split('\n').filter((line) => line.startsWith('rmgr:'));
    const last = records.at(-1);
    if (last === undefined) return from;
    const record = parseWaldumpLine(last);
    return { timeline: from.timeline, lsn: Math.max(from.lsn, recordEnd(record.start, record.totalLength)) };
  }

  async function isUnstartedBaseBackup(): Promise<boolean> {
    return access(join(settings.pgdata, 'backup_label')).then(
      () => true,
      () => false,
    );
  }

  async function controlState(): Promise<number> {
    const buffer = await readFile(join(settings.pgdata, 'global', 'pg_control'));
    return buffer.readUInt32LE(controlStateOffset);
  }

  async function until(what: string, done: () => Promise<boolean>): Promise<void> {
    while (!(await done())) {
      if (Date.now() > settings.deadline) throw new PostgresError(`timed out waiting for ${what}`);
      await sleep(pollMs);
    }
  }

  async function serverRow(): Promise<ServerRow> {
    return parseServerRow(await check('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-c', observeSql]));
  }

  async function asOwner(path: string, content: string): Promise<void> {
    await writeFile(path, content);
    await chown(path, settings.owner.uid, settings.owner.gid);
  }

  /**
   * PostgreSQL numbers a promotion's timeline one above the newest history file it can find (pg_wal, or an
   * archive); without an archive, a standby that never streamed a timeline another node was promoted onto
   * would reuse its number: two histories under one timeline ID, which PostgreSQL cannot tell apart when a
   * node of the other history streams from this one (its WAL past the fork would be taken as this one's).
   * A history file for each such timeline makes the promotion pick a new number. Only a `#` comment: it
   * marks the ID as taken, and no recovery follows it (PostgreSQL skips comment lines).
   */
  async function reserveTimelines(newerThan: number): Promise<number[]> {
    const own = (await serverRow()).position.timeline;
    const reserved: number[] = [];
    for (let timeline = own + 1; timeline <= newerThan; timeline++) {
      const name = `${timeline.toString(16).toUpperCase().padStart(8, '0')}.history`;
      const path = join(settings.pgdata, 'pg_wal', name);
      if (
        await access(path).then(
          () => true,
          () => false,
        )
      )
        continue;
      await asOwner(path, `# timeline ${timeline} was created on another node; promigrate reserved its ID here\n`);
      reserved.push(timeline);
    }
    return reserved;
  }

  /**
   * Where timeline `onto` forked off its parent, from the history file PostgreSQL wrote when it promoted
   * onto it: its last line is `<parent timeline>\t<switch LSN>\t<reason>`.
   */
  async function switchPointOf(onto: number): Promise<Position> {
    const name = `${onto.toString(16).toUpperCase().padStart(8, '0')}.history`;
    const lines = (await readFile(join(settings.pgdata, 'pg_wal', name), 'utf8'))
      .split('\n')
      .filter((line) => /^\d+\t/.test(line));
    const [parent, lsn] = (lines.at(-1) ?? '').split('\t');
    if (parent === undefined || lsn === undefined) throw new Error(`${name} names no switch point`);
    return { timeline: Number(parent), lsn: parseLsn(lsn) };
  }

  /**
   * primary_conninfo in postgresql.auto.conf, where ALTER SYSTEM keeps it: through ALTER SYSTEM and a reload
   * when the server runs (a standby's WAL receiver reconnects at once), else in the file itself, which
   * PostgreSQL's own tools also append to (pg_basebackup -R). Quotes doubled and backslashes escaped, as
   * the configuration file's syntax wants.
   */
  async function setPrimaryConninfo(conninfo: string): Promise<void> {
    const sqlLiteral = `'${conninfo.replaceAll("'", "''")}'`;
    if ((await postmaster()) !== null) {
      const alter = `ALTER SYSTEM SET primary_conninfo = ${sqlLiteral}`;
      await check('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', alter, '-c', 'SELECT pg_reload_conf()']);
      return;
    }
    const quoted = `'${conninfo.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
    const file = join(settings.pgdata, 'postgresql.auto.conf');
    const kept = (await readFile(file, 'utf8').catch(() => ''))
      .split('\n')
      .filter((line) => line !== '' && !/^\s*primary_conninfo\s*=/.test(line));
    await asOwner(file, `${[...kept, `primary_conninfo = ${quoted}`].join('\n')}\n`);
  }

  /**
   * A fast shutdown. `escalate`: and an immediate one when the fast one has not ended in time — a standby's
   * after standbyFastStopMs (it loses nothing: its WAL is on disk, and the next start replays it), a
   * primary's after half of the time left. Measured in the cluster: a lagging standby cut off from the
   * network, that other standbys cascaded from, finished its shutdown restartpoint at once and then kept its
   * fast shutdown waiting for 27 s — and a stop that runs into its timeout gets the node fenced. Only stop
   * escalates: a demote needs the clean shutdown's checkpoint.
   */
  async function stop(escalate: boolean): Promise<'fast' | 'immediate' | null> {
    if ((await postmaster()) === null) return null;
    // A standby has standby.signal (the agent writes it; a promotion removes it); the lock file's status
    // line says "ready" for both.
    const standby = await access(join(settings.pgdata, 'standby.signal')).then(
      () => true,
      () => false,
    );
    await check('pg_ctl', ['-D', settings.pgdata, '-m', 'fast', '-W', '-s', 'stop']);
    const bound = standby ? standbyFastStopMs : Math.max(fastStopMinimumMs, (settings.deadline - Date.now()) / 2);
    const patience = escalate ? Date.now() + bound : Number.POSITIVE_INFINITY;
    while ((await postmaster()) !== null) {
      if (Date.now() > settings.deadline) throw new PostgresError('timed out waiting for PostgreSQL to stop');
      if (Date.now() > patience) {
        await check('pg_ctl', ['-D', settings.pgdata, '-m', 'immediate', '-W', '-s', 'stop']);
        await until('PostgreSQL to stop (immediate)', async () => (await postmaster()) === null);
        return 'immediate';
      }
      await sleep(pollMs);
    }
    return 'fast';
  }

  return {
    async validate() {
      for (const name of ['pg_ctl', 'psql', 'pg_controldata', 'pg_waldump']) {
        if (
          !(await access(program(name)).then(
            () => true,
            () => false,
          ))
        ) {
          return { kind: 'installed', reason: `${program(name)} not found (bindir)` };
        }
      }
      const data = await stat(join(settings.pgdata, 'PG_VERSION')).catch(() => null);
      if (data === null) return { kind: 'local', reason: `${settings.pgdata} is not a PostgreSQL data directory` };
      if (data.uid !== settings.owner.uid) {
        return { kind: 'local', reason: `${settings.pgdata} is not owned by ${settings.owner.name}` };
      }
      return null;
    },

    async observe(): Promise<DatabaseState> {
      const running = await postmaster();
      if (running === null) {
        const data = await controlData();
        if (data.state === 'shut down') return { kind: 'stopped', clean: true, position: data.checkpoint };
        if (data.state === 'shut down in recovery') {
          // A standby's latest checkpoint is its last restartpoint; it received (and kept in pg_wal) WAL past
          // it. Its true end of WAL is where those records end.
          const recovered = data.minRecoveryEnd ?? data.checkpoint;
          const from = recovered.lsn >= data.checkpoint.lsn ? recovered : data.checkpoint;
          return { kind: 'stopped', clean: true, position: await endOfWal(from) };
        }
        if (data.state === 'in production' && (await isUnstartedBaseBackup())) {
          // pg_basebackup copies pg_control as the primary had it ("in production") and leaves backup_label
          // beside it: an instance never started, not a crashed primary. Its WAL ends where the backup's does.
          return { kind: 'stopped', clean: false, position: await endOfWal(data.checkpoint) };
        }
        if (data.state === 'in production') {
          return {
            kind: 'failed',
            reason: 'PostgreSQL is not running and was not shut down cleanly (a crashed primary)',
            position: await endOfWal(data.checkpoint),
            wasPrimary: true,
          };
        }
        const recovered = data.minRecoveryEnd ?? data.checkpoint;
        const from = recovered.lsn >= data.checkpoint.lsn ? recovered : data.checkpoint;
        return { kind: 'stopped', clean: false, position: await endOfWal(from) };
      }
      try {
        const row = await serverRow();
        return row.recovery
          ? { kind: 'standby', position: row.position, streaming: row.streaming }
          : { kind: 'primary', position: row.position, standbys: row.standbys };
      } catch (error) {
        return {
          kind: 'failed',
          reason: `PostgreSQL runs (pid ${running.pid}) but does not answer: ${(error as Error).message}`,
          position: null,
          wasPrimary: false,
        };
      }
    },

    async startStandby() {
      const running = await postmaster();
      if (running === null) {
        // PostgreSQL refuses to start while the PID in its lock file exists, and a killed postmaster's
        // does until it is reaped (1–2 s late on some machines): wait for that, bounded by the action.
        await until('the previous postmaster to be reaped', async () => (await lockHolder()) === null);
        await asOwner(join(settings.pgdata, 'standby.signal'), '');
        const logArgs = settings.logfile === '' ? [] : ['-l', settings.logfile];
        await check('pg_ctl', ['-D', settings.pgdata, ...logArgs, '-W', '-s', 'start']);
      }
      const started = Date.now();
      await until('PostgreSQL to accept connections as a standby', async () => {
        const now = await postmaster();
        if (now === null && Date.now() - started > startGraceMs) {
          throw new PostgresError(
            `PostgreSQL did not start${settings.logfile === '' ? '' : ` (see ${settings.logfile})`}`,
          );
        }
        return now !== null && (now.status === 'standby' || now.status === 'ready');
      });
    },

    stop: () => stop(true),

    async shutdownCheckpoint() {
      await stop(false);
      const data = await controlData();
      if (data.state !== 'shut down')
        throw new PostgresError(`after the shutdown the cluster state is "${data.state}"`);
      const { timeline, lsn } = data.checkpoint;
      const dump = await check('pg_waldump', [
        '-p',
        join(settings.pgdata, 'pg_wal'),
        '-t',
        String(timeline),
        '-s',
        formatLsn(lsn),
        '-n',
        '1',
      ]);
      const record = parseWaldumpLine(dump.split('\n')[0] ?? '');
      if (record.description !== 'CHECKPOINT_SHUTDOWN' || record.start !== lsn) {
        throw new PostgresError(`the latest checkpoint is not a shutdown checkpoint: ${record.description}`);
      }
      return { timeline, lsn: recordEnd(lsn, record.totalLength) };
    },

    async promote(newerThan) {
      const reserved = await reserveTimelines(newerThan);
      await check('pg_ctl', ['-D', settings.pgdata, '-W', '-s', 'promote']);
      await until('the promotion to complete', async () => (await controlState()) === dbInProduction);
      let onto = 0;
      await until('PostgreSQL to accept writes', async () => {
        const row = await serverRow();
        onto = row.position.timeline;
        return !row.recovery;
      });
      return { onto, reserved, switchPoint: await switchPointOf(onto) };
    },

    async received() {
      return (await serverRow()).position;
    },

    async follow(primary) {
      const conninfo = settings.conninfoFor?.(primary) ?? null;
      if (conninfo === null) return false;
      await setPrimaryConninfo(conninfo);
      return true;
    },

    serverRow,
  };
}
