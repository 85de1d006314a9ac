import { formatSelector } from '../../model/selector';
import { serviceSubject } from '../context';
import { LintRule, RuleFinding } from '../types';

/**
 * A Service that no pod backs forwards nowhere: kube-proxy rejects connections to its cluster IP, and a headless
 * Service's name resolves to nothing. With a selector, that is usually a label typo, or a label the workload carries
 * but its pod template does not (a warning; info when the input holds no workload in the namespace, since the input
 * may be partial). Without a selector the endpoints are written by someone else (an operator, a controller, the API
 * server for `default/kubernetes`), so a Service without selector and without EndpointSlices (or an Endpoints
 * object) in the input is only info: the input may simply not carry them. ExternalName Services are DNS aliases with
 * no backends by design and are skipped; a Service whose pods exist but declare no port of its named targetPort is
 * `service-target-port-undeclared`.
 */
export const serviceNoBackend: LintRule = {
  id: 'service-no-backend',
  severity: 'warning',
  summary: 'A Service whose selector selects no pod of its namespace, and that no EndpointSlice gives endpoints: it forwards nowhere.',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const service of context.services) {
      if (service.type === 'ExternalName') continue;
      const { reason } = context.backendsOf(service);
      if (reason === undefined) continue;
      const subject = serviceSubject(service);
      if (!service.selector) {
        findings.push({
          subject,
          severity: 'info',
          message: `${reason}, so the input gives it no backend (its endpoints may be written at run time).`,
          fix: `give the Service a selector, or lint it with the EndpointSlice (label \`kubernetes.io/service-name: ${service.name}\`) that lists its backends`,
        });
        continue;
      }
      const candidates = context.podsIn(service.namespace);
      if (candidates.length === 0) {
        findings.push({
          subject,
          severity: 'info',
          message: `the selector ${formatSelector({ matchLabels: service.selector })} selects nothing here: the input holds no workload in namespace "${service.namespace}" (is the input partial?).`,
          fix: `lint the Service together with the manifests of the workloads of "${service.namespace}"`,
        });
        continue;
      }
      const labels = [...new Set(candidates.flatMap((p) => Object.entries(p.pod.labels).map(([k, v]) => `${k}=${v}`)))].sort();
      findings.push({
        subject,
        message: `${reason}, and no EndpointSlice gives the Service endpoints: connections to it are rejected${service.headless ? ' (headless: its name resolves to no address)' : ''}.`,
        fix: `select the pods by labels their pod template carries (\`spec.selector\`; present in "${service.namespace}": ${labels.slice(0, 8).join(', ') || 'no labels'})`,
      });
    }
    return findings;
  },
};
