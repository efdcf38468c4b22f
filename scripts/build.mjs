// Bundles the CLI, the benchmarks and the OCF agents into single ESM files: fast start, no TypeScript at run
// time. The agents get a `#!` line with the absolute path of this Node, since pacemaker-execd runs them directly.
import { chmodSync, readFileSync } from 'node:fs';
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
  },
  outdir: 'dist',
  // pg (the benchmark's client) loads its optional native binding lazily; it is not installed.
  external: ['pg-native'],
  banner: { js: requireBanner },
});

// The agents are CommonJS: installed without an extension, Node loads them as CommonJS directly (an ESM
// file without one is parsed twice, to detect its syntax). The model's actions are imported lazily: esbuild
// defers their initialisation, so monitor and notify do not set up the statechart.
const agents = { pgsql: 'agent/pgsql/main.ts', stateful: 'agent/stateful/main.ts' };
await build({
  ...common,
  format: 'cjs',
  entryPoints: agents,
  outdir: 'dist/agents',
  outExtension: { '.js': '.cjs' },
  banner: { js: `#!${process.execPath}` },
});
for (const name of Object.keys(agents)) chmodSync(`dist/agents/${name}.cjs`, 0o755);
