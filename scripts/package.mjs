// `npm run package`: the Debian package promigrate_<version>_all.deb, from what the build left in dist/.
// It holds what an operator runs — the `promigrate` command and the OCF agents — and nothing of the lab
// (lab/: executor, local instances, namespace cluster, model-based runner, chaos, demo; bench/). Layout as
// Debian's conventions have it: /usr/bin/promigrate, /usr/lib/promigrate (the command's bundle),
// /usr/lib/ocf/resource.d/promigrate (the agents' entry points, which run /usr/bin/node of the nodejs
// package), /usr/lib/ocf/lib/promigrate (their bundles), a man page, copyright and changelog. Built with
// dpkg-deb, root-owned, reproducible for the same inputs (file times from the last commit).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const { version } = manifest;
const name = 'promigrate';
const maintainer = 'promigrate maintainers <maintainers@users.noreply.r-seed-27813c1c.example>';
const stage = 'dist/package';
const root = join(stage, 'root');
const output = `dist/${name}_${version}_all.deb`;

for (const needed of [
  'dist/promigrate.js',
  'dist/packaged/ocf/resource.d/promigrate/pgsql',
  'dist/ocf/lib/promigrate',
]) {
  statSync(needed); // throws with the path when the build has not run
}
rmSync(stage, { recursive: true, force: true });

// Every file's time is the last commit's, so the same sources give the same package.
const epoch = Number(
  process.env.SOURCE_DATE_EPOCH ?? execFileSync('git', ['log', '-1', '--format=%ct'], { encoding: 'utf8' }).trim(),
);

function put(path, content, mode) {
  const target = join(root, path);
  mkdirSync(join(target, '..'), { recursive: true });
  writeFileSync(target, content);
  chmodSync(target, mode);
}

const gzip = (text) => gzipSync(Buffer.from(text), { level: 9 });

// The command: the CLI bundle with an interpreter line, and /usr/bin/promigrate pointing at it. Beside it
// `ocf` points at the installed agents, where `promigrate install-agents` finds what it copies.
put('usr/lib/promigrate/promigrate.mjs', `#!/usr/bin/node\n${readFileSync('dist/promigrate.js', 'utf8')}`, 0o755);
mkdirSync(join(root, 'usr/bin'), { recursive: true });
symlinkSync('../lib/promigrate/promigrate.mjs', join(root, 'usr/bin/promigrate'));
symlinkSync('../ocf', join(root, 'usr/lib/promigrate/ocf'));

// The agents: entry points naming /usr/bin/node, and the bundles they start.
for (const agent of ['pgsql', 'stateful']) {
  put(
    `usr/lib/ocf/resource.d/promigrate/${agent}`,
    readFileSync(`dist/packaged/ocf/resource.d/promigrate/${agent}`),
    0o755,
  );
  put(`usr/lib/ocf/lib/promigrate/${agent}.cjs`, readFileSync(`dist/ocf/lib/promigrate/${agent}.cjs`), 0o644);
}

// The man page, from the same table `promigrate --help` prints.
await build({
  entryPoints: { usage: 'src/cli/usage.ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outdir: join(stage, 'build'),
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
});
const { commandHelp } = await import(new URL(`../${stage}/build/usage.mjs`, import.meta.url).href);
const date = new Date(epoch * 1000).toISOString().slice(0, 10);
put('usr/share/man/man8/promigrate.8.gz', gzip(manPage(commandHelp, version, date)), 0o644);

// Documentation: copyright (machine-readable, with every npm package the bundles hold), changelog, guide.
const bundled = JSON.parse(readFileSync('dist/bundled-packages.json', 'utf8'));
put(`usr/share/doc/${name}/copyright`, copyright(bundled), 0o644);
put(`usr/share/doc/${name}/changelog.gz`, gzip(changelog(version, epoch)), 0o644);
put(`usr/share/doc/${name}/guide.md.gz`, gzip(readFileSync('docs/guide.md', 'utf8')), 0o644);
put(`usr/share/doc/${name}/proposal.md.gz`, gzip(readFileSync('docs/proposal.md', 'utf8')), 0o644);

const files = listFiles(root);
const installedKiB = Math.ceil(files.reduce((sum, file) => sum + statSync(join(root, file)).size, 0) / 1024);
put(
  'DEBIAN/control',
  `Package: ${name}
Version: ${version}
Architecture: all
Maintainer: ${maintainer}
Installed-Size: ${installedKiB}
Depends: nodejs (>= 20), pacemaker-cli-utils (>= 2.1)
Recommends: pacemaker (>= 2.1), postgresql (>= 15)
Section: admin
Priority: optional
Description: migrate_to / migrate_from semantics for Pacemaker promoted roles
 OCF resource agents ocf:promigrate:pgsql and ocf:promigrate:stateful for
 promotable clones: a move of the promoted role is a switchover (a clean
 demote that records the primary's final position, a promote only once the
 target has received everything, an abort that puts the old primary back),
 and an election never promotes a node behind a recorded position.
 .
 The promigrate command shows the promoted role's state (status), runs and
 previews switchovers through Pacemaker's own scheduler (switchover,
 switchover --dry-run) and explains transitions and pe-input histories.
`,
  0o644,
);
put(
  'DEBIAN/md5sums',
  files
    .map(
      (file) =>
        `${createHash('md5')
          .update(readFileSync(join(root, file)))
          .digest('hex')}  ${file}`,
    )
    .join('\n')
    .concat('\n'),
  0o644,
);
for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
  const full = join(entry.parentPath, entry.name);
  if (entry.isSymbolicLink()) lutimesSync(full, epoch, epoch);
  else utimesSync(full, epoch, epoch);
}
execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, output], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
});
rmSync(stage, { recursive: true, force: true });
process.stdout.write(`${output}\n`);

/** Regular files under `dir`, relative, sorted; symbolic links are not followed. */
function listFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return found.filter((file) => !file.startsWith('DEBIAN/')).sort();
}

/** roff: a backslash is written \e and a line may not start with a dot or quote. */
function roff(text) {
  return text
    .replaceAll('\\', '\\e')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

function manPage(commands, version, date) {
  const sections = commands.map(
    (command) =>
      `.TP\n.B ${roff(command.synopsis.replace(/^promigrate /, ''))}\n${roff(command.summary.replaceAll('\n', ' '))}.\n.sp\n.nf\n${roff(command.details)}\n.fi`,
  );
  return `.TH PROMIGRATE 8 "${date}" "promigrate ${version}" "System Administration"
.SH NAME
promigrate \\- switchovers of Pacemaker promoted roles with migrate_to / migrate_from semantics
.SH SYNOPSIS
${commands.map((command) => `.B ${roff(command.synopsis)}\n.br`).join('\n')}
.B promigrate COMMAND --help
.SH DESCRIPTION
promigrate gives the promoted role of a Pacemaker promotable clone migrate_to / migrate_from semantics.
The package installs the OCF resource agents
.B ocf:promigrate:pgsql
(PostgreSQL 15 and later) and
.B ocf:promigrate:stateful
under /usr/lib/ocf, and this command, which runs on a cluster node with Pacemaker's own tools.
.SH COMMANDS
${sections.join('\n')}
.SH EXIT STATUS
0 success; 1 a check failed, the cluster could not be read, or a switchover was refused (or, with
\\-\\-dry\\-run, would be); 2 bad usage or bad input, told in one line.
.SH FILES
.TP
/usr/lib/ocf/resource.d/promigrate/pgsql, /usr/lib/ocf/resource.d/promigrate/stateful
the OCF agents; their parameters: crm_resource \\-\\-show\\-metadata ocf:promigrate:pgsql
.TP
/usr/share/doc/promigrate/guide.md.gz
the operator's guide: configuration with pcs and crm, fencing, switchover, failure handling
.SH SEE ALSO
.BR crm_resource (8),
.BR crm_simulate (8),
.BR crm_mon (8),
.BR pcs (8),
.BR crm (8)
`;
}

function copyright(bundled) {
  const licenses = new Set(Object.values(bundled).map((each) => each.license));
  const packages = Object.entries(bundled)
    .map(([name, { version, license }]) => ` ${name} ${version} (${license})`)
    .join('\n');
  return `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: promigrate
Source: the promigrate source tree

Files: *
Copyright: 2026 promigrate maintainers
License: GPL-2.0-or-later
 On Debian systems the full text of the GNU General Public License version 2
 is in /usr/share/common-licenses/GPL-2.

Files: usr/lib/promigrate/promigrate.mjs usr/lib/ocf/lib/promigrate/*.cjs
Copyright: the authors of each npm package bundled into these files:
${packages}
License: ${[...licenses].sort().join(' and ')}
 Each bundled package is under the license named beside it. MIT:
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files, to deal in the Software
 without restriction, subject to the copyright notice and this permission
 notice being included in all copies or substantial portions of the Software.
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
 ISC: permission to use, copy, modify, and/or distribute this software for any
 purpose with or without fee is hereby granted, provided that the copyright
 notice and this permission notice appear in all copies.
 Apache-2.0: on Debian systems the full text is in
 /usr/share/common-licenses/Apache-2.0.
`;
}

function changelog(version, epoch) {
  const when = new Date(epoch * 1000).toUTCString().replace('GMT', '+0000');
  return `promigrate (${version}) unstable; urgency=medium

  * Packaged for operators: the promigrate command (status, switchover,
    switchover --dry-run, explain) and the OCF agents ocf:promigrate:pgsql and
    ocf:promigrate:stateful; the agents run /usr/bin/node.

 -- ${maintainer}  ${when}
`;
}
