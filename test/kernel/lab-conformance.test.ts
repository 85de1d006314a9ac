/**
 * The ported Kubernetes e2e network policy cases through the kernel lab: for every step and probe of every case, the
 * connections our programs let through must be exactly the ones the engine predicts. (test/conformance holds the
 * engine to the suite's truth tables, so the kernel is held to them too.) SCTP cases are left out: this kernel has
 * no SCTP sockets, and the packet tests in test/bpf cover SCTP.
 */
import { LabSession } from '../../lib/lab/lab';
import { E2E_CONTEXTS } from '../conformance/e2e-cases';
import { e2eObjects, PODS } from '../conformance/e2e-model';
import { clusterOf } from '../conformance/load';
import { describeKernel } from '../support/kernel-env';

const contexts = E2E_CONTEXTS.filter((c) => !c.context.endsWith('SCTP'));

describeKernel('the e2e network policy cases in the kernel', () => {
  for (const { context, cases } of contexts) {
    test(`${context}: the kernel agrees with the engine on every probe of every case`, async () => {
      const mismatches: string[] = [];
      let observed = 0;
      // One session per step's probe port: the hosts are the suite's nine pods throughout, only the maps change.
      const sessions = new Map<string, LabSession>();
      try {
        for (const c of cases) {
          for (const step of c.steps) {
            const cluster = clusterOf(e2eObjects(step));
            for (const p of step.probes) {
              const key = `${p.port}/${p.protocol ?? ''}`;
              let session = sessions.get(key);
              if (!session) {
                session = new LabSession({ query: { from: PODS, to: PODS, ports: [{ port: p.port, protocol: p.protocol }] }, timeoutMs: 400 });
                sessions.set(key, session);
              }
              const result = await session.run(cluster);
              for (const v of result.probes) {
                if (v.observed === null) continue;
                observed++;
                if (v.observed !== v.allowed) mismatches.push(`${c.name} (${step.when}): ${v.from} -> ${v.to} ${v.port}/${v.protocol}: predicted ${v.allowed}, observed ${v.observed}`);
              }
            }
          }
        }
      } finally {
        for (const session of sessions.values()) expect(session.close()).toEqual([]);
      }
      expect(mismatches).toEqual([]);
      expect(observed).toBeGreaterThan(0);
    }, 20 * 60 * 1000);
  }
});
