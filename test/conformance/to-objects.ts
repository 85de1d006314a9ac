/**
 * A model cluster state written back as the plain Kubernetes objects a user would apply: the inverse of the loader,
 * for the property that loading what we write gives the same verdicts. Policies carry explicit policyTypes (the model
 * has them after defaulting), an absent peer or port list stays absent, and CIDRs are written in canonical text.
 */
import { ClusterState, NAMESPACE_NAME_LABEL, PolicyPeer, PolicyPort, PolicyRule } from '../../lib/model/types';
import { KubeObject } from './e2e-model';

export function toObjects(cluster: ClusterState): KubeObject[] {
  const namespaces = cluster.namespaces.filter((ns) => ns.declared).map((ns) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns.name, labels: withoutAutomaticLabel(ns.labels) },
  }));
  const pods = cluster.pods.map((pod) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.name, namespace: pod.namespace, labels: { ...pod.labels } },
    spec: {
      containers: [{
        name: 'main',
        image: 'example',
        ports: pod.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.port, protocol: p.protocol })),
      }],
    },
    ...(pod.ips.length > 0 ? { status: { podIP: pod.ips[0], podIPs: pod.ips.map((ip) => ({ ip })) } } : {}),
  }));
  const policies = cluster.policies.map((policy) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: policy.name, namespace: policy.namespace },
    spec: {
      podSelector: policy.podSelector,
      policyTypes: [...policy.policyTypes],
      ingress: policy.ingress.map((r) => ruleObject(r, 'from')),
      egress: policy.egress.map((r) => ruleObject(r, 'to')),
    },
  }));
  return [...namespaces, ...pods, ...policies];
}

function withoutAutomaticLabel(labels: Readonly<Record<string, string>>): Record<string, string> {
  const rest: Record<string, string> = { ...labels };
  delete rest[NAMESPACE_NAME_LABEL];
  return rest;
}

function ruleObject(rule: PolicyRule, peersKey: 'from' | 'to'): Record<string, unknown> {
  return {
    ...(rule.peers ? { [peersKey]: rule.peers.map(peerObject) } : {}),
    ...(rule.ports ? { ports: rule.ports.map(portObject) } : {}),
  };
}

function peerObject(peer: PolicyPeer): Record<string, unknown> {
  if (peer.ipBlock) {
    const except = peer.ipBlock.except.map((c) => c.text);
    return { ipBlock: { cidr: peer.ipBlock.cidr.text, ...(except.length > 0 ? { except } : {}) } };
  }
  return {
    ...(peer.podSelector ? { podSelector: peer.podSelector } : {}),
    ...(peer.namespaceSelector ? { namespaceSelector: peer.namespaceSelector } : {}),
  };
}

function portObject(port: PolicyPort): Record<string, unknown> {
  return {
    protocol: port.protocol,
    ...(port.port !== undefined ? { port: port.port } : {}),
    ...(port.endPort !== undefined ? { endPort: port.endPort } : {}),
  };
}
