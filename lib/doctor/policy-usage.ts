/**
 * Which policy APIs a set of manifests uses beyond NetworkPolicy, so the doctor can hold them against the cluster's
 * versions. Reads raw objects: the policy model holds only networking.k8s.io NetworkPolicies.
 */
import type { SourcedObject } from '../manifests';
import { PolicyUsage } from './types';

/** The API group of the EKS admin policy CRDs; other projects' ClusterNetworkPolicy kinds (Antrea, sig-network) differ. */
const EKS_POLICY_GROUP = 'networking.k8s.aws';

/** True for an EKS ClusterNetworkPolicy (`networking.k8s.aws/<any version>`, kind ClusterNetworkPolicy). */
export function isEksClusterNetworkPolicy(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null) return false;
  const { apiVersion, kind } = raw as { apiVersion?: unknown; kind?: unknown };
  return kind === 'ClusterNetworkPolicy' && typeof apiVersion === 'string' && apiVersion.split('/')[0] === EKS_POLICY_GROUP;
}

/** The policy APIs the objects use, with the objects named as `name (file:line)` for the findings. */
export function policyUsage(objects: readonly SourcedObject[]): PolicyUsage {
  const clusterNetworkPolicies = objects.filter((o) => isEksClusterNetworkPolicy(o.raw)).map(describeObject);
  return { objectCount: objects.length, clusterNetworkPolicies };
}

/** `name (file:line)`; an object without a name goes by its position (`document 3`). */
function describeObject(object: SourcedObject): string {
  const name = (object.raw as { metadata?: { name?: unknown } }).metadata?.name;
  const label = typeof name === 'string' && name !== '' ? name : object.position;
  return object.origin ? `${label} (${object.origin.file}:${object.origin.line})` : label;
}
