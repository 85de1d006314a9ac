/**
 * The doctor's checks: can this cluster enforce Kubernetes NetworkPolicies? Each check is a pure function of the facts
 * read from the EKS API, so tests feed them API-shaped data and the CLI only gathers and prints.
 */
import { CheckResult, ClusterFacts } from './types';
import {
  CLUSTER_NETWORK_POLICY_MIN_KUBERNETES_VERSION,
  compareKubernetesVersions,
  isAtLeast,
  MIN_KUBERNETES_VERSION,
  pinnedVpcCniVersion,
  VPC_CNI_FEATURE_MINIMUMS,
  VpcCniFeature,
} from './vpc-cni-versions';

/** The network policy settings found in the vpc-cni add-on's configurationValues. */
export interface VpcCniSettings {
  /** `enableNetworkPolicy` is the string "true" (booleans are not what the add-on schema takes). */
  readonly networkPolicy: boolean;
  readonly enforcingMode: 'standard' | 'strict';
  readonly policyEventLogs: boolean;
  readonly cloudWatchLogs: boolean;
  readonly conntrackCacheCleanupPeriod?: number;
  readonly conntrackCacheTableSize?: number;
}

/** Reads configurationValues (JSON; the API also accepts YAML, which we read as "not JSON"). */
export function readVpcCniSettings(configurationValues: string | undefined): VpcCniSettings | 'unreadable' {
  if (configurationValues === undefined || configurationValues.trim() === '') {
    return { networkPolicy: false, enforcingMode: 'standard', policyEventLogs: false, cloudWatchLogs: false };
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(configurationValues) as Record<string, unknown>;
  } catch {
    return 'unreadable';
  }
  if (typeof doc !== 'object' || doc === null) return 'unreadable';
  const env = (doc.env ?? {}) as Record<string, unknown>;
  const agent = (doc.nodeAgent ?? {}) as Record<string, unknown>;
  const numberOrUndefined = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : undefined);
  return {
    networkPolicy: String(doc.enableNetworkPolicy) === 'true',
    enforcingMode: String(env.NETWORK_POLICY_ENFORCING_MODE ?? 'standard').toLowerCase() === 'strict' ? 'strict' : 'standard',
    policyEventLogs: String(agent.enablePolicyEventLogs) === 'true',
    cloudWatchLogs: String(agent.enableCloudWatchLogs) === 'true',
    conntrackCacheCleanupPeriod: numberOrUndefined(agent.conntrackCacheCleanupPeriod),
    conntrackCacheTableSize: numberOrUndefined(agent.conntrackCacheTableSize),
  };
}

const pass = (id: string, detail: string): CheckResult => ({ id, status: 'pass', detail });
const warn = (id: string, detail: string, fix: string): CheckResult => ({ id, status: 'warn', detail, fix });
const fail = (id: string, detail: string, fix: string): CheckResult => ({ id, status: 'fail', detail, fix });

/** The cluster's Kubernetes version must have the EKS network policy controller (1.25+). */
export function checkKubernetesVersion(facts: ClusterFacts): CheckResult {
  const version = facts.cluster.version;
  if (version === undefined) return fail('kubernetes-version', 'DescribeCluster returned no Kubernetes version', 'check the cluster status with aws eks describe-cluster');
  if (compareKubernetesVersions(version, MIN_KUBERNETES_VERSION) < 0) {
    return fail('kubernetes-version', `Kubernetes ${version} has no EKS network policy controller`, `upgrade the cluster to ${MIN_KUBERNETES_VERSION} or later`);
  }
  return pass('kubernetes-version', `Kubernetes ${version}${facts.cluster.platformVersion ? ` (${facts.cluster.platformVersion})` : ''}, ${MIN_KUBERNETES_VERSION} or later`);
}

const isAutoMode = (facts: ClusterFacts) => facts.cluster.computeConfig?.enabled === true;

/** Auto Mode enforcement is switched on inside Kubernetes, which the EKS API cannot see: say how to check it. */
export function checkAutoMode(facts: ClusterFacts): CheckResult {
  if (!isAutoMode(facts)) return pass('auto-mode', 'EKS Auto Mode is off; enforcement comes from the vpc-cni add-on');
  const pools = facts.cluster.computeConfig?.nodePools ?? [];
  return warn(
    'auto-mode',
    `EKS Auto Mode is on (built-in node pools: ${pools.length > 0 ? pools.join(', ') : 'none'}); its network policy switches live in Kubernetes, out of the EKS API's sight`,
    'check `kubectl get configmap amazon-vpc-cni -n kube-system -o jsonpath={.data.enable-network-policy-controller}` prints "true" and your NodeClasses set spec.networkPolicy (DefaultAllow or DefaultDeny)',
  );
}

/** The vpc-cni must be an EKS add-on for its configuration to be managed and checked. */
export function checkVpcCniAddon(facts: ClusterFacts): CheckResult {
  if (isAutoMode(facts)) return pass('vpc-cni-addon', 'not needed: EKS Auto Mode runs its own pod networking');
  if (!facts.vpcCni) {
    return fail(
      'vpc-cni-addon',
      `vpc-cni is not installed as an EKS add-on (installed: ${facts.addonNames.length > 0 ? facts.addonNames.join(', ') : 'none'}), so network policy cannot be configured or checked through EKS`,
      'create the add-on over the self-managed one: aws eks create-addon --addon-name vpc-cni --resolve-conflicts OVERWRITE --configuration-values \'{"enableNetworkPolicy":"true"}\' (or the VpcCniNetworkPolicy construct)',
    );
  }
  const status = facts.vpcCni.status ?? 'UNKNOWN';
  const issues = (facts.vpcCni.health?.issues ?? []).map((i) => `${i.code ?? 'issue'}: ${i.message ?? ''}`.trim());
  const detail = `vpc-cni ${facts.vpcCni.addonVersion ?? '(no version)'} is ${status}${issues.length > 0 ? ` (${issues.join('; ')})` : ''}`;
  if (status === 'ACTIVE') return pass('vpc-cni-addon', detail);
  if (status === 'CREATING' || status === 'UPDATING') return warn('vpc-cni-addon', detail, 'wait for the add-on to become ACTIVE, then run doctor again');
  return fail('vpc-cni-addon', detail, 'fix the health issues shown (aws eks describe-addon --addon-name vpc-cni), e.g. update with --resolve-conflicts OVERWRITE');
}

/** enableNetworkPolicy must be "true" in the add-on's configuration. */
export function checkNetworkPolicyEnabled(facts: ClusterFacts): CheckResult {
  if (isAutoMode(facts) || !facts.vpcCni) return pass('network-policy-enabled', 'not applicable without the vpc-cni add-on');
  const settings = readVpcCniSettings(facts.vpcCni.configurationValues);
  if (settings === 'unreadable') {
    return warn('network-policy-enabled', 'the add-on configurationValues are not JSON, so enableNetworkPolicy could not be read', 'rewrite the configuration values as JSON with "enableNetworkPolicy": "true"');
  }
  if (!settings.networkPolicy) {
    return fail(
      'network-policy-enabled',
      'enableNetworkPolicy is not "true" in the vpc-cni configuration: NetworkPolicies are stored but not enforced',
      'add "enableNetworkPolicy": "true" (a string) to the add-on configuration values (aws eks update-addon --addon-name vpc-cni --configuration-values ...)',
    );
  }
  return pass('network-policy-enabled', 'enableNetworkPolicy is "true"');
}

/** The enforcing mode in use, and whether the log settings fit together. */
export function checkEnforcingMode(facts: ClusterFacts): CheckResult {
  if (isAutoMode(facts) || !facts.vpcCni) return pass('enforcing-mode', 'not applicable without the vpc-cni add-on');
  const settings = readVpcCniSettings(facts.vpcCni.configurationValues);
  if (settings === 'unreadable' || !settings.networkPolicy) return pass('enforcing-mode', 'not applicable while network policy is off');
  if (settings.cloudWatchLogs && !settings.policyEventLogs) {
    return fail('enforcing-mode', 'enableCloudWatchLogs is on but enablePolicyEventLogs is off, so nothing reaches CloudWatch', 'set nodeAgent.enablePolicyEventLogs to "true" as well');
  }
  if (settings.cloudWatchLogs && (facts.vpcCni.podIdentityAssociations ?? []).length === 0 && !facts.vpcCni.serviceAccountRoleArn) {
    return warn(
      'enforcing-mode',
      `${settings.enforcingMode} mode; CloudWatch logs are on but aws-node has no role of its own (Pod Identity or IRSA), so it relies on the node role for logs permissions`,
      'give aws-node a role with logs:CreateLogStream and logs:PutLogEvents on /aws/eks/<cluster>/cluster (the VpcCniNetworkPolicy construct does this through Pod Identity)',
    );
  }
  const logs = settings.policyEventLogs ? `policy event logs on${settings.cloudWatchLogs ? ', sent to CloudWatch' : ''}` : 'policy event logs off';
  return pass(
    'enforcing-mode',
    settings.enforcingMode === 'strict'
      ? `strict mode: new pods start denied until their policies are in place; ${logs}`
      : `standard mode: new pods are open until their policies are in place; ${logs}`,
  );
}

/** The features that the add-on's configuration uses. */
function featuresInUse(settings: VpcCniSettings): VpcCniFeature[] {
  const features: VpcCniFeature[] = ['networkPolicy'];
  if (settings.enforcingMode === 'strict') features.push('strictMode');
  if (settings.conntrackCacheCleanupPeriod !== undefined) features.push('conntrackCacheCleanupPeriod');
  if (settings.conntrackCacheTableSize !== undefined) features.push('conntrackCacheTableSize');
  return features;
}

/** The add-on version must be at least the minimum for every feature in use. */
export function checkVpcCniVersion(facts: ClusterFacts): CheckResult {
  if (isAutoMode(facts) || !facts.vpcCni) return pass('vpc-cni-version', 'not applicable without the vpc-cni add-on');
  const version = facts.vpcCni.addonVersion;
  const settings = readVpcCniSettings(facts.vpcCni.configurationValues);
  const features = settings === 'unreadable' ? (['networkPolicy'] as VpcCniFeature[]) : featuresInUse(settings);
  if (version === undefined) return warn('vpc-cni-version', 'the add-on reports no version', 'check aws eks describe-addon --addon-name vpc-cni');
  const missing = features.filter((f) => !isAtLeast(version, VPC_CNI_FEATURE_MINIMUMS[f]));
  if (missing.length > 0) {
    const needed = missing.map((f) => `${f} needs ${VPC_CNI_FEATURE_MINIMUMS[f]}`).join(', ');
    const target = pinnedVpcCniVersion(facts.cluster.version ?? '') ?? 'a newer version';
    return fail('vpc-cni-version', `vpc-cni ${version} is too old: ${needed}`, `update the add-on to ${target} (aws eks update-addon --addon-name vpc-cni --addon-version ${target})`);
  }
  return pass('vpc-cni-version', `vpc-cni ${version} supports ${features.join(', ')}`);
}

/** At most this many objects are named in a finding, so that it stays one readable line. */
const NAMED_OBJECTS = 3;

function nameObjects(names: readonly string[]): string {
  const shown = names.slice(0, NAMED_OBJECTS).join(', ');
  return names.length > NAMED_OBJECTS ? `${shown} and ${names.length - NAMED_OBJECTS} more` : shown;
}

/**
 * The policies given (`--policies`) must be enforceable here: a ClusterNetworkPolicy needs Kubernetes 1.29+ and, off
 * Auto Mode, vpc-cni v1.21.1+. A warning, not a failure: NetworkPolicies are still enforced, and the doctor cannot
 * tell whether the manifests it was given are applied to this cluster.
 */
export function checkPolicyFeatures(facts: ClusterFacts): CheckResult {
  const id = 'policy-features';
  const usage = facts.policies;
  if (!usage) return pass(id, 'no policy manifests given (--policies), so the policy APIs in use were not checked');
  const cnps = usage.clusterNetworkPolicies;
  if (cnps.length === 0) return pass(id, `none of the ${usage.objectCount} objects given needs more than NetworkPolicy support`);

  const used = `${cnps.length} ClusterNetworkPolicy ${cnps.length === 1 ? 'object' : 'objects'} given (${nameObjects(cnps)})`;
  const minAddon = VPC_CNI_FEATURE_MINIMUMS.clusterNetworkPolicy;
  const minKubernetes = CLUSTER_NETWORK_POLICY_MIN_KUBERNETES_VERSION;
  const name = facts.cluster.name ?? '<name>';
  const kubernetes = facts.cluster.version;
  // Auto Mode brings its own networking, so only the Kubernetes version applies there.
  const addon = isAutoMode(facts) ? undefined : facts.vpcCni;
  const updateAddon = (to: string) =>
    `aws eks update-addon --cluster-name ${name} --addon-name vpc-cni --addon-version ${pinnedVpcCniVersion(to) ?? `<${minAddon} or later>`}`;

  if (kubernetes === undefined || compareKubernetesVersions(kubernetes, minKubernetes) < 0) {
    const needs = addon ? `Kubernetes ${minKubernetes} or later and vpc-cni ${minAddon} or later` : `Kubernetes ${minKubernetes} or later`;
    const runs = addon ? `Kubernetes ${kubernetes ?? '(unknown)'} with vpc-cni ${addon.addonVersion ?? '(no version)'}` : `Kubernetes ${kubernetes ?? '(unknown)'}`;
    const upgrade = `upgrade Kubernetes to ${minKubernetes} or later first (aws eks update-cluster-version --name ${name} --kubernetes-version <next minor>, one minor version at a time)`;
    const addonTooOld = addon !== undefined && !isAtLeast(addon.addonVersion ?? '', minAddon);
    return warn(id, `${used}: ClusterNetworkPolicy needs ${needs}, and the cluster runs ${runs}, so these policies are not enforced`, addonTooOld ? `${upgrade}, then ${updateAddon(minKubernetes)}` : upgrade);
  }
  if (isAutoMode(facts)) return pass(id, `${used}: Kubernetes ${kubernetes} on EKS Auto Mode, which enforces ClusterNetworkPolicy from ${minKubernetes}`);
  if (!addon) return pass(id, `${used}: not checked without the vpc-cni add-on (see vpc-cni-addon)`);
  const version = addon.addonVersion;
  if (version === undefined) return warn(id, `${used}, but the vpc-cni add-on reports no version`, 'check aws eks describe-addon --addon-name vpc-cni');
  if (!isAtLeast(version, minAddon)) {
    return warn(id, `${used}: ClusterNetworkPolicy needs vpc-cni ${minAddon} or later, and the add-on is ${version}, so these policies are not enforced`, updateAddon(kubernetes));
  }
  return pass(id, `${used}: vpc-cni ${version} on Kubernetes ${kubernetes} enforces ClusterNetworkPolicy (${minAddon}+, Kubernetes ${minKubernetes}+)`);
}

/** Every managed node group must run an AMI where the policy agent runs: Linux, kernel 5.10+. */
export function checkNodegroups(facts: ClusterFacts): CheckResult {
  if (facts.nodegroups.length === 0) {
    if (isAutoMode(facts)) return pass('node-groups', 'no managed node groups; EKS Auto Mode provides the nodes');
    return warn('node-groups', 'no managed node groups: self-managed nodes cannot be inspected through the EKS API', 'make sure every node runs Linux with kernel 5.10 or later (AL2023 or Bottlerocket)');
  }
  const windows = facts.nodegroups.filter((g) => (g.amiType ?? '').startsWith('WINDOWS_'));
  const other = facts.nodegroups.filter((g) => {
    const ami = g.amiType ?? '';
    return !ami.startsWith('WINDOWS_') && !ami.startsWith('AL2023_') && !ami.startsWith('BOTTLEROCKET_');
  });
  const describe = (gs: readonly typeof facts.nodegroups[number][]) => gs.map((g) => `${g.nodegroupName} (${g.amiType ?? 'unknown AMI'})`).join(', ');
  if (windows.length > 0) {
    return fail('node-groups', `Windows node groups do not enforce NetworkPolicies: ${describe(windows)}`, 'move workloads that need isolation to AL2023 or Bottlerocket node groups');
  }
  if (other.length > 0) {
    return warn('node-groups', `node groups whose kernel this check cannot vouch for: ${describe(other)}`, 'use AL2023 or Bottlerocket AMIs, or confirm the nodes run kernel 5.10 or later with bpffs mounted');
  }
  return pass('node-groups', `all ${facts.nodegroups.length} node groups run AL2023 or Bottlerocket: ${describe(facts.nodegroups)}`);
}

/** Pods on Fargate are not policed. */
export function checkFargate(facts: ClusterFacts): CheckResult {
  if (facts.fargateProfileNames.length === 0) return pass('fargate', 'no Fargate profiles');
  return warn(
    'fargate',
    `pods scheduled by the Fargate profiles ${facts.fargateProfileNames.join(', ')} are not policed by NetworkPolicies`,
    'run workloads that need isolation on EC2 nodes, or accept that these pods are unpoliced',
  );
}

/** Every check, in the order the report prints them. */
export const CHECKS: readonly ((facts: ClusterFacts) => CheckResult)[] = [
  checkKubernetesVersion,
  checkAutoMode,
  checkVpcCniAddon,
  checkNetworkPolicyEnabled,
  checkEnforcingMode,
  checkVpcCniVersion,
  checkPolicyFeatures,
  checkNodegroups,
  checkFargate,
];

/** Runs every check over the facts. */
export function runChecks(facts: ClusterFacts): CheckResult[] {
  return CHECKS.map((check) => check(facts));
}
