/**
 * Installing eks-netpol-cni on a node: the compiled plugin goes into the CNI bin directory (a launcher script
 * `eks-netpol-cni` and a directory `eks-netpol-cni.d/` with the JavaScript and, by default, a copy of the node binary,
 * since a node's host has no Node.js), then the plugin is appended to the chain of the network configuration list
 * the runtime uses. Idempotent: a second install changes nothing; uninstall removes exactly what install added.
 *
 * Order matters, because the runtime may run the chain at any moment: files first, the launcher (which names them)
 * next, the conflist entry (which makes the runtime call the launcher) last; uninstall goes the other way. Every file
 * is written under a temporary name and renamed into place, so the runtime never reads half a file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ChainEdit, ConflistError, addToChain, chainHas, removeFromChain } from './conflist';
import { DEFAULT_AGENT_SOCKET, DEFAULT_TIMEOUT_MS, PLUGIN_TYPE } from './protocol';

/** The compiled files the plugin runs (main.js and what it requires). */
export const PLUGIN_FILES: readonly string[] = ['main.js', 'plugin.js', 'config.js', 'agent-client.js', 'protocol.js'];

/** Options of installCni. */
/** The plugin's entry in the chain, and where the chain is. */
export interface ChainOptions {
  /** The CNI configuration directory, holding the VPC CNI's conflist. */
  readonly confDir: string;
  /**
   * The plugin's mode: strict fails ADD when the agent cannot admit the pod; standard only warns.
   *
   * @default 'standard'
   */
  readonly mode?: 'standard' | 'strict';
  /**
   * The agent's CNI socket, as the host sees it.
   *
   * @default '/run/eks-netpol/cni.sock'
   */
  readonly agentSocket?: string;
  /**
   * How long ADD waits for the agent, in milliseconds.
   *
   * @default 10000
   */
  readonly timeoutMs?: number;
}

/** Options of installCni. */
export interface InstallCniOptions extends ChainOptions {
  /** The CNI bin directory (created when missing). */
  readonly binDir: string;
  /**
   * An absolute path of a node binary on the host for the launcher to run.
   *
   * @default - the node binary running this install is copied to `<binDir>/eks-netpol-cni.d/node`
   */
  readonly nodeBinary?: string;
  /**
   * Where the compiled plugin files are.
   *
   * @default - the directory of this file (dist/lib/cni in a build)
   */
  readonly pluginDir?: string;
}

/** What installCni did. */
export interface InstallCniResult {
  readonly launcher: string;
  /** The configuration list now holding the plugin. */
  readonly conflist: string;
  /** False when the chain already held exactly this entry. */
  readonly chainChanged: boolean;
  /** False when the node binary was already there (same size and time) or a host binary is used. */
  readonly nodeCopied: boolean;
}

/** What uninstallCni removed. */
export interface UninstallCniResult {
  readonly conflists: readonly string[];
  readonly files: readonly string[];
}

/** An install that cannot proceed: what is wrong and how to fix it. */
export class CniInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CniInstallError';
  }
}

/** The extensions the runtime reads network configurations from. */
const CONFIG_EXTENSIONS = ['.conf', '.conflist', '.json'];

export function installCni(options: InstallCniOptions): InstallCniResult {
  // Checked before anything is written: without a configuration to chain into, installing files would be pointless.
  planChain(options);
  const pluginDir = options.pluginDir ?? __dirname;
  const missing = PLUGIN_FILES.filter((file) => !fs.existsSync(path.join(pluginDir, file)));
  if (missing.length > 0) {
    throw new CniInstallError(`the compiled plugin is incomplete in ${pluginDir} (missing ${missing.join(', ')}): build it with \`npm run build\``);
  }
  if (options.nodeBinary !== undefined && (!path.isAbsolute(options.nodeBinary) || options.nodeBinary.includes("'"))) {
    throw new CniInstallError(`the node binary "${options.nodeBinary}" must be an absolute path without quotes, as the host sees it`);
  }
  const filesDir = path.join(options.binDir, `${PLUGIN_TYPE}.d`);
  fs.mkdirSync(filesDir, { recursive: true });
  for (const file of PLUGIN_FILES) writeAtomically(path.join(filesDir, file), fs.readFileSync(path.join(pluginDir, file)), 0o644);
  const nodeCopied = options.nodeBinary === undefined && copyNode(path.join(filesDir, 'node'));
  const launcher = path.join(options.binDir, PLUGIN_TYPE);
  writeAtomically(launcher, launcherScript(options.nodeBinary), 0o755);
  const chained = ensureChained(options);
  return { launcher, conflist: chained.conflist, chainChanged: chained.changed, nodeCopied };
}

/**
 * Puts the plugin's entry into the chain of the configuration the runtime uses, read afresh (its owner may have
 * rewritten it: aws-node writes its conflist anew at each start, without our entry). Unchanged when it is there.
 */
export function ensureChained(options: ChainOptions): { conflist: string; changed: boolean } {
  const { conflist, edit } = planChain(options);
  if (edit.changed) writeAtomically(conflist, edit.text, fs.statSync(conflist).mode & 0o777);
  return { conflist, changed: edit.changed };
}

/** The configuration the runtime uses and its text with the plugin chained, nothing written. */
function planChain(options: ChainOptions): { conflist: string; edit: ChainEdit } {
  const conflist = firstConfiguration(options.confDir);
  const entry = {
    type: PLUGIN_TYPE,
    mode: options.mode ?? 'standard',
    agentSocket: options.agentSocket ?? DEFAULT_AGENT_SOCKET,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  try {
    return { conflist, edit: addToChain(fs.readFileSync(conflist, 'utf8'), entry) };
  } catch (error) {
    if (error instanceof ConflistError) throw new CniInstallError(`${conflist} is the network configuration the runtime uses, but ${error.message}: the VPC CNI writes a .conflist; fix or remove this file`);
    throw error;
  }
}

/** Takes the plugin out of every configuration of confDir, then removes its files from binDir. */
export function uninstallCni(options: { readonly binDir: string; readonly confDir: string }): UninstallCniResult {
  const conflists: string[] = [];
  for (const file of configurationFiles(options.confDir)) {
    const text = fs.readFileSync(file, 'utf8');
    let has = false;
    try {
      has = chainHas(text, PLUGIN_TYPE);
    } catch {
      // Not a configuration list (or not JSON): it cannot hold the plugin.
    }
    if (!has) continue;
    writeAtomically(file, removeFromChain(text, PLUGIN_TYPE).text, fs.statSync(file).mode & 0o777);
    conflists.push(file);
  }
  const files: string[] = [];
  for (const target of [path.join(options.binDir, PLUGIN_TYPE), path.join(options.binDir, `${PLUGIN_TYPE}.d`)]) {
    if (!fs.existsSync(target)) continue;
    fs.rmSync(target, { recursive: true, force: true });
    files.push(target);
  }
  return { conflists, files };
}

/** The configuration files of a directory, in the order the runtime considers them (by name). */
function configurationFiles(confDir: string): string[] {
  if (!fs.existsSync(confDir)) return [];
  return fs.readdirSync(confDir)
    .filter((name) => CONFIG_EXTENSIONS.includes(path.extname(name)))
    .sort()
    .map((name) => path.join(confDir, name))
    .filter((file) => fs.statSync(file).isFile());
}

/** The configuration the runtime uses: the first by name, which must be a configuration list. */
function firstConfiguration(confDir: string): string {
  if (!fs.existsSync(confDir)) throw new CniInstallError(`the CNI configuration directory ${confDir} does not exist: give --conf-dir (the kubelet's is usually /etc/cni/net.d)`);
  const first = configurationFiles(confDir)[0];
  if (!first) {
    throw new CniInstallError(`no network configuration (*.conflist) in ${confDir}: the VPC CNI writes 10-aws.conflist when aws-node starts on the node; install after it (an init container is retried until then)`);
  }
  return first;
}

/** The launcher: runs main.js with the node binary, from wherever the bin directory is mounted. */
function launcherScript(nodeBinary: string | undefined): string {
  const node = nodeBinary === undefined ? `"$here/${PLUGIN_TYPE}.d/node"` : `'${nodeBinary}'`;
  return [
    '#!/bin/sh',
    `# ${PLUGIN_TYPE}: the eks-netpol chained CNI plugin, written by \`eks-netpol agent install-cni\`.`,
    '# Remove it with `eks-netpol agent uninstall-cni`, which also takes it out of the conflist.',
    'here=$(dirname "$0")',
    `exec ${node} "$here/${PLUGIN_TYPE}.d/main.js" "$@"`,
    '',
  ].join('\n');
}

/** Copies this process's node binary, unless the same one (size and modification time) is already there. */
function copyNode(target: string): boolean {
  const source = fs.statSync(process.execPath);
  if (fs.existsSync(target)) {
    const existing = fs.statSync(target);
    if (existing.size === source.size && Math.trunc(existing.mtimeMs) === Math.trunc(source.mtimeMs)) return false;
  }
  const temporary = `${target}.tmp-${process.pid}`;
  fs.copyFileSync(process.execPath, temporary);
  fs.chmodSync(temporary, 0o755);
  fs.utimesSync(temporary, source.atime, source.mtime);
  fs.renameSync(temporary, target);
  return true;
}

/** Writes a file under a temporary name (one the runtime ignores) and renames it into place. */
function writeAtomically(target: string, content: string | Buffer, mode: number): void {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}`);
  fs.writeFileSync(temporary, content, { mode });
  fs.chmodSync(temporary, mode);
  fs.renameSync(temporary, target);
}
