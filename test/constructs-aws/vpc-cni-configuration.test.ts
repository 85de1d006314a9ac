import { checkVpcCniOptions, featuresUsed, vpcCniConfigurationValues } from '../../constructs/aws/vpc-cni-configuration';

describe('vpcCniConfigurationValues', () => {
  test('enables network policy with the string "true", not a boolean, and nothing else by default', () => {
    const values = vpcCniConfigurationValues();
    expect(values).toEqual({ enableNetworkPolicy: 'true' });
    expect(typeof values.enableNetworkPolicy).toBe('string');
  });

  test('strict mode is written as the NETWORK_POLICY_ENFORCING_MODE environment variable', () => {
    expect(vpcCniConfigurationValues({ enforcingMode: 'strict' })).toEqual({
      enableNetworkPolicy: 'true',
      env: { NETWORK_POLICY_ENFORCING_MODE: 'strict' },
    });
  });

  test('standard mode leaves the environment alone, since it is the agent default', () => {
    expect(vpcCniConfigurationValues({ enforcingMode: 'standard' })).toEqual({ enableNetworkPolicy: 'true' });
  });

  test('log switches are strings and conntrack settings are integers under nodeAgent', () => {
    expect(
      vpcCniConfigurationValues({
        policyEventLogs: true,
        cloudWatchLogs: true,
        conntrackCacheCleanupPeriodSeconds: 120,
        conntrackCacheTableSize: 262144,
      }),
    ).toEqual({
      enableNetworkPolicy: 'true',
      nodeAgent: {
        enablePolicyEventLogs: 'true',
        enableCloudWatchLogs: 'true',
        conntrackCacheCleanupPeriod: 120,
        conntrackCacheTableSize: 262144,
      },
    });
  });

  test('the same options serialize to byte-identical JSON whatever order they were given in', () => {
    const a = JSON.stringify(vpcCniConfigurationValues({ cloudWatchLogs: true, policyEventLogs: true, enforcingMode: 'strict' }));
    const b = JSON.stringify(vpcCniConfigurationValues({ enforcingMode: 'strict', policyEventLogs: true, cloudWatchLogs: true }));
    expect(a).toBe(b);
  });

  test('policy event logs switched off explicitly leave nodeAgent out', () => {
    expect(vpcCniConfigurationValues({ policyEventLogs: false })).toEqual({ enableNetworkPolicy: 'true' });
  });
});

describe('checkVpcCniOptions', () => {
  test('CloudWatch logs without policy event logs are refused, naming the prop and the fix', () => {
    const problems = checkVpcCniOptions({ cloudWatchLogs: true });
    expect(problems).toHaveLength(1);
    expect(problems[0].prop).toBe('networkPolicy.cloudWatchLogs');
    expect(problems[0].fix).toMatch(/policyEventLogs: true/);
  });

  test('a conntrack table size outside 32768..1048576 is refused', () => {
    expect(checkVpcCniOptions({ conntrackCacheTableSize: 1000 })[0].prop).toBe('networkPolicy.conntrackCacheTableSize');
    expect(checkVpcCniOptions({ conntrackCacheTableSize: 2_000_000 })).toHaveLength(1);
    expect(checkVpcCniOptions({ conntrackCacheTableSize: 32768 })).toEqual([]);
  });

  test('a cleanup period that is not a positive integer is refused', () => {
    expect(checkVpcCniOptions({ conntrackCacheCleanupPeriodSeconds: 0 })).toHaveLength(1);
    expect(checkVpcCniOptions({ conntrackCacheCleanupPeriodSeconds: 1.5 })).toHaveLength(1);
    expect(checkVpcCniOptions({ conntrackCacheCleanupPeriodSeconds: 60 })).toEqual([]);
  });

  test('an unknown enforcing mode is refused', () => {
    expect(checkVpcCniOptions({ enforcingMode: 'loose' as never })[0].prop).toBe('networkPolicy.enforcingMode');
  });

  test('strict mode on an add-on older than v1.17.1 is refused with the minimum version in the fix', () => {
    const problems = checkVpcCniOptions({ enforcingMode: 'strict' }, 'v1.16.4-eksbuild.2');
    expect(problems).toHaveLength(1);
    expect(problems[0].prop).toBe('networkPolicy.enforcingMode');
    expect(problems[0].fix).toMatch(/vpcCniVersion to v1\.17\.1/);
  });

  test('network policy itself needs v1.14.0', () => {
    expect(checkVpcCniOptions({}, 'v1.13.4-eksbuild.1')[0].message).toMatch(/v1\.14\.0/);
    expect(checkVpcCniOptions({}, 'v1.14.0-eksbuild.3')).toEqual([]);
  });

  test('the version prop is named as the caller calls it', () => {
    expect(checkVpcCniOptions({ enforcingMode: 'strict' }, 'v1.15.0', 'addonVersion')[0].fix).toMatch(/^set addonVersion/);
  });

  test('features used lists what the options switch on', () => {
    expect(featuresUsed({})).toEqual(['networkPolicy']);
    expect(featuresUsed({ enforcingMode: 'strict', conntrackCacheTableSize: 65536 })).toEqual([
      'networkPolicy',
      'strictMode',
      'conntrackCacheTableSize',
    ]);
  });
});
