import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';

/** What an EKS Auto Mode node does with a pod that no NetworkPolicy selects. */
export type AutoModeNetworkPolicyDefault = 'DefaultAllow' | 'DefaultDeny';

/** Network policy settings for EKS Auto Mode (a NodeClass and a NodePool that uses it). */
export interface AutoModeOptions {
  /**
   * The NodeClass network policy default: `DefaultDeny` isolates every pod no policy allows (Auto Mode's counterpart
   * of the VPC CNI's strict mode).
   *
   * @default 'DefaultAllow'
   */
  readonly defaultNetworkPolicy?: AutoModeNetworkPolicyDefault;
  /**
   * Log each policy verdict on the node (NodeClass `networkPolicyEventLogs: Enabled`).
   *
   * @default false
   */
  readonly networkPolicyEventLogs?: boolean;
  /**
   * Name of the NodeClass and NodePool this library creates for workloads.
   *
   * @default 'network-policy'
   */
  readonly nodePoolName?: string;
  /**
   * EC2 instance categories the NodePool may launch.
   *
   * @default ['c', 'm', 'r']
   */
  readonly instanceCategories?: string[];
}

/** @internal The compute as data, read by NetworkPolicyCluster. */
export type ComputeSpec =
  | { readonly kind: 'nodeGroups'; readonly nodeGroups: Readonly<Record<string, eks.NodegroupOptions>> }
  | { readonly kind: 'autoMode'; readonly autoMode: AutoModeOptions };

/**
 * Where pods run. Only Linux EC2 nodes enforce NetworkPolicies: managed node groups on AL2023 or Bottlerocket (kernel
 * 5.10 or later), or EKS Auto Mode. Windows nodes and Fargate are refused, since policies would silently not apply.
 */
export class ClusterCompute {
  /**
   * Managed node groups, by id. `amiType` defaults to AL2023 standard (x86-64, or arm64 when the first instance type is
   * Graviton); only AL2023_* and BOTTLEROCKET_* AMI types are accepted.
   */
  static nodeGroups(groups: Record<string, eks.NodegroupOptions>): ClusterCompute {
    return new ClusterCompute({ kind: 'nodeGroups', nodeGroups: { ...groups } });
  }

  /** EKS Auto Mode, with a NodeClass that has network policy on and a NodePool for workloads. */
  static autoMode(options: AutoModeOptions = {}): ClusterCompute {
    return new ClusterCompute({ kind: 'autoMode', autoMode: options });
  }

  /** The default: one node group `default` of two AL2023 m5.large nodes. */
  static default(): ClusterCompute {
    return ClusterCompute.nodeGroups({
      default: { instanceTypes: [new ec2.InstanceType('m5.large')], minSize: 2, desiredSize: 2, maxSize: 4 },
    });
  }

  private constructor(
    /** @internal */
    readonly _spec: ComputeSpec,
  ) {}
}

/** AMI types that run the VPC CNI network policy agent (Linux, kernel 5.10 or later, supported in current EKS). */
export function amiTypeEnforces(amiType: string): boolean {
  return amiType.startsWith('AL2023_') || amiType.startsWith('BOTTLEROCKET_');
}

/** The AMI type to use when a node group names none: AL2023 standard for the first instance type's architecture. */
export function defaultAmiType(options: eks.NodegroupOptions): eks.NodegroupAmiType {
  const first = options.instanceTypes?.[0];
  let arm = false;
  try {
    arm = first !== undefined && first.architecture === ec2.InstanceArchitecture.ARM_64;
  } catch {
    // An instance type the table does not know: keep x86-64.
  }
  return arm ? eks.NodegroupAmiType.AL2023_ARM_64_STANDARD : eks.NodegroupAmiType.AL2023_X86_64_STANDARD;
}
