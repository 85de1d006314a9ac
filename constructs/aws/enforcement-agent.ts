import { PolicyAgentOptions } from './policy-agent';

/** @internal What NetworkPolicyCluster needs to know of the choice. */
export type EnforcementAgentSpec =
  | { readonly kind: 'vpcCni' }
  | { readonly kind: 'eksNetpol'; readonly options: PolicyAgentOptions };

/**
 * Which agent enforces NetworkPolicies on a {@link NetworkPolicyCluster}'s nodes. Exactly one ever does: choosing
 * eks-netpol's agent turns the VPC CNI's enforcement off (`enableNetworkPolicy: "false"`), while the VPC CNI keeps
 * doing pod networking.
 */
export class EnforcementAgent {
  /** The VPC CNI's own network policy agent (aws-network-policy-agent, in the aws-node DaemonSet). */
  static vpcCni(): EnforcementAgent {
    return new EnforcementAgent({ kind: 'vpcCni' });
  }

  /**
   * eks-netpol's eBPF agent ({@link PolicyAgent}): strict mode without an allow window, a per-pod "programmed"
   * annotation, JSON event logs and Prometheus metrics. Node groups only (Auto Mode enforces with its own agent).
   */
  static eksNetpol(options: PolicyAgentOptions = {}): EnforcementAgent {
    return new EnforcementAgent({ kind: 'eksNetpol', options });
  }

  private constructor(
    /** @internal */
    readonly _spec: EnforcementAgentSpec,
  ) {}
}
