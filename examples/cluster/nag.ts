import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NetworkPolicyCluster } from '../../constructs/aws';

/**
 * cdk-nag AwsSolutions findings we accept on a NetworkPolicyCluster, each acknowledged on the construct it concerns,
 * with its reason. cdk-nag 3 acknowledges one finding id at a time (no prefixes), so ids that embed a logical id are
 * computed from the construct rather than written out.
 */
export function acknowledgeClusterFindings(cluster: NetworkPolicyCluster): void {
  const stack = Stack.of(cluster);
  const managed = (policy: string) => `AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`;

  ack(cluster.cluster.role, managed('AmazonEKSClusterPolicy'), 'The EKS control plane role needs exactly this AWS managed policy (EKS user guide, cluster IAM role).');
  for (const policy of ['AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy']) {
    ack(cluster.cluster.role, managed(policy), 'EKS Auto Mode requires these AWS managed policies on the cluster role.');
  }

  for (const group of cluster.nodeGroups) {
    for (const policy of ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly']) {
      ack(group.role, managed(policy), 'Managed node groups need these AWS managed policies (EKS user guide, node IAM role).');
    }
  }
  const autoNodeRole = cluster.node.tryFindChild('AutoModeNodeRole');
  if (autoNodeRole) {
    for (const policy of ['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly']) {
      ack(autoNodeRole, managed(policy), 'The documented minimum for EKS Auto Mode node roles.');
    }
  }

  const awsNode = cluster.vpcCni?.awsNodeRole;
  if (awsNode && cluster.vpcCni) {
    ack(awsNode, managed('AmazonEKS_CNI_Policy'), 'aws-node does IPAM with its own role once it has one, which needs the CNI policy the node role would otherwise lend it.');
    const logGroup = `arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group`;
    const clusterRef = `<${stack.getLogicalId(cluster.cluster.node.defaultChild as CfnResource)}>`;
    ack(awsNode, `AwsSolutions::AwsSolutions-IAM5[Resource::${logGroup}:/aws/eks/${clusterRef}/cluster:log-stream:*]`,
      'The network policy agent creates its own log streams, one per node, inside the single cluster log group.');
    ack(awsNode, `AwsSolutions::AwsSolutions-IAM5[Resource::${logGroup}:*]`,
      'logs:DescribeLogGroups lists log groups; IAM cannot scope it to one group, only to the account and region.');
  }

  const provider = cluster.cluster.node.tryFindChild('KubectlProvider');
  if (provider) acknowledgeKubectlProvider(stack, provider, managed);
}

/** The kubectl provider is built by aws-cdk-lib: its roles and runtimes are not ours to change. */
function acknowledgeKubectlProvider(stack: Stack, provider: IConstruct, managed: (p: string) => string): void {
  const reason = 'Created by aws-cdk-lib for the kubectl provider (aws-eks-v2); not configurable from outside.';
  for (const policy of ['service-role/AWSLambdaBasicExecutionRole', 'service-role/AWSLambdaVPCAccessExecutionRole', 'AmazonEC2ContainerRegistryReadOnly']) {
    ack(provider, managed(policy), reason);
  }
  const handler = provider.node.tryFindChild('Handler');
  const condition = handler?.node.tryFindChild('HasEcrPublic');
  if (condition) {
    const logicalId = stack.getLogicalId(condition as unknown as CfnResource);
    const arn = `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]}`;
    ack(provider, `AwsSolutions::AwsSolutions-IAM4[Policy::{"Fn::If":["${logicalId}",${arn},{"Ref":"AWS::NoValue"}]}]`, reason);
  }
  ack(provider, 'AwsSolutions::AwsSolutions-L1', `${reason} Its Lambda runtime is pinned by aws-cdk-lib.`);
  const handlerFn = handler?.node.defaultChild as CfnResource | undefined;
  if (handlerFn) {
    ack(provider, `AwsSolutions::AwsSolutions-IAM5[Resource::<${stack.getLogicalId(handlerFn)}.Arn>:*]`,
      `${reason} The provider framework invokes any version of its own handler.`);
  }
}

function ack(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
