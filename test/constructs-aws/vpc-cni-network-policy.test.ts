import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { VpcCniNetworkPolicy } from '../../constructs/aws';
import { newStack } from './helpers';

// CDK synthesis is slow on a shared 2-core machine; give it room beyond jest's 60 s default.
jest.setTimeout(300_000);

describe('VpcCniNetworkPolicy on an existing cluster imported by name', () => {
  test('configures the add-on on that cluster with the version pinned for its Kubernetes version', () => {
    const stack = newStack();
    new VpcCniNetworkPolicy(stack, 'NetworkPolicy', {
      clusterName: 'prod',
      kubernetesVersion: eks.KubernetesVersion.V1_31,
      networkPolicy: { policyEventLogs: true },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EKS::Cluster', 0);
    template.resourceCountIs('AWS::IAM::Role', 0);
    template.hasResourceProperties('AWS::EKS::Addon', {
      ClusterName: 'prod',
      AddonName: 'vpc-cni',
      AddonVersion: 'v1.23.1-eksbuild.1',
      ResolveConflicts: 'OVERWRITE',
      PreserveOnDelete: true,
      ConfigurationValues: Match.serializedJson({ enableNetworkPolicy: 'true', nodeAgent: { enablePolicyEventLogs: 'true' } }),
    });
  });

  test('with CloudWatch logs, the aws-node role is scoped to the named cluster log group', () => {
    const stack = newStack();
    const policy = new VpcCniNetworkPolicy(stack, 'NetworkPolicy', {
      clusterName: 'prod',
      addonVersion: 'v1.19.2-eksbuild.5',
      networkPolicy: { policyEventLogs: true, cloudWatchLogs: true },
    });
    expect(policy.awsNodeRole).toBeDefined();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'WritePolicyEventLogs',
            Resource: Match.arrayWith([
              { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:/aws/eks/prod/cluster$')])] },
            ]),
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonVersion: 'v1.19.2-eksbuild.5',
      PodIdentityAssociations: [{ ServiceAccount: 'aws-node', RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AwsNodeRole'), 'Arn'] } }],
    });
  });

  test('without a Kubernetes version or an add-on version it cannot pin and says which prop to set', () => {
    expect(() => new VpcCniNetworkPolicy(newStack(), 'NetworkPolicy', { clusterName: 'prod' })).toThrow(
      /Test\/NetworkPolicy: addonVersion: neither addonVersion nor kubernetesVersion is given/,
    );
  });

  test('an add-on version too old for a feature names addonVersion in the fix', () => {
    expect(
      () =>
        new VpcCniNetworkPolicy(newStack(), 'NetworkPolicy', {
          clusterName: 'prod',
          addonVersion: 'v1.19.2-eksbuild.5',
          networkPolicy: { conntrackCacheTableSize: 65536 },
        }),
    ).toThrow(/networkPolicy\.conntrackCacheTableSize: needs vpc-cni v1\.23\.0 or later.*Fix: set addonVersion to v1\.23\.0/);
  });
});
