/** Small builders for validation tests: manifests as text, so every problem's line can be checked. */
import { parseManifests } from '../../lib/manifests';
import { Problem } from '../../lib/model/problems';

/** The file name every fixture is parsed as. */
export const FILE = 'policy.yaml';

/**
 * A NetworkPolicy `shop/web` whose spec is `specLines` (written without indentation). The header takes lines 1-6,
 * so the first spec line is line 7.
 */
export function policyYaml(specLines: string): string {
  const spec = specLines.split('\n').map((line) => (line === '' ? line : `  ${line}`)).join('\n');
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
${spec}
`;
}

/** The first spec line of `policyYaml`. */
export const SPEC_LINE = 7;

/** Parses text as FILE. */
export function load(text: string) {
  return parseManifests(text, FILE);
}

/** The problems of text parsed as FILE. */
export function problemsOf(text: string): Problem[] {
  return load(text).problems;
}

/** The one problem of text; fails the test when there are none or several. */
export function onlyProblem(text: string): Problem {
  const problems = problemsOf(text);
  if (problems.length !== 1) throw new Error(`expected one problem, got ${problems.length}:\n${JSON.stringify(problems, null, 2)}`);
  return problems[0];
}
