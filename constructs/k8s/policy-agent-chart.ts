import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import {
  checkPolicyAgentOptions,
  policyAgentManifests,
  PolicyAgentResources,
} from '../private/policy-agent-manifests';
import { PolicyDeclarationError } from './errors';

/** Props of {@link PolicyAgentChart}. */
export interface PolicyAgentChartProps extends Omit<ChartProps, 'namespace'> {
  /**
   * The agent image, built from agent-image/Dockerfile and pushed to your registry (pin it by digest:
   * `registry/eks-netpol-agent@sha256:...`).
   */
  readonly image: string;
  /**
   * `standard`: a pod is open until a policy selects it; `strict`: interfaces the agent has not programmed are denied.
   *
   * @default 'standard'
   */
  readonly mode?: 'standard' | 'strict';
  /**
   * Port of /healthz, /readyz and /metrics on every node.
   *
   * @default 9476
   */
  readonly port?: number;
  /**
   * The address the agent's HTTP endpoints bind to on the node; `::` serves IPv4 and IPv6.
   *
   * @default '0.0.0.0'
   */
  readonly listenAddress?: string;
  /**
   * Namespace of the agent's ServiceAccount and DaemonSet.
   *
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /**
   * bpffs directory of the pinned maps and links, under /sys/fs/bpf.
   *
   * @default '/sys/fs/bpf/eks-netpol'
   */
  readonly pinDir?: string;
  /**
   * Container requests and limits.
   *
   * @default - requests 50m CPU / 128Mi, limit 256Mi memory
   */
  readonly resources?: PolicyAgentResources;
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
