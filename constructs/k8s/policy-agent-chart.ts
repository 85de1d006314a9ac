import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import {
  checkPolicyAgentOptions,
  policyAgentManifests,
  PolicyAgentSettings,
} from '../private/policy-agent-manifests';
import { PolicyDeclarationError } from './errors';

/** Props of {@link PolicyAgentChart}. */
export interface PolicyAgentChartProps extends Omit<ChartProps, 'namespace'>, PolicyAgentSettings {
  /**
   * The agent image, built from agent-image/Dockerfile and pushed to your registry (pin it by digest:
   * `registry/eks-netpol-agent@sha256:...`).
   */
  readonly image: string;
}

/**
 * eks-netpol's eBPF node agent as a cdk8s chart, for GitOps: the same ServiceAccount, RBAC and DaemonSet that the
 * aws-cdk-lib `PolicyAgent` deploys (one function builds both). Before applying it, switch the VPC CNI's enforcement
 * off (`enableNetworkPolicy: "false"` in the vpc-cni add-on), so that two agents never enforce at once.
 */
export class PolicyAgentChart extends Chart {
  constructor(scope: Construct, id: string, props: PolicyAgentChartProps) {
    super(scope, id, { labels: props.labels, disableResourceNameHashes: true });
    const path = this.node.path;
    if (typeof props.image !== 'string' || props.image.trim() === '') {
      throw new PolicyDeclarationError(path, 'props.image', 'the agent image is empty.', 'pass the pushed agent image, e.g. "123456789012.dkr.ecr.eu-west-1.amazonaws.com/eks-netpol-agent@sha256:...".');
    }
    const problems = checkPolicyAgentOptions(props);
    if (problems.length > 0) {
      const [first] = problems;
      throw new PolicyDeclarationError(path, `props.${first.prop}`, `${first.message}.`, `${first.fix}.`);
    }
    const objects = policyAgentManifests({
      image: props.image,
      mode: props.mode,
      port: props.port,
      namespace: props.namespace,
      pinDir: props.pinDir,
      listenAddress: props.listenAddress,
      resources: props.resources,
    });
    for (const object of objects) {
      const { apiVersion, kind, metadata, ...rest } = object as { apiVersion: string; kind: string; metadata: { name: string } };
      new ApiObject(this, kind, { apiVersion, kind, metadata, ...rest });
    }
  }
}
