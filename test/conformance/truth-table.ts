/**
 * Expected reachability as the Kubernetes e2e network policy suite states it: a truth table over every ordered pair
 * of pods that starts all-allowed and is then narrowed (or widened) by pod, by namespace or by pair. The same table
 * renders observed verdicts, so a failing test shows the two grids side by side in jest's diff.
 */
import { Protocol } from '../../lib/model/types';
import { Reachability } from '../../lib/verdict/reachability';

/** A set of pods by namespace and/or name; an empty matcher is every pod (the suite's `Peer{}`). */
export interface PodMatcher {
  readonly namespace?: string;
  readonly pod?: string;
}

/** One row of `from` pods, one column of `to` pods, `true` where the connection is allowed. */
export class TruthTable {
  private readonly cells = new Map<string, boolean>();

  /** Every pair allowed, as the suite's `NewReachability(pods, true)`. */
  constructor(readonly pods: readonly string[]) {
    for (const from of pods) for (const to of pods) this.cells.set(key(from, to), true);
  }

  /** One ordered pair. */
  pair(from: string, to: string, allowed: boolean): this {
    this.require(from);
    this.require(to);
    this.cells.set(key(from, to), allowed);
    return this;
  }

  /** Every pair whose source matches `from` and destination matches `to`. */
  peers(from: PodMatcher, to: PodMatcher, allowed: boolean): this {
    for (const source of this.pods.filter((p) => matches(from, p))) {
      for (const destination of this.pods.filter((p) => matches(to, p))) this.cells.set(key(source, destination), allowed);
    }
    return this;
  }

  /** Every connection into `pod`. */
  ingressTo(pod: string, allowed: boolean): this {
    this.require(pod);
    return this.peers({}, podMatcher(pod), allowed);
  }

  /** Every connection out of `pod`. */
  egressFrom(pod: string, allowed: boolean): this {
    this.require(pod);
    return this.peers(podMatcher(pod), {}, allowed);
  }

  get(from: string, to: string): boolean {
    return this.cells.get(key(from, to))!;
  }

  /**
   * The grid as text, like the suite's log: `.` allowed, `X` denied, `!` unknown. A pod's connection to itself is
   * shown allowed: the suite ignores loopback probes, and in our semantics a pod can always reach itself.
   */
  render(): string {
    const width = Math.max(...this.pods.map((p) => p.length));
    const pad = (s: string) => s.padEnd(width);
    const line = (cells: string[]) => cells.map(pad).join(' ').trimEnd();
    const lines = [line(['-', ...this.pods])];
    for (const from of this.pods) {
      const cells = this.pods.map((to) => {
        const value = from === to ? true : this.cells.get(key(from, to));
        return value === undefined ? '!' : value ? '.' : 'X';
      });
      lines.push(line([from, ...cells]));
    }
    return lines.join('\n');
  }

  private require(pod: string): void {
    if (!this.pods.includes(pod)) throw new Error(`truth table has no pod "${pod}"; it has ${this.pods.join(', ')}`);
  }
}

/** `x/a` as a matcher of that one pod. */
export function podMatcher(id: string): PodMatcher {
  const [namespace, pod] = id.split('/');
  return { namespace, pod };
}

function matches(matcher: PodMatcher, id: string): boolean {
  const [namespace, pod] = id.split('/');
  return (matcher.namespace === undefined || matcher.namespace === namespace) && (matcher.pod === undefined || matcher.pod === pod);
}

function key(from: string, to: string): string {
  return `${from}>${to}`;
}

/** A port to probe, as the suite's `TestCase{ToPort, Protocol}`; a name resolves on each destination. */
export interface ProbePort {
  readonly port: number | string;
  readonly protocol?: Protocol;
}

/**
 * What the engine says for every ordered pair of `pods` on one port, computed twice: once as the whole matrix
 * (`probe()`, bitsets) and once pair by pair (`check()`, the reference semantics).
 */
export function observe(reach: Reachability, pods: readonly string[], port: ProbePort): { matrix: TruthTable; pairwise: TruthTable } {
  const result = reach.probe({ from: pods, to: pods, ports: [port] });
  const grids = result.grids();
  if (grids.length !== 1) throw new Error(`probing ${describePort(port)} gave ${grids.length} grids, expected exactly one`);
  const [grid] = grids;
  const matrix = new TruthTable(pods);
  const pairwise = new TruthTable(pods);
  grid.from.forEach((from, row) => grid.to.forEach((to, column) => {
    const cell = grid.allowed[row][column];
    if (cell === undefined) throw new Error(`${from} -> ${to} was not probed on ${describePort(port)}`);
    matrix.pair(from, to, cell);
  }));
  for (const from of pods) for (const to of pods) pairwise.pair(from, to, reach.check(from, to, port.port, port.protocol).allowed);
  return { matrix, pairwise };
}

export function describePort(port: ProbePort): string {
  return port.protocol ? `${port.port}/${port.protocol}` : String(port.port);
}
