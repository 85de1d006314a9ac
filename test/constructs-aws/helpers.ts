import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Chart } from 'cdk8s';
import * as cdk8s from 'cdk8s';
import { Construct } from 'constructs';
import { AppWithPolicy, PolicyNamespace, Port } from '../../constructs/k8s';

/** A stack in a fresh app. */
export function newStack(): Stack {
  return new Stack(new App(), 'Test');
}

/** A kubectl layer by ARN, so tests do not copy the 37 MB bundled layer asset on every synth. */
export function fakeKubectlLayer(scope: Construct): lambda.ILayerVersion {
  return lambda.LayerVersion.fromLayerVersionArn(scope, 'FakeKubectl', 'arn:aws:lambda:us-east-1:123456789012:layer:kubectl:1');
}

/** A chart with one namespace and two apps (web -> api), in its own cdk8s app. */
export function twoAppChart(id = 'shop', namespace = 'shop'): Chart {
  const chart = new Chart(new cdk8s.App(), id, { namespace });
  new PolicyNamespace(chart, 'namespace', { name: namespace });
  const web = new AppWithPolicy(chart, 'web', { image: 'nginx:1.27', ports: { http: 8080 } });
  const api = new AppWithPolicy(chart, 'api', { image: 'nginx:1.27', ports: { http: 8080 } });
  web.allowTo(api, Port.named('http'));
  return chart;
}
