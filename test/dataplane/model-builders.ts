/** Small builders of validated model objects for the data-plane tests. */
import { parseCidr } from '../../lib/model/cidr';
import {
  ClusterState, ContainerPort, IpBlock, LabelSelector, NAMESPACE_NAME_LABEL, NetworkPolicy, PodIdentity, PolicyRule,
} from '../../lib/model/types';

export function pod(id: string, labels: Record<string, string>, ips: string[], ports: ContainerPort[] = []): PodIdentity {
  const [namespace, name] = id.split('/');
  return { id, namespace, name, kind: 'Pod', labels, ports, ips };
}

export function block(cidr: string, ...except: string[]): IpBlock {
  return { cidr: parseCidr(cidr)!, except: except.map((e) => parseCidr(e)!) };
}

export function policy(id: string, podSelector: LabelSelector, rules: { ingress?: PolicyRule[]; egress?: PolicyRule[] }): NetworkPolicy {
  const [namespace, name] = id.split('/');
  const policyTypes = [...(rules.ingress ? ['Ingress' as const] : []), ...(rules.egress ? ['Egress' as const] : [])];
  return { id, namespace, name, podSelector, policyTypes, ingress: rules.ingress ?? [], egress: rules.egress ?? [] };
}

export function cluster(pods: PodIdentity[], policies: NetworkPolicy[]): ClusterState {
  const names = [...new Set([...pods.map((p) => p.namespace), ...policies.map((p) => p.namespace)])].sort();
  return {
    namespaces: names.map((name) => ({ name, labels: { [NAMESPACE_NAME_LABEL]: name }, declared: true })),
    pods,
    policies,
    services: [],
    nodes: [],
    endpointSlices: [],
  };
}
