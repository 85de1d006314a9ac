import { selectorMatches } from '../../model/selector';
import { listOf, serviceSubject } from '../context';
import { LintRule, RuleFinding } from '../types';

/**
 * The EKS user guide: "the service port must be the same as the container port. If you're using named ports, use
 * the same name in the service spec too." The agent resolves Service traffic against policy ports before the
 * address translation, so a policy written for the container port does not match traffic to the Service port.
 * Checked only when the input has NetworkPolicies (or strict mode): without them nothing is enforced. eks-netpol's
 * own agent judges Service traffic after the translation, on the target port, so nothing is reported when the input
 * runs it (`service-port-not-target-port` checks the policies instead).
 */
export const eksServiceTargetPort: LintRule = {
  id: 'eks-service-target-port',
  severity: 'warning',
  summary: 'A Service whose port differs from its target container port, or whose named targetPort differs from the port name: not enforced as expected on EKS.',
  check(context) {
    const findings: RuleFinding[] = [];
    if ((context.cluster.policies.length === 0 && !context.strict) || context.enforcer.kind === 'eks-netpol') return findings;
    for (const service of context.services) {
      const selector = service.selector;
      const backends = selector && Object.keys(selector).length > 0
        ? context.podsIn(service.namespace).filter((p) => selectorMatches({ matchLabels: selector }, p.pod.labels))
        : [];
      service.ports.forEach((port, index) => {
        const field = `spec.ports[${index}]`;
        const target = port.targetPort;
        if (target === undefined) return;
        if (typeof target === 'number' || /^[0-9]+$/.test(target)) {
          if (Number(target) === port.port) return;
          findings.push({
            subject: serviceSubject(service),
            message: `${field}: port ${port.port} forwards to targetPort ${target}; the EKS network policy agent expects the Service port to equal the container port, so policies on port ${target} may not match traffic sent to the Service.`,
            fix: `make the Service port ${target} (\`port: ${target}\`), so that Service and container port agree`,
          });
          return;
        }
        if (port.name !== target) {
          findings.push({
            subject: serviceSubject(service),
            message: `${field}: the named targetPort "${target}" differs from the Service port's name ${port.name ? `"${port.name}"` : '(unnamed)'}; the EKS user guide requires the same name in the Service spec.`,
            fix: `name the Service port "${target}" (\`name: ${target}\`)`,
          });
        }
        const resolved = [...new Set(backends.flatMap((p) => p.pod.ports.filter((c) => c.name === target && c.protocol === port.protocol).map((c) => c.port)))];
        if (backends.length > 0 && resolved.length === 0) {
          findings.push({
            subject: serviceSubject(service),
            message: `${field}: no pod behind the Service (${listOf(backends.map((b) => b.id), 3)}) declares a ${port.protocol} container port named "${target}", so the Service forwards nowhere and no policy can match it.`,
            fix: `name the container port "${target}" in the pod template, or write the targetPort number`,
          });
          return;
        }
        const mismatched = resolved.filter((n) => n !== port.port);
        if (mismatched.length > 0) {
          findings.push({
            subject: serviceSubject(service),
            message: `${field}: port ${port.port} forwards to the container port "${target}", which the pods behind the Service declare as ${listOf(mismatched.map(String))}; the EKS network policy agent expects the Service port to equal the container port.`,
            fix: `make the Service port ${mismatched[0]}, or the container port ${port.port}`,
          });
        }
      });
    }
    return findings;
  },
};
