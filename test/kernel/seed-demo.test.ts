/** The README's "see it in the kernel" walkthrough, run as written: the seed demo through `eks-netpol lab`. */
import * as path from 'path';
import { runCli } from '../cli/fake-io';
import { describeKernel } from '../support/kernel-env';

const ROOT = path.join(__dirname, '..', '..');

async function lab(args: string[]): Promise<{ code: number; json: { probes: { from: string; to: string; port: number; protocol: string; allowed: boolean; observed: boolean | null }[]; summary: { mismatches: number } } }> {
  const { code, stdout, stderr } = await runCli(['lab', ...args, '--output', 'json', '--timeout', '500'], { cwd: ROOT });
  if (code !== 0) throw new Error(`lab exited ${code}: ${stderr}`);
  return { code, json: JSON.parse(stdout) };
}

const PROBES = ['--from', 'seed/alpine', '--to', 'kube-system/coredns', '--to', '203.0.113.10', '--port', '53/UDP', '--port', '443'];
const verdicts = (json: Awaited<ReturnType<typeof lab>>['json']) =>
  json.probes.map((p) => `${p.to} ${p.port}/${p.protocol} ${p.allowed ? 'allowed' : 'denied'} observed=${p.observed}`);

describeKernel('the seed demo in the kernel (README: see it in the kernel)', () => {
  test('with only default-deny egress, DNS and HTTPS are blocked, in the engine and in the kernel', async () => {
    const { json } = await lab(['examples/lab/seed/base', ...PROBES]);
    expect(verdicts(json)).toEqual([
      'kube-system/coredns 53/UDP denied observed=false',
      'kube-system/coredns 443/TCP denied observed=false',
      '203.0.113.10 53/UDP denied observed=false',
      '203.0.113.10 443/TCP denied observed=false',
    ]);
    expect(json.summary.mismatches).toBe(0);
  });

  test('with the allow policy added, DNS to kube-dns and HTTPS out pass, and DNS to the internet stays blocked', async () => {
    const { json } = await lab(['examples/lab/seed/base', 'examples/lab/seed/allow', ...PROBES]);
    expect(verdicts(json)).toEqual([
      'kube-system/coredns 53/UDP allowed observed=true',
      // 0.0.0.0/0 also covers pod addresses, as the Kubernetes e2e suite expects.
      'kube-system/coredns 443/TCP allowed observed=true',
      '203.0.113.10 53/UDP denied observed=false',
      '203.0.113.10 443/TCP allowed observed=true',
    ]);
    expect(json.summary.mismatches).toBe(0);
  });
});
