/**
 * The `vpc-cni` add-on's configurationValues for network policy enforcement, built by one pure function, and the
 * checks that a set of options makes sense for an add-on version and a kind of compute.
 *
 * No construct framework here: the builder takes plain options and returns plain JSON so tests can pin every key.
 */
import { isAtLeast, VPC_CNI_FEATURE_MINIMUMS, VpcCniFeature } from '../../lib/doctor/vpc-cni-versions';

/** How a new pod is treated before its policies are in the kernel. */
export type NetworkPolicyEnforcingMode = 'standard' | 'strict';

/** Network policy options of the VPC CNI add-on; every field maps to one configurationValues key. */
export interface VpcCniNetworkPolicyOptions {
  /**
   * `standard` lets a new pod talk to anyone until its policies are applied; `strict` starts every pod with deny-all
   * (then you need policies for everything it reaches, including CoreDNS).
   *
   * @default 'standard'
   */
  readonly enforcingMode?: NetworkPolicyEnforcingMode;
  /**
   * Write each policy verdict (accept/deny flow) to the node's network-policy-agent.log.
   *
   * @default false
   */
  readonly policyEventLogs?: boolean;
  /**
   * Also send those policy event logs to CloudWatch Logs (group `/aws/eks/<cluster>/cluster`). Needs
   * `policyEventLogs: true`; the aws-node service account then gets an IAM role through EKS Pod Identity.
   *
   * @default false
   */
  readonly cloudWatchLogs?: boolean;
  /**
   * How often, in seconds, the node agent removes expired entries from its conntrack cache.
   *
   * @default - the agent's default (300 seconds)
   */
  readonly conntrackCacheCleanupPeriodSeconds?: number;
  /**
   * Number of entries in the node agent's conntrack cache map (32768 to 1048576). Takes effect on new nodes only.
   *
   * @default - the agent's default (524288)
   */
  readonly conntrackCacheTableSize?: number;
}

/** A problem with the options: the prop at fault, what is wrong and how to fix it. */
export interface VpcCniOptionProblem {
  readonly prop: string;
  readonly message: string;
  readonly fix: string;
}

/** The conntrack cache map bounds the node agent accepts. */
export const CONNTRACK_TABLE_SIZE_RANGE = { min: 32768, max: 1048576 } as const;

/**
 * Builds the add-on's configurationValues. Schema quirks: `enableNetworkPolicy` and the nodeAgent log switches are the
 * *strings* `"true"`/`"false"`, not booleans (the add-on schema types them as strings and rejects booleans); the
 * conntrack settings are integers. Keys that keep their defaults are left out, so that an add-on version which does not
 * know a newer key still accepts the document. Key order is fixed, so the output is byte-identical for equal input.
 * With `enforce` false the document only switches enforcement off, for clusters where eks-netpol's agent enforces.
 */
export function vpcCniConfigurationValues(options: VpcCniNetworkPolicyOptions = {}, enforce = true): Record<string, unknown> {
  // Another agent (eks-netpol's) enforces: the VPC CNI keeps pod networking, its policy agent stays idle.
  if (!enforce) return { enableNetworkPolicy: 'false' };
  const nodeAgent: Record<string, string | number> = {};
  if (options.policyEventLogs) nodeAgent.enablePolicyEventLogs = 'true';
  if (options.cloudWatchLogs) nodeAgent.enableCloudWatchLogs = 'true';
  if (options.conntrackCacheCleanupPeriodSeconds !== undefined) {
    nodeAgent.conntrackCacheCleanupPeriod = options.conntrackCacheCleanupPeriodSeconds;
  }
  if (options.conntrackCacheTableSize !== undefined) nodeAgent.conntrackCacheTableSize = options.conntrackCacheTableSize;

  const values: Record<string, unknown> = { enableNetworkPolicy: 'true' };
  // `standard` is the agent's default; writing it would demand v1.17.1 for nothing.
  if (options.enforcingMode === 'strict') values.env = { NETWORK_POLICY_ENFORCING_MODE: 'strict' };
  if (Object.keys(nodeAgent).length > 0) values.nodeAgent = nodeAgent;
  return values;
}

/** The features that add-on options turn on; ClusterNetworkPolicy is used by applying policies, not by an option. */
export type ConfiguredVpcCniFeature = Exclude<VpcCniFeature, 'clusterNetworkPolicy'>;

/** The add-on features that a set of options uses, for the version check. */
export function featuresUsed(options: VpcCniNetworkPolicyOptions): ConfiguredVpcCniFeature[] {
  const features: ConfiguredVpcCniFeature[] = ['networkPolicy'];
  if (options.enforcingMode === 'strict') features.push('strictMode');
  if (options.conntrackCacheCleanupPeriodSeconds !== undefined) features.push('conntrackCacheCleanupPeriod');
  if (options.conntrackCacheTableSize !== undefined) features.push('conntrackCacheTableSize');
  return features;
}

/** The option that turns each feature on, to name it in messages. */
const FEATURE_PROP: Record<ConfiguredVpcCniFeature, string> = {
  networkPolicy: 'networkPolicy',
  strictMode: 'networkPolicy.enforcingMode',
  conntrackCacheCleanupPeriod: 'networkPolicy.conntrackCacheCleanupPeriodSeconds',
  conntrackCacheTableSize: 'networkPolicy.conntrackCacheTableSize',
};

/**
 * Checks the options on their own and against the add-on version (skip the version check with undefined, e.g. for an
 * unresolved token); `versionProp` names the version prop in fixes. Returns every problem; an empty list means the options are valid.
 */
export function checkVpcCniOptions(
  options: VpcCniNetworkPolicyOptions,
  addonVersion?: string,
  versionProp = 'vpcCniVersion',
): VpcCniOptionProblem[] {
  const problems: VpcCniOptionProblem[] = [];
  if (options.enforcingMode !== undefined && options.enforcingMode !== 'standard' && options.enforcingMode !== 'strict') {
    problems.push({
      prop: 'networkPolicy.enforcingMode',
      message: `"${options.enforcingMode}" is not an enforcing mode`,
      fix: "use 'standard' or 'strict'",
    });
  }
  if (options.cloudWatchLogs && !options.policyEventLogs) {
    problems.push({
      prop: 'networkPolicy.cloudWatchLogs',
      message: 'CloudWatch logs carry the policy event logs, which are off',
      fix: 'set networkPolicy.policyEventLogs: true as well, or drop cloudWatchLogs',
    });
  }
  const period = options.conntrackCacheCleanupPeriodSeconds;
  if (period !== undefined && (!Number.isInteger(period) || period < 1)) {
    problems.push({
      prop: 'networkPolicy.conntrackCacheCleanupPeriodSeconds',
      message: `${period} is not a whole number of seconds of at least 1`,
      fix: 'give a positive integer such as 300, or leave it out for the default',
    });
  }
  const size = options.conntrackCacheTableSize;
  const { min, max } = CONNTRACK_TABLE_SIZE_RANGE;
  if (size !== undefined && (!Number.isInteger(size) || size < min || size > max)) {
    problems.push({
      prop: 'networkPolicy.conntrackCacheTableSize',
      message: `${size} is outside the range the node agent accepts (${min} to ${max})`,
      fix: `give an integer between ${min} and ${max}, or leave it out for the default (524288)`,
    });
  }
  if (addonVersion !== undefined) {
    for (const feature of featuresUsed(options)) {
      const minimum = VPC_CNI_FEATURE_MINIMUMS[feature];
      if (!isAtLeast(addonVersion, minimum)) {
        problems.push({
          prop: FEATURE_PROP[feature],
          message: `needs vpc-cni ${minimum} or later, but the add-on version is ${addonVersion}`,
          fix: `set ${versionProp} to ${minimum} or later (aws eks describe-addon-versions --addon-name vpc-cni), or drop ${FEATURE_PROP[feature]}`,
        });
      }
    }
  }
  return problems;
}
