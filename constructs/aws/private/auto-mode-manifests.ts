import { AutoModeOptions } from '../cluster-compute';

/** Inputs to the Auto Mode manifests that come from the cluster (tokens are fine: they resolve at synth). */
export interface AutoModeManifestInputs {
  /** Name (not ARN) of the node IAM role the NodeClass launches instances with. */
  readonly nodeRoleName: string;
  /** Subnets for the nodes. */
  readonly subnetIds: readonly string[];
  /** Security groups for the nodes (the cluster security group). */
  readonly securityGroupIds: readonly string[];
}

/**
 * The Kubernetes objects that turn on network policy enforcement under EKS Auto Mode:
 * - the `amazon-vpc-cni` ConfigMap in kube-system with `enable-network-policy-controller: "true"`, which starts the
 *   network policy controller in the control plane;
 * - a NodeClass with `networkPolicy` (DefaultAllow | DefaultDeny) and `networkPolicyEventLogs` (Enabled | Disabled);
 * - a NodePool that launches workload nodes from that NodeClass (the built-in pools use the default NodeClass, which
 *   cannot be changed).
 */
export function autoModeManifests(options: AutoModeOptions, inputs: AutoModeManifestInputs): Record<string, unknown>[] {
  const name = options.nodePoolName ?? 'network-policy';
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'amazon-vpc-cni', namespace: 'kube-system' },
      data: { 'enable-network-policy-controller': 'true' },
    },
    {
      apiVersion: 'eks.amazonaws.com/v1',
      kind: 'NodeClass',
      metadata: { name },
      spec: {
        role: inputs.nodeRoleName,
        subnetSelectorTerms: inputs.subnetIds.map((id) => ({ id })),
        securityGroupSelectorTerms: inputs.securityGroupIds.map((id) => ({ id })),
        networkPolicy: options.defaultNetworkPolicy ?? 'DefaultAllow',
        networkPolicyEventLogs: options.networkPolicyEventLogs ? 'Enabled' : 'Disabled',
      },
    },
    {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name },
      spec: {
        template: {
          spec: {
            nodeClassRef: { group: 'eks.amazonaws.com', kind: 'NodeClass', name },
            requirements: [
              { key: 'eks.amazonaws.com/instance-category', operator: 'In', values: [...(options.instanceCategories ?? ['c', 'm', 'r'])] },
              { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
            ],
          },
        },
      },
    },
  ];
}
