/**
 * Verdicts through a Service: kube-proxy translates the Service's cluster IP and port to one backend and its target
 * port before any policy hook judges the packet, so a connection to a Service is a connection to one of its
 * backends. The verdict through the Service is therefore each backend's verdict on its resolved target port, and the
 * Service as a whole is `allowed` only when every backend is (kube-proxy picks the backend, not the client). Our
 * agent enforces exactly that at the cluster IP (fail closed: some backends allowed and some denied is denied
 * there), and `partial` names that case so a user sees which backends the policies leave out.
 */
import { Protocol, Service, ServicePort } from '../model/types';
import { ServiceBackend, UnresolvedBackend } from '../model/service-backends';
import { Verdict } from './evaluate';

/** The outcome of a probe through a Service. */
export type ServiceOutcome =
  /** Every backend is allowed on its target port. */
  | 'allowed'
  /** No backend is allowed. */
  | 'denied'
  /** Some backends are allowed, some denied: connections fail or succeed by kube-proxy's choice of backend. */
  | 'partial'
  /** The Service port has no backend (no matching pod, no endpoints, a named targetPort nobody declares, ExternalName). */
  | 'no-backends';

/** One backend of a probe through a Service. */
export interface BackendVerdict {
  /** The pod identity (`namespace/name`) behind the backend, or its address when no pod of the input has it. */
  readonly backend: string;
  /** The address kube-proxy sends to, when an EndpointSlice gives it. */
  readonly address?: string;
  /** The port the backend receives the traffic on. */
  readonly targetPort: number;
  /** The verdict of the translated connection: source to backend on the target port. */
  readonly verdict: Verdict;
}

/** A backend that receives nothing on this Service port, and why. */
export interface UnresolvedBackendVerdict {
  readonly backend: string;
  readonly reason: string;
}

/** A probe through one port of a Service. */
export interface ServiceVerdict {
  /** The source: a pod identity, `node/NAME`, `node` or an IP address. */
  readonly from: string;
  /** The Service, as `service/namespace/name`. */
  readonly to: string;
  /** `namespace/name` of the Service. */
  readonly service: string;
  /** The Service port clients connect to. */
  readonly port: number;
  /** The Service port's name, when it has one. */
  readonly portName?: string;
  readonly protocol: Protocol;
  /** The targetPort as the Service spells it (a number, or a container-port name resolved per backend). */
  readonly targetPort: number | string;
  readonly outcome: ServiceOutcome;
  /** True only when `outcome` is `allowed`. */
  readonly allowed: boolean;
  /** Every backend with a target port, in backend order (pod identities and addresses sorted). */
  readonly backends: readonly BackendVerdict[];
  /** Candidates that get no endpoint on this port (e.g. a named targetPort they do not declare). */
  readonly unresolved: readonly UnresolvedBackendVerdict[];
  /** Why the Service has no backend candidates at all, when that is so. */
  readonly reason?: string;
}

/** The id a Service has as a destination: `service/shop/api`. */
export function serviceRefOf(service: Service): string {
  return `${SERVICE_PREFIX}${service.namespace}/${service.name}`;
}

/** The spelling of Service destinations, kubectl's: `service/NS/NAME` or `svc/NS/NAME` (NAME alone in --namespace). */
export const SERVICE_PREFIX = 'service/';
const SERVICE_PREFIXES = ['service/', 'svc/'];

/**
 * The `namespace/name` a Service reference names, or undefined when `ref` is not one. `service/NAME` and `svc/NAME`
 * are in `namespace`.
 */
export function parseServiceRef(ref: string, namespace?: string): string | undefined {
  const prefix = SERVICE_PREFIXES.find((p) => ref.startsWith(p));
  if (!prefix) return undefined;
  const rest = ref.slice(prefix.length);
  if (rest.includes('/')) return rest;
  return namespace === undefined ? undefined : `${namespace}/${rest}`;
}

/** Aggregates the backends' verdicts. */
export function serviceOutcome(backends: readonly BackendVerdict[]): ServiceOutcome {
  if (backends.length === 0) return 'no-backends';
  const allowed = backends.filter((b) => b.verdict.allowed).length;
  return allowed === backends.length ? 'allowed' : allowed === 0 ? 'denied' : 'partial';
}

/**
 * Builds a service verdict from the resolved backends of one port, given how to judge one backend connection
 * (`judge` gets the backend and returns the verdict of source -> backend on its target port).
 */
export function serviceVerdict(
  from: string,
  service: Service,
  port: ServicePort,
  resolved: { readonly backends: readonly ServiceBackend[]; readonly unresolved: readonly UnresolvedBackend[]; readonly reason?: string },
  judge: (backend: ServiceBackend) => Verdict,
): ServiceVerdict {
  const backends = resolved.backends
    .map((b) => ({ backend: backendName(b), ...(b.kind === 'address' ? { address: b.address } : {}), targetPort: b.targetPort, verdict: judge(b) }))
    .sort((a, b) => compare(a.backend, b.backend) || a.targetPort - b.targetPort);
  const unresolved = resolved.unresolved.map((u) => ({ backend: backendName(u), reason: u.reason })).sort((a, b) => compare(a.backend, b.backend));
  const outcome = serviceOutcome(backends);
  const reason = outcome === 'no-backends'
    ? resolved.reason ?? (unresolved.length > 0 ? unresolved.map((u) => u.reason).join('; ') : 'no backend receives this port')
    : undefined;
  return {
    from,
    to: serviceRefOf(service),
    service: service.id,
    port: port.port,
    ...(port.name !== undefined ? { portName: port.name } : {}),
    protocol: port.protocol,
    targetPort: port.targetPort,
    outcome,
    allowed: outcome === 'allowed',
    backends,
    unresolved,
    ...(reason !== undefined ? { reason } : {}),
  };
}

function backendName(backend: ServiceBackend | UnresolvedBackend): string {
  if (backend.kind === 'pod') return backend.pod.id;
  return backend.pod?.id ?? backend.address;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
