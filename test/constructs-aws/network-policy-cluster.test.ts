import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ApiObject, Chart } from 'cdk8s';
import * as cdk8s from 'cdk8s';
import { ClusterCompute, DEFAULT_KUBERNETES_VERSION, NetworkPolicyCluster } from '../../constructs/aws';
import { fakeKubectlLayer, newStack, twoAppChart } from './helpers';

// CDK synthesis is slow on a shared 2-core machine; give it room beyond jest's 60 s default.
jest.setTimeout(300_000);

const MANIFEST = 'Custom::AWSCDK-EKS-KubernetesResource';

describe('NetworkPolicyCluster with managed node groups', () => {
  let template: Template;
  let cluster: NetworkPolicyCluster;

  beforeAll(() => {
    const stack = newStack();
    cluster = new NetworkPolicyCluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_33,
      kubectlLayer: fakeKubectlLayer(stack),
      networkPolicy: { enforcingMode: 'strict', policyEventLogs: true, cloudWatchLogs: true, conntrackCacheCleanupPeriodSeconds: 120 },
      compute: ClusterCompute.nodeGroups({
        general: { instanceTypes: [new ec2.InstanceType('m6i.large')], minSize: 2 },
        graviton: { instanceTypes: [new ec2.InstanceType('m7g.large')] },
        rocket: { amiType: eks.NodegroupAmiType.BOTTLEROCKET_X86_64 },
      }),
    });
    cluster.addChart(twoAppChart('shop', 'shop'));
    cluster.addChart(twoAppChart('billing', 'billing'));
    template = Template.fromStack(stack);
  });

  test('the vpc-cni add-on is pinned, overwrites conflicts, survives stack deletion and carries the JSON', () => {
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      AddonVersion: 'v1.23.1-eksbuild.1',
      ResolveConflicts: 'OVERWRITE',
      PreserveOnDelete: true,
      ConfigurationValues: Match.serializedJson({
        enableNetworkPolicy: 'true',
        env: { NETWORK_POLICY_ENFORCING_MODE: 'strict' },
        nodeAgent: { enablePolicyEventLogs: 'true', enableCloudWatchLogs: 'true', conntrackCacheCleanupPeriod: 120 },
      }),
      PodIdentityAssociations: [{ ServiceAccount: 'aws-node', RoleArn: Match.anyValue() }],
    });
  });

  test('the cluster is not Auto Mode and logs every control plane log type', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Version: '1.33',
      ComputeConfig: { Enabled: false },
      Logging: {
        ClusterLogging: {
          EnabledTypes: [{ Type: 'api' }, { Type: 'audit' }, { Type: 'authenticator' }, { Type: 'controllerManager' }, { Type: 'scheduler' }],
        },
      },
    });
  });

  test('node groups default to AL2023 for their architecture, keep Bottlerocket, and start after the add-on', () => {
    const resources = template.toJSON().Resources;
    const [addonId] = Object.entries(resources as Record<string, { Type: string; Properties: { AddonName: string } }>)
      .find(([, r]) => r.Type === 'AWS::EKS::Addon' && r.Properties.AddonName === 'vpc-cni')!;
    const groups = Object.values(resources as Record<string, { Type: string; Properties: { AmiType: string }; DependsOn?: string[] }>)
      .filter((r) => r.Type === 'AWS::EKS::Nodegroup');
    expect(groups.map((g) => g.Properties.AmiType).sort()).toEqual(['AL2023_ARM_64_STANDARD', 'AL2023_x86_64_STANDARD', 'BOTTLEROCKET_x86_64']);
    for (const group of groups) expect(group.DependsOn).toContain(addonId);
  });

  test('the aws-node role is assumable only through EKS Pod Identity and writes only to the cluster log group', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sts:AssumeRole', Principal: { Service: 'pods.eks.amazonaws.com' } }),
          Match.objectLike({ Action: 'sts:TagSession', Principal: { Service: 'pods.eks.amazonaws.com' } }),
        ]),
      },
    });
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('ClusterVpcCniAwsNodeRole') }] },
    });
    const statements = Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument.Statement);
    expect(statements.map((s) => s.Sid).sort()).toEqual(['FindPolicyEventLogGroup', 'WritePolicyEventLogs']);
    const write = statements.find((s) => s.Sid === 'WritePolicyEventLogs')!;
    expect(write.Action).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(JSON.stringify(write.Resource)).toContain('/cluster');
    expect(JSON.stringify(write.Resource)).not.toMatch(/log-group:\*"/);
  });

  test('the Pod Identity agent add-on comes before the vpc-cni add-on that relies on it', () => {
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: { AddonName: string }; DependsOn?: string[] }>;
    const [agent] = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::EKS::Addon' && r.Properties.AddonName === 'eks-pod-identity-agent');
    const [cni] = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::EKS::Addon' && r.Properties.AddonName === 'vpc-cni');
    expect(cni[1].DependsOn).toContain(agent[0]);
  });

  test('each chart is one manifest resource in a nested stack of apps that starts after the add-on', () => {
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: { AddonName: string }; DependsOn?: string[] }>;
    const [cniId] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::EKS::Addon' && r.Properties.AddonName === 'vpc-cni')!;
    expect(Object.values(resources).filter((r) => r.Type === MANIFEST)).toHaveLength(0);
    const nested = Object.values(resources).filter((r) => r.Type === 'AWS::CloudFormation::Stack');
    expect(nested).toHaveLength(1);
    expect(nested[0].DependsOn).toContain(cniId);
    const apps = Template.fromStack(cluster.appStacks[0]).toJSON().Resources as Record<string, { Type: string; Properties: { Manifest: string } }>;
    const manifests = Object.values(apps).filter((r) => r.Type === MANIFEST);
    expect(manifests).toHaveLength(2);
    const kinds = manifests.map((m) => (JSON.parse(m.Properties.Manifest) as { kind: string }[]).map((o) => o.kind));
    expect(kinds[0]).toEqual(expect.arrayContaining(['Namespace', 'Deployment', 'NetworkPolicy']));
    // The namespace comes first, so kubectl apply can create what lives in it.
    expect(kinds[0][0]).toBe('Namespace');
  });

  test('the public surface reports the add-on, the node groups and the marker', () => {
    expect(cluster.vpcCni?.addonVersion).toBe('v1.23.1-eksbuild.1');
    expect(cluster.nodeGroups).toHaveLength(3);
    expect(NetworkPolicyCluster.isNetworkPolicyCluster(cluster)).toBe(true);
    expect(NetworkPolicyCluster.isNetworkPolicyCluster({})).toBe(false);
  });
});

describe('NetworkPolicyCluster app stacks', () => {
  test('appsPerStack splits charts over nested stacks, every one ordered after the add-on', () => {
    const stack = newStack();
    const cluster = new NetworkPolicyCluster(stack, 'Cluster', { version: eks.KubernetesVersion.V1_33, kubectlLayer: fakeKubectlLayer(stack), appsPerStack: 2 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) cluster.addChart(twoAppChart(name, name));
    expect(cluster.appStacks.map((s) => Template.fromStack(s).findResources(MANIFEST)).map((r) => Object.keys(r).length)).toEqual([2, 2, 1]);
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: { AddonName: string }; DependsOn?: string[] }>;
    const [cniId] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::EKS::Addon' && r.Properties.AddonName === 'vpc-cni')!;
    const nested = Object.values(resources).filter((r) => r.Type === 'AWS::CloudFormation::Stack');
    expect(nested).toHaveLength(3);
    for (const n of nested) expect(n.DependsOn).toContain(cniId);
  });

  test('large charts open a new nested stack before a template would pass 1 MB, and one too large for any is refused', () => {
    const stack = newStack();
    const cluster = new NetworkPolicyCluster(stack, 'Cluster', { version: eks.KubernetesVersion.V1_33, kubectlLayer: fakeKubectlLayer(stack) });
    const big = (id: string, kib: number) => {
      const chart = new Chart(new cdk8s.App(), id, { namespace: 'default' });
      new ApiObject(chart, 'data', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id }, data: { blob: 'x'.repeat(kib * 1024) } });
      return chart;
    };
    cluster.addChart(big('first', 300));
    cluster.addChart(big('second', 300));
    expect(cluster.appStacks).toHaveLength(2);
    expect(() => cluster.addChart(big('huge', 800))).toThrow(/Test\/Cluster\/huge: addChart\(chart\): the chart renders to about \d+ KiB.*Fix: split it into several charts/);
  });

  test('appsPerStack must be a whole number from 1 to 400', () => {
    const stack = newStack();
    expect(() => new NetworkPolicyCluster(stack, 'Cluster', { version: eks.KubernetesVersion.V1_33, kubectlLayer: fakeKubectlLayer(stack), appsPerStack: 0 })).toThrow(
      /Test\/Cluster: appsPerStack: 0 is not a whole number from 1 to 400/,
    );
  });
});

describe('NetworkPolicyCluster with defaults', () => {
  test('runs Kubernetes 1.36 with its pinned vpc-cni and the installed v36 kubectl layer', () => {
    const stack = newStack();
    new NetworkPolicyCluster(stack, 'Cluster');
    const template = Template.fromStack(stack);
    expect(DEFAULT_KUBERNETES_VERSION.version).toBe('1.36');
    template.hasResourceProperties('AWS::EKS::Cluster', { Version: '1.36' });
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'vpc-cni', AddonVersion: 'v1.23.1-eksbuild.1' });
    template.hasResourceProperties('AWS::Lambda::LayerVersion', { Description: Match.stringLikeRegexp('kubectl 1\\.36\\.') });
  });

  test('makes a VPC with flow logs, one AL2023 node group and no Pod Identity role without CloudWatch logs', () => {
    const stack = newStack();
    new NetworkPolicyCluster(stack, 'Cluster', { kubectlLayer: fakeKubectlLayer(stack) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.resourceCountIs('AWS::EKS::Nodegroup', 1);
    template.hasResourceProperties('AWS::EKS::Nodegroup', { AmiType: 'AL2023_x86_64_STANDARD', InstanceTypes: ['m5.large'] });
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      ConfigurationValues: Match.serializedJson({ enableNetworkPolicy: 'true' }),
      PodIdentityAssociations: Match.absent(),
    });
    expect(Object.values(template.findResources('AWS::EKS::Addon')).map((r) => (r as { Properties: { AddonName: string } }).Properties.AddonName)).toEqual(['vpc-cni']);
  });
});

describe('NetworkPolicyCluster kubectl layer from the installed packages', () => {
  test('Kubernetes 1.37, with no -v37 package published, uses the v36 layer (one minor of skew)', () => {
    const stack = newStack();
    new NetworkPolicyCluster(stack, 'Cluster', { version: eks.KubernetesVersion.V1_37 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EKS::Cluster', { Version: '1.37' });
    template.hasResourceProperties('AWS::Lambda::LayerVersion', { Description: Match.stringLikeRegexp('kubectl 1\\.36\\.') });
  });

  test('Kubernetes 1.33 uses its own v33 layer; 1.35, with neither -v35 nor -v34 installed, the newer v36', () => {
    const layerOf = (version: eks.KubernetesVersion) => {
      const stack = newStack();
      new NetworkPolicyCluster(stack, 'Cluster', { version });
      const layers = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::LayerVersion'));
      // The kubectl layer's description names its kubectl (aws-cdk-lib adds an awscli layer beside it).
      return layers.map((l) => (l as { Properties: { Description: string } }).Properties.Description).filter((d) => d.includes('kubectl'));
    };
    expect(layerOf(eks.KubernetesVersion.V1_33)).toEqual([expect.stringMatching(/kubectl 1\.33\./)]);
    expect(layerOf(eks.KubernetesVersion.V1_35)).toEqual([expect.stringMatching(/kubectl 1\.36\./)]);
  });
});

describe('NetworkPolicyCluster in EKS Auto Mode', () => {
  let template: Template;
  let autoCluster: NetworkPolicyCluster;

  beforeAll(() => {
    const stack = newStack();
    const cluster = (autoCluster = new NetworkPolicyCluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_33,
      kubectlLayer: fakeKubectlLayer(stack),
      compute: ClusterCompute.autoMode({ defaultNetworkPolicy: 'DefaultDeny', networkPolicyEventLogs: true }),
    }));
    cluster.addChart(twoAppChart());
    template = Template.fromStack(stack);
  });

  test('Auto Mode is on with only the system pool built in, and no vpc-cni add-on is created', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', { ComputeConfig: { Enabled: true, NodePools: ['system'] } });
    template.resourceCountIs('AWS::EKS::Addon', 0);
    template.resourceCountIs('AWS::EKS::Nodegroup', 0);
  });

  test('the controller ConfigMap, the NodeClass and the NodePool are applied, and apps wait for them', () => {
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: { Manifest: unknown; Overwrite?: boolean }; DependsOn?: string[] }>;
    const manifests = Object.entries(resources).filter(([, r]) => r.Type === MANIFEST);
    const [autoId, auto] = manifests.find(([id]) => id.includes('NetworkPolicyAutoMode'))!;
    const text = JSON.stringify(auto.Properties.Manifest);
    expect(text).toContain('\\"name\\":\\"amazon-vpc-cni\\",\\"namespace\\":\\"kube-system\\"');
    expect(text).toContain('\\"enable-network-policy-controller\\":\\"true\\"');
    expect(text).toContain('\\"networkPolicy\\":\\"DefaultDeny\\"');
    expect(text).toContain('\\"networkPolicyEventLogs\\":\\"Enabled\\"');
    expect(text).toContain('\\"kind\\":\\"NodePool\\"');
    expect(auto.Properties.Overwrite).toBe(true);
    expect(manifests).toHaveLength(1);
    const nested = Object.values(resources).filter((r) => r.Type === 'AWS::CloudFormation::Stack');
    expect(nested).toHaveLength(1);
    expect(nested[0].DependsOn).toContain(autoId);
    expect(Object.keys(Template.fromStack(autoCluster.appStacks[0]).findResources(MANIFEST))).toHaveLength(1);
  });
});
