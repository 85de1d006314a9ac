import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { Labels } from '../../lib/model/types';
import { ClusterDns } from './cluster-dns';
import { PolicyDeclarationError } from './errors';
import { KubeNetworkPolicy, Rule } from './private/kube';
import { isDnsLabel, labelsProblem, MANAGED_BY, MANAGED_BY_LABEL } from './private/labels';
import { registryOf } from './private/registry';
import { renderSpec } from './private/render';

const NAMESPACE_SYMBOL = Symbol.for('eks-netpol.PolicyNamespace');

/** Which directions a namespace denies by default. */
export enum DefaultDeny {
  /** Nothing is denied by default: no default policy. */
  NONE = 'none',
  /** Every pod of the namespace is isolated for ingress. */
  INGRESS = 'ingress',
  /** Every pod of the namespace is isolated for egress (DNS stays allowed, see `dns`). */
  EGRESS = 'egress',
  /** Both. */
  BOTH = 'both',
}

/** Props of `PolicyNamespace`. */
export interface PolicyNamespaceProps {
  /**
   * The namespace's name.
   *
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Labels of the Namespace object (peers of other namespaces select it by them). `kubernetes.io/metadata.name` is
   * set by the API server.
   *
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The namespace-wide default deny, written as the policy `default-deny` selecting every pod.
   *
   * @default DefaultDeny.BOTH
   */
  readonly defaultDeny?: DefaultDeny;
  /**
   * The DNS exception of the default deny, for egress.
   *
   * @default ClusterDns.kubeDns()
   */
  readonly dns?: ClusterDns;
  /**
   * Allow every pod of the namespace to reach every other (in the denied directions), as the policy
   * `allow-same-namespace`.
   *
   * @default false
   */
  readonly allowWithinNamespace?: boolean;
}

/**
 * A namespace with its policy defaults: the Namespace object and its labels, a default deny (ingress, egress or
 * both) that keeps DNS allowed, and optionally traffic within the namespace allowed.
 *
 * ```ts
 * new PolicyNamespace(chart, 'shop', { labels: { team: 'shop' }, defaultDeny: DefaultDeny.BOTH });
 * ```
 */
export class PolicyNamespace extends Construct {
  /** Is `x` a `PolicyNamespace` (of any loaded copy of this library)? */
  static isPolicyNamespace(x: unknown): x is PolicyNamespace {
    return typeof x === 'object' && x !== null && NAMESPACE_SYMBOL in x;
  }

  readonly name: string;
  /** The labels as the API server will hold them (with `kubernetes.io/metadata.name`). */
  readonly labels: Labels;
  readonly defaultDeny: DefaultDeny;
  readonly namespaceObject: ApiObject;
  private readonly dns: ClusterDns;
  private readonly allowWithinNamespace: boolean;
  private readonly ownLabels: Labels;

  constructor(scope: Construct, id: string, props: PolicyNamespaceProps = {}) {
    super(scope, id);
    Object.defineProperty(this, NAMESPACE_SYMBOL, { value: true });
    this.name = props.name ?? id;
    if (!isDnsLabel(this.name)) {
      throw new PolicyDeclarationError(this.node.path, props.name === undefined ? 'id (the default name)' : 'props.name', `"${this.name}" is not a valid namespace name.`, 'use up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit.');
    }
    const labels = props.labels ?? {};
    const problem = labelsProblem(labels);
    if (problem) throw new PolicyDeclarationError(this.node.path, 'props.labels', problem.problem, problem.fix);
    if (labels['kubernetes.io/metadata.name'] !== undefined && labels['kubernetes.io/metadata.name'] !== this.name) {
      throw new PolicyDeclarationError(this.node.path, 'props.labels["kubernetes.io/metadata.name"]', 'the API server sets this label to the namespace name.', 'remove it.');
    }
    this.ownLabels = { ...labels };
    this.labels = { ...labels, 'kubernetes.io/metadata.name': this.name };
    this.defaultDeny = props.defaultDeny ?? DefaultDeny.BOTH;
    if (!Object.values(DefaultDeny).includes(this.defaultDeny)) {
      throw new PolicyDeclarationError(this.node.path, 'props.defaultDeny', `"${this.defaultDeny}" is not a default deny.`, 'use DefaultDeny.NONE, INGRESS, EGRESS or BOTH.');
    }
    this.dns = props.dns ?? ClusterDns.kubeDns();
    this.allowWithinNamespace = props.allowWithinNamespace ?? false;
    if (this.allowWithinNamespace && this.defaultDeny === DefaultDeny.NONE) {
      throw new PolicyDeclarationError(this.node.path, 'props.allowWithinNamespace', 'nothing is denied by default (defaultDeny NONE), so there is nothing to allow within the namespace.', 'set defaultDeny, or drop allowWithinNamespace.');
    }

    this.namespaceObject = new ApiObject(this, 'Namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: this.name, labels: { ...this.ownLabels, [MANAGED_BY_LABEL]: MANAGED_BY } },
    });
    // A Namespace is cluster-scoped, but cdk8s gives every object of a chart the chart's namespace.
    if (Chart.of(this).namespace) this.namespaceObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    for (const policy of this.policies()) {
      new ApiObject(this, policy.metadata.name, policy);
    }
    registryOf(this).addNamespace(this);
    this.node.addValidation({ validate: () => registryOf(this).analysis().errorsFor(this.node.path) });
  }

  /** The policies of the namespace defaults, as they will be written. */
  policies(): KubeNetworkPolicy[] {
    const ingress = this.defaultDeny === DefaultDeny.INGRESS || this.defaultDeny === DefaultDeny.BOTH;
    const egress = this.defaultDeny === DefaultDeny.EGRESS || this.defaultDeny === DefaultDeny.BOTH;
    const out: KubeNetworkPolicy[] = [];
    if (ingress || egress) {
      const dnsRules: Rule[] = egress && this.dns.enabled ? [{ peers: this.dns._peers(), ports: this.dns._ports() }] : [];
      out.push(this.policy('default-deny', ingress, egress, [], dnsRules));
    }
    if (this.allowWithinNamespace) {
      const sameNamespace: Rule[] = [{ peers: [{ podSelector: {} }] }];
      out.push(this.policy('allow-same-namespace', ingress, egress, sameNamespace, sameNamespace));
    }
    return out;
  }

  private policy(name: string, ingress: boolean, egress: boolean, ingressRules: Rule[], egressRules: Rule[]): KubeNetworkPolicy {
    const ingressSpec = renderSpec('Ingress', {}, ingressRules);
    const egressSpec = renderSpec('Egress', {}, egressRules);
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: this.name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
      spec: {
        podSelector: {},
        policyTypes: [...(ingress ? ['Ingress' as const] : []), ...(egress ? ['Egress' as const] : [])],
        ...(ingress ? { ingress: ingressSpec.ingress } : {}),
        ...(egress ? { egress: egressSpec.egress } : {}),
      },
    };
  }
}
