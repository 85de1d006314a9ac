import { NetworkPolicy, PolicyRule, Protocol, Service, ServicePort } from '../../model/types';
import { Bitset } from '../../verdict/bitset';
import { PodEndpoint } from '../../verdict/endpoint';
import { policyPortMatches } from '../../verdict/evaluate';
import { LintContext, listOf, policySubject } from '../context';
import { usesHostNetwork } from '../pod-spec';
import { LintRule, RuleFinding } from '../types';

/**
 * Traffic to a Service is judged as traffic to each backend on its resolved target port: kube-proxy translates the
 * cluster IP and the Service `port` to a backend and its `targetPort` before the backend's ingress (or the client's
 * egress to that backend) is judged. So a rule written for the Service port where the target port differs (the
 * policy admits 80, the backend listens on 8080) admits nothing of the Service's traffic. Reported on the policy:
 * - ingress: a rule of a policy selecting a backend admits the Service port but not the target port on that backend
 *   (by number, range or name, resolved on the backend as the engine resolves it), and the rules admitting the target
 *   port (of any policy selecting the backend) do not cover the same sources;
 * - egress: a rule whose selector peers match a backend admits the Service port but not the target port to it, and
 *   no egress rule of the same policy admits the target port to that backend. Rules without peers or with ipBlock
 *   peers only are left out: they aim at addresses, not at the Service's pods.
 * Backends come from `serviceBackends` (named targetPorts resolved per pod; EndpointSlice addresses when they name a
 * pod). hostNetwork backends are the node, which no policy filters (`eks-host-network`).
 */
export const servicePortNotTargetPort: LintRule = {
  id: 'service-port-not-target-port',
  severity: 'warning',
  summary: 'A policy rule that admits a Service\'s port but not its targetPort to the Service\'s backends: kube-proxy delivers on the targetPort, so traffic through the Service is denied.',
  check(context) {
    const found = new Map<string, Mismatch>();
    const bits = new RuleBits(context);
    for (const service of context.services) {
      context.backendsOf(service).ports.forEach(({ port, backends }, portIndex) => {
        for (const backend of backends) {
          if (backend.targetPort === port.port || !backend.pod) continue;
          const pod = context.endpointOf(backend.pod);
          if (!pod || usesHostNetwork(pod.pod)) continue;
          const target = backend.targetPort;
          const at = context.positionOf(pod);
          const record = (policy: NetworkPolicy, direction: 'ingress' | 'egress', ruleIndex: number) => {
            const key = `${policy.id}\u0000${direction}\u0000${ruleIndex}\u0000${service.id}\u0000${portIndex}`;
            let mismatch = found.get(key);
            if (!mismatch) found.set(key, (mismatch = { policy, direction, ruleIndex, service, port, portIndex, backends: new Map() }));
            mismatch.backends.set(pod.id, target);
          };
          // Ingress of the backend.
          const selecting = context.policiesSelecting(pod).filter((p) => p.policyTypes.includes('Ingress'));
          const admitting = selecting.flatMap((policy) => policy.ingress
            .filter((rule) => rulePortAdmits(rule, pod, target, port.protocol))
            .map((rule) => ({ rule, namespace: policy.namespace })));
          for (const policy of selecting) {
            policy.ingress.forEach((rule, ruleIndex) => {
              if (!admitsServicePortOnly(rule, pod, port, target)) return;
              if (covers(context, bits, admitting, rule, policy.namespace)) return;
              record(policy, 'ingress', ruleIndex);
            });
          }
          // Egress towards the backend.
          for (const policy of bits.egressPoliciesNaming(at)) {
            if (policy.egress.some((rule) => bits.all(rule, policy.namespace).has(at) && rulePortAdmits(rule, pod, target, port.protocol))) continue;
            policy.egress.forEach((rule, ruleIndex) => {
              if (!bits.selectorPeers(rule, policy.namespace).has(at) || !admitsServicePortOnly(rule, pod, port, target)) return;
              record(policy, 'egress', ruleIndex);
            });
          }
        }
      });
    }
    return [...found.values()].map(finding);
  },
};

interface Mismatch {
  readonly policy: NetworkPolicy;
  readonly direction: 'ingress' | 'egress';
  readonly ruleIndex: number;
  readonly service: Service;
  readonly port: ServicePort;
  readonly portIndex: number;
  /** Backend pod id -> the target port it receives the Service port on. */
  readonly backends: Map<string, number>;
}

function finding(m: Mismatch): RuleFinding {
  const policy = m.policy;
  const field = `spec.${m.direction}[${m.ruleIndex}]`;
  const { port, service } = m;
  const targets = [...new Set(m.backends.values())].sort((a, b) => a - b);
  const backends = listOf([...m.backends.keys()], 3);
  const named = typeof port.targetPort === 'string';
  const targetsText = listOf(targets.map(String));
  // A Service without selector takes its target ports from the EndpointSlices, not from spec.ports[].targetPort.
  const targetText = named ? `targetPort "${port.targetPort}" (= ${targetsText} on ${backends})`
    : targets.length === 1 && targets[0] === port.targetPort ? `targetPort ${port.targetPort}`
      : `target port ${targetsText} (from its endpoints)`;
  const consequence = m.direction === 'ingress'
    ? `kube-proxy delivers the Service's traffic to ${backends} on ${targetsText}, so connections through the Service are denied`
    : `the selected pods' connections to the Service are judged as connections to ${backends} on ${targetsText}, so they are denied`;
  // By name on ingress, where it resolves on each backend; by number on egress, since some enforcers resolve named
  // ports for ingress only.
  const entry = `{protocol: ${port.protocol}, port: ${named && (m.direction === 'ingress' || targets.length > 1) ? port.targetPort : targets[0]}}`;
  return {
    subject: policySubject(policy),
    silencedAlsoBy: [service.metadata],
    message: `${field}: admits ${port.protocol} ${port.port}, the port of Service ${service.id} (spec.ports[${m.portIndex}]${port.name ? ` "${port.name}"` : ''}), but not its ${targetText}${m.direction === 'egress' ? ` to ${backends}` : ''}; ${consequence}.`,
    fix: `admit the target port in ${field}.ports: \`${entry}\` (the Service port ${port.port} never reaches the pods)`,
  };
}

/** Does a rule's port list admit `port` on the pod (no list: every port)? */
function rulePortAdmits(rule: PolicyRule, pod: PodEndpoint, port: number, protocol: Protocol): boolean {
  return rule.ports === undefined || rule.ports.some((entry) => policyPortMatches(entry, pod, port, protocol));
}

/** Does the rule list the Service port, and not the target port, for this backend? */
function admitsServicePortOnly(rule: PolicyRule, pod: PodEndpoint, port: ServicePort, target: number): boolean {
  return rule.ports !== undefined
    && rule.ports.some((entry) => policyPortMatches(entry, pod, port.port, port.protocol))
    && !rule.ports.some((entry) => policyPortMatches(entry, pod, target, port.protocol));
}

/**
 * Do the rules admitting the target port admit every source `rule` admits? A rule without peers is covered only by
 * another rule without peers; ipBlock sources (possibly outside the pods) only by a rule with an ipBlock or no peers;
 * pod sources pod by pod.
 */
function covers(context: LintContext, bits: RuleBits, admitting: readonly { rule: PolicyRule; namespace: string }[], rule: PolicyRule, namespace: string): boolean {
  if (admitting.some((a) => a.rule.peers === undefined)) return true;
  if (rule.peers === undefined || admitting.length === 0) return false;
  if (rule.peers.some((p) => p.ipBlock) && !admitting.some((a) => a.rule.peers!.some((p) => p.ipBlock))) return false;
  const admitted = new Bitset(context.pods.length);
  for (const a of admitting) admitted.orInPlace(bits.all(a.rule, a.namespace));
  let all = true;
  bits.all(rule, namespace).forEach((at) => { if (!admitted.has(at)) all = false; });
  return all;
}

/**
 * The pods each rule's peers match, computed once per rule and run: the Service loop asks for the same rules for
 * every backend. Never change a returned bitset.
 */
class RuleBits {
  private readonly every = new Map<PolicyRule, Bitset>();
  private readonly selectors = new Map<PolicyRule, Bitset>();
  private naming?: Map<number, NetworkPolicy[]>;

  constructor(private readonly context: LintContext) {}

  /** Every pod the rule's peers match (every pod when it lists none), ipBlocks by pod address. */
  all(rule: PolicyRule, namespace: string): Bitset {
    let bits = this.every.get(rule);
    if (!bits) this.every.set(rule, (bits = this.context.ruleBits(rule, namespace)));
    return bits;
  }

  /** The policies with an egress rule whose selector peers match the pod at this position (the inverse of the above). */
  egressPoliciesNaming(at: number): readonly NetworkPolicy[] {
    if (!this.naming) {
      const naming = new Map<number, NetworkPolicy[]>();
      for (const policy of this.context.policies) {
        if (!policy.policyTypes.includes('Egress')) continue;
        const named = new Bitset(this.context.pods.length);
        for (const rule of policy.egress) named.orInPlace(this.selectorPeers(rule, policy.namespace));
        named.forEach((pod) => {
          const list = naming.get(pod);
          if (list) list.push(policy);
          else naming.set(pod, [policy]);
        });
      }
      this.naming = naming;
    }
    return this.naming.get(at) ?? [];
  }

  /** The pods the rule's selector peers match (ipBlock peers left out). */
  selectorPeers(rule: PolicyRule, namespace: string): Bitset {
    let bits = this.selectors.get(rule);
    if (!bits) {
      bits = new Bitset(this.context.pods.length);
      for (const peer of rule.peers ?? []) if (!peer.ipBlock) bits.orInPlace(this.context.peerBits(peer, namespace));
      this.selectors.set(rule, bits);
    }
    return bits;
  }
}
