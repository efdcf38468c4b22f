// Bundles the CLI, the benchmarks and the OCF agents into single files: fast start, no TypeScript at run
// time. The agents are laid out as in an OCF root (dist/ocf), as `promigrate install-agents` installs them:
// resource.d/promigrate/<agent> is a small shell entry point, lib/promigrate/<agent>.cjs the bundle; the
// entry point names the absolute path of this Node, since pacemaker-execd runs agents directly.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const requireBanner =
  "import { createRequire as __promigrateRequire } from 'node:module'; const require = __promigrateRequire(import.meta.url);";
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  define: { PROMIGRATE_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: {
    promigrate: 'src/cli/main.ts',
    'bench-adapter': 'bench/adapterScaling.ts',
    'bench-agents': 'bench/agentSwitchover.ts',
    'bench-cluster': 'bench/clusterComparison.ts',
    // Lab tools (lab/), not part of what an operator runs or the package holds: the PostgreSQL demo
    // (npm run demo) and the fault campaign (npm run chaos).
    demo: 'lab/demo/main.ts',
    chaos: 'lab/chaos/main.ts',
    // The cluster tests' client: it runs in the hub namespace, where the nodes' addresses are.
    'cluster-probe': 'lab/netcluster/clusterProbe.ts',
  },
  outdir: 'dist',
  // pg (the benchmark's client) loads its optional native binding lazily; it is not installed.
  external: ['pg-native'],
  banner: { js: requireBanner },
});

// The agent bundles are CommonJS (no import.meta, no ESM loader). The model's actions are imported lazily:
// esbuild defers their initialisation, so monitor and notify do not set up the statechart.
const agents = { pgsql: 'agent/pgsql/main.ts', stateful: 'agent/stateful/main.ts' };
await build({
  ...common,
  format: 'cjs',
  entryPoints: agents,
  outdir: 'dist/ocf/lib/promigrate',
  outExtension: { '.js': '.cjs' },
});
// The PostgreSQL agent's pre-promote notify in the shell, filled in with the values the TypeScript sources
// hold (the position query, parameter defaults), so that shell and bundle cannot drift.
await build({
  ...common,
  entryPoints: { 'shell-values': 'agent/pgsql/shellValues.ts' },
  outdir: 'dist/build',
  outExtension: { '.js': '.mjs' },
  banner: { js: requireBanner },
});
const { shellValues } = await import(new URL('../dist/build/shell-values.mjs', import.meta.url).href);
rmSync('dist/build', { recursive: true, force: true });
const singleQuoted = (text) => text.replaceAll("'", "'\\''");
let prePromote = readFileSync('agent/pgsql/prePromoteNotify.sh', 'utf8');
for (const [name, value] of Object.entries(shellValues)) {
  prePromote = prePromote.replaceAll(`@${name}@`, () => singleQuoted(value));
}
if (/@[A-Za-z_]+@/.test(prePromote))
  throw new Error(`prePromoteNotify.sh: ${prePromote.match(/@[A-Za-z_]+@/)[0]} not filled in`);
const shellParts = { pgsql: prePromote.trimEnd(), stateful: ':' };

const entryPoint = readFileSync('agent/shim/entryPoint.sh', 'utf8');
mkdirSync('dist/ocf/resource.d/promigrate', { recursive: true });
for (const name of Object.keys(agents)) {
  const path = `dist/ocf/resource.d/promigrate/${name}`;
  const text = entryPoint
    .replace('  @PRE_PROMOTE@', () => shellParts[name].replaceAll(/^(?=.)/gm, '  '))
    .replaceAll('@AGENT@', () => name)
    .replaceAll('@NODE@', () => process.execPath);
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}
