/**
 * eks-netpol/testing: jest matchers that ask the reachability engine who can reach whom.
 *
 * Importing this module registers the matchers on jest's global `expect` (in a jest setup file, or at the top of a
 * test file):
 *
 * ```ts
 * import 'eks-netpol/testing';
 * expect(chart).toAllow('shop/web', 'shop/api', 'http');
 * expect(chart).toDeny('shop/web', 'shop/postgres', 5432);
 * expect(chart).toMatchReachabilitySnapshot();
 * ```
 */
import { Protocol } from '../model/types';
import { Endpoint, policyMatchers, snapshotTextSerializer } from './matchers';
import { ReachabilitySnapshotOptions } from './reachability-text';

export { policyMatchers, toAllow, toDeny, toMatchReachabilitySnapshot, SnapshotText, snapshotTextSerializer } from './matchers';
export type { Endpoint, MatcherResult } from './matchers';
export { reachabilityText } from './reachability-text';
export type { ReachabilitySnapshotOptions } from './reachability-text';
export { clusterOf, objectsOf } from './subject';
export type { PolicySubject, SubjectOptions } from './subject';
export { explainVerdict } from './explain';
export { eksCoreDns } from './fixtures';

interface JestExpect {
  extend(matchers: object): void;
  addSnapshotSerializer(serializer: object): void;
}

const jestExpect = (globalThis as { expect?: Partial<JestExpect> }).expect;
if (jestExpect && typeof jestExpect.extend === 'function') {
  jestExpect.extend(policyMatchers);
  if (typeof jestExpect.addSnapshotSerializer === 'function') jestExpect.addSnapshotSerializer(snapshotTextSerializer);
}

declare global {
  // Augmenting jest's own types is the documented way to type custom matchers.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /**
       * Passes when the policies allow `from` (pod identity `namespace/name`, `node/NAME`, an IP, or an
       * `AppWithPolicy`) to connect to `to` on `port` (a number, or the name of a container port of `to`). `to` may
       * be a Service (`service/namespace/name`, an AppWithPolicy's `serviceRef`); `port` is then the Service port,
       * and the connection is allowed only when every backend is allowed on its target port.
       */
      toAllow(from: Endpoint, to: Endpoint, port: number | string, protocol?: Protocol): R;
      /** Passes when the policies deny the connection (through a Service: deny it to every backend). */
      toDeny(from: Endpoint, to: Endpoint, port: number | string, protocol?: Protocol): R;
      /** Compares the reachability text (who may connect to which port) with the stored snapshot. */
      toMatchReachabilitySnapshot(options?: ReachabilitySnapshotOptions): R;
    }
  }
}
