import { parseIp } from '../model/cidr';
import { ServiceBackend, ServiceBackends, serviceBackends } from '../model/service-backends';
import { ClusterState, NetworkPolicy, Node, Protocol, Service } from '../model/types';
import { Endpoint, externalEndpoint, namespaceLabelsOf, NODE_PREFIX, nodeEndpoint, OWN_NODE_ID, PodEndpoint, podEndpoint } from './endpoint';
import { evaluateProbe, policySelects, Verdict } from './evaluate';
import { computeMatrix, MatrixResult } from './matrix';
import { PortQuery, resolvePort } from './ports';
import { parseServiceRef, ServiceVerdict, serviceVerdict } from './service-verdict';

export type { PortQuery } from './ports';
export type { BackendVerdict, ServiceOutcome, ServiceVerdict, UnresolvedBackendVerdict } from './service-verdict';

/** Which probes to make. */
export interface ProbeQuery {
  /**
   * Sources: pod identities (`namespace/name`) or IP addresses (cluster-external endpoints).
   *
   * @default - every pod identity
   */
  readonly from?: readonly string[];
  /**
   * Destinations, as `from`.
   *
   * @default - every pod identity
   */
  readonly to?: readonly string[];
  /**
   * Ports probed on every pair, whether or not the destination declares them (the verdict is the policy's,
   * independent of whether something listens). A named port is probed only on destinations that declare it.
   *
   * @default - each destination's declared container ports
   */
  readonly ports?: readonly PortQuery[];
}

/** Which probes through Services to make. */
export interface ServiceProbeQuery {
  /**
   * Sources, as ProbeQuery's (pod identities, `node/NAME`, `node`, IP addresses).
   *
   * @default - every pod identity
   */
  readonly from?: readonly string[];
  /** The Services: `namespace/name` or `service/namespace/name`. */
  readonly to: readonly string[];
  /**
   * Service ports, by number (optionally with a protocol) or by the Service port's name.
   *
   * @default - every port of each Service
   */
  readonly ports?: readonly PortQuery[];
}

/** Counts of a probe run. */
export interface Summary {
  readonly probes: number;
  readonly allowed: number;
  readonly denied: number;
}

/** Raised for a `from`/`to`/`port` that names nothing in the input. */
export class UnknownEndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownEndpointError';
  }
}

/**
 * Who can reach whom, and why, over one cluster state.
 *
 * ```ts
 * const reach = new Reachability(cluster);
 * reach.check('shop/web', 'shop/api', 'http').allowed;    // one probe, with reasons
 * reach.probe({ to: ['shop/db'] }).summary;               // many probes at once
 * ```
 */
export class Reachability {
  private readonly pods: PodEndpoint[];
  private readonly podsById = new Map<string, PodEndpoint>();
  private readonly relevantPolicies: PoliciesByEndpoint;
  private readonly nodesByName = new Map<string, Node>();
  private readonly servicesById = new Map<string, Service>();

  constructor(readonly cluster: ClusterState) {
    for (const node of cluster.nodes) this.nodesByName.set(node.name, node);
    for (const service of cluster.services) this.servicesById.set(service.id, service);
    const namespaceLabels = namespaceLabelsOf(cluster);
    this.pods = [...cluster.pods]
      .sort((a, b) => compareIds(a.id, b.id))
      .map((pod) => podEndpoint(pod, namespaceLabels.get(pod.namespace)!));
    for (const pod of this.pods) this.podsById.set(pod.id, pod);
    this.relevantPolicies = new PoliciesByEndpoint(cluster.policies);
  }

  /** Every pod identity, sorted by namespace then name. */
  get podIds(): string[] {
    return this.pods.map((p) => p.id);
  }

  /** Every node's endpoint id (`node/NAME`), sorted. */
  get nodeIds(): string[] {
    return [...this.nodesByName.keys()].sort(compareIds).map((name) => `${NODE_PREFIX}${name}`);
  }

  /** Every Service, as `namespace/name`, sorted. */
  get serviceIds(): string[] {
    return [...this.servicesById.keys()].sort(compareIds);
  }

  /**
   * Resolves `namespace/name` (a pod identity), `node/NAME`, `node` (the destination's own node) or an IP address to
   * an endpoint; throws UnknownEndpointError otherwise. A pod identity wins over a node of the same spelling.
   */
  endpoint(ref: string): Endpoint {
    const pod = this.podsById.get(ref);
    if (pod) return pod;
    if (parseIp(ref)) return externalEndpoint(ref)!;
    if (ref === OWN_NODE_ID) return nodeEndpoint();
    if (ref.startsWith(NODE_PREFIX)) {
      const node = this.nodesByName.get(ref.slice(NODE_PREFIX.length));
      if (node) return nodeEndpoint(node);
      const known = this.nodeIds;
      throw new UnknownEndpointError(`"${ref}" is not a node of the input. ${known.length > 0 ? `Its nodes are ${known.map((n) => `"${n}"`).join(', ')}.` : 'The input has no nodes: add Node objects, Pods with spec.nodeName or status.hostIP, or name one with --node NAME=IP.'} "node" alone is each destination's own node.`);
    }
    const name = ref.includes('/') ? ref.slice(ref.indexOf('/') + 1) : ref;
    const similar = this.pods.filter((p) => p.pod.name === name).map((p) => p.id);
    const hint = similar.length > 0
      ? ` Did you mean ${similar.map((s) => `"${s}"`).join(' or ')}?`
      : ' Name a pod identity as namespace/name (a Pod or a workload such as a Deployment) or give an IP address.';
    throw new UnknownEndpointError(`"${ref}" is not a pod identity in the input or an IP address.${hint}`);
  }

  /**
   * The verdict for one probe, with reasons. A named port resolves on the destination's container ports.
   */
  check(from: string, to: string, port: number | string, protocol?: Protocol): Verdict {
    const source = this.endpoint(from);
    const destination = this.endpoint(to);
    const resolved = resolvePort(destination, { port, protocol });
    if (!resolved) throw new UnknownEndpointError(namedPortMissing(String(port), destination));
    return evaluateProbe(this.relevantPolicies.between(source, destination), source, destination, resolved.port, resolved.protocol);
  }

  /** Shorthand for `check(...).allowed`. */
  isAllowed(from: string, to: string, port: number | string, protocol?: Protocol): boolean {
    return this.check(from, to, port, protocol).allowed;
  }

  /**
   * Resolves a Service: `namespace/name`, or `service/namespace/name` / `svc/namespace/name`. Throws
   * UnknownEndpointError naming the Services of the input otherwise.
   */
  service(ref: string): Service {
    const id = parseServiceRef(ref) ?? ref;
    const service = this.servicesById.get(id);
    if (service) return service;
    const name = id.slice(id.indexOf('/') + 1);
    const similar = this.serviceIds.filter((s) => s.endsWith(`/${name}`));
    const hint = similar.length > 0
      ? ` Did you mean ${similar.map((s) => `"service/${s}"`).join(' or ')}?`
      : this.servicesById.size > 0 ? ` Its Services are ${this.serviceIds.slice(0, 10).map((s) => `"service/${s}"`).join(', ')}${this.servicesById.size > 10 ? ', ...' : ''}.` : ' The input declares no Service.';
    throw new UnknownEndpointError(`"${ref}" is not a Service of the input.${hint}`);
  }

  /**
   * The verdict through one port of a Service: each backend's verdict on its resolved target port, and the outcome
   * (`allowed` only when every backend is). `port` is the Service port's number or its name.
   *
   * ```ts
   * reach.checkService('shop/web', 'shop/api', 80).outcome;   // 'allowed' | 'denied' | 'partial' | 'no-backends'
   * ```
   */
  checkService(from: string, service: string, port: number | string, protocol?: Protocol): ServiceVerdict {
    const source = this.endpoint(from);
    const target = this.service(service);
    const ports = servicePortsFor(target, { port, protocol });
    if (ports.length === 0) throw new UnknownEndpointError(servicePortMissing(target, { port, protocol }));
    if (ports.length > 1) {
      throw new UnknownEndpointError(`Service ${target.id} exposes port ${port} over ${ports.map((p) => p.protocol).join(' and ')}: give the protocol.`);
    }
    return this.serviceVerdicts(source, serviceBackends(this.cluster, target), ports)[0];
  }

  /**
   * Probes through Services: every source (default: every pod identity) to every port of each Service in `to`
   * (`namespace/name` or `service/namespace/name`), or to the Service ports `query.ports` names (by number or by the
   * Service port's name). In the order of the sources, then Services as given, then Service ports.
   */
  probeServices(query: ServiceProbeQuery): ServiceVerdict[] {
    const sources = query.from ? unique(query.from).map((r) => this.endpoint(r)) : this.pods;
    const services = unique(query.to).map((r) => this.service(r));
    const portsOf = new Map<Service, ReturnType<typeof servicePortsFor>>();
    for (const service of services) {
      const ports = query.ports ? query.ports.flatMap((q) => servicePortsFor(service, q)) : service.ports;
      const distinct = [...new Set(ports)];
      if (query.ports && distinct.length === 0) {
        throw new UnknownEndpointError(servicePortMissing(service, query.ports.length === 1 ? query.ports[0] : undefined));
      }
      portsOf.set(service, distinct);
    }
    // Each Service's backends are resolved once, not once per source.
    const resolved = new Map(services.map((service) => [service, serviceBackends(this.cluster, service)]));
    return sources.flatMap((source) => services.flatMap((service) => this.serviceVerdicts(source, resolved.get(service)!, portsOf.get(service)!)));
  }

  private serviceVerdicts(source: Endpoint, resolved: ServiceBackends, ports: readonly Service['ports'][number][]): ServiceVerdict[] {
    const { service } = resolved;
    return ports.map((port) => {
      const backends = resolved.ports.find((p) => p.port === port)!;
      return serviceVerdict(source.id, service, port, { ...backends, reason: resolved.reason }, (backend) => {
        const destination = this.backendEndpoint(backend);
        return evaluateProbe(this.relevantPolicies.between(source, destination), source, destination, backend.targetPort, port.protocol);
      });
    });
  }

  /** A backend as the engine judges it: its pod identity, or the bare address when no pod of the input has it. */
  private backendEndpoint(backend: ServiceBackend): Endpoint {
    const pod = backend.pod ? this.podsById.get(backend.pod.id) : undefined;
    if (pod) return pod;
    if (backend.kind === 'address') return externalEndpoint(backend.address) ?? { kind: 'external', id: backend.address, addresses: [] };
    throw new Error(`backend ${backend.pod.id} is not a pod identity of the cluster`);
  }

  /**
   * Probes many pairs at once. The whole matrix is computed with bitsets; reasons are computed only for the
   * verdicts you read.
   */
  probe(query: ProbeQuery = {}): ProbeResult {
    const sources = query.from ? unique(query.from).map((r) => this.endpoint(r)) : this.pods;
    const destinations = query.to ? unique(query.to).map((r) => this.endpoint(r)) : this.pods;
    if (query.ports) {
      for (const q of query.ports) {
        if (typeof q.port === 'string' && !destinations.some((d) => resolvePort(d, q))) {
          throw new UnknownEndpointError(`no destination declares a container port named "${q.port}"${q.protocol ? ` with protocol ${q.protocol}` : ''}. Name a port that the destination's containers declare, or give a number.`);
        }
      }
    }
    const matrix = computeMatrix(this.cluster.policies, sources, destinations, query.ports);
    return new ProbeResult(this.relevantPolicies, sources, destinations, matrix);
  }
}

/** The outcome of `Reachability.probe`: counts at once, verdicts and grids on demand. */
export class ProbeResult {
  /** @internal */
  constructor(
    private readonly relevantPolicies: PoliciesByEndpoint,
    readonly sources: readonly Endpoint[],
    readonly destinations: readonly Endpoint[],
    private readonly matrix: MatrixResult,
  ) {}

  get summary(): Summary {
    const { probes, allowed } = this.matrix.counts();
    return { probes, allowed, denied: probes - allowed };
  }

  /** Every probe in a stable order (from, to, port, protocol), each with its reasons. */
  *verdicts(): Generator<Verdict> {
    const cells = this.matrix.cells();
    for (const cell of cells) {
      const from = this.sources[cell.from];
      const to = this.destinations[cell.to];
      yield evaluateProbe(this.relevantPolicies.between(from, to), from, to, cell.port, cell.protocol);
    }
  }

  /** One grid per port and protocol: rows are sources, columns destinations, a cell undefined when not probed. */
  grids(): ProbeGrid[] {
    return this.matrix.grids().map((g) => ({
      port: g.port,
      protocol: g.protocol,
      from: this.sources.map((s) => s.id),
      to: this.destinations.map((d) => d.id),
      allowed: g.allowed,
    }));
  }
}

/**
 * The policies that select an endpoint, computed once per endpoint: only those can isolate it or admit its traffic,
 * so a verdict's reasons come from them alone (the same verdict as from every policy, without scanning them all).
 */
class PoliciesByEndpoint {
  private readonly byEndpoint = new Map<string, readonly NetworkPolicy[]>();

  constructor(private readonly policies: readonly NetworkPolicy[]) {}

  selecting(endpoint: Endpoint): readonly NetworkPolicy[] {
    let found = this.byEndpoint.get(endpoint.id);
    if (!found) this.byEndpoint.set(endpoint.id, (found = this.policies.filter((p) => policySelects(p, endpoint))));
    return found;
  }

  /** The policies selecting either end, each once (a verdict sorts what it reports, so order does not matter). */
  between(from: Endpoint, to: Endpoint): readonly NetworkPolicy[] {
    const a = this.selecting(from);
    const b = this.selecting(to);
    if (a.length === 0 || from.id === to.id) return b;
    if (b.length === 0) return a;
    return [...a, ...b.filter((p) => !a.includes(p))];
  }
}

/** A grid of verdicts for one port: `allowed[row][column]`, undefined where that pair was not probed. */
export interface ProbeGrid {
  readonly port: number;
  readonly protocol: Protocol;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly allowed: readonly (readonly (boolean | undefined)[])[];
}

/** The Service ports a query names: by the port's name, or by number (and protocol when given). */
function servicePortsFor(service: Service, query: PortQuery): Service['ports'][number][] {
  const numeric = typeof query.port === 'number' ? query.port : /^[0-9]+$/.test(query.port) ? Number(query.port) : undefined;
  return service.ports.filter((p) => (numeric !== undefined ? p.port === numeric : p.name === query.port)
    && (query.protocol === undefined || p.protocol === query.protocol));
}

function servicePortMissing(service: Service, query: PortQuery | undefined): string {
  const exposed = service.ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` ("${p.name}")` : ''}`).join(', ');
  const what = query ? `port ${query.port}${query.protocol ? `/${query.protocol}` : ''}` : 'any of the given ports';
  return `Service ${service.id} exposes no ${what}; ${exposed ? `it exposes ${exposed}` : 'it has no ports'}. Give a Service port (its number or name), not a container port: traffic through a Service is judged on each backend's target port.`;
}

function namedPortMissing(name: string, destination: Endpoint): string {
  if (destination.kind !== 'pod') return `"${destination.id}" is outside the cluster, so the named port "${name}" cannot be resolved. Give a port number.`;
  const names = destination.pod.ports.filter((p) => p.name).map((p) => `"${p.name}"`);
  return `"${destination.id}" declares no container port named "${name}"${names.length ? `; it declares ${names.join(', ')}` : ''}. Use one of those or a port number.`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Sorts `namespace/name` ids by namespace, then name. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
