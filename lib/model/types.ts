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

/** A Service, kept for lint rules; the engine ignores it. */
export interface Service {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly selector?: Labels;
  readonly ports: readonly { name?: string; port: number; targetPort?: number | string; protocol: Protocol }[];
  readonly source?: SourceLocation;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Everything the engine reasons about. */
export interface ClusterState {
  readonly namespaces: readonly Namespace[];
  readonly pods: readonly PodIdentity[];
  readonly policies: readonly NetworkPolicy[];
  readonly services: readonly Service[];
}

/** The automatic namespace label the API server sets. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
