/**
 * A model cluster state written back as the plain Kubernetes objects a user would apply: the inverse of the loader,
 * for the property that loading what we write gives the same verdicts. By default policies carry explicit
 * policyTypes, an absent peer or port list stays absent, and CIDRs are in canonical text; the `Spelling` options
 * write the same meaning the other ways the API accepts, so that the loader's defaulting and normalization are
 * checked too.
 */
import { formatIp } from '../../lib/model/cidr';
import { Cidr, ClusterState, NAMESPACE_NAME_LABEL, NetworkPolicy, PodIdentity, PolicyPeer, PolicyPort, PolicyRule } from '../../lib/model/types';
import { WORKLOAD_LABEL } from './arbitraries';
import { KubeObject } from './e2e-model';

/** Equivalent ways to write a policy. Each flag, when set, picks the less explicit spelling. */
export interface Spelling {
  /** Leave out policyTypes where the API's defaulting gives the same (Ingress, plus Egress when egress rules exist). */
  readonly defaultPolicyTypes?: boolean;
  /** Leave out the rules of a direction that policyTypes does not name (they are ignored either way). */
  readonly dropIgnoredRules?: boolean;
  /** Write an absent peer or port list as an empty list. */
  readonly emptyLists?: boolean;
  /** Leave out `protocol: TCP`. */
  readonly defaultProtocol?: boolean;
  /** Set the lowest host bit of CIDRs that have one (the API masks it). */
  readonly hostBits?: boolean;
}

export function toObjects(cluster: ClusterState, spelling: Spelling = {}): KubeObject[] {
  const namespaces = cluster.namespaces.filter((ns) => ns.declared).map((ns) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns.name, labels: withoutAutomaticLabel(ns.labels) },
  }));
  const pods = cluster.pods.map(podObject);
  const policies = cluster.policies.map((policy) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: policy.name, namespace: policy.namespace },
    spec: policySpec(policy, spelling),
  }));
  return [...namespaces, ...pods, ...policies];
}

/** A bare Pod with its IPs, or the workload whose pod template carries the identity's labels and ports. */
function podObject(pod: PodIdentity): KubeObject {
  const spec = {
    containers: [{
      name: 'main',
      image: 'example',
      ports: pod.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.port, protocol: p.protocol })),
    }],
    ...(pod.kind === 'Job' || pod.kind === 'CronJob' ? { restartPolicy: 'Never' } : {}),
  };
  const metadata = { name: pod.name, namespace: pod.namespace };
  const template = { metadata: { labels: { ...pod.labels } }, spec };
  switch (pod.kind) {
    case 'Pod':
      return {
        apiVersion: 'v1', kind: 'Pod', metadata: { ...metadata, labels: { ...pod.labels } }, spec,
        ...(pod.ips.length > 0 ? { status: { podIP: pod.ips[0], podIPs: pod.ips.map((ip) => ({ ip })) } } : {}),
      };
    case 'Job':
      return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: { template } };
    case 'CronJob':
      return { apiVersion: 'batch/v1', kind: 'CronJob', metadata, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } } };
    default:
      return {
        apiVersion: 'apps/v1', kind: pod.kind, metadata,
        spec: { selector: { matchLabels: { [WORKLOAD_LABEL]: pod.name } }, template, ...(pod.kind === 'StatefulSet' ? { serviceName: pod.name } : {}) },
      };
  }
}

function withoutAutomaticLabel(labels: Readonly<Record<string, string>>): Record<string, string> {
  const rest: Record<string, string> = { ...labels };
  delete rest[NAMESPACE_NAME_LABEL];
  return rest;
}

function policySpec(policy: NetworkPolicy, spelling: Spelling): Record<string, unknown> {
  const has = (type: 'Ingress' | 'Egress') => policy.policyTypes.includes(type);
  const ingress = spelling.dropIgnoredRules && !has('Ingress') ? [] : policy.ingress;
  const egress = spelling.dropIgnoredRules && !has('Egress') ? [] : policy.egress;
  const defaulted = egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  const sameAsDefault = defaulted.length === policy.policyTypes.length && defaulted.every((t) => has(t as 'Ingress' | 'Egress'));
  return {
    podSelector: policy.podSelector,
    ...(spelling.defaultPolicyTypes && sameAsDefault ? {} : { policyTypes: [...policy.policyTypes] }),
    ...(ingress.length > 0 || !spelling.dropIgnoredRules ? { ingress: ingress.map((r) => ruleObject(r, 'from', spelling)) } : {}),
    ...(egress.length > 0 || !spelling.dropIgnoredRules ? { egress: egress.map((r) => ruleObject(r, 'to', spelling)) } : {}),
  };
}

function ruleObject(rule: PolicyRule, peersKey: 'from' | 'to', spelling: Spelling): Record<string, unknown> {
  const empty = spelling.emptyLists ? [] : undefined;
  const peers = rule.peers ? rule.peers.map((p) => peerObject(p, spelling)) : empty;
  const ports = rule.ports ? rule.ports.map((p) => portObject(p, spelling)) : empty;
  return { ...(peers ? { [peersKey]: peers } : {}), ...(ports ? { ports } : {}) };
}

function peerObject(peer: PolicyPeer, spelling: Spelling): Record<string, unknown> {
  if (peer.ipBlock) {
    const except = peer.ipBlock.except.map((c) => cidrText(c, spelling));
    return { ipBlock: { cidr: cidrText(peer.ipBlock.cidr, spelling), ...(except.length > 0 ? { except } : {}) } };
  }
  return {
    ...(peer.podSelector ? { podSelector: peer.podSelector } : {}),
    ...(peer.namespaceSelector ? { namespaceSelector: peer.namespaceSelector } : {}),
  };
}

function cidrText(cidr: Cidr, spelling: Spelling): string {
  const bits = cidr.family === 4 ? 32 : 128;
  if (!spelling.hostBits || cidr.prefixLength === bits) return cidr.text;
  return `${formatIp(cidr.family, cidr.address | 1n)}/${cidr.prefixLength}`;
}

function portObject(port: PolicyPort, spelling: Spelling): Record<string, unknown> {
  return {
    ...(spelling.defaultProtocol && port.protocol === 'TCP' ? {} : { protocol: port.protocol }),
    ...(port.port !== undefined ? { port: port.port } : {}),
    ...(port.endPort !== undefined ? { endPort: port.endPort } : {}),
  };
}
