/** Reading Kubernetes manifests (YAML, JSON, plain objects) into the policy model. */
export { clusterFromObjects } from './cluster';
export type { LoadOptions, LoadResult, SourcedObject } from './cluster';
export { loadCluster, loadManifests, parseManifests, readManifestObjects, STDIN_NAME } from './load';
