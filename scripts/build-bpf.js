#!/usr/bin/env node
/**
 * Builds bpf/ (`make -C bpf` -> bpf/build/netpol.bpf.o) before the tests, which load that object into the kernel.
 *
 * Without clang (a laptop) this prints a loud notice and exits 0: the kernel tests then skip and say why. In CI
 * (CI set) a missing clang fails, so a green run always means the kernel tests ran. With clang, a failed build fails.
 *
 * Plain JavaScript: it runs before anything is compiled.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const clang = spawnSync('clang', ['--version'], { stdio: 'ignore' });
if (clang.error || clang.status !== 0) {
  const message = 'eks-netpol: clang is not installed, so bpf/ was not built and the kernel tests will skip. Install it with: bash .ci/setup';
  process.stderr.write(`\n${'!'.repeat(message.length + 4)}\n! ${message} !\n${'!'.repeat(message.length + 4)}\n\n`);
  process.exit(process.env.CI ? 1 : 0);
}
const make = spawnSync('make', ['-C', path.join(root, 'bpf')], { stdio: 'inherit' });
process.exit(make.status === null ? 1 : make.status);
