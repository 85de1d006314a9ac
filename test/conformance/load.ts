/**
 * Conformance fixtures are plain Kubernetes objects; they reach the engine through the manifest loader, as user
 * manifests do, so its validation and normalization (policyTypes defaulting, CIDR masking, the automatic namespace
 * label) are part of what the suite checks. A fixture the loader rejects fails the test with every problem listed.
 */
import { clusterFromObjects } from '../../lib/manifests';
import { InvalidInputError } from '../../lib/model/problems';
import { ClusterState } from '../../lib/model/types';
import { KubeObject } from './e2e-model';

export function clusterOf(objects: readonly KubeObject[]): ClusterState {
  const { cluster, problems } = clusterFromObjects(objects, { file: 'conformance-fixture' });
  if (problems.length > 0) throw new InvalidInputError(problems);
  return cluster;
}
