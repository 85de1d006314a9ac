/**
 * `eks-netpol doctor --cluster NAME`: can this live EKS cluster enforce NetworkPolicies? Reads the EKS API (read-only),
 * runs the checks in lib/doctor and prints pass/warn/fail with a fix for each problem.
 */
import { parseArgs } from 'util';
import { Command, EXIT, UsageError } from '../io';

export const DOCTOR_HELP = `Usage: eks-netpol doctor --cluster NAME [--region REGION] [--output table|json]

Can this live EKS cluster enforce Kubernetes NetworkPolicies? Reads the EKS API (read-only) and checks:
the Kubernetes version, EKS Auto Mode, the vpc-cni add-on (present, ACTIVE, version), enableNetworkPolicy,
the enforcing mode and logs, the node groups' AMI types and the Fargate profiles. Each check prints
pass, warn or fail, with the fix.

Options:
  -c, --cluster NAME      The EKS cluster name. Required.
  -r, --region REGION     The AWS region. Default: AWS_REGION, AWS_DEFAULT_REGION or your AWS profile's region.
  -o, --output FORMAT     table or json. Default: table.
  -h, --help              Print this help.

Needs credentials allowed eks:DescribeCluster, eks:ListAddons, eks:DescribeAddon, eks:ListNodegroups,
eks:DescribeNodegroup and eks:ListFargateProfiles.

Exit status: 0 when no check fails (warnings allowed), 1 when any check fails, 2 when the cluster cannot be
checked (bad usage, no credentials, no such cluster, access denied).

Examples:
  eks-netpol doctor --cluster prod --region eu-west-1
  eks-netpol doctor --cluster prod --output json | jq '.checks[] | select(.status != "pass")'
`;

const OUTPUTS = ['table', 'json'] as const;
type Output = (typeof OUTPUTS)[number];

/** The parsed arguments. */
export interface DoctorArgs {
  readonly cluster: string;
  readonly region?: string;
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
  if (values.help) return { cluster: '', output: 'table', help: true };
  if (!values.cluster) throw new UsageError('--cluster NAME is required.');
  if (!(OUTPUTS as readonly string[]).includes(values.output!)) {
    throw new UsageError(`--output must be one of ${OUTPUTS.join(', ')}, not "${values.output}".`);
  }
  return { cluster: values.cluster, region: values.region, output: values.output as Output, help: false };
}

/** The `doctor` command. */
export const doctor: Command = async (argv, io) => {
  const args = parseDoctorArguments(argv);
  if (args.help) {
    io.stdout.write(DOCTOR_HELP);
    return EXIT.OK;
  }
  // Loaded only now: the AWS SDK is the heaviest dependency of the CLI.
  const { EKSClient } = require('@aws-sdk/client-eks') as typeof import('@aws-sdk/client-eks');
  const doctorLib = require('../../doctor') as typeof import('../../doctor');
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
  const results = doctorLib.runChecks(facts);
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
