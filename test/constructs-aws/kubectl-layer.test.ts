import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ClusterConfigurationError } from '../../constructs/aws';
import { kubectlLayerCandidates, kubectlLayerFor, PackageLoader } from '../../constructs/aws/private/kubectl-layer';
import { newStack } from './helpers';

/** A layer class as a package exports it, recording which minor was chosen (no asset: the layer is imported by ARN). */
function layerClass(minor: number) {
  return class {
    constructor(scope: Construct, id: string) {
      return lambda.LayerVersion.fromLayerVersionArn(scope, id, `arn:aws:lambda:us-east-1:123456789012:layer:kubectl-v${minor}:1`);
    }
  };
}

/** A loader that knows only the given layer packages, failing for the rest as require does. */
function installed(...minors: number[]): PackageLoader & { asked: string[] } {
  const asked: string[] = [];
  const load = (name: string) => {
    asked.push(name);
    const minor = minors.find((m) => name === `@aws-cdk/lambda-layer-kubectl-v${m}`);
    if (minor === undefined) throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
    return { [`KubectlV${minor}Layer`]: layerClass(minor) };
  };
  return Object.assign(load, { asked });
}

const chosen = (layer: lambda.ILayerVersion) => /kubectl-v(\d+)/.exec(layer.layerVersionArn)?.[1];

describe('the kubectl layer for a Kubernetes version', () => {
  test('tries the same minor, then one older, then one newer', () => {
    expect(kubectlLayerCandidates(37)).toEqual([37, 36, 38]);
  });

  test('takes the exact package when installed, without loading others', () => {
    const load = installed(35, 36, 37);
    expect(chosen(kubectlLayerFor(newStack(), 'Kubectl', '1.36', load))).toBe('36');
    expect(load.asked).toEqual(['@aws-cdk/lambda-layer-kubectl-v36']);
  });

  test('prefers the older neighbour to the newer one', () => {
    expect(chosen(kubectlLayerFor(newStack(), 'Kubectl', '1.37', installed(36, 38)))).toBe('36');
    expect(chosen(kubectlLayerFor(newStack(), 'Kubectl', '1.35', installed(36)))).toBe('36');
  });

  test('with nothing within one minor, fails naming the path, the prop and the package to install', () => {
    const stack = newStack();
    const load = installed(33, 36);
    expect(() => kubectlLayerFor(stack, 'Kubectl', '1.30', load)).toThrow(ClusterConfigurationError);
    expect(() => kubectlLayerFor(stack, 'Kubectl', '1.30', load)).toThrow(
      'Test: kubectlLayer: no kubectl layer package for Kubernetes 1.30 is installed (looked for @aws-cdk/lambda-layer-kubectl-v30, '
        + '@aws-cdk/lambda-layer-kubectl-v29 and @aws-cdk/lambda-layer-kubectl-v31: kubectl allows one minor version of skew). '
        + 'Fix: npm install @aws-cdk/lambda-layer-kubectl-v30 (or @aws-cdk/lambda-layer-kubectl-v29 while @aws-cdk/lambda-layer-kubectl-v30 is not published), or pass kubectlLayer.',
    );
  });

  test('a package that is installed but fails to load is not taken for an absent one', () => {
    const broken: PackageLoader = (name) => {
      throw Object.assign(new Error(`Cannot find module '/x/node_modules/${name}/lib/index.js'`), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => kubectlLayerFor(newStack(), 'Kubectl', '1.36', broken)).toThrow(/lib\/index\.js/);
    const failing: PackageLoader = () => {
      throw new SyntaxError('Unexpected token');
    };
    expect(() => kubectlLayerFor(newStack(), 'Kubectl', '1.36', failing)).toThrow(SyntaxError);
  });

  test('a package without its layer class is reported', () => {
    expect(() => kubectlLayerFor(newStack(), 'Kubectl', '1.36', () => ({}))).toThrow(
      /kubectlLayer: @aws-cdk\/lambda-layer-kubectl-v36 is installed but exports no KubectlV36Layer/,
    );
  });

  test('the real loader finds the packages installed here (-v33 and -v36)', () => {
    const stack = newStack();
    expect(kubectlLayerFor(stack, 'V36', '1.37')).toBeInstanceOf(KubectlV36Layer);
    expect(() => kubectlLayerFor(stack, 'None', '1.30')).toThrow(/no kubectl layer package for Kubernetes 1\.30/);
  });
});
