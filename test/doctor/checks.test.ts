import { Addon, Cluster, Nodegroup } from '@aws-sdk/client-eks';
import { ClusterFacts, readVpcCniSettings, runChecks } from '../../lib/doctor';
import { cluster, nodegroup, vpcCniAddon } from './fixtures';

function facts(parts: { cluster?: Cluster; addon?: Addon | null; nodegroups?: Nodegroup[]; fargate?: string[] } = {}): ClusterFacts {
  const addon = parts.addon === null ? undefined : (parts.addon ?? vpcCniAddon());
  return {
    cluster: parts.cluster ?? cluster(),
    addonNames: addon ? ['coredns', 'kube-proxy', 'vpc-cni'] : ['coredns', 'kube-proxy'],
    vpcCni: addon,
    nodegroups: parts.nodegroups ?? [nodegroup('general', 'AL2023_x86_64_STANDARD')],
    fargateProfileNames: parts.fargate ?? [],
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
    expect(r.fix).toContain('v1.20.1-eksbuild.3');
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
