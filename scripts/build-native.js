#!/usr/bin/env node
/**
 * Builds the native binding (native/*.c -> build/Release/netpol.node) during `npm ci` / `npm install`.
 *
 * The binding links Debian's libbpf, which a laptop may not have. Without libbpf's headers this prints a loud notice
 * and exits 0, so installing the package still works; the kernel tests then skip and say why. With the headers, a
 * failed build fails the install: a broken binding must not hide behind a skip.
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

function nodeGypBin() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
  } catch {
    return undefined;
  }
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
    return 0;
  }
  const missing = HEADERS.filter((h) => !fs.existsSync(h));
  if (missing.length > 0) {
    banner([
      'eks-netpol: native eBPF binding NOT built: libbpf development files are missing.',
      `Missing: ${missing.join(', ')}`,
      'Install them (Debian/Ubuntu, as root): apt-get install libbpf-dev libelf-dev zlib1g-dev',
      '  (or run: bash .ci/setup), then: npm rebuild eks-netpol  (or: node scripts/build-native.js)',
      'The engine, constructs and CLI work; kernel tests skip with this reason.',
    ]);
    return 0;
  }
  const gyp = nodeGypBin();
  if (!gyp) {
    banner([
      'eks-netpol: native eBPF binding NOT built: node-gyp is not installed.',
      'It is a devDependency: run npm ci without --omit=dev, then: node scripts/build-native.js',
    ]);
    return 0;
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
