import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isEksClusterNetworkPolicy, policyUsage } from '../../lib/doctor';
import { readManifestObjects, SourcedObject } from '../../lib/manifests';

/** The raw objects of a manifest file with this text, read as `doctor --policies` reads them. */
function objectsOf(text: string, name: string): SourcedObject[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-usage-'));
  try {
    fs.writeFileSync(path.join(dir, name), text);
    const { objects, problems } = readManifestObjects([path.join(dir, name)]);
    expect(problems).toEqual([]);
    // Name objects by file name alone, as they would be from a relative --policies path.
    return objects.map((o) => ({ ...o, origin: o.origin && { ...o.origin, file: name } }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('policyUsage', () => {
  test('finds EKS ClusterNetworkPolicies of any version, inside Lists too, named with file and line', () => {
    const usage = policyUsage(objectsOf(`apiVersion: networking.k8s.aws/v1alpha1
kind: ClusterNetworkPolicy
metadata: { name: isolate-cde }
spec: { tier: Admin, priority: 10 }
---
apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.aws/v1
  kind: ClusterNetworkPolicy
  metadata: { name: baseline-dns }
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: { name: default-deny, namespace: shop }
`, 'policies.yaml'));
    expect(usage).toEqual({ objectCount: 3, clusterNetworkPolicies: ['isolate-cde (policies.yaml:1)', 'baseline-dns (policies.yaml:9)'] });
  });

  test('ClusterNetworkPolicy kinds of other projects are not the EKS one', () => {
    expect(isEksClusterNetworkPolicy({ apiVersion: 'crd.antrea.io/v1beta1', kind: 'ClusterNetworkPolicy' })).toBe(false);
    expect(isEksClusterNetworkPolicy({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy' })).toBe(false);
    expect(isEksClusterNetworkPolicy({ apiVersion: 'networking.k8s.aws/v1alpha1', kind: 'PolicyEndpoint' })).toBe(false);
    expect(isEksClusterNetworkPolicy('ClusterNetworkPolicy')).toBe(false);
    expect(isEksClusterNetworkPolicy({ apiVersion: 'networking.k8s.aws/v1alpha1', kind: 'ClusterNetworkPolicy' })).toBe(true);
  });

  test('an object without a name goes by its position', () => {
    const usage = policyUsage([{ raw: { apiVersion: 'networking.k8s.aws/v1alpha1', kind: 'ClusterNetworkPolicy' }, position: 'object 1' }]);
    expect(usage.clusterNetworkPolicies).toEqual(['object 1']);
  });
});
