/**
 * What we know about the Amazon VPC CNI add-on (`vpc-cni`) and its network policy features, as data.
 *
 * Both the constructs (which pin a version at synth, with no lookups) and `eks-netpol doctor` (which checks a live
 * cluster) read these tables, so the version a cluster is built with and the version the doctor expects never drift.
 * Sources: the EKS user guide pages "Assign IPs to Pods with the Amazon VPC CNI" (latest version per Kubernetes
 * version), "Restrict Pod network traffic with Kubernetes network policies" and the vpc-cni release notes.
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
 * The `vpc-cni` add-on version pinned for each Kubernetes minor version: the "latest available version of the Amazon
 * EKS add-on type" from the EKS user guide when this table was written. A version missing here fails synthesis with a
 * message asking for an explicit `addonVersion` (we never look versions up at synth).
 */
export const VPC_CNI_PINNED_VERSIONS: Readonly<Record<string, string>> = {
  '1.25': 'v1.19.2-eksbuild.5',
  '1.26': 'v1.19.2-eksbuild.5',
  '1.27': 'v1.20.1-eksbuild.3',
  '1.28': 'v1.20.1-eksbuild.3',
  '1.29': 'v1.20.1-eksbuild.3',
  '1.30': 'v1.20.1-eksbuild.3',
  '1.31': 'v1.20.1-eksbuild.3',
  '1.32': 'v1.20.1-eksbuild.3',
  '1.33': 'v1.20.1-eksbuild.3',
};

/** The pinned `vpc-cni` version for a Kubernetes version (`1.33` or `1.33.4`), or undefined when none is pinned. */
export function pinnedVpcCniVersion(kubernetesVersion: string): string | undefined {
  const minor = /^(\d+\.\d+)/.exec(kubernetesVersion.trim());
  return minor ? VPC_CNI_PINNED_VERSIONS[minor[1]] : undefined;
}

/** The oldest Kubernetes version on which EKS runs the network policy controller. */
export const MIN_KUBERNETES_VERSION = '1.25';

/** Network policy features of the VPC CNI and the first add-on version that accepts each in its configuration. */
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
} as const;

/** A network policy feature name, a key of {@link VPC_CNI_FEATURE_MINIMUMS}. */
export type VpcCniFeature = keyof typeof VPC_CNI_FEATURE_MINIMUMS;

/** Compares Kubernetes minor versions given as `1.33` (or `1.33.4`); NaN parts sort first. */
export function compareKubernetesVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
