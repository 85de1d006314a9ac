import { parseIp } from '../model/cidr';
import { ClusterState, NetworkPolicy, Protocol } from '../model/types';
import { Endpoint, externalEndpoint, namespaceLabelsOf, PodEndpoint, podEndpoint } from './endpoint';
import { evaluateProbe, policySelects, Verdict } from './evaluate';
import { computeMatrix, MatrixResult } from './matrix';
import { PortQuery, resolvePort } from './ports';

export type { PortQuery } from './ports';

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

  constructor(readonly cluster: ClusterState) {
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

  /** Resolves `namespace/name` or an IP address to an endpoint; throws UnknownEndpointError otherwise. */
  endpoint(ref: string): Endpoint {
    const pod = this.podsById.get(ref);
    if (pod) return pod;
    if (parseIp(ref)) return externalEndpoint(ref)!;
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
