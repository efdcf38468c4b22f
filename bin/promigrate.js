#!/usr/bin/env node
// The CLI is bundled by `npm run build` (run by `npm ci` through `prepare`): no TypeScript loader at run time.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/promigrate.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('promigrate: dist/promigrate.js is missing; run `npm run build` first\n');
  process.exit(2);
}
await import(bundle.href);
