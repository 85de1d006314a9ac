/**
 * eks-netpol-cni, the chained CNI plugin: at ADD it hands the pod's host-side interface and addresses to the node
 * agent and returns only once the agent has attached the programs and written the pod's entries. The runtime starts
 * the pod's containers after ADD returns, so the pod never sends or receives a packet unenforced.
 *
 * Failure modes, by the plugin's `mode`:
 * - strict: an agent that cannot be reached, or that cannot program the pod, fails ADD (the kubelet retries it), so no
 *   pod runs unenforced;
 * - standard: the same failures are warnings on stderr and ADD succeeds; the pod is open until the agent programs it,
 *   which is what standard mode promises for a pod no policy selects yet.
 * DEL is best effort and always succeeds (a gone agent must not block the pod's teardown). CHECK reports the agent's
 * verdict (the pod is admitted, re-programming it if the agent lost track of it); an unreachable agent fails CHECK in
 * strict mode only.
 */
import { AgentReply, AgentUnreachableError, postToAgent } from './agent-client';
import { CNI_CODES, CniError, PluginConfig, SUPPORTED_VERSIONS, podNetworkOf, readConfig, readEnvironment } from './config';
import { CNI_ROUTES, PLUGIN_TYPE, PodAnnouncement, PodRelease } from './protocol';

/** What the runtime gave the plugin. */
export interface PluginInput {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: string;
}

/** What the plugin answers: stdout (result or CNI error), stderr (warnings), exit status. */
export interface PluginOutput {
  readonly exitCode: 0 | 1;
  readonly stdout: string;
  readonly stderr: string;
}

/** The way to the agent (tests pass their own). */
export type AgentPoster = (socketPath: string, route: string, body: unknown, timeoutMs: number) => Promise<AgentReply>;

/** Runs one CNI command. Never throws: every failure is a CNI error on stdout. */
export async function runPlugin(input: PluginInput, post: AgentPoster = postToAgent): Promise<PluginOutput> {
  const warnings: string[] = [];
  let cniVersion = SUPPORTED_VERSIONS[SUPPORTED_VERSIONS.length - 1];
  try {
    const command = input.env.CNI_COMMAND ?? '';
    if (command === 'VERSION') return ok(`${JSON.stringify({ cniVersion: requestedVersion(input.stdin) ?? cniVersion, supportedVersions: SUPPORTED_VERSIONS })}\n`);
    if (command !== 'ADD' && command !== 'DEL' && command !== 'CHECK') {
      throw new CniError(CNI_CODES.invalidEnvironment, `CNI_COMMAND ${JSON.stringify(command)} is not supported: ${PLUGIN_TYPE} handles ADD, DEL, CHECK and VERSION`);
    }
    cniVersion = requestedVersion(input.stdin) ?? cniVersion;
    const config = readConfig(input.stdin);
    const stdout = await (command === 'ADD' ? add : command === 'DEL' ? del : check)(config, input, post, warnings);
    return { exitCode: 0, stdout, stderr: warnings.join('') };
  } catch (error) {
    const cni = error instanceof CniError ? error : new CniError(CNI_CODES.tryAgainLater, `${PLUGIN_TYPE} failed unexpectedly`, String((error as Error)?.message ?? error));
    const body = { cniVersion, code: cni.code, msg: cni.msg, ...(cni.details ? { details: cni.details } : {}) };
    return { exitCode: 1, stdout: `${JSON.stringify(body)}\n`, stderr: warnings.join('') };
  }
}

function ok(stdout: string): PluginOutput {
  return { exitCode: 0, stdout, stderr: '' };
}

/** The cniVersion the runtime asked for, so that even an error is answered in its version. */
function requestedVersion(stdin: string): string | undefined {
  try {
    const version = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    return typeof version === 'string' && SUPPORTED_VERSIONS.includes(version) ? version : undefined;
  } catch {
    return undefined;
  }
}

type Handler = (config: PluginConfig, input: PluginInput, post: AgentPoster, warnings: string[]) => Promise<string>;

const add: Handler = async (config, input, post, warnings) => {
  const env = readEnvironment(input.env, ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME']);
  const announcement = announce(config, env.containerId, env.pod);
  const verdict = await askAgent(config, CNI_ROUTES.add, announcement, post);
  if (verdict !== 'admitted') refuseOrWarn(config, 'ADD', announcement, verdict, warnings);
  // The previous plugins' result is ours: this plugin adds no interface and no address.
  const result = config.prevResult!;
  return `${JSON.stringify(result.cniVersion ? result : { cniVersion: config.cniVersion, ...result })}\n`;
};

const check: Handler = async (config, input, post, warnings) => {
  const env = readEnvironment(input.env, ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME']);
  const announcement = announce(config, env.containerId, env.pod);
  const verdict = await askAgent(config, CNI_ROUTES.check, announcement, post);
  if (verdict === 'admitted') return '';
  // An agent that answers "no" is the truth CHECK exists to report, in either mode.
  if (!(verdict instanceof AgentUnreachableError)) {
    throw new CniError(CNI_CODES.agentRefused, `the eks-netpol agent does not enforce pod ${podId(announcement)}: ${verdict.error}`, `HTTP ${verdict.status}`);
  }
  refuseOrWarn(config, 'CHECK', announcement, verdict, warnings);
  return '';
};

const del: Handler = async (config, input, post, warnings) => {
  const env = readEnvironment(input.env, []);
  // Without the pod's name (not the kubelet, or an old runtime) there is nothing to tell the agent.
  if (!env.pod) return '';
  const release: PodRelease = { ...env.pod, containerId: env.containerId };
  try {
    const reply = await post(config.agentSocket, CNI_ROUTES.del, release, config.timeoutMs);
    if (reply.status !== 200) warnings.push(`${PLUGIN_TYPE}: warning: the agent did not release pod ${podId(release)}: ${reply.answer.error ?? `HTTP ${reply.status}`}\n`);
  } catch (error) {
    // Best effort: the agent detaches the interface of a deleted pod at its next programming anyway.
    warnings.push(`${PLUGIN_TYPE}: warning: DEL of pod ${podId(release)} not told to the agent: ${(error as Error).message}\n`);
  }
  return '';
};

/** The announcement of the pod of this invocation, from CNI_ARGS and prevResult. */
function announce(config: PluginConfig, containerId: string, pod: { namespace: string; name: string } | undefined): PodAnnouncement {
  if (!pod) {
    throw new CniError(CNI_CODES.invalidEnvironment,
      'CNI_ARGS has no K8S_POD_NAMESPACE and K8S_POD_NAME: eks-netpol-cni enforces Kubernetes pods and needs the kubelet\'s CNI_ARGS');
  }
  const network = podNetworkOf(config.prevResult);
  return { ...pod, containerId, ifname: network.ifname, ips: network.ips, timeoutMs: config.timeoutMs };
}

type Verdict = 'admitted' | AgentUnreachableError | { status: number; error: string };

async function askAgent(config: PluginConfig, route: string, announcement: PodAnnouncement, post: AgentPoster): Promise<Verdict> {
  let reply: AgentReply;
  try {
    reply = await post(config.agentSocket, route, announcement, config.timeoutMs);
  } catch (error) {
    if (error instanceof AgentUnreachableError) return error;
    throw error;
  }
  if (reply.status === 200 && reply.answer.admitted === true) return 'admitted';
  return { status: reply.status, error: reply.answer.error ?? `HTTP ${reply.status} without a reason` };
}

/** Strict mode: the failure is the runtime's error. Standard mode: a warning, and the command succeeds. */
function refuseOrWarn(config: PluginConfig, command: string, pod: PodAnnouncement, verdict: Exclude<Verdict, 'admitted'>, warnings: string[]): void {
  const unreachable = verdict instanceof AgentUnreachableError;
  const reason = unreachable ? verdict.message : `the agent answered HTTP ${verdict.status}: ${verdict.error}`;
  if (config.mode === 'strict') {
    const fix = unreachable
      ? `strict mode starts no pod unenforced; the kubelet retries. Check the agent (its DaemonSet pod on this node, --cni-socket ${config.agentSocket}) or take ${PLUGIN_TYPE} out of the chain with \`eks-netpol agent uninstall-cni\``
      : 'strict mode starts no pod unenforced; the kubelet retries. The agent\'s event log (stage "cni") says more';
    throw new CniError(unreachable ? CNI_CODES.tryAgainLater : CNI_CODES.agentRefused,
      `${command} of pod ${podId(pod)} (${pod.ifname}): ${reason}. ${fix}`, unreachable ? undefined : `HTTP ${verdict.status}`);
  }
  warnings.push(`${PLUGIN_TYPE}: warning: ${command} of pod ${podId(pod)} (${pod.ifname}): ${reason}; standard mode lets the pod start, open until the agent programs it\n`);
}

function podId(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}
