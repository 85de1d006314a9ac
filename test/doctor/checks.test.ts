import { Addon, Cluster, Nodegroup } from '@aws-sdk/client-eks';
import { ClusterFacts, PolicyUsage, readVpcCniSettings, runChecks } from '../../lib/doctor';
import { cluster, nodegroup, vpcCniAddon } from './fixtures';

function facts(parts: { cluster?: Cluster; addon?: Addon | null; nodegroups?: Nodegroup[]; fargate?: string[]; policies?: PolicyUsage } = {}): ClusterFacts {
  const addon = parts.addon === null ? undefined : (parts.addon ?? vpcCniAddon());
  return {
    cluster: parts.cluster ?? cluster(),
    addonNames: addon ? ['coredns', 'kube-proxy', 'vpc-cni'] : ['coredns', 'kube-proxy'],
    vpcCni: addon,
    nodegroups: parts.nodegroups ?? [nodegroup('general', 'AL2023_x86_64_STANDARD')],
    fargateProfileNames: parts.fargate ?? [],
    policies: parts.policies,
  };
}

function statusOf(f: ClusterFacts, id: string): string {
  return runChecks(f).find((r) => r.id === id)!.status;
}

function resultOf(f: ClusterFacts, id: string) {
  return runChecks(f).find((r) => r.id === id)!;
}

describe('doctor checks', () => {
  test('a well-configured node group cluster passes every check', () => {
    const results = runChecks(facts());
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['kubernetes-version', 'pass'],
      ['auto-mode', 'pass'],
      ['vpc-cni-addon', 'pass'],
      ['network-policy-enabled', 'pass'],
      ['enforcing-mode', 'pass'],
      ['vpc-cni-version', 'pass'],
      ['policy-features', 'pass'],
      ['node-groups', 'pass'],
      ['fargate', 'pass'],
    ]);
    expect(results.every((r) => r.fix === undefined)).toBe(true);
  });

  test('Kubernetes older than 1.25 fails with an upgrade fix', () => {
    const r = resultOf(facts({ cluster: cluster({ version: '1.24' }) }), 'kubernetes-version');
    expect(r.status).toBe('fail');
    expect(r.fix).toMatch(/upgrade the cluster to 1\.25/);
  });

  test('a missing vpc-cni add-on fails with the create-addon fix', () => {
    const r = resultOf(facts({ addon: null }), 'vpc-cni-addon');
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('installed: coredns, kube-proxy');
    expect(r.fix).toMatch(/create-addon --addon-name vpc-cni --resolve-conflicts OVERWRITE/);
  });

  test('a DEGRADED add-on fails and shows its health issues; an UPDATING one warns', () => {
    const degraded = vpcCniAddon({ status: 'DEGRADED', health: { issues: [{ code: 'InsufficientNumberOfReplicas', message: 'The add-on is unhealthy', resourceIds: [] }] } });
    const r = resultOf(facts({ addon: degraded }), 'vpc-cni-addon');
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('InsufficientNumberOfReplicas: The add-on is unhealthy');
    expect(statusOf(facts({ addon: vpcCniAddon({ status: 'UPDATING' }) }), 'vpc-cni-addon')).toBe('warn');
  });

  test('enableNetworkPolicy missing or "false" fails: policies are stored but not enforced', () => {
    expect(statusOf(facts({ addon: vpcCniAddon({ configurationValues: undefined }) }), 'network-policy-enabled')).toBe('fail');
    const r = resultOf(facts({ addon: vpcCniAddon({ configurationValues: '{"enableNetworkPolicy":"false"}' }) }), 'network-policy-enabled');
    expect(r.status).toBe('fail');
    expect(r.fix).toMatch(/"enableNetworkPolicy": "true"/);
  });

  test('configuration values that are not JSON warn instead of guessing', () => {
    expect(statusOf(facts({ addon: vpcCniAddon({ configurationValues: 'enableNetworkPolicy: "true"' }) }), 'network-policy-enabled')).toBe('warn');
  });

  test('the enforcing mode is reported; strict mode and logs are described', () => {
    const strict = vpcCniAddon({ configurationValues: JSON.stringify({ enableNetworkPolicy: 'true', env: { NETWORK_POLICY_ENFORCING_MODE: 'strict' }, nodeAgent: { enablePolicyEventLogs: 'true' } }) });
    const r = resultOf(facts({ addon: strict }), 'enforcing-mode');
    expect(r.status).toBe('pass');
    expect(r.detail).toMatch(/^strict mode: .*policy event logs on/);
    expect(resultOf(facts(), 'enforcing-mode').detail).toMatch(/^standard mode/);
  });

  test('CloudWatch logs without event logs fail; without an aws-node role they warn', () => {
    const noEvents = vpcCniAddon({ configurationValues: JSON.stringify({ enableNetworkPolicy: 'true', nodeAgent: { enableCloudWatchLogs: 'true' } }) });
    expect(statusOf(facts({ addon: noEvents }), 'enforcing-mode')).toBe('fail');
    const noRole = vpcCniAddon({ configurationValues: JSON.stringify({ enableNetworkPolicy: 'true', nodeAgent: { enablePolicyEventLogs: 'true', enableCloudWatchLogs: 'true' } }) });
    expect(statusOf(facts({ addon: noRole }), 'enforcing-mode')).toBe('warn');
    const withRole = { ...noRole, podIdentityAssociations: ['arn:aws:eks:eu-west-1:111122223333:podidentityassociation/prod/a-0123456789abcdef0'] };
    expect(statusOf(facts({ addon: withRole }), 'enforcing-mode')).toBe('pass');
  });

  test('an add-on older than a feature in use fails, naming the minimum and the pinned target', () => {
    const old = vpcCniAddon({ addonVersion: 'v1.16.4-eksbuild.2', configurationValues: JSON.stringify({ enableNetworkPolicy: 'true', env: { NETWORK_POLICY_ENFORCING_MODE: 'strict' } }) });
    const r = resultOf(facts({ addon: old }), 'vpc-cni-version');
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('strictMode needs v1.17.1');
    expect(r.fix).toContain('v1.23.1-eksbuild.1');
    expect(statusOf(facts({ addon: vpcCniAddon({ addonVersion: 'v1.13.4-eksbuild.1' }) }), 'vpc-cni-version')).toBe('fail');
  });

  test('Windows node groups fail; AL2 warns; Bottlerocket and AL2023 pass', () => {
    const win = resultOf(facts({ nodegroups: [nodegroup('general', 'AL2023_x86_64_STANDARD'), nodegroup('win', 'WINDOWS_CORE_2022_x86_64')] }), 'node-groups');
    expect(win.status).toBe('fail');
    expect(win.detail).toContain('win (WINDOWS_CORE_2022_x86_64)');
    expect(statusOf(facts({ nodegroups: [nodegroup('old', 'AL2_x86_64')] }), 'node-groups')).toBe('warn');
    expect(statusOf(facts({ nodegroups: [nodegroup('br', 'BOTTLEROCKET_ARM_64'), nodegroup('al', 'AL2023_ARM_64_STANDARD')] }), 'node-groups')).toBe('pass');
    expect(statusOf(facts({ nodegroups: [] }), 'node-groups')).toBe('warn');
  });

  test('Fargate profiles warn that their pods are not policed', () => {
    const r = resultOf(facts({ fargate: ['batch', 'jobs'] }), 'fargate');
    expect(r.status).toBe('warn');
    expect(r.detail).toContain('batch, jobs');
  });

  test('Auto Mode skips the add-on checks and warns with the kubectl commands to verify its switches', () => {
    const auto = facts({ cluster: cluster({ computeConfig: { enabled: true, nodePools: ['system', 'general-purpose'], nodeRoleArn: 'arn:aws:iam::111122223333:role/auto-node' } }), addon: null, nodegroups: [] });
    const results = runChecks(auto);
    expect(results.find((r) => r.id === 'auto-mode')).toMatchObject({ status: 'warn', fix: expect.stringContaining('enable-network-policy-controller') });
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(results.find((r) => r.id === 'node-groups')!.status).toBe('pass');
  });
});

describe('doctor: the policy APIs the given manifests use', () => {
  const admin = (...names: string[]): PolicyUsage => ({ objectCount: names.length + 4, clusterNetworkPolicies: names.map((n, i) => `${n} (policies.yaml:${1 + 12 * i})`) });

  test('without --policies the check passes as not checked', () => {
    expect(resultOf(facts(), 'policy-features')).toEqual({
      id: 'policy-features',
      status: 'pass',
      detail: 'no policy manifests given (--policies), so the policy APIs in use were not checked',
    });
  });

  test('manifests with only NetworkPolicies pass on any add-on version', () => {
    const r = resultOf(facts({ policies: { objectCount: 7, clusterNetworkPolicies: [] }, addon: vpcCniAddon({ addonVersion: 'v1.14.0-eksbuild.3' }) }), 'policy-features');
    expect(r).toMatchObject({ status: 'pass', detail: 'none of the 7 objects given needs more than NetworkPolicy support' });
  });

  test('a ClusterNetworkPolicy on a vpc-cni older than v1.21.1 warns, naming the version, the feature, the minimum and the update', () => {
    // GIVEN Kubernetes 1.33 with the fixture's add-on v1.20.1-eksbuild.3
    const r = resultOf(facts({ policies: admin('deny-cde-egress') }), 'policy-features');
    // THEN
    expect(r.status).toBe('warn');
    expect(r.detail).toBe(
      '1 ClusterNetworkPolicy object given (deny-cde-egress (policies.yaml:1)): ClusterNetworkPolicy needs vpc-cni v1.21.1 or later, '
        + 'and the add-on is v1.20.1-eksbuild.3, so these policies are not enforced',
    );
    expect(r.fix).toBe('aws eks update-addon --cluster-name prod --addon-name vpc-cni --addon-version v1.23.1-eksbuild.1');
  });

  test('on Kubernetes older than 1.29 the fix upgrades Kubernetes first, then the add-on', () => {
    const r = resultOf(facts({ cluster: cluster({ version: '1.28' }), policies: admin('a', 'b', 'c', 'd') }), 'policy-features');
    expect(r.status).toBe('warn');
    expect(r.detail).toMatch(/^4 ClusterNetworkPolicy objects given \(a \(policies\.yaml:1\), b \(policies\.yaml:13\), c \(policies\.yaml:25\) and 1 more\): /);
    expect(r.detail).toContain('needs Kubernetes 1.29 or later and vpc-cni v1.21.1 or later, and the cluster runs Kubernetes 1.28 with vpc-cni v1.20.1-eksbuild.3');
    expect(r.fix).toBe(
      'upgrade Kubernetes to 1.29 or later first (aws eks update-cluster-version --name prod --kubernetes-version <next minor>, one minor version at a time), '
        + 'then aws eks update-addon --cluster-name prod --addon-name vpc-cni --addon-version v1.23.1-eksbuild.1',
    );
  });

  test('on Kubernetes older than 1.29 with a new enough add-on, only the Kubernetes upgrade is asked for', () => {
    const r = resultOf(facts({ cluster: cluster({ version: '1.28' }), addon: vpcCniAddon({ addonVersion: 'v1.21.1-eksbuild.8' }), policies: admin('a') }), 'policy-features');
    expect(r.status).toBe('warn');
    expect(r.fix).not.toContain('update-addon');
  });

  test('a vpc-cni at v1.21.1 or later on Kubernetes 1.29 or later passes', () => {
    const r = resultOf(facts({ cluster: cluster({ version: '1.36' }), addon: vpcCniAddon({ addonVersion: 'v1.21.1-eksbuild.1' }), policies: admin('a') }), 'policy-features');
    expect(r).toMatchObject({ status: 'pass', detail: expect.stringContaining('vpc-cni v1.21.1-eksbuild.1 on Kubernetes 1.36 enforces ClusterNetworkPolicy') });
  });

  test('Auto Mode needs only Kubernetes 1.29: it runs no vpc-cni add-on', () => {
    const auto = (version: string) => facts({ cluster: cluster({ version, computeConfig: { enabled: true, nodePools: ['system'] } }), addon: null, nodegroups: [], policies: admin('a') });
    expect(resultOf(auto('1.33'), 'policy-features').status).toBe('pass');
    const old = resultOf(auto('1.28'), 'policy-features');
    expect(old.status).toBe('warn');
    expect(old.detail).toContain('needs Kubernetes 1.29 or later, and the cluster runs Kubernetes 1.28, so');
    expect(old.fix).not.toContain('update-addon');
  });

  test('without the vpc-cni add-on the policies are not checked here (vpc-cni-addon fails instead)', () => {
    expect(resultOf(facts({ addon: null, policies: admin('a') }), 'policy-features').status).toBe('pass');
  });
});

describe('readVpcCniSettings', () => {
  test('reads strings and numbers the way the add-on schema writes them', () => {
    expect(readVpcCniSettings('{"enableNetworkPolicy":"true","nodeAgent":{"conntrackCacheCleanupPeriod":120,"conntrackCacheTableSize":"65536"}}')).toEqual({
      networkPolicy: true,
      enforcingMode: 'standard',
      policyEventLogs: false,
      cloudWatchLogs: false,
      conntrackCacheCleanupPeriod: 120,
      conntrackCacheTableSize: 65536,
    });
  });

  test('no configuration means network policy off; YAML is unreadable', () => {
    expect(readVpcCniSettings(undefined)).toMatchObject({ networkPolicy: false });
    expect(readVpcCniSettings('enableNetworkPolicy: "true"')).toBe('unreadable');
  });
});
