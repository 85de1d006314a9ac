/**
 * The shape of a ported e2e case and the runner that asserts it: for each step (the suite's create, update, relabel
 * and delete), a fresh cluster state from the step's objects, a fresh Reachability, and every probe compared with the
 * suite's truth table, both as the whole matrix and pair by pair.
 */
import { ClusterState, Protocol } from '../../lib/model/types';
import { Reachability } from '../../lib/verdict/reachability';
import { e2eObjects, KubeObject, ModelOptions, PODS } from './e2e-model';
import { clusterOf } from './load';
import { describePort, observe, ProbePort, TruthTable } from './truth-table';

/** One `ValidateOrFail`: a port and the expected truth table, built from the all-allowed table. */
export interface Probe extends ProbePort {
  readonly expect: (table: TruthTable) => TruthTable;
}

/** The state the suite sets up before some probes. */
export interface Step extends ModelOptions {
  /** What the suite did to reach this state, for failure messages. */
  readonly when: string;
  readonly probes: readonly Probe[];
}

/** A case of the suite: its `It(...)` text and its steps in order. */
export interface E2eCase {
  readonly name: string;
  readonly steps: readonly Step[];
}

/**
 * A probe of every ordered pair on one port (a name resolves on each destination).
 *
 * @param expect narrows the all-allowed table to what the suite expects; by default everything stays allowed
 */
export function probe(port: number | string, protocol: Protocol | undefined, expect: (table: TruthTable) => TruthTable = (t) => t): Probe {
  return { port, protocol, expect };
}

/** A case with one step: create the policies, then probe. */
export function single(name: string, policies: readonly KubeObject[], ...probes: Probe[]): E2eCase {
  return { name, steps: [{ when: 'after creating the policies', policies, probes }] };
}

/**
 * Asserts every step and probe of a case against the engine.
 *
 * @param load how the step's objects become a cluster state; by default clusterFromObjects
 */
export function runCase(c: E2eCase, load: (objects: KubeObject[]) => ClusterState = clusterOf): void {
  for (const step of c.steps) {
    const reach = new Reachability(load(e2eObjects(step)));
    for (const p of step.probes) {
      const expected = p.expect(new TruthTable(PODS)).render();
      const { matrix, pairwise } = observe(reach, PODS, p);
      const where = `${step.when}, probing ${describePort(p)}`;
      expect({ where, matrix: matrix.render() }).toEqual({ where, matrix: expected });
      expect({ where, pairwise: pairwise.render() }).toEqual({ where, pairwise: expected });
    }
  }
}
