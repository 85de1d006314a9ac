import {
  CLUSTER_NETWORK_POLICY_MIN_KUBERNETES_VERSION,
  compareAddonVersions,
  compareKubernetesVersions,
  isAtLeast,
  MIN_KUBERNETES_VERSION,
  parseAddonVersion,
  pinnedVpcCniVersion,
  VPC_CNI_FEATURE_MINIMUMS,
  VPC_CNI_PINNED_VERSIONS,
} from '../../lib/doctor';

describe('vpc-cni version knowledge', () => {
  test('parses eksbuild versions with or without the v and the build', () => {
    expect(parseAddonVersion('v1.20.1-eksbuild.3')).toEqual({ major: 1, minor: 20, patch: 1, build: 3 });
    expect(parseAddonVersion('1.14.0')).toEqual({ major: 1, minor: 14, patch: 0, build: 0 });
    expect(parseAddonVersion('latest')).toBeUndefined();
  });

  test('orders versions numerically, not as text', () => {
    expect(compareAddonVersions(parseAddonVersion('v1.9.0')!, parseAddonVersion('v1.14.0')!)).toBeLessThan(0);
    expect(isAtLeast('v1.20.1-eksbuild.3', 'v1.20.1-eksbuild.2')).toBe(true);
    expect(isAtLeast('v1.17.0-eksbuild.9', 'v1.17.1')).toBe(false);
    expect(isAtLeast('garbage', 'v1.14.0')).toBe(false);
    expect(compareKubernetesVersions('1.9', '1.29')).toBeLessThan(0);
  });

  test('pins one version for each Kubernetes minor from 1.25 to 1.37, with no gap', () => {
    const minors = Object.keys(VPC_CNI_PINNED_VERSIONS).sort(compareKubernetesVersions);
    expect(minors[0]).toBe(MIN_KUBERNETES_VERSION);
    expect(minors[minors.length - 1]).toBe('1.37');
    expect(minors).toEqual(Array.from({ length: 37 - 25 + 1 }, (_, i) => `1.${25 + i}`));
    expect(pinnedVpcCniVersion('1.36')).toBe('v1.23.1-eksbuild.1');
    expect(pinnedVpcCniVersion('1.36.2')).toBe('v1.23.1-eksbuild.1');
    expect(pinnedVpcCniVersion('1.38')).toBeUndefined();
  });

  test('keeps the rows for 1.25 to 1.28 as the user guide gave them', () => {
    expect(['1.25', '1.26', '1.27', '1.28'].map(pinnedVpcCniVersion)).toEqual([
      'v1.19.2-eksbuild.5', 'v1.19.2-eksbuild.5', 'v1.20.1-eksbuild.3', 'v1.20.1-eksbuild.3',
    ]);
  });

  test('every pinned version is a valid eksbuild, new enough for network policy and strict mode, and never older on a newer minor', () => {
    const minors = Object.keys(VPC_CNI_PINNED_VERSIONS).sort(compareKubernetesVersions);
    for (const [i, minor] of minors.entries()) {
      const version = VPC_CNI_PINNED_VERSIONS[minor];
      expect(version).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
      expect(isAtLeast(version, VPC_CNI_FEATURE_MINIMUMS.networkPolicy)).toBe(true);
      expect(isAtLeast(version, VPC_CNI_FEATURE_MINIMUMS.strictMode)).toBe(true);
      if (i > 0) expect({ minor, newer: isAtLeast(version, VPC_CNI_PINNED_VERSIONS[minors[i - 1]]) }).toEqual({ minor, newer: true });
    }
  });

  test('on every minor that has ClusterNetworkPolicy (1.29+), the pinned version enforces it', () => {
    expect(VPC_CNI_FEATURE_MINIMUMS.clusterNetworkPolicy).toBe('v1.21.1');
    expect(CLUSTER_NETWORK_POLICY_MIN_KUBERNETES_VERSION).toBe('1.29');
    const withApi = Object.keys(VPC_CNI_PINNED_VERSIONS).filter((m) => compareKubernetesVersions(m, CLUSTER_NETWORK_POLICY_MIN_KUBERNETES_VERSION) >= 0);
    expect(withApi).toHaveLength(9);
    for (const minor of withApi) {
      const version = VPC_CNI_PINNED_VERSIONS[minor];
      expect({ minor, version, enforces: isAtLeast(version, VPC_CNI_FEATURE_MINIMUMS.clusterNetworkPolicy) }).toEqual({ minor, version, enforces: true });
    }
  });
});
