/**
 * What we know about the Amazon VPC CNI add-on (`vpc-cni`) and its network policy features, as data.
 *
 * Both the constructs (which pin a version at synth, with no lookups) and `eks-netpol doctor` (which checks a live
 * cluster) read these tables, so the version a cluster is built with and the version the doctor expects never drift.
 * Sources: the EKS user guide pages "Assign IPs to Pods with the Amazon VPC CNI" (latest version per Kubernetes
 * version), "Restrict Pod network traffic with Kubernetes network policies", the vpc-cni release notes and, where the
 * guide says nothing, the sources named at each table.
 */

/** An EKS add-on version such as `v1.20.1-eksbuild.3`, split into numbers. */
export interface AddonVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The `eksbuild.N` suffix; 0 when absent. */
  readonly build: number;
}

const ADDON_VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-eksbuild\.(\d+))?$/;

/** Parses `v1.20.1-eksbuild.3` (the `v` and the build suffix are optional); undefined when it is not a version. */
export function parseAddonVersion(text: string): AddonVersion | undefined {
  const m = ADDON_VERSION.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), build: m[4] === undefined ? 0 : Number(m[4]) };
}

/** Orders two add-on versions: negative when a < b, 0 when equal, positive when a > b. */
export function compareAddonVersions(a: AddonVersion, b: AddonVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || a.build - b.build;
}

/** True when `version` is at least `minimum`; both as text. Unparseable input counts as not at least. */
export function isAtLeast(version: string, minimum: string): boolean {
  const v = parseAddonVersion(version);
  const m = parseAddonVersion(minimum);
  return v !== undefined && m !== undefined && compareAddonVersions(v, m) >= 0;
}

/**
 * The `vpc-cni` add-on version pinned for each Kubernetes minor version. A version missing here fails synthesis with a
 * message asking for an explicit `addonVersion` (we never look versions up at synth).
 *
 * 1.25 to 1.28: the "latest available version of the Amazon EKS add-on type" from the EKS user guide when those rows
 * were written.
 *
 * 1.29 to 1.37: v1.23.1-eksbuild.1, one build for all, because it enforces ClusterNetworkPolicy (needs v1.21.1, see
 * {@link VPC_CNI_FEATURE_MINIMUMS}) on every minor that has that API. Evidence, by strength:
 * - Official: every table of the EKS user guide lists one build for all minors, i.e. the add-on is not tied to the
 *   minor (awsdocs/amazon-eks-user-guide latest/ug/networking/managing-vpc-cni.adoc @057948d9: v1.20.1-eksbuild.3 for
 *   1.27 to 1.33; https://docs.amazonaws.cn/eks/latest/userguide/pod-networking.html: v1.20.4-eksbuild.1 for 1.28 to
 *   1.34). No official table names v1.23.1-eksbuild.1 itself.
 * - Weaker: the EKS API reported v1.23.1-eksbuild.1 as the newest build for 1.34 on 2026-09-26 (quoted in a public
 *   repository), and public configurations pin it with 1.35 and 1.36.
 * - Inferred: 1.37. No eksbuild published for 1.37 was found; we assume the 1.36 build, as for every earlier minor.
 */
export const VPC_CNI_PINNED_VERSIONS: Readonly<Record<string, string>> = {
  '1.25': 'v1.19.2-eksbuild.5',
  '1.26': 'v1.19.2-eksbuild.5',
  '1.27': 'v1.20.1-eksbuild.3',
  '1.28': 'v1.20.1-eksbuild.3',
  '1.29': 'v1.23.1-eksbuild.1',
  '1.30': 'v1.23.1-eksbuild.1',
  '1.31': 'v1.23.1-eksbuild.1',
  '1.32': 'v1.23.1-eksbuild.1',
  '1.33': 'v1.23.1-eksbuild.1',
  '1.34': 'v1.23.1-eksbuild.1',
  '1.35': 'v1.23.1-eksbuild.1',
  '1.36': 'v1.23.1-eksbuild.1',
  '1.37': 'v1.23.1-eksbuild.1',
};

/** The pinned `vpc-cni` version for a Kubernetes version (`1.33` or `1.33.4`), or undefined when none is pinned. */
export function pinnedVpcCniVersion(kubernetesVersion: string): string | undefined {
  const minor = /^(\d+\.\d+)/.exec(kubernetesVersion.trim());
  return minor ? VPC_CNI_PINNED_VERSIONS[minor[1]] : undefined;
}

/** The oldest Kubernetes version on which EKS runs the network policy controller. */
export const MIN_KUBERNETES_VERSION = '1.25';

/**
 * Network policy features of the VPC CNI and the first add-on version that has each: a key it accepts in its
 * configuration, or a policy API it enforces.
 */
export const VPC_CNI_FEATURE_MINIMUMS = {
  /** `enableNetworkPolicy`, `nodeAgent.enablePolicyEventLogs` and `nodeAgent.enableCloudWatchLogs`. */
  networkPolicy: 'v1.14.0',
  /** `nodeAgent.conntrackCacheCleanupPeriod` (added to the chart in v1.15.5). */
  conntrackCacheCleanupPeriod: 'v1.15.5',
  /** `env.NETWORK_POLICY_ENFORCING_MODE` (`strict` arrived in v1.17.1). */
  strictMode: 'v1.17.1',
  /**
   * `nodeAgent.conntrackCacheTableSize`. The chart gained the key in 2026; v1.23.0 is the first release we have seen
   * carry it, so we ask for that rather than guess an earlier one.
   */
  conntrackCacheTableSize: 'v1.23.0',
  /**
   * Enforcing `ClusterNetworkPolicy` (networking.k8s.aws, the Admin and Baseline tiers), which also needs Kubernetes
   * {@link CLUSTER_NETWORK_POLICY_MIN_KUBERNETES_VERSION}. Source: AWS containers blog, "Building PCI DSS-Compliant
   * Architectures on Amazon EKS" (2026-04-01), "ClusterNetworkPolicy, requires VPC CNI v1.21.1+, Kubernetes 1.29+".
   */
  clusterNetworkPolicy: 'v1.21.1',
} as const;

/** The oldest Kubernetes version on which EKS enforces `ClusterNetworkPolicy` (same source as its add-on minimum). */
export const CLUSTER_NETWORK_POLICY_MIN_KUBERNETES_VERSION = '1.29';

/** A network policy feature name, a key of {@link VPC_CNI_FEATURE_MINIMUMS}. */
export type VpcCniFeature = keyof typeof VPC_CNI_FEATURE_MINIMUMS;

/** Compares Kubernetes minor versions given as `1.33` (or `1.33.4`); NaN parts sort first. */
export function compareKubernetesVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
