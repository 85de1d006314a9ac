import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { pinnedVpcCniVersion } from '../../lib/doctor/vpc-cni-versions';
import { ClusterConfigurationError } from './errors';
import { checkVpcCniOptions, VpcCniNetworkPolicyOptions, vpcCniConfigurationValues } from './vpc-cni-configuration';

/** Properties of {@link VpcCniNetworkPolicy}. */
export interface VpcCniNetworkPolicyProps {
  /** Name of the EKS cluster (an existing cluster imported by name, or a token from a cluster in the same app). */
  readonly clusterName: string;
  /**
   * The cluster's Kubernetes version, used to pick the pinned add-on version. Needed unless `addonVersion` is given.
   *
   * @default - none; then `addonVersion` is required
   */
  readonly kubernetesVersion?: eks.KubernetesVersion;
  /**
   * The exact `vpc-cni` add-on version (`v1.23.1-eksbuild.1`).
   *
   * @default - the version pinned for `kubernetesVersion` in this library's table
   */
  readonly addonVersion?: string;
  /**
   * Network policy options (enforcing mode, logs, conntrack cache).
   *
   * @default - enforcement on, standard mode, no logs, agent defaults
   */
  readonly networkPolicy?: VpcCniNetworkPolicyOptions;
  /**
   * Whether the VPC CNI enforces NetworkPolicies. Set false only when another agent enforces (eks-netpol's
   * PolicyAgent): two agents attaching programs to the same veths would both decide every packet.
   *
   * @default true
   */
  readonly enforce?: boolean;
}

/**
 * The `vpc-cni` managed add-on with Kubernetes network policy enforcement switched on, for a cluster this library did
 * not create. It overwrites conflicting fields (`resolveConflicts: OVERWRITE`, since new clusters already run a
 * self-managed vpc-cni) and preserves the add-on software when the stack is deleted, so removing the stack never
 * leaves nodes without pod networking.
 *
 * With `networkPolicy.cloudWatchLogs`, the aws-node service account gets its own IAM role through EKS Pod Identity
 * (the cluster needs the `eks-pod-identity-agent` add-on): the VPC CNI's own policy plus writing to the cluster's
 * log group, and nothing else.
 */
export class VpcCniNetworkPolicy extends Construct {
  /** The add-on resource; other resources (manifests, node groups) depend on it to start after enforcement is on. */
  readonly addon: eks.CfnAddon;
  /** The add-on version deployed. */
  readonly addonVersion: string;
  /** The configurationValues document, before serialization. */
  readonly configurationValues: Record<string, unknown>;
  /** The aws-node role, present only when CloudWatch logs are on. */
  readonly awsNodeRole?: iam.IRole;

  constructor(scope: Construct, id: string, props: VpcCniNetworkPolicyProps) {
    super(scope, id);
    const options = props.networkPolicy ?? {};
    const enforce = props.enforce ?? true;
    if (!enforce && Object.values(options).some((value) => value !== undefined && value !== false)) {
      throw new ClusterConfigurationError(
        this.node.path,
        'networkPolicy',
        "these options configure the VPC CNI's policy agent, which is off (enforce: false)",
        "drop networkPolicy (with eks-netpol's agent, give mode in EnforcementAgent.eksNetpol({ mode }))",
      );
    }
    this.addonVersion = resolveVpcCniVersion(this.node.path, 'addonVersion', props.addonVersion, props.kubernetesVersion);
    const version = Token.isUnresolved(this.addonVersion) ? undefined : this.addonVersion;
    const problems = checkVpcCniOptions(options, version, 'addonVersion');
    if (problems.length > 0) {
      const [first] = problems;
      throw new ClusterConfigurationError(this.node.path, first.prop, first.message, first.fix);
    }
    this.configurationValues = vpcCniConfigurationValues(options, enforce);

    if (options.cloudWatchLogs) this.awsNodeRole = this.createAwsNodeRole(props.clusterName);

    this.addon = new eks.CfnAddon(this, 'Addon', {
      clusterName: props.clusterName,
      addonName: 'vpc-cni',
      addonVersion: this.addonVersion,
      resolveConflicts: 'OVERWRITE',
      preserveOnDelete: true,
      configurationValues: JSON.stringify(this.configurationValues),
      podIdentityAssociations: this.awsNodeRole
        ? [{ serviceAccount: 'aws-node', roleArn: this.awsNodeRole.roleArn }]
        : undefined,
    });
  }

  /** A role for aws-node, assumable only through EKS Pod Identity, allowed to write only to this cluster's log group. */
  private createAwsNodeRole(clusterName: string): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'AwsNodeRole', {
      description: 'aws-node (VPC CNI and network policy agent) through EKS Pod Identity',
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com'),
      // Once aws-node has its own role it no longer falls back to the node role, so it needs the CNI's own policy.
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKS_CNI_Policy')],
    });
    // Pod Identity tags the session with the pod's attributes.
    role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({
        actions: ['sts:TagSession'],
        principals: [new iam.ServicePrincipal('pods.eks.amazonaws.com')],
      }),
    );
    const logGroup = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/eks/${clusterName}/cluster`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WritePolicyEventLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup, `${logGroup}:log-stream:*`],
      }),
    );
    // DescribeLogGroups lists groups; it cannot be narrowed to one group, only to the account and region.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FindPolicyEventLogGroup',
        actions: ['logs:DescribeLogGroups'],
        resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );
    return role;
  }
}

/**
 * The explicit version, else the pinned one; fails naming `prop` when neither is known.
 * @internal shared with NetworkPolicyCluster, which calls the prop `vpcCniVersion`.
 */
export function resolveVpcCniVersion(
  path: string,
  prop: string,
  explicit: string | undefined,
  kubernetes: eks.KubernetesVersion | undefined,
): string {
  if (explicit !== undefined) return explicit;
  if (kubernetes === undefined) {
    throw new ClusterConfigurationError(
      path,
      prop,
      `neither ${prop} nor kubernetesVersion is given, so no add-on version can be pinned`,
      `pass kubernetesVersion (e.g. eks.KubernetesVersion.V1_36) or ${prop} (e.g. 'v1.23.1-eksbuild.1')`,
    );
  }
  const pinned = Token.isUnresolved(kubernetes.version) ? undefined : pinnedVpcCniVersion(kubernetes.version);
  if (pinned === undefined) {
    throw new ClusterConfigurationError(
      path,
      prop,
      `no vpc-cni version is pinned for Kubernetes ${kubernetes.version}`,
      `set ${prop} explicitly (aws eks describe-addon-versions --addon-name vpc-cni --kubernetes-version ${kubernetes.version})`,
    );
  }
  return pinned;
}
