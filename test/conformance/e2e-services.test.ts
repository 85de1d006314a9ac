/**
 * The ported e2e suite through Services (issue 12): every pod of the e2e model is also fronted by its own Service,
 * whose ports differ from the target ports (port 80 as 1080 -> 80 by number, 81 as 1081 -> the container-port name
 * `serve-81-<protocol>`), and every probe of every case is repeated through the Service. A connection through a
 * Service is a connection to its backend on the resolved target port, so each verdict must equal the suite's
 * expectation for the pod itself. A pod probing its own Service (hairpin traffic, which kube-proxy masquerades to the
 * node's address) is left out, as the suite's diagonal is.
 */
import { portName, PODS, E2E_PORTS, E2E_PROTOCOLS, e2eObjects, KubeObject } from './e2e-model';
import { E2E_CONTEXTS } from './e2e-cases';
import { Step } from './e2e-case';
import { clusterOf } from './load';
import { TruthTable } from './truth-table';
import { Reachability } from '../../lib/verdict/reachability';
import { Protocol } from '../../lib/model/types';

const SERVICE_PORT_OFFSET = 1000;

/** The Service `svc-<pod>` in the pod's namespace, selecting it by its labels at this step. */
function serviceFor(step: Step, id: string): KubeObject {
  const [namespace, pod] = id.split('/');
  const served = step.podPorts?.[id] ?? step.ports ?? E2E_PORTS;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${pod}`, namespace },
    spec: {
      selector: step.podLabels?.[id] ?? { pod },
      ports: served.flatMap((port) => E2E_PROTOCOLS.map((protocol) => ({
        name: `p${port}-${protocol.toLowerCase()}`,
        port: port + SERVICE_PORT_OFFSET,
        targetPort: port === 80 ? port : portName(port, protocol),
        protocol,
      }))),
    },
  };
}

/** The port and protocol a probe of the suite means: a number (TCP unless given) or a `serve-80-tcp` name. */
function probedPort(port: number | string, protocol: Protocol | undefined): { port: number; protocol: Protocol } {
  if (typeof port === 'number') return { port, protocol: protocol ?? 'TCP' };
  const match = /^serve-(\d+)-(tcp|udp|sctp)$/.exec(port);
  if (!match) throw new Error(`the e2e model names no port "${port}"`);
  return { port: Number(match[1]), protocol: match[2].toUpperCase() as Protocol };
}

const counted = { probes: 0, skipped: 0 };

describe.each(E2E_CONTEXTS.map(({ context, cases }) => [context, cases] as const))('Netpol through Services: %s', (_context, cases) => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const step of c.steps) {
      const objects = [...e2eObjects(step), ...PODS.map((id) => serviceFor(step, id))];
      const reach = new Reachability(clusterOf(objects));
      for (const p of step.probes) {
        const expected = p.expect(new TruthTable(PODS));
        const { port, protocol } = probedPort(p.port, p.protocol);
        const mismatches: string[] = [];
        for (const to of PODS) {
          const [namespace, pod] = to.split('/');
          const service = `service/${namespace}/svc-${pod}`;
          const served = reach.service(service).ports.some((sp) => sp.port === port + SERVICE_PORT_OFFSET && sp.protocol === protocol);
          for (const from of PODS) {
            if (from === to) continue;
            if (!served) {
              counted.skipped++;
              continue;
            }
            const verdict = reach.checkService(from, service, port + SERVICE_PORT_OFFSET, protocol);
            counted.probes++;
            // One backend per Service: never partial, and its target port is the probed port.
            expect(verdict.backends.map((b) => [b.backend, b.targetPort])).toEqual([[to, port]]);
            if (verdict.allowed !== expected.get(from, to)) {
              mismatches.push(`${from} -> ${service}:${port + SERVICE_PORT_OFFSET}/${protocol} (target ${port}): ${verdict.outcome}, the suite expects ${expected.get(from, to) ? 'allowed' : 'denied'}`);
            }
          }
        }
        expect({ when: step.when, port: `${port}/${protocol}`, mismatches }).toEqual({ when: step.when, port: `${port}/${protocol}`, mismatches: [] });
      }
    }
  });
});

afterAll(() => {
  // Every probe of the suite through a Service, except those on ports the pods do not serve.
  expect(counted.probes).toBeGreaterThan(1000);
});
