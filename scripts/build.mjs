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

const agents = { pgsql: 'agent/pgsql/main.ts', stateful: 'agent/stateful/main.ts' };
await build({
  ...common,
  entryPoints: agents,
  outdir: 'dist/agents',
  outExtension: { '.js': '.mjs' },
  banner: { js: `#!${process.execPath}\n${requireBanner}` },
});
for (const name of Object.keys(agents)) chmodSync(`dist/agents/${name}.mjs`, 0o755);
