import { Protocol } from '../../model/types';
import { Endpoint } from '../../verdict/endpoint';
import { compareIds, ProbeResult } from '../../verdict/reachability';
import { Formatter } from './types';

/** The order of protocols in an edge label: the common one first. */
const PROTOCOL_ORDER: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/**
 * A DOT quoted string (an id or a label): `"` and `\` are escaped, line breaks become DOT's `\n`. Pod ids hold `/`,
 * `-` and `.`, and IPv6 addresses `:`, none of which a bare DOT id may contain, so every id is quoted.
 */
export function dotQuote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/** The allowed ports of one source -> destination pair, by protocol, in ascending order. */
type AllowedPorts = Map<Protocol, number[]>;

/** An edge label: `TCP 8080,9090`, protocols separated by `; ` (`TCP 53; UDP 53`). */
export function portsLabel(ports: AllowedPorts): string {
  return PROTOCOL_ORDER.filter((p) => ports.has(p)).map((p) => `${p} ${ports.get(p)!.join(',')}`).join('; ');
}

/** Every allowed pair with its ports, keyed `from\0to`. Grids come sorted by port, so ports stay ascending. */
function allowedPairs(result: ProbeResult): { pairs: Map<string, AllowedPorts>; probes: number } {
  const pairs = new Map<string, AllowedPorts>();
  let probes = 0;
  for (const grid of result.grids()) {
    grid.allowed.forEach((row, i) => row.forEach((allowed, j) => {
      if (allowed === undefined) return;
      probes++;
      if (!allowed) return;
      const key = `${grid.from[i]}\0${grid.to[j]}`;
      let ports = pairs.get(key);
      if (!ports) pairs.set(key, (ports = new Map()));
      let numbers = ports.get(grid.protocol);
      if (!numbers) ports.set(grid.protocol, (numbers = []));
      numbers.push(grid.port);
    }));
  }
  return { pairs, probes };
}

/** A rendered graph and the number of probes it was drawn from. */
export interface DotGraph {
  readonly text: string;
  readonly probes: number;
}

/**
 * The probe result as a Graphviz digraph: one `cluster_<namespace>` subgraph per namespace, labelled with it; one
 * node per pod identity (id `namespace/name`, label the workload's name); each address outside the cluster as a node
 * of its own outside every cluster; and one edge per allowed source -> destination pair, labelled with its allowed
 * ports (`TCP 8080,9090`). Denied pairs are not drawn. Namespaces, nodes and edges are sorted, so the text is
 * byte-stable.
 */
export function renderDot(result: ProbeResult): DotGraph {
  const endpoints = new Map<string, Endpoint>();
  for (const e of [...result.sources, ...result.destinations]) endpoints.set(e.id, e);
  const byNamespace = new Map<string, Endpoint[]>();
  const external: Endpoint[] = [];
  for (const e of [...endpoints.values()].sort((a, b) => compareIds(a.id, b.id))) {
    if (e.kind !== 'pod') {
      // Addresses outside the cluster and nodes are drawn outside every namespace.
      external.push(e);
      continue;
    }
    const members = byNamespace.get(e.pod.namespace) ?? [];
    members.push(e);
    byNamespace.set(e.pod.namespace, members);
  }

  const lines = [
    'digraph reach {',
    '  graph [rankdir=LR, fontname="Helvetica"];',
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const namespace of [...byNamespace.keys()].sort(compareIds)) {
    lines.push(`  subgraph ${dotQuote(`cluster_${namespace}`)} {`, `    label=${dotQuote(namespace)};`);
    for (const e of byNamespace.get(namespace)!) {
      if (e.kind === 'pod') lines.push(`    ${dotQuote(e.id)} [label=${dotQuote(e.pod.name)}];`);
    }
    lines.push('  }');
  }
  for (const e of external) lines.push(`  ${dotQuote(e.id)} [label=${dotQuote(e.id)}, shape=ellipse, style=dashed];`);

  const { pairs, probes } = allowedPairs(result);
  const edges = [...pairs.entries()].map(([key, ports]) => {
    const [from, to] = key.split('\0');
    return { from, to, ports };
  });
  edges.sort((a, b) => compareIds(a.from, b.from) || compareIds(a.to, b.to));
  for (const { from, to, ports } of edges) {
    lines.push(`  ${dotQuote(from)} -> ${dotQuote(to)} [label=${dotQuote(portsLabel(ports))}];`);
  }
  lines.push('}');
  return { text: `${lines.join('\n')}\n`, probes };
}

/** `reach --output dot`: the graph of `renderDot`, for Graphviz or any tool that reads DOT. */
export const writeDot: Formatter = async (result, sink) => {
  const { text, probes } = renderDot(result);
  sink.push(text);
  await sink.flush();
  return probes;
};
