/** What the compiler produces: each local pod's entries per direction, before encoding to kernel structs. */
import { PortSet } from './port-set';
import { Prefix } from './prefix';

/** One peer prefix (a host is a /32 or /128) and the port set allowed to it. */
export interface PeerEntry extends Prefix {
  readonly ports: PortSet;
}

/** A direction is open (no policy selects the pod for it) or isolated (only what the entries allow passes). */
export type DirectionState = 'open' | 'isolated';

/** One direction of one pod: its state, host entries (exact addresses) and CIDR entries (longest prefix wins). */
export interface CompiledDirection {
  readonly state: DirectionState;
  /** Exact addresses of known pods whose set differs from what the CIDR entries give them. */
  readonly hosts: readonly PeerEntry[];
  /** Flattened CIDR entries: each carries the complete set for the addresses it is the longest match of. */
  readonly cidrs: readonly PeerEntry[];
}

/** A pod on this node, as the kernel knows it: by the ifindex of its host-side veth. */
export interface LocalPod {
  /** `namespace/name` of a pod identity in the cluster. */
  readonly id: string;
  /** The ifindex of the pod's host-side veth. */
  readonly ifindex: number;
}

/** What the compiler needs to know about the node itself, beyond its pods. */
export interface CompileOptions {
  /**
   * The node's own addresses (its InternalIPs, the host IPs its pods report). Traffic from them to the node's pods is
   * always allowed, as Kubernetes and EKS allow it (kubelet probes): each isolated pod's ingress gets a host entry
   * admitting every port and protocol from each of them.
   *
   * @default - none: node traffic is judged by the policies, as any address's
   */
  readonly nodeAddresses?: readonly string[];
}

/** The entries of one local pod. */
export interface CompiledPod {
  readonly id: string;
  readonly ifindex: number;
  readonly ingress: CompiledDirection;
  readonly egress: CompiledDirection;
}

/** Something the compiler could not express exactly; the kernel then enforces less than the engine predicts. */
export interface CompileProblem {
  /** The pod identity (`namespace/name`) the problem concerns. */
  readonly pod: string;
  readonly message: string;
}

/** Every local pod's entries, sorted by ifindex, and the problems found. */
export interface CompiledNode {
  readonly pods: readonly CompiledPod[];
  readonly problems: readonly CompileProblem[];
}
