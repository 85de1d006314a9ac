/**
 * Where a Service's traffic goes: per Service port, the backends and the port each one receives on. This is what
 * the endpoint controllers and kube-proxy compute, and what a policy sees, since kube-proxy translates a cluster IP
 * to a backend before any policy hook judges the packet.
 *
 * - A Service with a selector sends to the pod identities of its namespace whose labels match it (EndpointSlice
 *   controller, syncService:
 *   https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/endpointslice/endpointslice_controller.go).
 *   A numeric targetPort is used as it is; a named one resolves, per pod, to the container port with that name AND
 *   the Service port's protocol, and a pod without one gets no endpoint for that port (FindPort in
 *   https://github.com/kubernetes/kubernetes/blob/master/pkg/api/v1/pod/util.go).
 * - A Service without a selector (or with `selector: {}`, which the API treats the same, see validate-service.ts)
 *   sends to the addresses of the EndpointSlices labelled `kubernetes.io/service-name: <name>`, or, when there are
 *   none, of the legacy Endpoints object of the same name (the mirroring controller would make slices of it). Each
 *   Service port takes the slice port of the same name and protocol, and that port's number is the target port
 *   (kube-proxy, endpointInfoByServicePort:
 *   https://github.com/kubernetes/kubernetes/blob/master/pkg/proxy/endpointslicecache.go). An endpoint whose
 *   conditions.ready is false receives nothing.
 * - EndpointSlices that another controller than the EndpointSlice controller manages also add backends to a Service
 *   with a selector, as kube-proxy reads every slice of the Service.
 * - Headless Services have backends too (DNS answers with their addresses); ExternalName Services have none.
 *
 * Pure: the same cluster and Service give the same answer. Indexes are built once per pod and slice list.
 */
import { formatSelector, selectorMatches } from './selector';
import { ClusterState, EndpointSlice, EndpointSliceEndpoint, PodIdentity, Service, ServicePort } from './types';

/** Who a backend is: a pod identity (from the selector), or an address of an EndpointSlice. */
export type BackendTarget =
  | { readonly kind: 'pod'; readonly pod: PodIdentity }
  | {
    readonly kind: 'address';
    readonly address: string;
    /** The id of the EndpointSlice (or Endpoints part) that lists the address. */
    readonly endpointSlice: string;
    /** The pod identity behind the address, when the slice's targetRef or a pod IP names one. */
    readonly pod?: PodIdentity;
    readonly nodeName?: string;
  };

/** A backend that receives the Service port's traffic on `targetPort`. */
export type ServiceBackend = BackendTarget & { readonly targetPort: number };

/** A backend that receives nothing on this Service port, and why. */
export type UnresolvedBackend = BackendTarget & { readonly targetPort: undefined; readonly reason: string };

/** The backends of one Service port. */
export interface ServicePortBackends {
  readonly port: ServicePort;
  readonly backends: readonly ServiceBackend[];
  readonly unresolved: readonly UnresolvedBackend[];
}

/** The backends of a Service, port by port (in spec order). */
export interface ServiceBackends {
  readonly service: Service;
  readonly ports: readonly ServicePortBackends[];
  /** Why the Service has no backend candidates at all (ExternalName, no matching pod, no endpoints), when that is so. */
  readonly reason?: string;
}

/** The controller that manages the slices of Services with a selector (endpointslice.ControllerName). */
const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
/** The controller that mirrors Endpoints into slices, for Services without a selector only. */
const MIRRORING_CONTROLLER = 'endpointslicemirroring-controller.k8s.io';
/** Endpoints labelled so are not mirrored into slices, so kube-proxy never sees them. */
const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';

/** The backends of `service` in `cluster`, resolved per port. */
export function serviceBackends(cluster: ClusterState, service: Service): ServiceBackends {
  if (service.type === 'ExternalName') {
    const reason = `an ExternalName Service is a DNS alias (CNAME) for ${service.externalName ?? 'another name'}: kube-proxy programs nothing for it, and clients connect to whatever that name resolves to`;
    return { service, reason, ports: service.ports.map((port) => ({ port, backends: [], unresolved: [] })) };
  }
  const podIndex = indexPods(cluster.pods);
  const slices = slicesOf(cluster, service);
  if (service.selector) {
    const selector = { matchLabels: service.selector };
    const inNamespace = podIndex.byNamespace.get(service.namespace) ?? [];
    const pods = inNamespace.filter((pod) => selectorMatches(selector, pod.labels));
    // Slices of other controllers (a mesh, a hand-written one) add to the selector's backends; the controller's own
    // slices only repeat them, and mirrored slices are removed once a Service has a selector.
    const extra = slices.filter((slice) => slice.kind === 'EndpointSlice' && slice.managedBy !== ENDPOINTSLICE_CONTROLLER && slice.managedBy !== MIRRORING_CONTROLLER);
    const ports = service.ports.map((port) => merge(port, pods.map((pod) => podBackend(pod, port)), addressBackends(extra, port, podIndex)));
    if (pods.length > 0 || extra.length > 0) return { service, ports };
    const reason = inNamespace.length === 0
      ? `namespace ${service.namespace} has no pods, so the selector ${formatSelector(selector)} selects none`
      : `no pod in namespace ${service.namespace} matches the selector ${formatSelector(selector)}`;
    return { service, ports, reason };
  }
  const ownSlices = slices.filter((slice) => slice.kind === 'EndpointSlice');
  const mirrorable = slices.filter((slice) => slice.kind === 'Endpoints' && labelOf(slice, SKIP_MIRROR_LABEL) !== 'true');
  const sources = ownSlices.length > 0 ? ownSlices : mirrorable;
  const ports = service.ports.map((port) => merge(port, [], addressBackends(sources, port, podIndex)));
  if (sources.length > 0) return { service, ports };
  const skipped = slices.length > 0 ? `; Endpoints ${service.namespace}/${service.name} is labelled ${SKIP_MIRROR_LABEL}: "true", so it is never mirrored to kube-proxy` : '';
  return {
    service,
    ports,
    reason: `the Service has no selector, and no EndpointSlice labelled kubernetes.io/service-name: ${service.name} nor Endpoints object of that name gives it endpoints${skipped}`,
  };
}

/** One port's backends from both sources; an address listed twice (in two slices) counts once, as in kube-proxy. */
function merge(port: ServicePort, fromPods: readonly (ServiceBackend | UnresolvedBackend)[], fromSlices: readonly (ServiceBackend | UnresolvedBackend)[]): ServicePortBackends {
  const backends: ServiceBackend[] = [];
  const unresolved: UnresolvedBackend[] = [];
  const seen = new Set<string>();
  for (const backend of [...fromPods, ...fromSlices]) {
    if (backend.targetPort === undefined) {
      unresolved.push(backend as UnresolvedBackend);
      continue;
    }
    if (backend.kind === 'address') {
      const key = `${backend.address}:${backend.targetPort}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    backends.push(backend as ServiceBackend);
  }
  return { port, backends, unresolved };
}

/** A selected pod on one Service port: the target port resolved as the endpoint controllers resolve it. */
function podBackend(pod: PodIdentity, port: ServicePort): ServiceBackend | UnresolvedBackend {
  const target = port.targetPort;
  if (typeof target === 'number') return { kind: 'pod', pod, targetPort: target };
  const named = pod.ports.filter((p) => p.name === target);
  const match = named.find((p) => p.protocol === port.protocol);
  if (match) return { kind: 'pod', pod, targetPort: match.port };
  const reason = named.length > 0
    ? `${pod.id} declares the container port "${target}" as ${named.map((p) => p.protocol).join(', ')}, not ${port.protocol}, so it gets no endpoint for this port`
    : `${pod.id} declares no container port named "${target}", so it gets no endpoint for this port`;
  return { kind: 'pod', pod, targetPort: undefined, reason };
}

/** The addresses of `slices` on one Service port. */
function addressBackends(slices: readonly EndpointSlice[], port: ServicePort, pods: PodIndex): (ServiceBackend | UnresolvedBackend)[] {
  const out: (ServiceBackend | UnresolvedBackend)[] = [];
  const portName = port.name ?? '';
  for (const slice of slices) {
    // kube-proxy keys a slice port by (name, protocol); an unnamed slice port serves the unnamed Service port.
    const slicePort = slice.ports.find((p) => (p.name ?? '') === portName && p.protocol === port.protocol);
    for (const endpoint of slice.endpoints) {
      const target = addressTarget(slice, endpoint, pods);
      const unresolved = (reason: string): UnresolvedBackend => ({ ...target, targetPort: undefined, reason });
      if (slice.addressType === 'FQDN') {
        out.push(unresolved(`${slice.kind} ${slice.id} lists a DNS name, and kube-proxy programs only IPv4 and IPv6 endpoints`));
      } else if (!slicePort) {
        out.push(unresolved(`${slice.kind} ${slice.id} has no ${port.protocol} port ${portName === '' ? 'without a name' : `named "${portName}"`}, which Service port ${port.port} takes its endpoints from`));
      } else if (slicePort.port === undefined) {
        out.push(unresolved(`the ${slice.kind} ${slice.id} port ${portName === '' ? '(unnamed)' : `"${portName}"`} has no port number, and kube-proxy skips such a port`));
      } else if (!endpoint.ready) {
        out.push(unresolved(slice.kind === 'Endpoints' ? `listed under notReadyAddresses of Endpoints ${slice.id}` : `not ready (conditions.ready: false in EndpointSlice ${slice.id})`));
      } else {
        out.push({ ...target, targetPort: slicePort.port });
      }
    }
  }
  return out;
}

/** The address backend of one endpoint (kube-proxy uses its first address), with the pod behind it when known. */
function addressTarget(slice: EndpointSlice, endpoint: EndpointSliceEndpoint, pods: PodIndex): BackendTarget {
  const address = endpoint.addresses[0];
  const ref = endpoint.targetRef;
  const byRef = ref?.kind === 'Pod' && ref.name !== undefined ? pods.byId.get(`${ref.namespace ?? slice.namespace}/${ref.name}`) : undefined;
  const pod = byRef ?? pods.byIp.get(address);
  return {
    kind: 'address',
    address,
    endpointSlice: slice.id,
    ...(pod ? { pod } : {}),
    ...(endpoint.nodeName !== undefined ? { nodeName: endpoint.nodeName } : {}),
  };
}

function labelOf(slice: EndpointSlice, key: string): unknown {
  const labels = slice.metadata?.labels;
  return typeof labels === 'object' && labels !== null ? (labels as Record<string, unknown>)[key] : undefined;
}

interface PodIndex {
  readonly byNamespace: ReadonlyMap<string, readonly PodIdentity[]>;
  readonly byId: ReadonlyMap<string, PodIdentity>;
  /** Pod IPs that one pod identity has; an address several share (hostNetwork pods on one node) names none. */
  readonly byIp: ReadonlyMap<string, PodIdentity>;
}

const podIndexes = new WeakMap<readonly PodIdentity[], PodIndex>();
const sliceIndexes = new WeakMap<readonly EndpointSlice[], ReadonlyMap<string, readonly EndpointSlice[]>>();

/** Indexes of a pod list, built once per list (the list must not be mutated afterwards). */
function indexPods(pods: readonly PodIdentity[]): PodIndex {
  let index = podIndexes.get(pods);
  if (index) return index;
  const byNamespace = new Map<string, PodIdentity[]>();
  const byId = new Map<string, PodIdentity>();
  const byIp = new Map<string, PodIdentity>();
  const shared = new Set<string>();
  for (const pod of pods) {
    let list = byNamespace.get(pod.namespace);
    if (!list) byNamespace.set(pod.namespace, (list = []));
    list.push(pod);
    byId.set(pod.id, pod);
    for (const ip of pod.ips) {
      if (byIp.has(ip) && byIp.get(ip) !== pod) shared.add(ip);
      else byIp.set(ip, pod);
    }
  }
  for (const ip of shared) byIp.delete(ip);
  index = { byNamespace, byId, byIp };
  podIndexes.set(pods, index);
  return index;
}

/** The slices that name `service` (same namespace, service name), indexed once per slice list. */
function slicesOf(cluster: ClusterState, service: Service): readonly EndpointSlice[] {
  let index = sliceIndexes.get(cluster.endpointSlices);
  if (!index) {
    const map = new Map<string, EndpointSlice[]>();
    for (const slice of cluster.endpointSlices) {
      if (slice.serviceName === undefined) continue;
      const key = `${slice.namespace}/${slice.serviceName}`;
      let list = map.get(key);
      if (!list) map.set(key, (list = []));
      list.push(slice);
    }
    index = map;
    sliceIndexes.set(cluster.endpointSlices, index);
  }
  return index.get(service.id) ?? [];
}
