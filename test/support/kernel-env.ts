import { execFileSync } from 'child_process';

/**
 * Why kernel tests cannot run here, or undefined when they can. They need root (namespaces, bpffs) and `ip`.
 * In CI (root, the packages of .ci/setup installed) this is undefined and the tests run.
 */
export function kernelUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (network namespaces and eBPF need root: run as root, as CI does)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'the `ip` command is missing (install iproute2: bash .ci/setup)';
  }
  return undefined;
}

/** `describe` when the kernel is usable; otherwise prints the reason loudly and registers a skipped suite. */
export function describeKernel(name: string, body: () => void): void {
  const reason = kernelUnavailable();
  if (reason) {
    // Loud on purpose: a silent skip would let CI go green without testing the kernel.
    console.warn(`\n*** SKIPPING kernel tests "${name}": ${reason} ***\n`);
    if (process.env.CI) throw new Error(`kernel tests must run in CI, but: ${reason}`);
  }
  (reason ? describe.skip : describe)(name, body);
}
