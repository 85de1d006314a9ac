/**
 * A cdk app for the benchmark: one NetworkPolicyCluster with N AppWithPolicy apps, one cdk8s chart (and so one
 * manifest resource) per app. Run by `cdk synth --app "node dist/bench/cluster/many-apps.js"`; N from APPS (default 200).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { NetworkPolicyCluster } from '../../constructs/aws';
import { AppWithPolicy, Peer, PolicyNamespace, Port } from '../../constructs/k8s';

/** Builds the stack with `count` apps. */
export function buildManyApps(app: App, count: number): Stack {
  const stack = new Stack(app, 'EksNetpolManyApps');
  const cluster = new NetworkPolicyCluster(stack, 'Cluster', { version: eks.KubernetesVersion.V1_33 });
  const charts = new cdk8s.App();
  for (let i = 0; i < count; i++) {
    const namespace = `team-${String(i).padStart(3, '0')}`;
    const chart = new cdk8s.Chart(charts, namespace, { namespace });
    new PolicyNamespace(chart, 'namespace', { name: namespace });
    const svc = new AppWithPolicy(chart, 'svc', { image: `registry.example.com/${namespace}/svc:1.0.0`, replicas: 2, ports: { http: 8080, metrics: 9090 } });
    svc.allowFrom(Peer.ipBlock('10.0.0.0/16'), Port.named('http'));
    svc.allowTo(Peer.ipBlock('203.0.113.0/24'), Port.tcp(443));
    cluster.addChart(chart);
  }
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildManyApps(app, Number(process.env.APPS ?? 200));
  app.synth();
}
