/**
 * `eks-netpol doctor --cluster NAME`: can this live EKS cluster enforce NetworkPolicies? Reads the EKS API (read-only),
 * runs the checks in lib/doctor and prints pass/warn/fail with a fix for each problem.
 */
import { parseArgs } from 'util';
import { readManifestObjects } from '../../manifests';
import { formatProblem } from '../../model/problems';
import { Command, EXIT, UsageError } from '../io';
import { inputPath } from '../load';

export const DOCTOR_HELP = `Usage: eks-netpol doctor --cluster NAME [--region REGION] [--policies PATH...] [--output table|json]

Can this live EKS cluster enforce Kubernetes NetworkPolicies? Reads the EKS API (read-only) and checks:
the Kubernetes version, EKS Auto Mode, the vpc-cni add-on (present, ACTIVE, version), enableNetworkPolicy,
the enforcing mode and logs, the policy APIs your manifests use (with --policies: ClusterNetworkPolicy
needs Kubernetes 1.29+ and vpc-cni v1.21.1+), the node groups' AMI types and the Fargate profiles.
Each check prints pass, warn or fail, with the fix.

Options:
  -c, --cluster NAME      The EKS cluster name. Required.
  -r, --region REGION     The AWS region. Default: AWS_REGION, AWS_DEFAULT_REGION or your AWS profile's region.
  -p, --policies PATH     Manifests (file, directory or - for stdin; repeatable) of the policies the cluster runs,
                          checked against its versions. The EKS API cannot list them.
  -o, --output FORMAT     table or json. Default: table.
  -h, --help              Print this help.

Needs credentials allowed eks:DescribeCluster, eks:ListAddons, eks:DescribeAddon, eks:ListNodegroups,
eks:DescribeNodegroup and eks:ListFargateProfiles.

Exit status: 0 when no check fails (warnings allowed), 1 when any check fails, 2 when the cluster cannot be
checked (bad usage, unreadable --policies, no credentials, no such cluster, access denied).

Examples:
  eks-netpol doctor --cluster prod --region eu-west-1
  eks-netpol doctor --cluster prod --policies k8s/policies
  eks-netpol doctor --cluster prod --output json | jq '.checks[] | select(.status != "pass")'
`;

const OUTPUTS = ['table', 'json'] as const;
type Output = (typeof OUTPUTS)[number];

/** The parsed arguments. */
export interface DoctorArgs {
  readonly cluster: string;
  readonly region?: string;
  /** The --policies paths, as given; empty when none. */
  readonly policies: readonly string[];
  readonly output: Output;
  readonly help: boolean;
}

/** Parses `doctor`'s arguments; throws UsageError with the fix for anything wrong. */
export function parseDoctorArguments(argv: readonly string[]): DoctorArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        cluster: { type: 'string', short: 'c' },
        region: { type: 'string', short: 'r' },
        policies: { type: 'string', short: 'p', multiple: true },
        output: { type: 'string', short: 'o', default: 'table' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return { cluster: '', policies: [], output: 'table', help: true };
  if (!values.cluster) throw new UsageError('--cluster NAME is required.');
  if (!(OUTPUTS as readonly string[]).includes(values.output!)) {
    throw new UsageError(`--output must be one of ${OUTPUTS.join(', ')}, not "${values.output}".`);
  }
  return { cluster: values.cluster, region: values.region, policies: values.policies ?? [], output: values.output as Output, help: false };
}

/** The `doctor` command. */
export const doctor: Command = async (argv, io) => {
  const args = parseDoctorArguments(argv);
  if (args.help) {
    io.stdout.write(DOCTOR_HELP);
    return EXIT.OK;
  }
  const doctorLib = require('../../doctor') as typeof import('../../doctor');
  // Read before any AWS call: a wrong path is reported without credentials or network.
  let policies;
  if (args.policies.length > 0) {
    const { objects, problems } = readManifestObjects(args.policies.map((p) => inputPath(io, p)), { readStdin: io.readStdin });
    if (problems.length > 0) {
      for (const problem of problems) io.stderr.write(`${formatProblem(problem)}\n`);
      io.stderr.write(`eks-netpol doctor: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} in --policies; the cluster was not checked.\n`);
      return EXIT.INVALID;
    }
    policies = doctorLib.policyUsage(objects);
  }
  // Loaded only now: the AWS SDK is the heaviest dependency of the CLI.
  const { EKSClient } = require('@aws-sdk/client-eks') as typeof import('@aws-sdk/client-eks');
  const region = args.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  const client = new EKSClient(region ? { region } : {});
  let regionName = region ?? 'the default region';
  try {
    if (!region) regionName = await client.config.region();
  } catch (error) {
    return cannotCheck(io, doctorLib.explainAwsError(error, { operation: 'region lookup', clusterName: args.cluster, region: regionName }));
  }
  let facts;
  try {
    facts = await doctorLib.gatherClusterFacts(client, args.cluster, regionName);
  } catch (error) {
    if (error instanceof doctorLib.DoctorError) return cannotCheck(io, error);
    throw error;
  } finally {
    client.destroy();
  }
  const results = doctorLib.runChecks(policies ? { ...facts, policies } : facts);
  io.stdout.write(
    args.output === 'json'
      ? doctorLib.renderJson(args.cluster, regionName, results)
      : doctorLib.renderTable(args.cluster, regionName, results),
  );
  return results.some((r) => r.status === 'fail') ? EXIT.FAILED : EXIT.OK;
};

/** Prints why the cluster could not be checked, and how to fix it; exit 2. */
function cannotCheck(io: Parameters<Command>[1], error: { message: string; fix: string }): number {
  io.stderr.write(`eks-netpol doctor: cannot check the cluster: ${error.message}.\nFix: ${error.fix}.\n`);
  return EXIT.INVALID;
}
