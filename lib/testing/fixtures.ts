/** Objects the cluster has but your charts do not declare, for tests that need them as peers. */

/**
 * CoreDNS as EKS runs it: the `kube-system` namespace and the `coredns` Deployment, pods labelled
 * `k8s-app=kube-dns`, ports `dns` 53/UDP and `dns-tcp` 53/TCP. Add it to a test's manifests to check DNS rules:
 * `expect([...chart.toJson(), ...eksCoreDns()]).toAllow('seed/alpine', 'kube-system/coredns', 53, 'UDP')`.
 */
export function eksCoreDns(): object[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: {
        selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        template: {
          metadata: { labels: { 'k8s-app': 'kube-dns' } },
          spec: {
            containers: [{
              name: 'coredns',
              image: 'coredns/coredns:1.11.3',
              ports: [
                { name: 'dns', containerPort: 53, protocol: 'UDP' },
                { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
              ],
            }],
          },
        },
      },
    },
  ];
}
