// Bundles the CLI (and, later, the agents) into single ESM files: fast start, no TypeScript at run time.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: { promigrate: 'src/cli/main.ts', 'bench-adapter': 'bench/adapterScaling.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outExtension: { '.js': '.js' },
  banner: {
    js: "import { createRequire as __promigrateRequire } from 'node:module'; const require = __promigrateRequire(import.meta.url);",
  },
  define: { PROMIGRATE_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
});
