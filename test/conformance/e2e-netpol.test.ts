/**
 * A port of the Kubernetes e2e network policy suite (kubernetes/kubernetes test/e2e/network/netpol): every case of
 * e2e-cases.ts, under the suite's context and test names, asserted against the engine as the whole matrix and pair by
 * pair.
 */
import { runCase } from './e2e-case';
import { E2E_CONTEXTS } from './e2e-cases';

describe.each(E2E_CONTEXTS.map(({ context, cases }) => [context, cases] as const))('Netpol: %s', (_context, cases) => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => runCase(c));
});
