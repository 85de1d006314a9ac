// A user's CDK app: an EKS cluster that enforces NetworkPolicies, with the shop deployed on it.
import { App, Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { NetworkPolicyCluster } from 'eks-netpol';
import { ShopChart } from './shop';

const app = new App();
const stack = new Stack(app, 'ShopCluster');
const cluster = new NetworkPolicyCluster(stack, 'Cluster', { networkPolicy: { policyEventLogs: true } });
cluster.addChart(new ShopChart(new cdk8s.App(), 'shop'));
app.synth();
