import { compareAddonVersions, isAtLeast, parseAddonVersion, pinnedVpcCniVersion, VPC_CNI_FEATURE_MINIMUMS, VPC_CNI_PINNED_VERSIONS } from '../../lib/doctor';

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
  });

  test('pins a version for every supported Kubernetes minor, each new enough for network policy', () => {
    expect(pinnedVpcCniVersion('1.33')).toBe('v1.20.1-eksbuild.3');
    expect(pinnedVpcCniVersion('1.33.4')).toBe('v1.20.1-eksbuild.3');
    expect(pinnedVpcCniVersion('1.99')).toBeUndefined();
    for (const version of Object.values(VPC_CNI_PINNED_VERSIONS)) {
      expect(isAtLeast(version, VPC_CNI_FEATURE_MINIMUMS.networkPolicy)).toBe(true);
      expect(isAtLeast(version, VPC_CNI_FEATURE_MINIMUMS.strictMode)).toBe(true);
    }
  });
});
