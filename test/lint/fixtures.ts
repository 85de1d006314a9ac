/**
 * Kubernetes objects for lint tests, built as plain objects and read through the real loader (clusterFromObjects),
 * so the rules see exactly what `eks-netpol lint` sees.
 */
import { lintCluster } from '../../lib/lint';
import { Finding, LintOptions } from '../../lib/lint/types';
import { clusterFromObjects } from '../../lib/manifests';
import { formatProblem } from '../../lib/model/problems';
import { ClusterState } from '../../lib/model/types';

type Obj = Record<string, unknown>;

export function namespace(name: string, labels: Record<string, string> = {}): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export interface PodOptions {
  readonly ports?: { name?: string; containerPort: number; protocol?: string }[];
  readonly hostNetwork?: boolean;
  readonly nodeSelector?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly container?: Obj;
  readonly env?: { name: string; value: string }[];
}

function podSpec(options: PodOptions): Obj {
  return {
    ...(options.hostNetwork ? { hostNetwork: true } : {}),
    ...(options.nodeSelector ? { nodeSelector: options.nodeSelector } : {}),
    containers: [{
      name: 'app',
      image: 'alpine:3.20',
      ...(options.ports ? { ports: options.ports } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...options.container,
    }],
  };
}

/** A Deployment whose pod template carries `labels`. */
export function deployment(ns: string, name: string, labels: Record<string, string>, options: PodOptions = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec(options) } },
  };
}

export function daemonSet(ns: string, name: string, labels: Record<string, string>, options: PodOptions = {}): Obj {
  return { ...deployment(ns, name, labels, options), kind: 'DaemonSet' };
}

/** A Pod; bare unless `owned`. */
export function pod(ns: string, name: string, labels: Record<string, string>, options: PodOptions & { owned?: boolean } = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name, namespace: ns, labels,
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ...(options.owned ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-rs`, uid: '1' }] } : {}),
    },
    spec: podSpec(options),
  };
}

export function policy(ns: string, name: string, spec: Obj, annotations?: Record<string, string>): Obj {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
    spec,
  };
}

export function service(ns: string, name: string, selector: Record<string, string>, ports: Obj[]): Obj {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector, ports } };
}

/** CoreDNS as EKS runs it. */
export function coreDns(): Obj {
  return deployment('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, {
    ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }],
  });
}

export const DENY_ALL_EGRESS = { podSelector: {}, policyTypes: ['Egress'] };

/** An egress rule admitting DNS to kube-dns on the given protocols. */
export function dnsRule(protocols: string[] = ['UDP', 'TCP']): Obj {
  return {
    to: [{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    }],
    ports: protocols.map((protocol) => ({ protocol, port: 53 })),
  };
}

/** Loads the objects (failing the test on any problem) into a cluster. */
export function clusterOf(objects: Obj[]): ClusterState {
  const { cluster, problems } = clusterFromObjects(objects, { file: 'test.yaml' });
  if (problems.length > 0) throw new Error(`fixture is invalid:\n${problems.map(formatProblem).join('\n')}`);
  return cluster;
}

export function lint(objects: Obj[], options: LintOptions = {}): Finding[] {
  return lintCluster(clusterOf(objects), options);
}

/** The findings of one rule. */
export function findingsOf(rule: string, objects: Obj[], options: LintOptions = {}): Finding[] {
  return lint(objects, options).filter((f) => f.rule === rule);
}

/** A Service with any spec: a type, `clusterIP: None`, no selector, an externalName. */
export function serviceWith(ns: string, name: string, spec: Obj): Obj {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec };
}

/** An EndpointSlice of the Service `serviceName`, its endpoints at `addresses`. */
export function endpointSlice(ns: string, name: string, serviceName: string, addresses: string[], ports: Obj[]): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    endpoints: addresses.map((address) => ({ addresses: [address] })),
    ports,
  };
}

/** The VPC CNI's aws-node DaemonSet, its network policy agent container at `agentVersion` (e.g. `v1.0.5`). */
export function awsNode(agentVersion: string, env: { name: string; value: string }[] = []): Obj {
  const labels = { 'k8s-app': 'aws-node' };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'aws-node', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          containers: [
            { name: 'aws-node', image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.15.0-eksbuild.2', env },
            { name: 'aws-eks-nodeagent', image: `602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-network-policy-agent:${agentVersion}-eksbuild.1` },
          ],
        },
      },
    },
  };
}

/** eks-netpol's own node agent DaemonSet, labelled as PolicyAgent writes it. */
export function eksNetpolAgent(): Obj {
  return daemonSet('kube-system', 'eks-netpol-agent', {
    'app.kubernetes.io/name': 'eks-netpol-agent', 'app.kubernetes.io/component': 'node-agent', 'app.kubernetes.io/part-of': 'eks-netpol',
  }, { hostNetwork: true });
}
