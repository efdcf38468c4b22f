// Bundles the CLI, the benchmarks and the OCF agents into single files: fast start, no TypeScript at run
// time. The agents are laid out as in an OCF root (dist/ocf), as `promigrate install-agents` installs them:
// resource.d/promigrate/<agent> is a small shell entry point, lib/promigrate/<agent>.cjs the bundle; the
// entry point names the absolute path of a Node, since pacemaker-execd runs agents directly: in a checkout
// the Node that built them, in the Debian package (dist/packaged/, scripts/package.mjs) /usr/bin/node, the
// program of the nodejs package it depends on. The npm packages each bundle holds are listed in
// dist/bundled-packages.json, for the package's copyright file.
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
    // Records a real history (pe-inputs and agent log lines) for check-history's test fixtures.
    'record-history': 'lab/history/recordHistory.ts',
  },
  outdir: 'dist',
  // pg (the benchmark's client) loads its optional native binding lazily; it is not installed.
  external: ['pg-native'],
  banner: { js: requireBanner },
});

/** The npm packages (name → version, license) whose code a bundle of `entry` holds. */
async function bundledPackages(entryPoints, format) {
  const { metafile } = await build({ ...common, format, entryPoints, write: false, metafile: true, outdir: 'dist' });
  const found = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match === null || found.has(match[1])) continue;
    const manifest = JSON.parse(readFileSync(`node_modules/${match[1]}/package.json`, 'utf8'));
    found.set(match[1], { version: manifest.version, license: manifest.license ?? 'see the package' });
  }
  return found;
}

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
// A lab-only variant (never packaged): the PostgreSQL agent with migrate_from's catch-up check skipped
// (lab/brokenAgent), the broken agent whose recorded history `promigrate check-history` must flag.
const skipCatchUp = {
  name: 'skip-catch-up',
  setup(plugin) {
    plugin.onResolve({ filter: /\/catchUp\.ts$/ }, (args) =>
      args.importer.endsWith('agent/promotable/modelActions.ts')
        ? { path: new URL('../lab/brokenAgent/skipCatchUp.ts', import.meta.url).pathname }
        : undefined,
    );
  },
};
await build({
  ...common,
  format: 'cjs',
  entryPoints: { pgsql: 'agent/pgsql/main.ts' },
  outdir: 'dist/lab-broken-ocf/lib/promigrate',
  outExtension: { '.js': '.cjs' },
  plugins: [skipCatchUp],
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
const layouts = {
  'dist/ocf': process.execPath,
  'dist/packaged/ocf': '/usr/bin/node',
  'dist/lab-broken-ocf': process.execPath,
};
for (const [root, node] of Object.entries(layouts)) {
  mkdirSync(`${root}/resource.d/promigrate`, { recursive: true });
  for (const name of root === 'dist/lab-broken-ocf' ? ['pgsql'] : Object.keys(agents)) {
    const path = `${root}/resource.d/promigrate/${name}`;
    const text = entryPoint
      .replace('  @PRE_PROMOTE@', () => shellParts[name].replaceAll(/^(?=.)/gm, '  '))
      .replaceAll('@AGENT@', () => name)
      .replaceAll('@NODE@', () => node);
    writeFileSync(path, text);
    chmodSync(path, 0o755);
  }
}

const packages = new Map([
  ...(await bundledPackages({ promigrate: 'src/cli/main.ts' }, 'esm')),
  ...(await bundledPackages(agents, 'cjs')),
]);
writeFileSync(
  'dist/bundled-packages.json',
  `${JSON.stringify(Object.fromEntries([...packages].sort(([a], [b]) => a.localeCompare(b))), null, 2)}\n`,
);
