import { Protocol } from '../model/types';
import { Endpoint } from './endpoint';

/** A port to probe: a number, or the name of a container port of the destination. */
export interface PortQuery {
  readonly port: number | string;
  /**
   * The protocol.
   *
   * @default - TCP for a number; for a name, the protocol of the destination's container port of that name
   */
  readonly protocol?: Protocol;
}

/** A concrete port and protocol. */
export interface ResolvedPort {
  readonly port: number;
  readonly protocol: Protocol;
}

/** Resolves a port query on a destination; undefined when a named port is not declared there. */
export function resolvePort(destination: Endpoint, query: PortQuery): ResolvedPort | undefined {
  if (typeof query.port === 'number') return { port: query.port, protocol: query.protocol ?? 'TCP' };
  if (/^[0-9]+$/.test(query.port)) return { port: Number(query.port), protocol: query.protocol ?? 'TCP' };
  if (destination.kind !== 'pod') return undefined;
  const match = destination.pod.ports.find((p) => p.name === query.port && (!query.protocol || p.protocol === query.protocol));
  return match ? { port: match.port, protocol: match.protocol } : undefined;
}

/**
 * The ports probed on one destination: the queried ones (resolved on it), or else the container ports it declares.
 * Sorted by port then protocol, without duplicates.
 */
export function probedPorts(destination: Endpoint, queries?: readonly PortQuery[]): ResolvedPort[] {
  const found = new Map<string, ResolvedPort>();
  const add = (p: ResolvedPort) => found.set(portKey(p), p);
  if (queries) {
    for (const q of queries) {
      const resolved = resolvePort(destination, q);
      if (resolved) add(resolved);
    }
  } else if (destination.kind === 'pod') {
    for (const p of destination.pod.ports) add({ port: p.port, protocol: p.protocol });
  }
  return [...found.values()].sort(comparePorts);
}

export function portKey(p: ResolvedPort): string {
  return `${p.port}/${p.protocol}`;
}

export function comparePorts(a: ResolvedPort, b: ResolvedPort): number {
  return a.port - b.port || (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0);
}
