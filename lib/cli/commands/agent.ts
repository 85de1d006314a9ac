/**
 * `eks-netpol agent`: the node agent. Local mode (--manifests DIR) programs this node from files and re-reads them
 * on change; API mode (--kubeconfig / in-cluster, --node-name) watches the cluster. `agent uninstall` removes every
 * program, link and pin. Runs until SIGTERM or SIGINT, which leave enforcement in place.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { DEFAULT_LISTEN, DEFAULT_PIN_DIR, startAgent, AgentSource } from '../../agent/agent';
import { CniSocketError } from '../../agent/cni-server';
import { parseListen } from '../../agent/server';
import { DEFAULT_AGENT_SOCKET } from '../../cni/protocol';
import { uninstall } from '../../agent/uninstall';
import { Command, CliIO, EXIT, UsageError } from '../io';

export function agentHelp(): string {
  return `Usage: eks-netpol agent --manifests DIR [options]
       eks-netpol agent --node-name NODE [--kubeconfig FILE] [options]
       eks-netpol agent uninstall [--pin-dir DIR]
       eks-netpol agent install-cni|uninstall-cni [options]   (see eks-netpol agent install-cni --help)

The node agent: puts the cluster's NetworkPolicies into this node's kernel (eBPF on each pod's host veth) and keeps
them there. Needs root (CAP_BPF, CAP_NET_ADMIN). Event lines (JSON) go to stdout, messages to stderr.

Options:
  --manifests DIR         Local mode: the cluster as YAML/JSON files, re-read when they change.
  --node-pods NS/NAME,..  Local mode: the pods running on this node (repeatable, or comma-separated).
  --all-local             Local mode: every pod of the manifests with an IP runs on this node.
  --node-name NODE        API mode: this node's name (pods with spec.nodeName NODE are local). Default: $NODE_NAME.
  --kubeconfig FILE       API mode: the kubeconfig. Default: in-cluster, else $KUBECONFIG or ~/.kube/config.
  --mode MODE             standard (a pod is open until a policy selects it) or strict (unknown interfaces are
                          denied). Default: standard.
  --pin-dir DIR           bpffs directory for maps and links. Default: ${DEFAULT_PIN_DIR}.
  --object FILE           The compiled programs. Default: bpf/build/netpol.bpf.o of this package.
  --listen HOST:PORT      /healthz, /readyz, /metrics. Default: ${DEFAULT_LISTEN.host}:${DEFAULT_LISTEN.port}.
  --cni-socket PATH|off   Where the CNI plugin eks-netpol-cni announces new pods (see install-cni). Default:
                          ${DEFAULT_AGENT_SOCKET} in API mode, off in local mode.
  --cni-conf-dir DIR      Keep eks-netpol-cni in the chain of DIR's conflist (aws-node rewrites it at each start).
  -h, --help              Print this help.

Examples:
  eks-netpol agent --manifests k8s/ --all-local --mode strict
  eks-netpol agent --node-name "$NODE_NAME" --listen 0.0.0.0:9476
  eks-netpol agent uninstall
`;
}

const OPTIONS = {
  manifests: { type: 'string' },
  'node-pods': { type: 'string', multiple: true },
  'all-local': { type: 'boolean' },
  'node-name': { type: 'string' },
  kubeconfig: { type: 'string' },
  mode: { type: 'string' },
  'pin-dir': { type: 'string' },
  object: { type: 'string' },
  listen: { type: 'string' },
  'cni-socket': { type: 'string' },
  'cni-conf-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: readonly string[]): ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>> {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Resolves when the process is asked to stop. */
function signalled(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(signal));
  });
}

function sourceOf(values: ReturnType<typeof parse>['values'], io: CliIO): AgentSource {
  if (values.manifests !== undefined) {
    if (values['node-name'] !== undefined || values.kubeconfig !== undefined) {
      throw new UsageError('--manifests (local mode) cannot be combined with --node-name or --kubeconfig (API mode).');
    }
    const ids = (values['node-pods'] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    if (values['all-local'] && ids.length > 0) throw new UsageError('give either --node-pods or --all-local, not both.');
    if (!values['all-local'] && ids.length === 0) throw new UsageError('local mode needs --node-pods NS/NAME,... or --all-local.');
    const bad = ids.find((id) => !/^[^/]+\/[^/]+$/.test(id));
    if (bad) throw new UsageError(`--node-pods "${bad}" is not NAMESPACE/NAME (e.g. shop/web).`);
    const directory = path.resolve(io.cwd, values.manifests);
    return { kind: 'manifests', directory, localPods: values['all-local'] ? { all: true } : { ids } };
  }
  const nodeName = values['node-name'] ?? io.env.NODE_NAME;
  if (!nodeName) throw new UsageError('give --manifests DIR (local mode) or --node-name NODE / $NODE_NAME (API mode).');
  if (values['node-pods'] || values['all-local']) throw new UsageError('--node-pods and --all-local are for local mode (--manifests).');
  return { kind: 'kubernetes', nodeName, kubeconfig: values.kubeconfig && path.resolve(io.cwd, values.kubeconfig) };
}

export const agent: Command = async (argv, io) => {
  if (argv[0] === 'install-cni' || argv[0] === 'uninstall-cni') return (require('./agent-cni') as typeof import('./agent-cni')).agentCni(argv, io);
  const { values, positionals } = parse(argv);
  if (values.help) {
    io.stdout.write(agentHelp());
    return EXIT.OK;
  }
  const pinDir = path.resolve(io.cwd, values['pin-dir'] ?? DEFAULT_PIN_DIR);
  if (positionals[0] === 'uninstall') {
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}".`);
    const result = uninstall(pinDir);
    io.stderr.write(result.found ? `removed ${pinDir}: ${result.links.length} link(s) detached, every pin removed.\n` : `nothing to remove: ${pinDir} does not exist.\n`);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw new UsageError(`unknown argument "${positionals[0]}" (the subcommands are uninstall, install-cni and uninstall-cni).`);
  const mode = values.mode ?? 'standard';
  if (mode !== 'standard' && mode !== 'strict') throw new UsageError(`--mode "${mode}" is not standard or strict.`);
  const listen = values.listen === undefined ? DEFAULT_LISTEN : parseListen(values.listen);
  if (!listen) throw new UsageError(`--listen "${values.listen}" is not HOST:PORT (e.g. 127.0.0.1:9476).`);
  const source = sourceOf(values, io);
  // A node (API mode) has a kubelet running the plugin; local mode (the lab, tests) serves it only when asked.
  const cniSocket = values['cni-socket'] ?? (source.kind === 'kubernetes' ? DEFAULT_AGENT_SOCKET : 'off');
  if (cniSocket !== 'off' && !path.isAbsolute(cniSocket)) throw new UsageError(`--cni-socket "${cniSocket}" is not an absolute path (or off).`);
  if (values['cni-conf-dir'] !== undefined && cniSocket === 'off') throw new UsageError('--cni-conf-dir chains the plugin to the agent\'s socket: give --cni-socket PATH too.');

  const stop = signalled();
  let running;
  try {
    running = await startAgent({
      source, mode, pinDir, listen,
      cniSocket: cniSocket === 'off' ? undefined : cniSocket,
      cniConfDir: values['cni-conf-dir'] && path.resolve(io.cwd, values['cni-conf-dir']),
      objectPath: values.object && path.resolve(io.cwd, values.object),
      events: io.stdout,
    });
  } catch (error) {
    if (!(error instanceof CniSocketError)) throw error;
    io.stderr.write(`eks-netpol agent: cannot serve the CNI plugin: ${error.message}\n`);
    return EXIT.FAILED;
  }
  await stop;
  await running.stop();
  return EXIT.OK;
};
