/**
 * The JSON shapes of networking.k8s.io/v1 NetworkPolicy as we write them (the wire form, before the engine parses
 * and normalizes it into lib/model/types.ts).
 */
import { LabelSelector, Protocol } from '../../../lib/model/types';

export interface KubeIpBlock {
  readonly cidr: string;
  readonly except?: string[];
}

export interface KubePeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: KubeIpBlock;
}

export interface KubePort {
  readonly protocol: Protocol;
  readonly port?: number | string;
  readonly endPort?: number;
}

/** A rule in either direction; `peers` undefined means every peer, `ports` undefined every port. */
export interface Rule {
  readonly peers?: readonly KubePeer[];
  readonly ports?: readonly KubePort[];
}

export interface KubeNetworkPolicy {
  readonly apiVersion: 'networking.k8s.io/v1';
  readonly kind: 'NetworkPolicy';
  readonly metadata: { name: string; namespace: string; labels?: Record<string, string> };
  readonly spec: KubeNetworkPolicySpec;
}

export interface KubeNetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes: ('Ingress' | 'Egress')[];
  ingress?: { from?: KubePeer[]; ports?: KubePort[] }[];
  egress?: { to?: KubePeer[]; ports?: KubePort[] }[];
}
