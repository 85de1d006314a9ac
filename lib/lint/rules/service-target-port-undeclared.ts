import { listOf, serviceSubject } from '../context';
import { LintRule, RuleFinding } from '../types';

/**
 * A named targetPort resolves on each backend pod, to its container port of that name AND the Service port's
 * protocol; a pod without one gets no endpoint for that Service port (the endpoint controllers skip it). When no
 * backend declares it, the Service port forwards nowhere (a warning); when only some do, the others receive nothing
 * on that port, which may be meant (info). Pods only: EndpointSlice backends carry their port numbers themselves.
 * Services that select no pod at all are `service-no-backend`.
 */
export const serviceTargetPortUndeclared: LintRule = {
  id: 'service-target-port-undeclared',
  severity: 'warning',
  summary: 'A Service port whose named targetPort no backend pod declares (with the port\'s protocol): the Service port forwards nowhere.',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const service of context.services) {
      context.backendsOf(service).ports.forEach(({ port, backends, unresolved }, index) => {
        const target = port.targetPort;
        if (typeof target !== 'string') return;
        const missing = unresolved.filter((b) => b.kind === 'pod');
        if (missing.length === 0) return;
        const field = `spec.ports[${index}]`;
        const pods = missing.map((b) => b.pod!);
        const otherProtocol = pods.flatMap((p) => p.ports).find((p) => p.name === target);
        const declared = [...new Set(pods.flatMap((p) => p.ports.map((c) => c.name)).filter((n): n is string => !!n))].sort();
        const fix = otherProtocol
          ? `write \`protocol: ${otherProtocol.protocol}\` on ${field}, or declare the container port "${target}" with protocol ${port.protocol}`
          : `name a container port "${target}" in the pod template${declared.length ? ` (declared: ${declared.map((n) => `"${n}"`).join(', ')})` : ''}, or write the targetPort number`;
        const reasons = listOf(pods.map((p) => {
          const named = p.ports.filter((c) => c.name === target).map((c) => c.protocol);
          return named.length > 0 ? `${p.id} declares it as ${named.join(', ')}, not ${port.protocol}` : `${p.id} declares none`;
        }), 3);
        if (backends.length === 0) {
          findings.push({
            subject: serviceSubject(service),
            message: `${field}: port ${port.port} forwards to the named targetPort "${target}", which no backend declares (${reasons}): the Service port has no endpoint, so connections to it are rejected.`,
            fix,
          });
          return;
        }
        findings.push({
          subject: serviceSubject(service),
          severity: 'info',
          // The Service port is right for the backends that serve it: the others are to change.
          fix: `declare the container port "${target}" with protocol ${port.protocol} in the pod template of ${listOf(pods.map((p) => p.id), 3)}, or narrow the selector to the pods that serve it`,
          message: `${field}: port ${port.port} forwards to the named targetPort "${target}", which ${listOf(backends.map(backendName), 3)} declare${backends.length === 1 ? 's' : ''} but not every backend: ${reasons}, so ${missing.length === 1 ? 'it receives' : 'they receive'} nothing on this port.`,
        });
      });
    }
    return findings;
  },
};

function backendName(backend: { kind: 'pod' | 'address'; pod?: { id: string }; address?: string }): string {
  return backend.pod?.id ?? backend.address ?? '?';
}
