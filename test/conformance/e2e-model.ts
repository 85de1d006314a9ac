/**
 * The cluster of the Kubernetes e2e network policy suite, as the plain objects the suite creates: namespaces x, y
 * and z (labelled `ns: <name>`; the API server adds `kubernetes.io/metadata.name`), pods a, b and c in each
 * (labelled `pod: <name>`), every pod serving ports 80 and 81 over TCP, UDP and SCTP from one container per port and
 * protocol, with container ports named like `serve-80-tcp`. Pod IPs are fixed here so ipBlock cases can name them.
 */
import { Labels, Protocol } from '../../lib/model/types';

export const NAMESPACES = ['x', 'y', 'z'] as const;
export const POD_NAMES = ['a', 'b', 'c'] as const;
/** `x/a` ... `z/c`, in the suite's order. */
export const PODS: readonly string[] = NAMESPACES.flatMap((ns) => POD_NAMES.map((pod) => `${ns}/${pod}`));
export const E2E_PORTS: readonly number[] = [80, 81];
export const E2E_PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** A raw Kubernetes object, as it would be read from YAML. */
export type KubeObject = Record<string, unknown>;

/** The IPv4 address of a pod of the model: x/a is 10.0.1.10, y/b is 10.0.2.11, z/c is 10.0.3.12. */
export function podIp(id: string): string {
  const [ns, pod] = id.split('/');
  const nsIndex = NAMESPACES.indexOf(ns as (typeof NAMESPACES)[number]);
  const podIndex = POD_NAMES.indexOf(pod as (typeof POD_NAMES)[number]);
  if (nsIndex < 0 || podIndex < 0) throw new Error(`"${id}" is not a pod of the e2e model`);
  return `10.0.${nsIndex + 1}.${podIndex + 10}`;
}

/** The IPv6 address of a pod of a dual-stack model: x/a is fd00:10:1::a, z/c is fd00:10:3::c. */
export function podIp6(id: string): string {
  const [, nsPart, podPart] = /^10\.0\.(\d)\.(\d+)$/.exec(podIp(id))!;
  return `fd00:10:${nsPart}::${Number(podPart).toString(16)}`;
}

/** The container port name the suite gives a port and protocol: `serve-80-tcp`. */
export function portName(port: number, protocol: Protocol): string {
  return `serve-${port}-${protocol.toLowerCase()}`;
}

/** What a test step changes in the model before it probes. */
export interface ModelOptions {
  /** The NetworkPolicies that exist at this step. */
  readonly policies: readonly KubeObject[];
  /** Labels replacing a pod's own (`{'x/b': {pod: 'b', pod2: 'updated'}}`). */
  readonly podLabels?: Readonly<Record<string, Labels>>;
  /** Labels replacing a namespace's own (`{y: {ns: 'y', ns2: 'updated'}}`). */
  readonly namespaceLabels?: Readonly<Record<string, Labels>>;
  /**
   * The ports every pod serves (over each protocol).
   *
   * @default [80, 81]
   */
  readonly ports?: readonly number[];
  /**
   * Gives every pod an IPv6 address too (`fd00:10:1::a` for x/a), after its IPv4 one.
   *
   * @default false
   */
  readonly dualStack?: boolean;
  /** Ports replacing the served ports of single pods (`{'y/b': [80]}`). */
  readonly podPorts?: Readonly<Record<string, readonly number[]>>;
}

/** Every object of the model: namespaces, pods, then the policies. */
export function e2eObjects(options: ModelOptions): KubeObject[] {
  const ports = options.ports ?? E2E_PORTS;
  const namespaces = NAMESPACES.map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: options.namespaceLabels?.[name] ?? { ns: name } },
  }));
  const pods = PODS.map((id) => {
    const [namespace, name] = id.split('/');
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: options.podLabels?.[id] ?? { pod: name } },
      spec: {
        containers: (options.podPorts?.[id] ?? ports).flatMap((port) => E2E_PROTOCOLS.map((protocol) => ({
          name: `cont-${port}-${protocol.toLowerCase()}`,
          image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
          ports: [{ containerPort: port, name: portName(port, protocol), protocol }],
        }))),
      },
      status: {
        phase: 'Running',
        podIP: podIp(id),
        podIPs: [{ ip: podIp(id) }, ...(options.dualStack ? [{ ip: podIp6(id) }] : [])],
      },
    };
  });
  // A typo in an override must fail loudly, not leave the model unchanged.
  for (const id of [...Object.keys(options.podLabels ?? {}), ...Object.keys(options.podPorts ?? {})]) podIp(id);
  return [...namespaces, ...pods, ...options.policies];
}

/** A NetworkPolicy object in `namespace`. */
export function networkPolicy(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/** `{pod: 'a'}` as a podSelector. */
export function podLabel(name: string): { matchLabels: Labels } {
  return { matchLabels: { pod: name } };
}

/** The egress rule the older suite added to egress policies so that DNS keeps working: UDP 53 to anywhere. */
export const ALLOW_DNS_RULE = { ports: [{ protocol: 'UDP', port: 53 }] } as const;
