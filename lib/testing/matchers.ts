/**
 * The jest matchers: `toAllow`, `toDeny` and `toMatchReachabilitySnapshot`, over anything `clusterOf` reads.
 * Failure messages carry the verdict's reasons, so a red test says which policy and rule decided.
 */
import { InvalidInputError } from '../model/problems';
import { Protocol } from '../model/types';
import { Reachability, ServiceVerdict, UnknownEndpointError } from '../verdict/reachability';
import { parseServiceRef } from '../verdict/service-verdict';
import { describePort, explainVerdict, podList } from './explain';
import { reachabilityText, ReachabilitySnapshotOptions } from './reachability-text';
import { clusterOf, describeProblems, PolicySubject } from './subject';

/** What jest gives a matcher as `this` (the parts we use). */
interface MatcherContext {
  readonly isNot?: boolean;
  readonly utils?: { matcherHint?: (name: string, received?: string, expected?: string, options?: object) => string };
}

/** What a matcher returns. */
export interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

/**
 * A pod identity (`namespace/name`), `node/NAME` or `node`, an IP address, or anything with a `podIdentity` (an
 * `AppWithPolicy`). As a destination, also a Service: `service/namespace/name` (an AppWithPolicy's `serviceRef`).
 */
export type Endpoint = string | { readonly podIdentity: string };

function idOf(endpoint: Endpoint): string {
  return typeof endpoint === 'string' ? endpoint : endpoint.podIdentity;
}

function probe(
  matcher: 'toAllow' | 'toDeny',
  subject: PolicySubject,
  fromEndpoint: Endpoint,
  toEndpoint: Endpoint,
  port: number | string,
  protocol: Protocol | undefined,
): MatcherResult {
  const from = idOf(fromEndpoint);
  const to = idOf(toEndpoint);
  const call = `expect(subject).${matcher}(${[from, to, port, protocol].filter((x) => x !== undefined).map((x) => JSON.stringify(x)).join(', ')})`;
  let cluster;
  try {
    cluster = clusterOf(subject);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw new Error(`${call}: the manifests are invalid, so there is no verdict:\n${describeProblems(error)}`);
    }
    throw error;
  }
  if (parseServiceRef(to)) return probeService(matcher, call, cluster, from, to, port, protocol);
  let verdict;
  try {
    verdict = new Reachability(cluster).check(from, to, port, protocol);
  } catch (error) {
    if (error instanceof UnknownEndpointError) {
      throw new Error(`${call}: ${error.message}\nPod identities in the input: ${podList(cluster)}`);
    }
    throw error;
  }
  const wantAllowed = matcher === 'toAllow';
  const pass = verdict.allowed === wantAllowed;
  const what = `${from} -> ${to} on ${describePort(verdict, port)}`;
  return {
    pass,
    message: () => {
      // With .not, jest flips pass: the message then explains why the verdict is what was not wanted.
      const expected = pass ? !wantAllowed : wantAllowed;
      return `${call}${pass ? ' (negated)' : ''}\n\nExpected ${what} to be ${expected ? 'allowed' : 'denied'}, but it is ${verdict.allowed ? 'allowed' : 'denied'}:\n${explainVerdict(verdict)}`;
    },
  };
}

/**
 * A probe through a Service: allowed only when every backend is allowed on its target port; the message lists each
 * backend's verdict.
 */
function probeService(
  matcher: 'toAllow' | 'toDeny',
  call: string,
  cluster: ReturnType<typeof clusterOf>,
  from: string,
  to: string,
  port: number | string,
  protocol: Protocol | undefined,
): MatcherResult {
  let verdict: ServiceVerdict;
  try {
    verdict = new Reachability(cluster).checkService(from, to, port, protocol);
  } catch (error) {
    if (error instanceof UnknownEndpointError) throw new Error(`${call}: ${error.message}`);
    throw error;
  }
  const wantAllowed = matcher === 'toAllow';
  // toDeny through a Service means no backend is reachable: partial is neither allowed nor denied.
  const pass = wantAllowed ? verdict.outcome === 'allowed' : verdict.outcome === 'denied' || verdict.outcome === 'no-backends';
  const what = `${from} -> ${to} on ${verdict.port}/${verdict.protocol} (target port ${verdict.targetPort})`;
  const backends = verdict.backends.map((b) => `  backend ${b.backend} on ${b.targetPort}/${verdict.protocol}: ${b.verdict.allowed ? 'allowed' : 'denied'}\n${explainVerdict(b.verdict).replace(/^/gm, '  ')}`);
  const reasons = [...backends, ...verdict.unresolved.map((u) => `  no endpoint: ${u.reason}`), ...(verdict.reason ? [`  ${verdict.reason}`] : [])];
  return {
    pass,
    message: () => {
      const expected = pass ? !wantAllowed : wantAllowed;
      return `${call}${pass ? ' (negated)' : ''}\n\nExpected ${what} to be ${expected ? 'allowed' : 'denied'}, but it is ${verdict.outcome}:\n${reasons.join('\n')}`;
    },
  };
}

/** Passes when the connection `from` -> `to` on `port` is allowed by the policies of `subject`. */
export function toAllow(this: MatcherContext | void, subject: PolicySubject, from: Endpoint, to: Endpoint, port: number | string, protocol?: Protocol): MatcherResult {
  return probe('toAllow', subject, from, to, port, protocol);
}

/** Passes when the connection `from` -> `to` on `port` is denied by the policies of `subject`. */
export function toDeny(this: MatcherContext | void, subject: PolicySubject, from: Endpoint, to: Endpoint, port: number | string, protocol?: Protocol): MatcherResult {
  return probe('toDeny', subject, from, to, port, protocol);
}

/**
 * Compares the reachability text of `subject` (see `reachabilityText`) with the stored jest snapshot, through
 * jest's own snapshot machinery (`-u` updates it, obsolete snapshots are reported as usual).
 */
export function toMatchReachabilitySnapshot(this: unknown, subject: PolicySubject, options: ReachabilitySnapshotOptions = {}): MatcherResult {
  const text = reachabilityText(clusterOf(subject), options);
  // jest-snapshot comes with jest itself; loaded here so that importing eks-netpol/testing outside jest works.
  const { toMatchSnapshot } = require('jest-snapshot') as { toMatchSnapshot: (this: unknown, received: unknown, hint?: string) => MatcherResult };
  return toMatchSnapshot.call(this, new SnapshotText(text), 'reachability');
}

/**
 * The snapshot is stored as plain lines rather than a quoted string, so the .snap file reads like the text:
 * a serializer prints this wrapper verbatim.
 */
export class SnapshotText {
  constructor(readonly text: string) {}
}

/** The snapshot serializer for `SnapshotText` (registered with the matchers). */
export const snapshotTextSerializer = {
  test: (value: unknown): boolean => value instanceof SnapshotText,
  serialize: (value: SnapshotText): string => value.text,
};

/** Every matcher, for `expect.extend`. */
export const policyMatchers = { toAllow, toDeny, toMatchReachabilitySnapshot };
