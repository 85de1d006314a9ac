#!/usr/bin/env node
/**
 * Builds the native binding (native/*.c -> build/Release/netpol.node): the package's `install` script, so it runs in
 * the checkout's `npm ci` and in a user's `npm install eks-netpol` (npm 11.19 runs it with a warning until the user's
 * `allowScripts` lists it; releases that block unapproved scripts, and `strict-allow-scripts`, need the approval
 * first). Also run by hand: `node node_modules/eks-netpol/scripts/build-native.js`.
 *
 * The binding links Debian's libbpf, which a laptop may not have. Without libbpf's headers (or off Linux) this prints
 * a loud notice and exits 0, so installing the package still works; the kernel tests then skip and say why. With the
 * headers, a failed build fails the install: a broken binding must not hide behind a skip. EKS_NETPOL_REQUIRE_NATIVE=1
 * (the agent image) turns every "not built" into a failure.
 *
 * Plain JavaScript (not TypeScript): it runs before anything is compiled.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// EKS_NETPOL_INCLUDE_DIR points elsewhere than /usr/include (a test sets it to an empty directory to see the notice).
const INCLUDE = process.env.EKS_NETPOL_INCLUDE_DIR || '/usr/include';
const HEADERS = ['bpf/libbpf.h', 'bpf/bpf.h', 'gelf.h', 'zlib.h'].map((h) => path.join(INCLUDE, h));

function banner(lines) {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const rule = '!'.repeat(width);
  process.stderr.write(`\n${rule}\n${lines.map((l) => `! ${l.padEnd(width - 4)} !`).join('\n')}\n${rule}\n\n`);
}

/** Node's own headers from the installed Node (e.g. /usr/include/node), so node-gyp never needs to download them. */
function localNodeDir() {
  const prefix = path.dirname(path.dirname(process.execPath));
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/**
 * node-gyp: our own devDependency in the checkout; in a user's install, the copy npm bundles (npm names it in
 * npm_config_node_gyp while it runs a script, and keeps it under its own node_modules otherwise).
 */
function nodeGypBin() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
  } catch {
    // not a dependency here: look for npm's own copy below
  }
  const prefix = path.dirname(path.dirname(process.execPath));
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((file) => file && fs.existsSync(file));
}

/** Exit code for "not built": 0 (installing still works), or 1 when the caller needs the binding. */
function notBuilt() {
  return process.env.EKS_NETPOL_REQUIRE_NATIVE === '1' ? 1 : 0;
}

function main() {
  if (process.env.EKS_NETPOL_SKIP_NATIVE === '1') {
    process.stderr.write('eks-netpol: EKS_NETPOL_SKIP_NATIVE=1, not building the native binding.\n');
    return 0;
  }
  if (process.platform !== 'linux') {
    banner([
      'eks-netpol: native eBPF binding NOT built (not Linux).',
      'The engine, constructs and CLI work; kernel features (lab, agent) and their tests are unavailable.',
    ]);
    return notBuilt();
  }
  const missing = HEADERS.filter((h) => !fs.existsSync(h));
  if (missing.length > 0) {
    banner([
      'eks-netpol: native eBPF binding NOT built: libbpf development files are missing.',
      `Missing: ${missing.join(', ')}`,
      'Install them (Debian/Ubuntu, as root): apt-get install libbpf-dev libelf-dev zlib1g-dev',
      `  (or run: bash .ci/setup), then: node ${path.join(root, 'scripts', 'build-native.js')}`,
      'The engine, constructs and CLI work; kernel features (lab, agent) and their tests skip with this reason.',
    ]);
    return notBuilt();
  }
  const gyp = nodeGypBin();
  if (!gyp) {
    banner([
      'eks-netpol: native eBPF binding NOT built: node-gyp was not found (neither installed nor bundled with npm).',
      `Install it (npm install --no-save node-gyp), then: node ${path.join(root, 'scripts', 'build-native.js')}`,
    ]);
    return notBuilt();
  }
  const args = [gyp, 'rebuild', '--loglevel=warn'];
  const nodeDir = localNodeDir();
  if (nodeDir) args.push(`--nodedir=${nodeDir}`);
  process.stderr.write(`eks-netpol: building the native eBPF binding (node-gyp rebuild${nodeDir ? ` --nodedir=${nodeDir}` : ''})\n`);
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) {
    banner([
      `eks-netpol: building the native eBPF binding FAILED (node-gyp exit ${run.status ?? run.signal}).`,
      'libbpf headers are present, so this is a real build error: see the compiler output above.',
    ]);
    return 1;
  }
  return 0;
}

process.exitCode = main();
