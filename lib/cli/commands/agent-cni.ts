/**
 * `eks-netpol agent install-cni` and `agent uninstall-cni`: put the chained CNI plugin eks-netpol-cni onto this node
 * (CNI bin directory + the conflist's chain) and take it off again. The DaemonSet's init container runs install-cni.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { CniInstallError, installCni, uninstallCni } from '../../cni/install';
import { DEFAULT_AGENT_SOCKET, DEFAULT_TIMEOUT_MS } from '../../cni/protocol';
import { Command, EXIT, UsageError } from '../io';

export const DEFAULT_CNI_BIN_DIR = '/opt/cni/bin';
export const DEFAULT_CNI_CONF_DIR = '/etc/cni/net.d';

export function agentCniHelp(): string {
  return `Usage: eks-netpol agent install-cni [--bin-dir DIR] [--conf-dir DIR] [--mode MODE] [options]
       eks-netpol agent uninstall-cni [--bin-dir DIR] [--conf-dir DIR]

install-cni puts eks-netpol-cni, a chained CNI plugin, on this node: a launcher and the compiled plugin into the CNI
bin directory, and the plugin at the end of the chain of the first network configuration list (the VPC CNI's
10-aws.conflist). At each pod's CNI ADD the plugin waits until the agent has programmed the pod, so the pod's first
packet is already enforced. Idempotent. uninstall-cni takes the plugin out of the chain and removes its files.

Options:
  --bin-dir DIR         The CNI bin directory. Default: ${DEFAULT_CNI_BIN_DIR}.
  --conf-dir DIR        The CNI configuration directory. Default: ${DEFAULT_CNI_CONF_DIR}.
  --mode MODE           strict (ADD fails while the agent cannot admit the pod; the kubelet retries) or standard
                        (the pod starts anyway, with a warning). Default: standard.
  --cni-socket PATH     The agent's CNI socket, as the host sees it. Default: ${DEFAULT_AGENT_SOCKET}.
  --timeout-ms N        How long ADD waits for the agent. Default: ${DEFAULT_TIMEOUT_MS}.
  --node-binary PATH    A node binary on the host for the plugin. Default: copy this node into the bin directory.
  -h, --help            Print this help.

Examples:
  eks-netpol agent install-cni --mode strict
  eks-netpol agent install-cni --bin-dir /host/opt/cni/bin --conf-dir /host/etc/cni/net.d --mode strict
  eks-netpol agent uninstall-cni
`;
}

const OPTIONS = {
  'bin-dir': { type: 'string' },
  'conf-dir': { type: 'string' },
  mode: { type: 'string' },
  'cni-socket': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'node-binary': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `install-cni` or `uninstall-cni` (the first argument). */
export const agentCni: Command = async (argv, io) => {
  const [subcommand, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(agentCniHelp());
    return EXIT.OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}".`);
  const binDir = path.resolve(io.cwd, values['bin-dir'] ?? DEFAULT_CNI_BIN_DIR);
  const confDir = path.resolve(io.cwd, values['conf-dir'] ?? DEFAULT_CNI_CONF_DIR);

  if (subcommand === 'uninstall-cni') {
    const extra = (['mode', 'cni-socket', 'timeout-ms', 'node-binary'] as const).find((name) => values[name] !== undefined);
    if (extra) throw new UsageError(`--${extra} is an option of install-cni, not uninstall-cni.`);
    const result = uninstallCni({ binDir, confDir });
    const chains = result.conflists.length > 0 ? `taken out of ${result.conflists.join(', ')}` : `in no chain of ${confDir}`;
    io.stderr.write(`eks-netpol-cni: ${chains}; ${result.files.length > 0 ? `removed ${result.files.join(', ')}` : `no files in ${binDir}`}.\n`);
    return EXIT.OK;
  }

  const mode = values.mode ?? 'standard';
  if (mode !== 'standard' && mode !== 'strict') throw new UsageError(`--mode "${mode}" is not standard or strict.`);
  const socket = values['cni-socket'] ?? DEFAULT_AGENT_SOCKET;
  if (!path.isAbsolute(socket)) throw new UsageError(`--cni-socket "${socket}" is not an absolute path (the plugin runs from the runtime's directory).`);
  const timeoutMs = Number(values['timeout-ms'] ?? DEFAULT_TIMEOUT_MS);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 300_000) {
    throw new UsageError(`--timeout-ms "${values['timeout-ms']}" is not a number of milliseconds from 100 to 300000.`);
  }
  try {
    const result = installCni({ binDir, confDir, mode, agentSocket: socket, timeoutMs, nodeBinary: values['node-binary'] });
    const chain = result.chainChanged ? `added to the chain of ${result.conflist}` : `already in the chain of ${result.conflist}`;
    io.stderr.write(`eks-netpol-cni (${mode}): ${result.launcher} installed${result.nodeCopied ? ' with its node binary' : ''}, ${chain}.\n`);
    return EXIT.OK;
  } catch (error) {
    if (!(error instanceof CniInstallError)) throw error;
    io.stderr.write(`eks-netpol agent install-cni: ${error.message}\n`);
    return EXIT.FAILED;
  }
};
