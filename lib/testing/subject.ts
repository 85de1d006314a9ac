/**
 * What the matchers accept, turned into a ClusterState: a cdk8s chart or app, a construct inside a chart, plain
 * manifests, YAML text or a ClusterState. Duck-typed, so lib/ stays free of construct frameworks.
 */
import { loadAll } from 'js-yaml';
import { clusterFromObjects } from '../manifests';
import { formatProblem, InvalidInputError } from '../model/problems';
import { ClusterState } from '../model/types';

/**
 * Something the policy matchers can read:
 * - a cdk8s `Chart` (anything with `toJson(): object[]`), or a cdk8s `App` (anything with `charts`);
 * - a construct inside a chart (an `AppWithPolicy`): its whole chart is read;
 * - Kubernetes objects (an array), or YAML text with one or more documents;
 * - a `ClusterState`.
 */
export type PolicySubject =
  | { toJson(): unknown }
  | { readonly charts: readonly { toJson(): unknown }[] }
  | { readonly node: { readonly scopes: readonly unknown[] } }
  | readonly unknown[]
  | string
  | ClusterState;

/** Options for reading a subject. */
export interface SubjectOptions {
  /**
   * The namespace of objects that name none.
   *
   * @default 'default'
   */
  readonly namespace?: string;
}

// cdk8s marks charts with this symbol (Chart.isChart); a duck check that survives duplicate copies of cdk8s.
const CDK8S_CHART = Symbol.for('cdk8s.Chart');

/** The Kubernetes objects of a subject (not for ClusterState subjects). */
export function objectsOf(subject: PolicySubject): unknown[] {
  if (typeof subject === 'string') return loadAll(subject).filter((d) => d !== null && d !== undefined);
  if (Array.isArray(subject)) return subject.flatMap((o) => (Array.isArray(o) ? o : [o]));
  const s = subject as Record<string | symbol, unknown>;
  if (Array.isArray(s.charts)) return (s.charts as { toJson(): unknown }[]).flatMap((c) => asArray(c.toJson()));
  if (typeof s.toJson === 'function' && (CDK8S_CHART in s || !isConstruct(s))) return asArray((s.toJson as () => unknown)());
  if (isConstruct(s)) {
    const scopes = (s.node as { scopes: unknown[] }).scopes;
    const chart = [...scopes].reverse().find((c) => typeof c === 'object' && c !== null && CDK8S_CHART in c) as { toJson(): unknown } | undefined;
    if (chart) return asArray(chart.toJson());
  }
  throw new TypeError('eks-netpol/testing: expected a cdk8s Chart or App, a construct inside a chart, Kubernetes objects, YAML text or a ClusterState.');
}

/** The ClusterState of a subject; throws InvalidInputError listing every problem of the manifests. */
export function clusterOf(subject: PolicySubject, options: SubjectOptions = {}): ClusterState {
  if (isClusterState(subject)) return subject;
  const { cluster, problems } = clusterFromObjects(objectsOf(subject), { namespace: options.namespace });
  if (problems.length > 0) throw new InvalidInputError(problems);
  return cluster;
}

/** The problems as lines, for matcher messages. */
export function describeProblems(error: InvalidInputError): string {
  return error.problems.map((p) => `  ${formatProblem(p)}`).join('\n');
}

function isClusterState(x: unknown): x is ClusterState {
  const c = x as ClusterState;
  return typeof x === 'object' && x !== null && !Array.isArray(x)
    && Array.isArray(c.pods) && Array.isArray(c.policies) && Array.isArray(c.namespaces);
}

function isConstruct(x: Record<string | symbol, unknown>): boolean {
  const node = x.node as { scopes?: unknown } | undefined;
  return typeof node === 'object' && node !== null && Array.isArray(node.scopes);
}

function asArray(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [x];
}
