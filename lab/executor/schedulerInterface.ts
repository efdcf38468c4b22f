/**
 * Which scheduler the lab's transitions come from. `emulated`: Debian's Pacemaker 2.1.5, which moves the
 * promoted role as demote + promote (the agents' emulation of the migration). `native`: the patched
 * Pacemaker of upstream/pacemaker (built by its build.sh), which schedules migrate_to / migrate_from for a
 * clone that opts in with allow-migrate=promoted, once every node reports the patched feature set.
 *
 * PROMIGRATE_NATIVE_PACEMAKER names the patched build's tree (`upstream/pacemaker/build.sh --print`).
 */
import { join, resolve } from 'node:path';
import { execa } from 'execa';

export interface SchedulerInterface {
  readonly kind: 'emulated' | 'native';
  /** The crm_simulate that computes every transition and node event. */
  readonly crmSimulate: string;
  /** What that crm_simulate needs in its environment (an in-tree build's schema directory). */
  readonly environment: Readonly<Record<string, string>>;
  /** The #feature-set each node's controller sets at join: the version of the controllers the CIB has. */
  readonly featureSet: string;
  /** The clone's meta attributes this interface needs (the opt-in). */
  readonly cloneMeta: Readonly<Record<string, string>>;
}

/** Debian's Pacemaker 2.1.5: what production runs today. */
export const emulatedScheduler: SchedulerInterface = {
  kind: 'emulated',
  crmSimulate: 'crm_simulate',
  environment: {},
  featureSet: '3.16.1',
  cloneMeta: {},
};

/** The patched build in `tree`: its crm_simulate, schemas and feature set, and the clone's opt-in. */
export function nativeScheduler(tree: string): SchedulerInterface {
  return {
    kind: 'native',
    crmSimulate: join(tree, 'tools', 'crm_simulate'),
    environment: { PCMK_schema_directory: join(tree, 'xml') },
    featureSet: '3.16.2',
    cloneMeta: { 'allow-migrate': 'promoted' },
  };
}

/** The interface the environment asks for: native when PROMIGRATE_NATIVE_PACEMAKER names a build. */
export function schedulerFromEnvironment(env: NodeJS.ProcessEnv = process.env): SchedulerInterface {
  const tree = env.PROMIGRATE_NATIVE_PACEMAKER;
  return tree === undefined || tree === '' ? emulatedScheduler : nativeScheduler(tree);
}

/**
 * The patched build's tree, as `upstream/pacemaker/build.sh` prints it last: built first when the tarball, a
 * patch or the script changed since the last build (run from the checkout's root, as npm runs everything).
 */
export async function buildPatchedPacemaker(): Promise<string> {
  const built = await execa('bash', [resolve('upstream/pacemaker/build.sh')], { stdin: 'ignore' });
  return built.stdout.trim().split('\n').at(-1) ?? '';
}
