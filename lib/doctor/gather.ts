/**
 * Reads what the checks need from the EKS API: DescribeCluster, ListAddons + DescribeAddon (vpc-cni),
 * ListNodegroups + DescribeNodegroup, ListFargateProfiles. Read-only calls; lists are followed page by page.
 */
import type { EKSClient } from '@aws-sdk/client-eks';
import { DoctorError, explainAwsError } from './errors';
import { ClusterFacts, NodegroupInfo } from './types';

/** The permissions doctor needs, for the access-denied message. */
export const REQUIRED_ACTIONS = [
  'eks:DescribeCluster',
  'eks:ListAddons',
  'eks:DescribeAddon',
  'eks:ListNodegroups',
  'eks:DescribeNodegroup',
  'eks:ListFargateProfiles',
] as const;

/** Collects the facts about one cluster; AWS errors become a {@link DoctorError} with a clear message and fix. */
export async function gatherClusterFacts(client: EKSClient, clusterName: string, region: string): Promise<ClusterFacts> {
  // Loaded here, not at the top, so that the CLI pays for the SDK only when doctor runs.
  const sdk = require('@aws-sdk/client-eks') as typeof import('@aws-sdk/client-eks');
  const call = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw explainAwsError(error, { operation, clusterName, region });
    }
  };

  const described = await call('DescribeCluster', () => client.send(new sdk.DescribeClusterCommand({ name: clusterName })));
  if (!described.cluster) throw new DoctorError(`DescribeCluster returned no cluster for "${clusterName}"`, 'check the cluster name and region');

  const addonNames: string[] = [];
  for (let token: string | undefined, first = true; first || token; first = false) {
    const page = await call('ListAddons', () => client.send(new sdk.ListAddonsCommand({ clusterName, nextToken: token })));
    addonNames.push(...(page.addons ?? []));
    token = page.nextToken;
  }
  const vpcCni = addonNames.includes('vpc-cni')
    ? (await call('DescribeAddon', () => client.send(new sdk.DescribeAddonCommand({ clusterName, addonName: 'vpc-cni' })))).addon
    : undefined;

  const nodegroupNames: string[] = [];
  for (let token: string | undefined, first = true; first || token; first = false) {
    const page = await call('ListNodegroups', () => client.send(new sdk.ListNodegroupsCommand({ clusterName, nextToken: token })));
    nodegroupNames.push(...(page.nodegroups ?? []));
    token = page.nextToken;
  }
  const nodegroups: NodegroupInfo[] = [];
  for (const nodegroupName of nodegroupNames) {
    const { nodegroup } = await call('DescribeNodegroup', () => client.send(new sdk.DescribeNodegroupCommand({ clusterName, nodegroupName })));
    nodegroups.push(nodegroup ?? { nodegroupName });
  }

  const fargateProfileNames: string[] = [];
  for (let token: string | undefined, first = true; first || token; first = false) {
    const page = await call('ListFargateProfiles', () => client.send(new sdk.ListFargateProfilesCommand({ clusterName, nextToken: token })));
    fargateProfileNames.push(...(page.fargateProfileNames ?? []));
    token = page.nextToken;
  }

  return { cluster: described.cluster, addonNames, vpcCni, nodegroups, fargateProfileNames };
}
