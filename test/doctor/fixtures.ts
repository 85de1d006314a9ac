/**
 * EKS API responses shaped like the real ones (field names, nesting and types as DescribeCluster, DescribeAddon,
 * DescribeNodegroup and the list calls return them), for the doctor tests.
 */
import type { Addon, Cluster, Nodegroup } from '@aws-sdk/client-eks';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

export function cluster(overrides: Partial<Cluster> = {}): Cluster {
  return {
    name: 'prod',
    arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod`,
    createdAt: new Date('2026-01-05T10:00:00Z'),
    version: '1.33',
    endpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
    roleArn: `arn:aws:iam::${ACCOUNT}:role/prod-cluster-role`,
    resourcesVpcConfig: {
      subnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
      securityGroupIds: ['sg-0a1b2c3d4e5f60001'],
      clusterSecurityGroupId: 'sg-0a1b2c3d4e5f60002',
      vpcId: 'vpc-0a1b2c3d4e5f60001',
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
    },
    kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16', ipFamily: 'ipv4', elasticLoadBalancing: { enabled: false } },
    logging: { clusterLogging: [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: true }] },
    identity: { oidc: { issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' } },
    status: 'ACTIVE',
    certificateAuthority: { data: 'LS0tLS1CRUdJTi...' },
    platformVersion: 'eks.9',
    tags: {},
    accessConfig: { authenticationMode: 'API' },
    computeConfig: { enabled: false },
    storageConfig: { blockStorage: { enabled: false } },
    upgradePolicy: { supportType: 'EXTENDED' },
    ...overrides,
  };
}

export function vpcCniAddon(overrides: Partial<Addon> = {}): Addon {
  return {
    addonName: 'vpc-cni',
    clusterName: 'prod',
    status: 'ACTIVE',
    addonVersion: 'v1.20.1-eksbuild.3',
    health: { issues: [] },
    addonArn: `arn:aws:eks:${REGION}:${ACCOUNT}:addon/prod/vpc-cni/a4c9d1e2-0000-1111-2222-333344445555`,
    createdAt: new Date('2026-01-05T10:20:00Z'),
    modifiedAt: new Date('2026-01-05T10:25:00Z'),
    tags: {},
    configurationValues: '{"enableNetworkPolicy":"true"}',
    podIdentityAssociations: [],
    ...overrides,
  };
}

export function nodegroup(name: string, amiType: string, overrides: Partial<Nodegroup> = {}): Nodegroup {
  return {
    nodegroupName: name,
    nodegroupArn: `arn:aws:eks:${REGION}:${ACCOUNT}:nodegroup/prod/${name}/b2c3d4e5-0000-1111-2222-333344445555`,
    clusterName: 'prod',
    version: '1.33',
    releaseVersion: '1.33.0-20260101',
    createdAt: new Date('2026-01-05T10:30:00Z'),
    modifiedAt: new Date('2026-01-05T10:40:00Z'),
    status: 'ACTIVE',
    capacityType: 'ON_DEMAND',
    scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 },
    instanceTypes: ['m5.large'],
    subnets: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
    amiType: amiType as Nodegroup['amiType'],
    nodeRole: `arn:aws:iam::${ACCOUNT}:role/prod-node-role`,
    labels: {},
    resources: { autoScalingGroups: [{ name: `eks-${name}-b2c3d4e5` }] },
    diskSize: 20,
    health: { issues: [] },
    updateConfig: { maxUnavailable: 1 },
    tags: {},
    ...overrides,
  };
}
