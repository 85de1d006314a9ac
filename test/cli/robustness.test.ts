/**
 * Whatever the arguments or the manifests, `reach` ends with a result (exit 0) or a clean message (exit 2), never an
 * internal error (exit 1) or a stack trace.
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { runCli } from './fake-io';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples', 'reach');
const MANIFESTS = ['namespaces.yaml', 'workloads.yaml', 'policies.yaml']
  .map((f) => fs.readFileSync(path.join(EXAMPLES, f), 'utf8')).join('');

const endpoint = fc.constantFrom('shop/web', 'shop/api', 'shop/db', 'monitoring/prometheus', 'web', 'shop/wbe', '10.0.0.1', 'fd00::1', '10.0.0.0/8', '', '/', 'x/');
const port = fc.constantFrom('80', '8080', 'http', 'metrics', 'postgres', '53/UDP', '0', '70000', 'http/SCTP', 'x/y', 'HTTP', '');
const flag = fc.oneof(
  fc.tuple(fc.constant('--from'), endpoint),
  fc.tuple(fc.constant('--to'), endpoint),
  fc.tuple(fc.constant('--port'), port),
  fc.tuple(fc.constant('--output'), fc.constantFrom('table', 'json', 'matrix', 'summary', 'yaml')),
  fc.tuple(fc.constant('--namespace'), fc.constantFrom('shop', 'default', 'Bad')),
  fc.constant(['--explain']),
  fc.constant(['--bogus']),
);

/** Exit codes seen, so each test can show it reached both outcomes rather than failing early every time. */
let seen: Set<number>;
beforeEach(() => {
  seen = new Set();
});

function expectClean(result: { code: number; stderr: string }): void {
  seen.add(result.code);
  expect([0, 2]).toContain(result.code);
  expect(result.stderr).not.toContain('internal error');
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

test('any mix of options gives a result or a usage message, never an internal error', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(flag, { maxLength: 6 }), async (flags) => {
      expectClean(await runCli(['reach', '-', ...flags.flat()], { stdin: MANIFESTS }));
    }),
    { numRuns: 150, seed: 7 },
  );
  expect([...seen].sort()).toEqual([0, 2]);
});

test('truncated manifests give a result or a list of problems, never an internal error', async () => {
  for (let end = 0; end <= MANIFESTS.length; end += 97) {
    expectClean(await runCli(['reach', '-', '-o', 'summary'], { stdin: MANIFESTS.slice(0, end) }));
  }
  expect([...seen].sort()).toEqual([0, 2]);
});

test('randomly mutated manifests give a result or a list of problems, never an internal error', async () => {
  const edit = fc.record({
    at: fc.nat({ max: MANIFESTS.length - 1 }),
    cut: fc.nat({ max: 12 }),
    insert: fc.constantFrom('', ' ', '\n', ':', '- ', '{', ']', '"', '0', '-1', '99999', 'x', '\t', '---\n', '&a ', '*a', 'null'),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
      let text = MANIFESTS;
      for (const e of edits) text = text.slice(0, e.at) + e.insert + text.slice(e.at + e.cut);
      expectClean(await runCli(['reach', '-', '-o', 'json', '--explain'], { stdin: text }));
    }),
    { numRuns: 200, seed: 11 },
  );
  expect([...seen].sort()).toEqual([0, 2]);
});
