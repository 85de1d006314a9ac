import * as fs from 'fs';
import { findUpwards } from '../../lib/package-files';
import * as path from 'path';
import { IgnoreMode, Token } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import {
  checkPolicyAgentOptions,
  PolicyAgentManifestOptions,
  policyAgentManifests,
  PolicyAgentSettings,
} from '../private/policy-agent-manifests';
import { ClusterConfigurationError } from './errors';

/** Base images of agent-image/Dockerfile, to pin them by digest (`debian:bookworm-slim@sha256:...`). */
export interface PolicyAgentBaseImages {
  /**
   * The image of the stage that compiles bpf/ with clang.
   *
   * @default 'debian:bookworm-slim' (the Dockerfile's ARG DEBIAN_IMAGE)
   */
  readonly debian?: string;
  /**
   * The image of the stage that runs `npm ci` and `npm run build`.
   *
   * @default 'node:20-bookworm' (ARG NODE_BUILD_IMAGE)
   */
  readonly nodeBuild?: string;
  /**
   * The runtime image.
   *
   * @default 'node:20-bookworm-slim' (ARG NODE_IMAGE)
   */
  readonly node?: string;
}

/** How the eks-netpol agent runs; shared by {@link PolicyAgentProps} and `EnforcementAgent.eksNetpol()`. */
export interface PolicyAgentOptions extends PolicyAgentSettings {
  /**
   * A prebuilt agent image (e.g. from your own pipeline). Without it the image is built from agent-image/ as a
   * DockerImageAsset by `cdk deploy` (synth needs no Docker engine; publishing does).
   *
   * @default - built from this package's agent-image/Dockerfile
   */
  readonly imageUri?: string;
  /**
   * The platform to build the image for; match your nodes (Graviton nodes need LINUX_ARM64).
   *
   * @default - the platform of the machine running `cdk deploy`
   */
  readonly platform?: ecrAssets.Platform;
  /**
   * Base images of the Dockerfile, to pin them by digest.
   *
   * @default - the Dockerfile's tags (not pinned)
   */
  readonly baseImages?: PolicyAgentBaseImages;
}

/** Properties of {@link PolicyAgent}. */
export interface PolicyAgentProps extends PolicyAgentOptions {
  /** The cluster to deploy the agent into. */
  readonly cluster: eks.ICluster;
}

/**
 * The eks-netpol eBPF node agent on an EKS cluster: its image (a DockerImageAsset of agent-image/) and a DaemonSet on
 * every node with the least it needs (hostNetwork; CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON instead of privileged;
 * bpffs and the host's /sys; RBAC read-only plus the pod annotation it writes; system-node-critical).
 *
 * The same objects come from the same function as the cdk8s `PolicyAgentChart`, so GitOps and CDK deploy one agent.
 * Do not run it beside the VPC CNI's enforcement: `NetworkPolicyCluster` with `EnforcementAgent.eksNetpol()` turns
 * that off for you.
 */
export class PolicyAgent extends Construct {
  /** The image asset, when the image is built from agent-image/. */
  readonly imageAsset?: ecrAssets.DockerImageAsset;
  /** The image the DaemonSet runs. */
  readonly imageUri: string;
  /** The Kubernetes objects (ServiceAccount, ClusterRole, ClusterRoleBinding, DaemonSet). */
  readonly objects: Record<string, unknown>[];
  /** The manifest resource; depend on it to start after the agent's DaemonSet exists. */
  readonly manifest: eks.KubernetesManifest;

  constructor(scope: Construct, id: string, props: PolicyAgentProps) {
    super(scope, id);
    const options = resolvedOptions(this.node.path, props);
    if (props.imageUri !== undefined) {
      this.imageUri = props.imageUri;
    } else {
      const root = agentImageContext(this.node.path);
      this.imageAsset = new ecrAssets.DockerImageAsset(this, 'Image', {
        directory: root,
        file: 'agent-image/Dockerfile',
        // The Dockerfile's own ignore file, so the staged context is exactly what `docker build` would send.
        exclude: readIgnoreFile(path.join(root, 'agent-image', 'Dockerfile.dockerignore')),
        ignoreMode: IgnoreMode.DOCKER,
        platform: props.platform,
        buildArgs: baseImageArgs(props.baseImages),
      });
      this.imageUri = this.imageAsset.imageUri;
    }
    this.objects = policyAgentManifests({ ...options, image: this.imageUri });
    this.manifest = new eks.KubernetesManifest(this, 'Manifest', {
      cluster: props.cluster,
      // A copy: the kubectl provider's prune label is added in place, and `objects` stays what the builder returned.
      manifest: structuredClone(this.objects),
      // A previous install (or a GitOps copy of the same chart) may own the objects; apply replaces them.
      overwrite: true,
    });
  }
}

/** The options, validated; throws naming the first bad prop. Token values are left to CloudFormation. */
function resolvedOptions(path: string, options: PolicyAgentOptions): Omit<PolicyAgentManifestOptions, 'image'> {
  const checked = {
    mode: options.mode,
    port: options.port !== undefined && Token.isUnresolved(options.port) ? undefined : options.port,
    namespace: options.namespace,
    pinDir: options.pinDir,
    listenAddress: options.listenAddress,
  };
  const problems = checkPolicyAgentOptions(checked);
  if (problems.length > 0) {
    const [first] = problems;
    throw new ClusterConfigurationError(path, first.prop, first.message, first.fix);
  }
  return { ...checked, port: options.port, resources: options.resources };
}

/** The repository root that holds agent-image/Dockerfile (found upwards from here: sources or dist/). */
function agentImageContext(constructPath: string): string {
  const dockerfile = findUpwards(path.join('agent-image', 'Dockerfile'));
  if (dockerfile) return path.dirname(path.dirname(dockerfile));
  throw new ClusterConfigurationError(
    constructPath,
    'imageUri',
    'the agent image sources (agent-image/Dockerfile and the package sources) are not part of this installation',
    'build the image from a clone of eks-netpol (docker build -f agent-image/Dockerfile .) and pass imageUri',
  );
}

/** The patterns of a .dockerignore file (comments and blank lines dropped). */
function readIgnoreFile(file: string): string[] {
  return fs.readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Build arguments for the base images that are given (none: the Dockerfile's defaults). */
function baseImageArgs(images: PolicyAgentBaseImages | undefined): Record<string, string> | undefined {
  if (!images) return undefined;
  const args: Record<string, string> = {};
  if (images.debian) args.DEBIAN_IMAGE = images.debian;
  if (images.nodeBuild) args.NODE_BUILD_IMAGE = images.nodeBuild;
  if (images.node) args.NODE_IMAGE = images.node;
  return Object.keys(args).length > 0 ? args : undefined;
}
