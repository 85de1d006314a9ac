/**
 * The reference semantics of networking.k8s.io/v1 NetworkPolicy, one probe at a time, with the reasons.
 * The matrix engine (matrix.ts) computes the same answers for whole clusters at once; a property test holds
 * the two together.
 */
import { cidrContains } from '../model/cidr';
import { selectorMatches } from '../model/selector';
import { IpBlock, NetworkPolicy, PolicyPeer, PolicyPort, PolicyRule, Protocol } from '../model/types';
import { Address, Endpoint, isNodeLocal } from './endpoint';

/** Why one direction of a probe was allowed or denied. */
export interface DirectionVerdict {
  /** Does some policy select the endpoint for this direction? (Never for cluster-external endpoints.) */
  readonly isolated: boolean;
  /** The policies (`namespace/name`) that isolate it, sorted. */
  readonly isolatedBy: readonly string[];
  /** The policies with a rule that admits the probe, sorted. */
  readonly allowedBy: readonly string[];
  /** The admitting rules themselves: `namespace/name ingress[0]`. */
  readonly rules: readonly string[];
  /** Is this direction allowed: not isolated, or admitted by some rule. */
  readonly allowed: boolean;
}

/** The verdict for one probe: a connection from `from` to `to` on `port`/`protocol`. */
export interface Verdict {
  /** `namespace/name`, or the IP address as given. */
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** Egress of the source AND ingress of the destination allow it (or it is a bare Pod talking to itself). */
  readonly allowed: boolean;
  /** True when source and destination are the same bare Pod: a pod's traffic to itself is always allowed. (A
   * workload probed against itself stands for replica-to-replica traffic, which the policies decide.) */
  readonly self: boolean;
  /**
   * True when the source is the destination pod's own node (or a hostNetwork pod on it): node-to-local-pod traffic,
   * such as kubelet probes, is always allowed, as Kubernetes and EKS allow it.
   */
  readonly nodeLocal: boolean;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
}

export function ipBlockContains(block: IpBlock, addresses: readonly Address[]): boolean {
  return addresses.some((a) => cidrContains(block.cidr, a.family, a.address)
    && !block.except.some((hole) => cidrContains(hole, a.family, a.address)));
}

/** Does one peer of a rule of a policy in `policyNamespace` match the endpoint? */
export function peerMatches(peer: PolicyPeer, policyNamespace: string, endpoint: Endpoint): boolean {
  if (peer.ipBlock) return ipBlockContains(peer.ipBlock, endpoint.addresses);
  if (endpoint.kind !== 'pod') return false;
  if (peer.namespaceSelector) {
    if (!selectorMatches(peer.namespaceSelector, endpoint.namespaceLabels)) return false;
  } else if (endpoint.pod.namespace !== policyNamespace) {
    return false;
  }
  return peer.podSelector ? selectorMatches(peer.podSelector, endpoint.pod.labels) : true;
}

/** Does the rule admit the endpoint as its peer? No peers listed means every peer. */
export function rulePeersMatch(rule: PolicyRule, policyNamespace: string, endpoint: Endpoint): boolean {
  return rule.peers === undefined || rule.peers.some((peer) => peerMatches(peer, policyNamespace, endpoint));
}

/**
 * Does one port entry admit `port`/`protocol` on `destination`? A named port resolves on the destination pod: it
 * must declare a container port of that name, with that protocol and that number.
 */
export function policyPortMatches(entry: PolicyPort, destination: Endpoint, port: number, protocol: Protocol): boolean {
  if (typeof entry.port !== 'string') return numericPortMatches(entry, port, protocol);
  if (entry.protocol !== protocol || destination.kind !== 'pod') return false;
  return destination.pod.ports.some((p) => p.name === entry.port && p.protocol === protocol && p.port === port);
}

/** Does a port entry without a name (a number, a range, or the whole protocol) admit `port`/`protocol`? */
export function numericPortMatches(entry: PolicyPort, port: number, protocol: Protocol): boolean {
  if (entry.protocol !== protocol || typeof entry.port === 'string') return false;
  return entry.port === undefined || (port >= entry.port && port <= (entry.endPort ?? entry.port));
}

/** Does the rule admit the port? No ports listed means every port of every protocol. */
export function rulePortsMatch(rule: PolicyRule, destination: Endpoint, port: number, protocol: Protocol): boolean {
  return rule.ports === undefined || rule.ports.some((entry) => policyPortMatches(entry, destination, port, protocol));
}

/** Does the policy select this endpoint (only pods of its own namespace can be selected)? */
export function policySelects(policy: NetworkPolicy, endpoint: Endpoint): boolean {
  return endpoint.kind === 'pod' && endpoint.pod.namespace === policy.namespace
    && selectorMatches(policy.podSelector, endpoint.pod.labels);
}

type Direction = 'ingress' | 'egress';

function directionVerdict(
  direction: Direction,
  policies: readonly NetworkPolicy[],
  subject: Endpoint,
  peer: Endpoint,
  destination: Endpoint,
  port: number,
  protocol: Protocol,
): DirectionVerdict {
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  const isolatedBy: string[] = [];
  const allowedBy: string[] = [];
  const rules: string[] = [];
  for (const policy of policies) {
    if (!policy.policyTypes.includes(type) || !policySelects(policy, subject)) continue;
    isolatedBy.push(policy.id);
    let admits = false;
    policy[direction].forEach((rule, index) => {
      if (rulePeersMatch(rule, policy.namespace, peer) && rulePortsMatch(rule, destination, port, protocol)) {
        admits = true;
        rules.push(`${policy.id} ${direction}[${index}]`);
      }
    });
    if (admits) allowedBy.push(policy.id);
  }
  isolatedBy.sort();
  allowedBy.sort();
  rules.sort();
  const isolated = isolatedBy.length > 0;
  return { isolated, isolatedBy, allowedBy, rules, allowed: !isolated || allowedBy.length > 0 };
}

/** Evaluates one probe against every policy, with the reasons. */
export function evaluateProbe(
  policies: readonly NetworkPolicy[],
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol: Protocol,
): Verdict {
  const egress = directionVerdict('egress', policies, from, to, to, port, protocol);
  const ingress = directionVerdict('ingress', policies, to, from, to, port, protocol);
  // Only a bare Pod talking to itself is one pod: a workload's identity stands for all its replicas, and traffic
  // between two replicas crosses their interfaces like any other, so the policies decide it.
  const self = from.kind === 'pod' && to.kind === 'pod' && from.id === to.id && from.pod.kind === 'Pod';
  const nodeLocal = isNodeLocal(from, to);
  return {
    from: from.id,
    to: to.id,
    port,
    protocol,
    allowed: self || nodeLocal || (egress.allowed && ingress.allowed),
    self,
    nodeLocal,
    egress,
    ingress,
  };
}
