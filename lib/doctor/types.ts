/**
 * What `eks-netpol doctor` reads from the EKS API and what it reports. The shapes are the subset of the
 * @aws-sdk/client-eks response types the checks use, so checks stay pure functions over plain data.
 */

/** From DescribeCluster's `cluster`. */
export interface ClusterInfo {
  readonly name?: string;
  readonly version?: string;
  readonly platformVersion?: string;
  readonly status?: string;
  readonly computeConfig?: { readonly enabled?: boolean; readonly nodePools?: string[] };
  readonly kubernetesNetworkConfig?: { readonly ipFamily?: string };
}

/** From DescribeAddon's `addon`. */
export interface AddonInfo {
  readonly addonName?: string;
  readonly addonVersion?: string;
  readonly status?: string;
  readonly configurationValues?: string;
  readonly serviceAccountRoleArn?: string;
  readonly podIdentityAssociations?: string[];
  readonly health?: { readonly issues?: { readonly code?: string; readonly message?: string }[] };
}

/** From DescribeNodegroup's `nodegroup`. */
export interface NodegroupInfo {
  readonly nodegroupName?: string;
  readonly amiType?: string;
  readonly status?: string;
}

/** Everything the checks need about one cluster. */
export interface ClusterFacts {
  readonly cluster: ClusterInfo;
  /** Names of the EKS add-ons installed. */
  readonly addonNames: readonly string[];
  /** The vpc-cni add-on, when installed as an EKS add-on. */
  readonly vpcCni?: AddonInfo;
  readonly nodegroups: readonly NodegroupInfo[];
  readonly fargateProfileNames: readonly string[];
  /**
   * What the policies given with `--policies` need from the cluster. The EKS API cannot list Kubernetes objects, so
   * the doctor learns which policy APIs are in use only from manifests it is given.
   *
   * @default - no policies given: the checks that depend on them pass as not checked
   */
  readonly policies?: PolicyUsage;
}

/** The policy APIs that a set of manifests uses beyond NetworkPolicy, for the version checks. */
export interface PolicyUsage {
  /** How many objects the manifests hold (every kind). */
  readonly objectCount: number;
  /** The ClusterNetworkPolicy objects (networking.k8s.aws), each as `name (file:line)`. */
  readonly clusterNetworkPolicies: readonly string[];
}

/** The outcome of one check. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One check's result: what was checked, what was found and, unless it passed, how to fix it. */
export interface CheckResult {
  /** Stable id (`vpc-cni-version`), for scripts reading `--output json`. */
  readonly id: string;
  readonly status: CheckStatus;
  /** What was found, in one sentence. */
  readonly detail: string;
  /** What to do about it; present for warn and fail. */
  readonly fix?: string;
}
