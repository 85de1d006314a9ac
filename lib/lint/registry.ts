/**
 * Every lint rule, in the order the README table lists them. Add a rule here, in its own file under rules/, with a
 * positive and a negative test and a README row.
 */
import { dnsEgressBlocked } from './rules/dns-egress-blocked';
import { dnsNodeLocalBlocked } from './rules/dns-nodelocal-blocked';
import { dnsTcpMissing } from './rules/dns-tcp-missing';
import { egressImdsOpen } from './rules/egress-imds-open';
import { eksBarePod } from './rules/eks-bare-pod';
import { eksHostNetwork } from './rules/eks-host-network';
import { eksMixedIpFamilies } from './rules/eks-mixed-ip-families';
import { eksPortLimit } from './rules/eks-port-limit';
import { eksSctp } from './rules/eks-sctp';
import { eksServiceTargetPort } from './rules/eks-service-target-port';
import { eksWindowsNode } from './rules/eks-windows-node';
import { ipBlockCoversClusterCidr } from './rules/ipblock-covers-cluster-cidr';
import { lintDisableUnknown } from './rules/lint-disable-unknown';
import { namedPortUndeclared } from './rules/named-port-undeclared';
import { peerMatchesNothing } from './rules/peer-matches-nothing';
import { peerMergedOr } from './rules/peer-merged-or';
import { peerSplitAnd } from './rules/peer-split-and';
import { policySelectsNothing } from './rules/policy-selects-nothing';
import { probeIngressNodeDenied } from './rules/probe-ingress-node-denied';
import { serviceNoBackend } from './rules/service-no-backend';
import { servicePortNotTargetPort } from './rules/service-port-not-target-port';
import { serviceTargetPortUndeclared } from './rules/service-target-port-undeclared';
import { strictProbeIngress } from './rules/strict-probe-ingress';
import { LintRule } from './types';

export const RULES: readonly LintRule[] = [
  dnsEgressBlocked,
  dnsTcpMissing,
  dnsNodeLocalBlocked,
  policySelectsNothing,
  peerMatchesNothing,
  namedPortUndeclared,
  peerSplitAnd,
  peerMergedOr,
  egressImdsOpen,
  ipBlockCoversClusterCidr,
  servicePortNotTargetPort,
  serviceNoBackend,
  serviceTargetPortUndeclared,
  eksPortLimit,
  eksServiceTargetPort,
  eksBarePod,
  eksHostNetwork,
  eksWindowsNode,
  eksSctp,
  eksMixedIpFamilies,
  strictProbeIngress,
  probeIngressNodeDenied,
  lintDisableUnknown,
];

/** The rule with this id, or undefined. */
export function ruleById(id: string): LintRule | undefined {
  return RULES.find((rule) => rule.id === id);
}

/** Every rule id, in table order. */
export function ruleIds(): string[] {
  return RULES.map((rule) => rule.id);
}
