import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** The Kubernetes minor version whose kubectl the bundled layer package (@aws-cdk/lambda-layer-kubectl-v33) ships. */
export const BUNDLED_KUBECTL_MINOR = 33;

/**
 * kubectl supports one minor version of skew either way, so the v33 layer drives clusters 1.32 to 1.34; outside that
 * the caller must bring the matching @aws-cdk/lambda-layer-kubectl-vNN package. Returns undefined in that case.
 */
export function bundledKubectlLayer(scope: Construct, id: string, kubernetesVersion: string): lambda.ILayerVersion | undefined {
  const minor = Number(kubernetesVersion.split('.')[1]);
  if (!(Math.abs(minor - BUNDLED_KUBECTL_MINOR) <= 1)) return undefined;
  // An optional peer dependency: loaded only when a cluster needs it, so the package is not required otherwise.
  const { KubectlV33Layer } = require('@aws-cdk/lambda-layer-kubectl-v33') as typeof import('@aws-cdk/lambda-layer-kubectl-v33');
  return new KubectlV33Layer(scope, id);
}
