#!/usr/bin/env node
'use strict';
// `npm run efa -- <command>` in a checkout: runs the operator CLI from dist/, building dist/ first
// when a source is newer than the last build, so an operator never runs stale code and never waits
// for a build that is not needed. Plain JavaScript because it runs before anything is compiled.
// Build output goes to stderr: stdout is the command's alone (JSON with --json).
const { spawnSync } = require('node:child_process');
const { chmodSync, readdirSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const entry = path.join(root, 'dist', 'src', 'cli', 'main.js');
// Touched when a build through this launcher succeeded, with the time the build started.
const stamp = path.join(root, 'dist', '.efa-built');

const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;

function newest(dir) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(full) : mtime(full));
  }
  return time;
}

const sources = Math.max(newest(path.join(root, 'src')), ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => mtime(path.join(root, f))));
if (mtime(entry) === 0 || mtime(stamp) < sources) {
  const started = new Date();
  process.stderr.write('efa-forms: building dist/ (the sources changed since the last build) ...\n');
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (tsc.status !== 0) {
    process.stderr.write(tsc.stdout ?? '');
    process.stderr.write('efa-forms: the build failed (npm run build shows the same errors)\n');
    process.exit(1);
  }
  chmodSync(entry, 0o755);
  writeFileSync(stamp, '');
  utimesSync(stamp, started, started);
}
require(entry);
