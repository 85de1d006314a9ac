/**
 * Walking the peers of every rule, and what a selector peer matches in the input: the namespaces its
 * namespaceSelector (or the policy's own namespace) stands for, and the pods it matches there.
 */
import { NetworkPolicy, PolicyPeer, PolicyRule } from '../model/types';
import { LintContext } from './context';

export type Direction = 'ingress' | 'egress';

/** One peer in its place: `spec.ingress[0].from[1]`. */
export interface PeerSite {
  readonly policy: NetworkPolicy;
  readonly direction: Direction;
  readonly ruleIndex: number;
  readonly rule: PolicyRule;
  readonly peerIndex: number;
  readonly peer: PolicyPeer;
  /** `spec.ingress[0].from[1]`, for messages. */
  readonly field: string;
}

/** The rules of the directions a policy enforces (rules of a type not in policyTypes have no effect). */
export function rulesOf(policy: NetworkPolicy): { direction: Direction; index: number; rule: PolicyRule; field: string }[] {
  const out: { direction: Direction; index: number; rule: PolicyRule; field: string }[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    if (!policy.policyTypes.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) continue;
    policy[direction].forEach((rule, index) => out.push({ direction, index, rule, field: `spec.${direction}[${index}]` }));
  }
  return out;
}

/** Every listed peer of every effective rule of the policy. */
export function peerSites(policy: NetworkPolicy): PeerSite[] {
  const out: PeerSite[] = [];
  for (const { direction, index, rule, field } of rulesOf(policy)) {
    (rule.peers ?? []).forEach((peer, peerIndex) => out.push({
      policy, direction, ruleIndex: index, rule, peerIndex, peer,
      field: `${field}.${direction === 'ingress' ? 'from' : 'to'}[${peerIndex}]`,
    }));
  }
  return out;
}

/** The namespaces a selector peer ranges over: those its namespaceSelector matches, or the policy's own. */
export function peerNamespaces(context: LintContext, peer: PolicyPeer, policyNamespace: string): readonly string[] {
  return peer.namespaceSelector ? context.namespacesMatching(peer.namespaceSelector) : [policyNamespace];
}
