/**
 * Doctor's error type and the translation of AWS SDK errors into messages a person can act on. Every error here
 * means "cannot check" (exit 2), never a stack trace.
 */

/** The doctor could not check the cluster: a message and a fix, printed as they are. */
export class DoctorError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'DoctorError';
  }
}

/** Where the error happened, for the message. */
export interface AwsCallContext {
  readonly operation: string;
  readonly clusterName: string;
  readonly region: string;
}

const ACTIONS = 'eks:DescribeCluster, eks:ListAddons, eks:DescribeAddon, eks:ListNodegroups, eks:DescribeNodegroup and eks:ListFargateProfiles';

/** Turns an SDK error into a DoctorError. Unknown errors keep their name and message (still no stack). */
export function explainAwsError(error: unknown, context: AwsCallContext): DoctorError {
  const e = error as { name?: string; message?: string; code?: string };
  const name = e?.name ?? 'Error';
  const message = (e?.message ?? String(error)).split('\n')[0];
  const where = `${context.operation} on cluster "${context.clusterName}" in ${context.region}`;
  switch (name) {
    case 'CredentialsProviderError':
      return new DoctorError('no AWS credentials found', 'configure credentials (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and try again');
    case 'ResourceNotFoundException':
      return new DoctorError(`no EKS cluster named "${context.clusterName}" in ${context.region}`, 'check the name with aws eks list-clusters, and pass --region if the cluster lives elsewhere');
    case 'AccessDeniedException':
    case 'AccessDenied':
      return new DoctorError(`access denied calling ${where}: ${message}`, `allow ${ACTIONS} for your identity`);
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return new DoctorError(`the AWS credentials were rejected (${name}): ${message}`, 'refresh or fix your credentials (for SSO: aws sso login)');
    default:
      break;
  }
  if (/region is missing/i.test(message)) {
    return new DoctorError('no AWS region is set', 'pass --region or set AWS_REGION');
  }
  if (['ENOTFOUND', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN'].includes(e?.code ?? '') || name === 'TimeoutError') {
    return new DoctorError(`cannot reach the EKS API in ${context.region} (${e.code ?? name})`, 'check your network, proxy and --region');
  }
  return new DoctorError(`${where} failed: ${name}: ${message}`, 'run again with EKS_NETPOL_DEBUG=1 for details');
}
