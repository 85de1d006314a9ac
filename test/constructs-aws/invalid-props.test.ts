import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Token } from 'aws-cdk-lib';
import { ClusterCompute, ClusterConfigurationError, NetworkPolicyCluster, NetworkPolicyClusterProps } from '../../constructs/aws';
import { fakeKubectlLayer, newStack } from './helpers';

// CDK synthesis is slow on a shared 2-core machine; give it room beyond jest's 60 s default.
jest.setTimeout(300_000);

/** Builds a cluster with the given props over a valid base, returning the thrown error. */
function attempt(props: Partial<NetworkPolicyClusterProps>): () => void {
  return () => {
    const stack = newStack();
    new NetworkPolicyCluster(stack, 'Cluster', { kubectlLayer: fakeKubectlLayer(stack), ...props });
  };
}

describe('NetworkPolicyCluster refuses invalid combinations at synth', () => {
  test('CloudWatch logs without policy event logs name the prop and the fix', () => {
    expect(attempt({ networkPolicy: { cloudWatchLogs: true } })).toThrow(
      /Test\/Cluster\/VpcCni: networkPolicy\.cloudWatchLogs: .*Fix: set networkPolicy\.policyEventLogs: true/,
    );
  });

  test('a Kubernetes version with no pinned add-on version asks for vpcCniVersion', () => {
    expect(attempt({ version: eks.KubernetesVersion.of('1.38') })).toThrow(
      /Test\/Cluster: vpcCniVersion: no vpc-cni version is pinned for Kubernetes 1\.38\. Fix: set vpcCniVersion explicitly/,
    );
  });

  test('an explicit vpcCniVersion makes an unpinned Kubernetes version acceptable', () => {
    expect(attempt({ version: eks.KubernetesVersion.of('1.38'), vpcCniVersion: 'v1.23.1-eksbuild.1' })).not.toThrow();
  });

  test('a Kubernetes version given as a token cannot be pinned', () => {
    expect(attempt({ version: eks.KubernetesVersion.of(Token.asString({ Ref: 'Version' })) })).toThrow(/version: the Kubernetes version is a token/);
  });

  test('a Kubernetes version older than 1.25 has no network policy controller', () => {
    expect(attempt({ version: eks.KubernetesVersion.of('1.24') })).toThrow(/version: Kubernetes 1\.24 has no EKS network policy controller/);
  });

  test('Fargate-only compute is refused', () => {
    expect(
      attempt({
        compute: ClusterCompute.nodeGroups({}),
        fargateProfiles: { apps: { selectors: [{ namespace: 'shop' }] } },
      }),
    ).toThrow(/fargateProfiles: Fargate-only compute cannot enforce NetworkPolicies.*Fix: add at least one AL2023 or Bottlerocket node group/);
  });

  test('Windows node groups are refused', () => {
    expect(attempt({ compute: ClusterCompute.nodeGroups({ win: { amiType: eks.NodegroupAmiType.WINDOWS_CORE_2022_X86_64 } }) })).toThrow(
      /compute\.nodeGroups\.win\.amiType: WINDOWS_CORE_2022_x86_64 is Windows.*Fix: use an AL2023_\* or BOTTLEROCKET_\* AMI type/,
    );
  });

  test('AL2 node groups are refused in favour of AL2023', () => {
    expect(attempt({ compute: ClusterCompute.nodeGroups({ old: { amiType: eks.NodegroupAmiType.AL2_X86_64 } }) })).toThrow(/old\.amiType: AL2_x86_64/);
  });

  test('strict mode is refused under Auto Mode, pointing to DefaultDeny', () => {
    expect(attempt({ compute: ClusterCompute.autoMode(), networkPolicy: { enforcingMode: 'strict' } })).toThrow(
      /networkPolicy\.enforcingMode: strict mode .* Auto Mode .*Fix: use ClusterCompute\.autoMode\(\{ defaultNetworkPolicy: 'DefaultDeny' \}\)/,
    );
  });

  test('VPC CNI log settings are refused under Auto Mode, pointing to its own setting', () => {
    expect(attempt({ compute: ClusterCompute.autoMode(), networkPolicy: { policyEventLogs: true } })).toThrow(/networkPolicyEventLogs: true/);
    expect(attempt({ compute: ClusterCompute.autoMode(), vpcCniVersion: 'v1.20.1-eksbuild.3' })).toThrow(/vpcCniVersion: EKS Auto Mode/);
  });

  test('strict mode on a vpcCniVersion that predates it is refused', () => {
    expect(attempt({ vpcCniVersion: 'v1.16.0-eksbuild.1', networkPolicy: { enforcingMode: 'strict' } })).toThrow(
      /networkPolicy\.enforcingMode: needs vpc-cni v1\.17\.1 or later/,
    );
  });

  test('a Kubernetes version with no installed kubectl layer within one minor needs the package or kubectlLayer', () => {
    // Installed here: -v33 and -v36, so 1.30 (wanting -v30, -v29 or -v31) has none.
    expect(attempt({ version: eks.KubernetesVersion.V1_30, kubectlLayer: undefined })).toThrow(
      /^Test\/Cluster: kubectlLayer: no kubectl layer package for Kubernetes 1\.30 is installed .*Fix: npm install @aws-cdk\/lambda-layer-kubectl-v30 .*or pass kubectlLayer\.$/,
    );
  });

  test('the error is a ClusterConfigurationError carrying the prop and the fix', () => {
    try {
      attempt({ networkPolicy: { cloudWatchLogs: true } })();
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(ClusterConfigurationError);
      expect((error as ClusterConfigurationError).prop).toBe('networkPolicy.cloudWatchLogs');
    }
  });
});
