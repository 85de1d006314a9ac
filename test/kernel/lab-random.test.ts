/**
 * 200 random policy sets (fixed seed) through the kernel lab: for every probe the connection our programs let
 * through must be exactly the one `reach` predicts. One topology serves every set; only the maps change, which
 * also exercises the data plane's diffs.
 */
import fc from 'fast-check';
import { LabSession } from '../../lib/lab/lab';
import { ClusterState } from '../../lib/model/types';
import { describeKernel } from '../support/kernel-env';
import { NAMESPACE_OBJECTS, randomPods, randomPolicies } from '../support/random-cluster';

const SETS = Number(process.env.LAB_RANDOM_SETS ?? 200);
const EXTERNAL = '10.0.1.7';

/** Policies as JSON, CIDRs by their text. */
function describePolicies(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? undefined : v));
}

describeKernel('random policy sets in the kernel', () => {
  test(`${SETS} random policy sets: the kernel lets through exactly what reach predicts`, async () => {
    const [pods] = fc.sample(randomPods.filter((p) => p.length >= 4), { seed: 5, numRuns: 1 });
    const policySets = fc.sample(randomPolicies, { seed: 20261128, numRuns: SETS });
    const hosts = [...pods.map((p) => p.id), EXTERNAL];
    const session = new LabSession({
      query: { from: hosts, to: hosts, ports: [{ port: 80 }, { port: 81, protocol: 'UDP' }, { port: 8080 }] },
      timeoutMs: 400,
    });
    const mismatches: string[] = [];
    let probes = 0;
    let denied = 0;
    try {
      for (const [n, policies] of policySets.entries()) {
        const cluster: ClusterState = { namespaces: NAMESPACE_OBJECTS, pods, policies, services: [], nodes: [], endpointSlices: [] };
        const result = await session.run(cluster);
        probes += result.summary.probes;
        denied += result.summary.denied;
        for (const p of result.probes) {
          if (p.observed !== null && p.observed !== p.allowed) {
            mismatches.push(`set ${n}: ${p.from} -> ${p.to} ${p.port}/${p.protocol}: predicted ${p.allowed}, observed ${p.observed}; policies ${describePolicies(policies)}`);
          }
        }
      }
    } finally {
      expect(session.close()).toEqual([]);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The sets must exercise both verdicts, or the comparison proves nothing.
    expect(denied).toBeGreaterThan(probes / 10);
    expect(probes - denied).toBeGreaterThan(probes / 10);
  }, 30 * 60 * 1000);
});
