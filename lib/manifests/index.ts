/** Reading Kubernetes manifests (YAML, JSON, plain objects) into the policy model. */
export { clusterFromObjects } from './cluster';
export type { LoadOptions, LoadResult } from './cluster';
export { loadCluster, loadManifests, parseManifests, STDIN_NAME } from './load';
