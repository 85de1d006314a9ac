import { Testing } from 'cdk8s';
import { eksCoreDns } from '../../lib/testing';
import { SeedChart } from './seed';

function manifests(allowDnsAndHttps: boolean): unknown[] {
  // The cluster's CoreDNS is not in the chart; add it so DNS has somewhere to go.
  return [...Testing.synth(new SeedChart(Testing.app(), 'seed', { allowDnsAndHttps })), ...eksCoreDns()];
}

describe('the seed scenario', () => {
  test('the default deny blocks DNS and HTTPS to the internet', () => {
    const cluster = manifests(false);
    expect(cluster).toDeny('seed/alpine', 'kube-system/coredns', 53, 'UDP');
    expect(cluster).toDeny('seed/alpine', 'kube-system/coredns', 53, 'TCP');
    expect(cluster).toDeny('seed/alpine', '151.101.0.223', 443);
  });

  test('allowing DNS and HTTPS opens exactly those', () => {
    const cluster = manifests(true);
    expect(cluster).toAllow('seed/alpine', 'kube-system/coredns', 'dns');
    expect(cluster).toAllow('seed/alpine', 'kube-system/coredns', 'dns-tcp');
    expect(cluster).toAllow('seed/alpine', '151.101.0.223', 443);
    // The cluster is IPv4, so is the rule.
    expect(cluster).toDeny('seed/alpine', '2a04:4e42::223', 443);
    expect(cluster).toDeny('seed/alpine', '151.101.0.223', 80);
    // The private ranges stay closed: the VPC and the instance metadata service.
    expect(cluster).toDeny('seed/alpine', '10.0.1.5', 443);
    expect(cluster).toDeny('seed/alpine', '169.254.169.254', 443);
  });

  test('nothing may connect to the alpine pod', () => {
    expect(manifests(true)).toDeny('kube-system/coredns', 'seed/alpine', 8080);
  });

  test('the reachability before and after is stable', () => {
    const query = { from: ['seed/alpine'], to: ['kube-system/coredns', '151.101.0.223'], ports: [{ port: 53, protocol: 'UDP' as const }, { port: 443 }] };
    expect(manifests(false)).toMatchReachabilitySnapshot(query);
    expect(manifests(true)).toMatchReachabilitySnapshot(query);
  });

  test('the manifests are stable', () => {
    expect(Testing.synth(new SeedChart(Testing.app(), 'seed', { allowDnsAndHttps: true }))).toMatchSnapshot();
  });
});
