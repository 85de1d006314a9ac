/**
 * The example behind the repository's cdk.json: a whole EKS cluster that enforces NetworkPolicies, plus example apps
 * deployed after enforcement is on. `npx cdk synth` runs it offline with no AWS credentials: the stack is
 * environment-agnostic, so nothing is looked up.
 */
import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as cdk8s from 'cdk8s';
import { Construct } from 'constructs';
import { NetworkPolicyCluster } from '../../constructs/aws';
import { ShopChart } from '../shop/shop';
import { acknowledgeClusterFindings } from './nag';

/** The example stack: the cluster and its apps. */
export class NetworkPolicyClusterStack extends Stack {
  readonly cluster: NetworkPolicyCluster;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { description: 'eks-netpol: an EKS cluster that enforces NetworkPolicies, with example apps', ...props });
    this.cluster = new NetworkPolicyCluster(this, 'Cluster', {
      // Named, not left to the default: a cluster that follows eks-netpol's default would upgrade with the library.
      version: eks.KubernetesVersion.V1_36,
      networkPolicy: { policyEventLogs: true, cloudWatchLogs: true },
    });
    // The cdk8s charts are built in their own cdk8s app; each becomes one manifest resource after the add-on.
    const apps = new cdk8s.App();
    this.cluster.addChart(new ShopChart(apps, 'shop'));
  }
}

/**
 * Builds the example app: the stack, checked by cdk-nag's AwsSolutions pack. `acknowledge: false` leaves the accepted
 * findings unacknowledged (tests use it to prove the pack really runs).
 */
export function buildApp(app: App = new App(), acknowledge = true): { app: App; stack: NetworkPolicyClusterStack } {
  const stack = new NetworkPolicyClusterStack(app, 'EksNetpolCluster');
  if (acknowledge) acknowledgeClusterFindings(stack.cluster);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (require.main === module) {
  buildApp().app.synth();
}
