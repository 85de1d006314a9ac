/**
 * The e2e cases again, with each step's objects written as one multi-document YAML text and read by the manifest
 * parser, as `eks-netpol reach` reads files: the truth tables must not depend on the route into the model.
 */
import yaml from 'js-yaml';
import { parseManifests } from '../../lib/manifests';
import { InvalidInputError } from '../../lib/model/problems';
import { ClusterState } from '../../lib/model/types';
import { runCase } from './e2e-case';
import { E2E_CONTEXTS } from './e2e-cases';
import { KubeObject } from './e2e-model';

function fromYaml(objects: KubeObject[]): ClusterState {
  const text = objects.map((o) => yaml.dump(o)).join('---\n');
  const { cluster, problems } = parseManifests(text, 'e2e.yaml');
  if (problems.length > 0) throw new InvalidInputError(problems);
  return cluster;
}

describe.each(E2E_CONTEXTS.map(({ context, cases }) => [context, cases] as const))('Netpol read from YAML: %s', (_context, cases) => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => runCase(c, fromYaml));
});
