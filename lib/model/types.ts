/**
 * The policy model: the one description of NetworkPolicy semantics that the manifests we emit, the verdicts we
 * explain and the map entries the kernel enforces are all derived from.
 *
 * Everything here is already validated and normalized (see `validate.ts`): defaults are applied, CIDRs are parsed
 * and masked, and empty peer or port lists are folded into "everything".
 */

/** Transport protocols a NetworkPolicy port can name. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** The `policyTypes` values of a NetworkPolicy. */
export type PolicyType = 'Ingress' | 'Egress';

/** Where an object came from, for error messages: a 1-based line in a file (`<stdin>` for standard input). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** Labels of a pod or namespace. */
export type Labels = Readonly<Record<string, string>>;

/** A `matchExpressions` requirement of a label selector. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** Required (non-empty) for In and NotIn, absent for Exists and DoesNotExist. */
  readonly values?: readonly string[];
}

/** A Kubernetes label selector. An empty selector (`{}`) selects everything. */
export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** A namespace. Every namespace carries the automatic label `kubernetes.io/metadata.name`. */
export interface Namespace {
  readonly name: string;
  /** Includes `kubernetes.io/metadata.name`. */
  readonly labels: Labels;
  /** False when the namespace is only referenced by other objects, not declared in the input. */
  readonly declared: boolean;
  readonly source?: SourceLocation;
}

/** A port a container declares. */
export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/** Kinds whose pod template (or the pod itself) becomes one pod identity. */
export type WorkloadKind = 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'CronJob';

/**
 * One pod identity: a bare Pod, or the pods of one workload (every replica has the same labels and ports, so one
 * identity stands for all of them). Its id is `namespace/name`.
 */
export interface PodIdentity {
  /** `namespace/name`. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly labels: Labels;
  readonly ports: readonly ContainerPort[];
  /** Pod IPs (status.podIP / status.podIPs), when known; ipBlock peers match these. */
  readonly ips: readonly string[];
  readonly source?: SourceLocation;
  /**
   * The pod spec as written (the Pod's spec or the workload's pod template spec), for lint rules that look at
   * hostNetwork, probes, node selectors and the like. The engine never reads it.
   */
  readonly podSpec?: Readonly<Record<string, unknown>>;
  /** The object's metadata as written (annotations, ownerReferences), for lint rules. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /**
   * The node a bare Pod runs on (spec.nodeName, or the declared Node whose address is its status.hostIP). Workloads
   * have none: their replicas are placed only when they are created.
   */
  readonly nodeName?: string;
  /** The node's addresses as the Pod reports them (status.hostIP / status.hostIPs), when known. */
  readonly hostIPs?: readonly string[];
  /** Set when the pod spec says `hostNetwork: true`: the pod shares its node's network namespace and addresses. */
  readonly hostNetwork?: true;
}

/** A parsed CIDR, host bits masked. */
export interface Cidr {
  readonly family: 4 | 6;
  /** The network address as an unsigned integer (32 or 128 bits). */
  readonly address: bigint;
  readonly prefixLength: number;
  /** Canonical text, host bits masked: `10.0.0.0/8`. */
  readonly text: string;
}

/** An ipBlock peer: `cidr` minus each `except`. */
export interface IpBlock {
  readonly cidr: Cidr;
  readonly except: readonly Cidr[];
}

/**
 * One peer of a rule. Exactly one of these shapes:
 * - `podSelector` only: pods of the policy's own namespace;
 * - `namespaceSelector` only: every pod of the matching namespaces;
 * - both: pods matching `podSelector` in namespaces matching `namespaceSelector` (AND);
 * - `ipBlock` only: addresses in the block, pod IPs included.
 */
export interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: IpBlock;
}

/** One port of a rule. `port` absent means every port of the protocol. */
export interface PolicyPort {
  readonly protocol: Protocol;
  /** A number (1-65535) or the name of a container port of the DESTINATION pod. */
  readonly port?: number | string;
  /** Inclusive end of a numeric range; only with a numeric `port`, never below it. */
  readonly endPort?: number;
}

/** One ingress or egress rule. */
export interface PolicyRule {
  /** The peers (`from` for ingress, `to` for egress); undefined means every peer, cluster-external included. */
  readonly peers?: readonly PolicyPeer[];
  /** undefined means every port and protocol. */
  readonly ports?: readonly PolicyPort[];
}

/** A validated NetworkPolicy. */
export interface NetworkPolicy {
  /** `namespace/name`. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: LabelSelector;
  /** As written, or defaulted: Ingress always, Egress when egress rules are present. */
  readonly policyTypes: readonly PolicyType[];
  /** Only meaningful when policyTypes includes Ingress; an empty list denies all ingress. */
  readonly ingress: readonly PolicyRule[];
  /** Only meaningful when policyTypes includes Egress; an empty list denies all egress. */
  readonly egress: readonly PolicyRule[];
  readonly source?: SourceLocation;
  /** The object's metadata as written (annotations), for lint rules. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** The `type` of a Service. */
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

/** How a NodePort or LoadBalancer Service routes traffic that arrives at a node from outside the cluster. */
export type ExternalTrafficPolicy = 'Cluster' | 'Local';

/** One port of a Service, defaulted as the API server defaults it. */
export interface ServicePort {
  /** Required (a DNS-1123 label) when the Service has more than one port. */
  readonly name?: string;
  /** The port clients connect to on the cluster IP. */
  readonly port: number;
  /**
   * The backend port: a number, or the name of a container port of each backend (resolved per backend, see
   * `serviceBackends`). Defaulted to `port` when the manifest leaves it out, as the API server does.
   */
  readonly targetPort: number | string;
  readonly protocol: Protocol;
  /** Only for NodePort and LoadBalancer Services, and only when the manifest gives it (it is allocated otherwise). */
  readonly nodePort?: number;
  readonly appProtocol?: string;
}

/** A validated Service. */
export interface Service {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  /** As written, or defaulted to ClusterIP. */
  readonly type: ServiceType;
  /**
   * The cluster IPs the manifest gives (spec.clusterIPs, or spec.clusterIP alone), primary first, at most one per
   * family. Empty when not yet allocated, for a headless Service and for ExternalName.
   */
  readonly clusterIPs: readonly string[];
  /** `clusterIP: None`: no virtual IP, DNS answers with the backends' addresses. */
  readonly headless: boolean;
  /** The DNS name an ExternalName Service is a CNAME for (only for ExternalName). */
  readonly externalName?: string;
  /** spec.externalIPs: addresses nodes also accept the Service's traffic on. */
  readonly externalIPs: readonly string[];
  /**
   * The load balancer addresses kube-proxy captures on every node (status.loadBalancer.ingress[].ip whose ipMode is
   * VIP, the default): a pod's traffic to them is translated on its own node, like traffic to the cluster IP. Absent
   * when there are none: AWS load balancers report a hostname, not an address, and are reached through the VPC.
   */
  readonly loadBalancerIPs?: readonly string[];
  /** Only for externally reachable Services (NodePort, LoadBalancer, ClusterIP with externalIPs); defaulted to Cluster. */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  /**
   * The pods the Service sends to, matched in its namespace. undefined (also for `selector: {}`) means selectorless:
   * its endpoints come from EndpointSlices (or legacy Endpoints) written for it, or it has none. Always undefined for
   * ExternalName, whose selector the API ignores.
   */
  readonly selector?: Labels;
  readonly ports: readonly ServicePort[];
  readonly source?: SourceLocation;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** A node of the cluster. */
export interface Node {
  readonly name: string;
  /** InternalIP addresses (status.addresses); for a node only pods name, the host IPs those pods report. */
  readonly addresses: readonly string[];
  /** ExternalIP addresses (status.addresses), kept apart: traffic from them is not the node's own. */
  readonly externalAddresses: readonly string[];
  readonly labels: Labels;
  /** False when the node is only named by pods (spec.nodeName), not declared by a Node object in the input. */
  readonly declared: boolean;
  readonly source?: SourceLocation;
}

/** The address type of an EndpointSlice. */
export type EndpointAddressType = 'IPv4' | 'IPv6' | 'FQDN';

/** One port of an EndpointSlice: the port name matches the Service port's name (both empty for a single port). */
export interface EndpointSlicePort {
  readonly name?: string;
  /** undefined when the slice leaves it out; kube-proxy then programs nothing for the port. */
  readonly port?: number;
  readonly protocol: Protocol;
  readonly appProtocol?: string;
}

/** One endpoint (a backend) of an EndpointSlice. */
export interface EndpointSliceEndpoint {
  /** The backend's addresses; kube-proxy uses the first. */
  readonly addresses: readonly string[];
  /** conditions.ready, true when absent (the API's reading of an unknown state). */
  readonly ready: boolean;
  readonly nodeName?: string;
  /** The object behind the endpoint (usually a Pod), as written. */
  readonly targetRef?: { readonly kind?: string; readonly namespace?: string; readonly name?: string };
}

/**
 * An EndpointSlice (discovery.k8s.io/v1), or one part of a legacy v1 Endpoints object: the EndpointSlice mirroring
 * controller turns each subset and address family of an Endpoints object into slices, and so does the loader.
 */
export interface EndpointSlice {
  /** `namespace/name`; for a part of an Endpoints object with several parts, `namespace/name#N`. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: 'EndpointSlice' | 'Endpoints';
  /** The Service it belongs to: the kubernetes.io/service-name label, or the Endpoints object's own name. */
  readonly serviceName?: string;
  /** The endpointslice.kubernetes.io/managed-by label, when present. */
  readonly managedBy?: string;
  readonly addressType: EndpointAddressType;
  readonly endpoints: readonly EndpointSliceEndpoint[];
  readonly ports: readonly EndpointSlicePort[];
  readonly source?: SourceLocation;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Everything the engine reasons about. */
export interface ClusterState {
  readonly namespaces: readonly Namespace[];
  readonly pods: readonly PodIdentity[];
  readonly policies: readonly NetworkPolicy[];
  readonly services: readonly Service[];
  /** Declared Nodes, then the nodes only pods name, by name. */
  readonly nodes: readonly Node[];
  /**
   * EndpointSlices and the parts of legacy Endpoints objects, as read. Kept beside the Services rather than folded
   * into them, as the API keeps them: a slice may come before its Service, name a Service the input lacks, or change
   * without its Service changing (the agent watches them separately). `serviceBackends` joins the two.
   */
  readonly endpointSlices: readonly EndpointSlice[];
}

/** The automatic namespace label the API server sets. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
