import { ApiObject, Chart, JsonPatch, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Labels, NAMESPACE_NAME_LABEL, Protocol } from '../../lib/model/types';
import { ClusterDns } from './cluster-dns';
import { PolicyDeclarationError } from './errors';
import { describePeer, IPeer, ipBlockProblem, PeerInfo, renderPeer } from './peer';
import { Port } from './port';
import { parsePorts, resolvePorts } from './private/app-ports';
import { KubeNetworkPolicy, KubePeer, KubePort, Rule } from './private/kube';
import {
  INSTANCE_LABEL, isDnsLabel, isLabelValue, labelsProblem, MANAGED_BY, MANAGED_BY_LABEL, NAME_LABEL, PART_OF_LABEL,
} from './private/labels';
import { AnalysisContext, registryOf } from './private/registry';
import { renderSpec } from './private/render';

const APP_SYMBOL = Symbol.for('eks-netpol.AppWithPolicy');

/** A container port of an app, by its name. */
export interface AppPortOptions {
  /** The container port number. */
  readonly port: number;
  /**
   * The protocol.
   *
   * @default 'TCP'
   */
  readonly protocol?: Protocol;
}

/** A declared container port, resolved. */
export interface AppPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/** Which directions an app's policies isolate. */
export interface PolicyIsolation {
  /**
   * Deny every connection to the app that no rule allows.
   *
   * @default - true once the app declares any rule (or is `unreachable`)
   */
  readonly ingress?: boolean;
  /**
   * Deny every connection from the app that no rule allows (DNS stays allowed, see `dns`).
   *
   * @default - true once the app declares any rule
   */
  readonly egress?: boolean;
}

/** Props of `AppWithPolicy`. */
export interface AppWithPolicyProps {
  /** The container image. */
  readonly image: string;
  /**
   * The app's name: its Deployment, Service and policy names and its `app.kubernetes.io/name` label. Its pod
   * identity is `namespace/name`.
   *
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace.
   *
   * @default - the chart's namespace (one of the two is required)
   */
  readonly namespace?: string;
  /**
   * Named container ports: `{ http: 8080, dns: { port: 53, protocol: 'UDP' } }`. Rules name them with
   * `Port.named('http')`, checked at synth.
   *
   * @default - no ports
   */
  readonly ports?: Readonly<Record<string, number | AppPortOptions>>;
  /**
   * Replicas.
   *
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Environment variables (written sorted by name).
   *
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Container command.
   *
   * @default - the image's entrypoint
   */
  readonly command?: readonly string[];
  /**
   * Container arguments.
   *
   * @default - the image's cmd
   */
  readonly args?: readonly string[];
  /**
   * CPU and memory requests and limits.
   *
   * @default - cdk8s-plus-28's defaults
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Readiness probe.
   *
   * @default - none
   */
  readonly readiness?: kplus.Probe;
  /**
   * Liveness probe.
   *
   * @default - none
   */
  readonly liveness?: kplus.Probe;
  /**
   * Startup probe.
   *
   * @default - none
   */
  readonly startup?: kplus.Probe;
  /**
   * The pods' service account.
   *
   * @default - the namespace's default service account, token not mounted
   */
  readonly serviceAccount?: kplus.IServiceAccount;
  /**
   * The container's security context.
   *
   * @default - cdk8s-plus-28's defaults (non-root, read-only root filesystem, no privilege escalation)
   */
  readonly securityContext?: kplus.ContainerSecurityContextProps;
  /**
   * The pod's security context.
   *
   * @default - cdk8s-plus-28's defaults (non-root)
   */
  readonly podSecurityContext?: kplus.PodSecurityContextProps;
  /**
   * Extra labels on every object and pod of the app. Never used to select pods.
   *
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The `app.kubernetes.io/instance` label (part of the selector).
   *
   * @default - the name
   */
  readonly instance?: string;
  /**
   * The `app.kubernetes.io/part-of` label (part of the selector when given): the larger application.
   *
   * @default - not set
   */
  readonly partOf?: string;
  /**
   * Write a ClusterIP Service for the ports.
   *
   * @default - true when the app has ports
   */
  readonly service?: boolean;
  /**
   * Which directions the app's policies isolate.
   *
   * @default - both, once the app declares any rule
   */
  readonly isolation?: PolicyIsolation;
  /**
   * Nothing may connect to the app (a worker, a batch job): an ingress policy with no rules. Allowing any peer in
   * is then a conflict, reported at synth.
   *
   * @default false
   */
  readonly unreachable?: boolean;
  /**
   * DNS for the app while it is egress-isolated.
   *
   * @default ClusterDns.kubeDns()
   */
  readonly dns?: ClusterDns;
}

/** One declared rule, as stored until synthesis. */
interface DeclaredRule {
  readonly peer: PeerInfo;
  /** Undefined: every port. */
  readonly ports?: readonly KubePort[];
  /** The call that declared it, for messages: `shop/web allowTo(shop/api, Port.named("http"))`. */
  readonly origin: string;
}

/**
 * A Deployment (and its Service) declared together with the NetworkPolicies that protect it.
 *
 * Its pods are selected by explicit, stable labels (`app.kubernetes.io/name`, `/instance`, `/part-of`), never by
 * the construct path. `allowFrom` and `allowTo` add rules; when the peer is another `AppWithPolicy`, the rule is
 * written on both sides, so each app's file tells its whole story. Policies are named `<name>-ingress` and
 * `<name>-egress`.
 *
 * ```ts
 * const api = new AppWithPolicy(chart, 'api', { image: 'api:1.0', ports: { http: 8080 } });
 * web.allowTo(api, Port.named('http'));
 * ```
 */
export class AppWithPolicy extends Construct implements IPeer {
  /** Is `x` an `AppWithPolicy` (of any loaded copy of this library)? */
  static isAppWithPolicy(x: unknown): x is AppWithPolicy {
    return typeof x === 'object' && x !== null && APP_SYMBOL in x;
  }

  /** The app's name (Deployment, Service, policy prefix). */
  readonly name: string;
  readonly namespace: string;
  /** `namespace/name`: the pod identity the reachability engine and the matchers use. */
  readonly podIdentity: string;
  /** The labels that select the app's pods. */
  readonly selectorLabels: Labels;
  /** The declared container ports. */
  readonly ports: readonly AppPort[];
  readonly deployment: kplus.Deployment;
  /** The Service, when one is written. */
  readonly service?: kplus.Service;
  /**
   * `service/namespace/name` when a Service is written: the destination the matchers and `reach --to` take for
   * traffic through the Service (`expect(chart).toAllow(web, api.serviceRef!, 80)`).
   */
  readonly serviceRef?: string;

  private readonly objectLabels: Labels;
  private readonly isolation: PolicyIsolation;
  private readonly unreachable: boolean;
  private readonly dns: ClusterDns;
  private readonly ingressRules: DeclaredRule[] = [];
  private readonly egressRules: DeclaredRule[] = [];
  private ingressObject?: ApiObject;
  private egressObject?: ApiObject;
  private readonly rendered = new Map<'Ingress' | 'Egress', KubeNetworkPolicy>();

  constructor(scope: Construct, id: string, props: AppWithPolicyProps) {
    super(scope, id);
    Object.defineProperty(this, APP_SYMBOL, { value: true });
    const path = this.node.path;
    this.name = props.name ?? id;
    if (!isDnsLabel(this.name)) {
      throw new PolicyDeclarationError(path, props.name === undefined ? 'id (the default name)' : 'props.name', `"${this.name}" is not a valid Kubernetes name.`, 'use up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit.');
    }
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (!namespace) {
      throw new PolicyDeclarationError(path, 'props.namespace', 'the app has no namespace, so its pods and policies cannot be placed.', 'pass props.namespace, or give the chart a namespace (new Chart(app, id, { namespace })).');
    }
    if (!isDnsLabel(namespace)) {
      throw new PolicyDeclarationError(path, 'props.namespace', `"${namespace}" is not a valid namespace name.`, 'use up to 63 lowercase letters, digits and "-".');
    }
    this.namespace = namespace;
    this.podIdentity = `${namespace}/${this.name}`;
    for (const [prop, value] of [['props.instance', props.instance], ['props.partOf', props.partOf]] as const) {
      if (value !== undefined && (!isLabelValue(value) || value === '')) {
        throw new PolicyDeclarationError(path, prop, `"${value}" is not a valid label value.`, 'use up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit.');
      }
    }
    const extraLabels = props.labels ?? {};
    const labelProblem = labelsProblem(extraLabels);
    if (labelProblem) throw new PolicyDeclarationError(path, 'props.labels', labelProblem.problem, labelProblem.fix);
    this.selectorLabels = {
      [NAME_LABEL]: this.name,
      [INSTANCE_LABEL]: props.instance ?? this.name,
      ...(props.partOf ? { [PART_OF_LABEL]: props.partOf } : {}),
    };
    for (const key of Object.keys(extraLabels)) {
      if (key in this.selectorLabels || key === MANAGED_BY_LABEL) {
        throw new PolicyDeclarationError(path, `props.labels["${key}"]`, `"${key}" is set by the app itself.`, key === INSTANCE_LABEL ? 'use props.instance.' : key === PART_OF_LABEL ? 'use props.partOf.' : key === NAME_LABEL ? 'use props.name.' : 'remove it.');
      }
    }
    this.objectLabels = { ...extraLabels, ...this.selectorLabels, [MANAGED_BY_LABEL]: MANAGED_BY };
    this.ports = parsePorts(path, props.ports ?? {});
    this.isolation = props.isolation ?? {};
    this.unreachable = props.unreachable ?? false;
    this.dns = props.dns ?? ClusterDns.kubeDns();
    if (props.replicas !== undefined && !(Number.isInteger(props.replicas) && props.replicas >= 0)) {
      throw new PolicyDeclarationError(path, 'props.replicas', `${props.replicas} is not a replica count.`, 'give a whole number, 0 or more.');
    }

    this.deployment = this.createDeployment(props, extraLabels);
    if (props.service ?? this.ports.length > 0) {
      if (this.ports.length === 0) {
        throw new PolicyDeclarationError(path, 'props.service', 'a Service needs ports, and the app declares none.', 'declare props.ports, or leave props.service unset.');
      }
      this.service = this.createService();
      this.serviceRef = `service/${this.namespace}/${this.name}`;
    }

    registryOf(this).addApp(this);
    if (this.isolation.ingress || this.unreachable || this.isolation.egress) this.ensurePolicies();
    this.node.addValidation({ validate: () => registryOf(this).analysis().errorsFor(this.node.path) });
  }

  /**
   * Allows connections from `peer` to this app on `ports` (every port when none is given). When `peer` is another
   * app, its egress rule is written too. Named ports are checked against this app's ports.
   */
  allowFrom(peer: IPeer, ...ports: Port[]): this {
    const info = peer._peerInfo();
    const call = `allowFrom(${[describePeer(peer), ...ports.map(String)].join(', ')})`;
    const origin = `${this.node.path} ${call}`;
    this.checkPeer(call, info);
    const kubePorts = resolvePorts(this.node.path, call, ports, this, false, info);
    this.addRule('ingress', { peer: info, ports: kubePorts, origin });
    if (info.kind === 'app') {
      info.app.addRule('egress', { peer: this._peerInfo(), ports: resolvePorts(this.node.path, call, ports, this, true, info), origin });
    }
    return this;
  }

  /**
   * Allows connections from this app to `peer` on `ports` (every port when none is given; UDP and TCP 53 for
   * `Peer.clusterDns()`). When `peer` is another app, its ingress rule is written too, and named ports are checked
   * against its ports.
   */
  allowTo(peer: IPeer, ...ports: Port[]): this {
    const info = peer._peerInfo();
    const call = `allowTo(${[describePeer(peer), ...ports.map(String)].join(', ')})`;
    const origin = `${this.node.path} ${call}`;
    this.checkPeer(call, info);
    this.checkNotNamed(call, info, ports);
    const server = info.kind === 'app' ? info.app : undefined;
    // Egress to a known app is written with port numbers: the number is what the destination listens on, and
    // some enforcers resolve named ports only for ingress.
    this.addRule('egress', { peer: info, ports: resolvePorts(this.node.path, call, ports, server, true, info), origin });
    if (server) {
      server.addRule('ingress', { peer: this._peerInfo(), ports: resolvePorts(this.node.path, call, ports, server, false, info), origin });
    }
    return this;
  }

  /** The NetworkPolicies of this app as they will be written, sorted (ingress first). */
  policies(): KubeNetworkPolicy[] {
    return JSON.parse(JSON.stringify(this._policies())) as KubeNetworkPolicy[];
  }

  /** @internal The policies, shared with the render cache: read only. */
  _policies(): KubeNetworkPolicy[] {
    const out: KubeNetworkPolicy[] = [];
    if (this.ingressObject) out.push(this.policyManifest('Ingress'));
    if (this.egressObject) out.push(this.policyManifest('Egress'));
    return out;
  }

  /** Is the app isolated for ingress (some policy of ours selects it for Ingress)? */
  get isolatedForIngress(): boolean {
    return this.ingressObject !== undefined;
  }

  /** Is the app isolated for egress? */
  get isolatedForEgress(): boolean {
    return this.egressObject !== undefined;
  }

  /** @internal */
  _peerInfo(): PeerInfo {
    return { kind: 'app', app: this };
  }

  /** @internal This app's pods as a peer of a policy in `policyNamespace`. */
  _selectorFrom(policyNamespace: string): KubePeer {
    return {
      ...(policyNamespace !== this.namespace ? { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: this.namespace } } } : {}),
      podSelector: { matchLabels: { ...this.selectorLabels } },
    };
  }

  /** @internal Problems only the whole cdk8s app can see (namespaces, conflicts); one message each. */
  _crossChecks(context: AnalysisContext): string[] {
    const errors: string[] = [];
    if (this.isolation.ingress === false && this.ingressRules.length > 0) {
      errors.push(`props.isolation.ingress: ingress is declared not isolated, yet ${this.ingressRules[0].origin} allows a peer in; a rule would isolate the app. Fix: remove isolation.ingress: false, or remove the rule.`);
    }
    if (this.isolation.egress === false && this.egressRules.length > 0) {
      errors.push(`props.isolation.egress: egress is declared not isolated, yet ${this.egressRules[0].origin} allows a peer out; a rule would isolate the app. Fix: remove isolation.egress: false, or remove the rule.`);
    }
    if (this.unreachable && this.ingressRules.length > 0) {
      errors.push(`props.unreachable: the app is declared unreachable, yet ${this.ingressRules[0].origin} allows ${describeInfo(this.ingressRules[0].peer)} in. Fix: remove that rule, or remove unreachable: true.`);
    }
    if (context.allNamespacesDeclared) {
      for (const rule of [...this.ingressRules, ...this.egressRules]) {
        const info = rule.peer;
        if (info.kind !== 'selector' || !info.checkNamespaces || !info.namespaceSelector) continue;
        if (!context.declaredNamespaces.some((ns) => context.selects(info.namespaceSelector!, ns.labels))) {
          const names = context.declaredNamespaces.map((ns) => `"${ns.name}"`).join(', ');
          errors.push(`${rule.origin}: the namespace selector of ${info.description} matches none of the namespaces this cdk8s app declares (${names}), so the rule allows nothing. Fix: name a declared namespace or its labels, declare the namespace, or pass { declaredElsewhere: true } if it is managed outside this app.`);
        }
      }
    }
    return errors;
  }

  /** @internal Adds a rule (from this app's call or a peer's mirrored one). */
  addRule(direction: 'ingress' | 'egress', rule: DeclaredRule): void {
    (direction === 'ingress' ? this.ingressRules : this.egressRules).push(rule);
    this.rendered.clear();
    this.ensurePolicies();
    registryOf(this).touch();
  }

  /**
   * The policy of one direction. Synthesis asks twice (the whole-app checks, then the object itself); rules only
   * change through addRule, which drops the cache.
   */
  private policyManifest(direction: 'Ingress' | 'Egress'): KubeNetworkPolicy {
    let manifest = this.rendered.get(direction);
    if (!manifest) {
      manifest = this.renderPolicy(direction);
      this.rendered.set(direction, manifest);
    }
    return manifest;
  }

  private renderPolicy(direction: 'Ingress' | 'Egress'): KubeNetworkPolicy {
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${this.name}-${direction.toLowerCase()}`, namespace: this.namespace, labels: { ...this.objectLabels } },
      spec: renderSpec(direction, { matchLabels: this.selectorLabels }, this.renderRules(direction)),
    };
  }

  private renderRules(direction: 'Ingress' | 'Egress'): Rule[] {
    const declared = direction === 'Ingress' ? this.ingressRules : this.egressRules;
    const rules: Rule[] = declared.map((r) => ({ peers: renderPeer(r.peer, this.namespace), ports: r.ports }));
    if (direction === 'Egress' && this.dns.enabled) rules.push({ peers: this.dns._peers(), ports: this.dns._ports() });
    return rules;
  }

  /** Creates the policy objects for the isolated directions, ingress before egress, once. */
  private ensurePolicies(): void {
    const hasRules = this.ingressRules.length + this.egressRules.length > 0;
    if ((this.isolation.ingress ?? (hasRules || this.unreachable)) && !this.ingressObject) {
      this.ingressObject = this.policyObject('Ingress');
    }
    if ((this.isolation.egress ?? hasRules) && !this.egressObject) {
      this.egressObject = this.policyObject('Egress');
    }
  }

  private policyObject(direction: 'Ingress' | 'Egress'): ApiObject {
    return new ApiObject(this, `${direction}Policy`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${this.name}-${direction.toLowerCase()}`, namespace: this.namespace, labels: { ...this.objectLabels } },
      spec: Lazy.any({ produce: () => this.policyManifest(direction).spec }),
    });
  }

  private createDeployment(props: AppWithPolicyProps, extraLabels: Labels): kplus.Deployment {
    const env = props.env ?? {};
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.objectLabels } },
      // The default selector is the construct path (cdk8s.io/metadata.addr), which changes when the construct
      // moves while a Deployment's selector is immutable; select by the explicit labels instead.
      select: false,
      replicas: props.replicas ?? 1,
      // Pods carry the selector labels and the user's; managed-by stays on the objects eks-netpol writes.
      podMetadata: { labels: { ...extraLabels, ...this.selectorLabels } },
      serviceAccount: props.serviceAccount,
      securityContext: props.podSecurityContext,
      containers: [{
        name: this.name,
        image: props.image,
        ports: this.ports.map((p) => ({ name: p.name, number: p.port, protocol: p.protocol as kplus.Protocol })),
        envVariables: Object.fromEntries(Object.keys(env).sort().map((k) => [k, kplus.EnvValue.fromValue(env[k])])),
        command: props.command ? [...props.command] : undefined,
        args: props.args ? [...props.args] : undefined,
        resources: props.resources,
        readiness: props.readiness,
        liveness: props.liveness,
        startup: props.startup,
        securityContext: props.securityContext,
      }],
    });
    deployment.select(kplus.LabelSelector.of({ labels: { ...this.selectorLabels } }));
    // cdk8s-plus also stamps the construct path on the pods; drop it so moving the construct changes nothing.
    ApiObject.of(deployment).addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
    return deployment;
  }

  private createService(): kplus.Service {
    const service = new kplus.Service(this, 'Service', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.objectLabels } },
      ports: this.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol as kplus.Protocol })),
    });
    for (const [key, value] of Object.entries(this.selectorLabels)) service.selectLabel(key, value);
    return service;
  }

  private checkPeer(call: string, info: PeerInfo): void {
    if (info.kind === 'ipBlocks') {
      for (const block of info.blocks) {
        const problem = ipBlockProblem(block.cidr, block.except);
        if (problem) throw new PolicyDeclarationError(this.node.path, call, problem.problem, problem.fix);
      }
    }
    if (info.kind === 'selector') {
      for (const selector of [info.podSelector, info.namespaceSelector]) {
        const problem = selector?.matchLabels ? labelsProblem(selector.matchLabels) : undefined;
        if (problem) throw new PolicyDeclarationError(this.node.path, call, problem.problem, problem.fix);
      }
    }
  }

  private checkNotNamed(call: string, info: PeerInfo, ports: readonly Port[]): void {
    const named = ports.find((p) => typeof p.port === 'string');
    if (named && info.kind === 'ipBlocks') {
      throw new PolicyDeclarationError(this.node.path, call, `${named} names a container port, but addresses outside the cluster have no named ports, so the rule would allow nothing.`, 'give the port number, like Port.tcp(443).');
    }
  }
}

function describeInfo(info: PeerInfo): string {
  return info.kind === 'app' ? info.app.node.path : info.description;
}
