/**
 * `installCni` and `uninstallCni` in temporary directories: the plugin lands in the bin directory and runs from there
 * alone (no node_modules), the chain gains exactly one entry, a second install changes nothing, and uninstall gives
 * back the original conflist byte for byte.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CniInstallError, PLUGIN_FILES, installCni, uninstallCni } from '../../lib/cni/install';
import { compilePlugin } from './compile-plugin';
import { FakeAgent, reply, startFakeAgent } from './fake-agent';


/** Runs a program as the runtime runs a plugin, without blocking this process (the fake agent answers from it). */
function runAsRuntime(file: string, env: Record<string, string>, input: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

const CONFLIST = `{
  "cniVersion": "1.0.0",
  "name": "aws-cni",
  "plugins": [
    {
      "name": "aws-cni",
      "type": "aws-cni",
      "vethPrefix": "eni"
    },
    {
      "type": "portmap",
      "capabilities": {"portMappings": true}
    }
  ]
}
`;

describe('installing eks-netpol-cni', () => {
  let work: string;
  let pluginDir: string;
  let binDir: string;
  let confDir: string;
  let agent: FakeAgent;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-cni-install-'));
    // The plugin compiled on its own, as `npm run build` compiles it into dist/lib/cni.
    pluginDir = path.join(work, 'compiled');
    compilePlugin(pluginDir);
    agent = await startFakeAgent(() => reply(200, { admitted: true }));
  }, 60_000);

  afterAll(async () => {
    await agent.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  beforeEach(() => {
    const node = fs.mkdtempSync(path.join(work, 'node-'));
    binDir = path.join(node, 'opt', 'cni', 'bin');
    confDir = path.join(node, 'etc', 'cni', 'net.d');
    fs.mkdirSync(confDir, { recursive: true });
    fs.writeFileSync(path.join(confDir, '10-aws.conflist'), CONFLIST, { mode: 0o644 });
  });

  const conflist = () => fs.readFileSync(path.join(confDir, '10-aws.conflist'), 'utf8');
  const launcher = () => path.join(binDir, 'eks-netpol-cni');

  test('writes the launcher and the compiled plugin, and appends the plugin to the chain', () => {
    const result = installCni({ binDir, confDir, pluginDir, mode: 'strict', agentSocket: agent.socketPath, timeoutMs: 5000, nodeBinary: process.execPath });
    expect(result).toEqual({ launcher: launcher(), conflist: path.join(confDir, '10-aws.conflist'), chainChanged: true, nodeCopied: false });
    expect(fs.statSync(launcher()).mode & 0o777).toBe(0o755);
    expect(fs.readdirSync(path.join(binDir, 'eks-netpol-cni.d')).sort()).toEqual([...PLUGIN_FILES].sort());
    expect(fs.readFileSync(launcher(), 'utf8')).toContain(`exec '${process.execPath}' "$here/eks-netpol-cni.d/main.js" "$@"`);
    expect(JSON.parse(conflist()).plugins).toEqual([
      { name: 'aws-cni', type: 'aws-cni', vethPrefix: 'eni' },
      { type: 'portmap', capabilities: { portMappings: true } },
      { type: 'eks-netpol-cni', mode: 'strict', agentSocket: agent.socketPath, timeoutMs: 5000 },
    ]);
    // No temporary file is left where the runtime looks.
    expect(fs.readdirSync(confDir)).toEqual(['10-aws.conflist']);
  });

  test('the installed launcher runs the plugin from the bin directory alone, as the runtime does', async () => {
    installCni({ binDir, confDir, pluginDir, mode: 'strict', agentSocket: agent.socketPath, nodeBinary: process.execPath });
    const version = spawnSync(launcher(), [], { env: { CNI_COMMAND: 'VERSION' }, input: '{"cniVersion":"1.0.0"}', encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(JSON.parse(version.stdout)).toEqual({ cniVersion: '1.0.0', supportedVersions: ['0.4.0', '1.0.0'] });

    // The runtime passes the conflist's own entry, with cniVersion, name and prevResult added.
    const entry = JSON.parse(conflist()).plugins[2];
    const prevResult = { cniVersion: '1.0.0', interfaces: [{ name: 'eni1' }, { name: 'eth0', sandbox: '/var/run/netns/x' }], ips: [{ address: '10.0.0.7/32', interface: 1 }] };
    const add = await runAsRuntime(launcher(),
      { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/var/run/netns/x', CNI_IFNAME: 'eth0', CNI_ARGS: 'K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web', CNI_PATH: binDir },
      JSON.stringify({ cniVersion: '1.0.0', name: 'aws-cni', ...entry, prevResult }));
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    expect(JSON.parse(add.stdout)).toEqual(prevResult);
    expect(agent.requests.at(-1)).toMatchObject({ route: '/v1/cni/add', body: { namespace: 'shop', name: 'web', ifname: 'eni1', ips: ['10.0.0.7'] } });
  });

  test('by default it copies the node binary beside the plugin, once', () => {
    const first = installCni({ binDir, confDir, pluginDir });
    expect(first.nodeCopied).toBe(true);
    const copied = path.join(binDir, 'eks-netpol-cni.d', 'node');
    expect(fs.statSync(copied).size).toBe(fs.statSync(process.execPath).size);
    expect(fs.readFileSync(launcher(), 'utf8')).toContain('exec "$here/eks-netpol-cni.d/node" "$here/eks-netpol-cni.d/main.js" "$@"');
    const version = spawnSync(launcher(), [], { env: { CNI_COMMAND: 'VERSION' }, input: '', encoding: 'utf8' });
    expect(JSON.parse(version.stdout).supportedVersions).toEqual(['0.4.0', '1.0.0']);
    expect(installCni({ binDir, confDir, pluginDir }).nodeCopied).toBe(false);
  });

  test('a second install changes nothing, and a new mode replaces the entry in place', () => {
    installCni({ binDir, confDir, pluginDir, nodeBinary: process.execPath });
    const once = conflist();
    expect(installCni({ binDir, confDir, pluginDir, nodeBinary: process.execPath }).chainChanged).toBe(false);
    expect(conflist()).toBe(once);
    installCni({ binDir, confDir, pluginDir, nodeBinary: process.execPath, mode: 'strict' });
    const plugins = JSON.parse(conflist()).plugins;
    expect(plugins).toHaveLength(3);
    expect(plugins[2]).toEqual({ type: 'eks-netpol-cni', mode: 'strict', agentSocket: '/run/eks-netpol/cni.sock', timeoutMs: 10000 });
  });

  test('it chains into the configuration the runtime uses: the first by name', () => {
    fs.writeFileSync(path.join(confDir, '05-first.conflist'), '{"cniVersion":"1.0.0","name":"first","plugins":[{"type":"ptp"}]}');
    const result = installCni({ binDir, confDir, pluginDir, nodeBinary: process.execPath });
    expect(result.conflist).toBe(path.join(confDir, '05-first.conflist'));
    expect(conflist()).toBe(CONFLIST);
  });

  test('uninstall gives back the original conflist byte for byte and removes every file it wrote', () => {
    installCni({ binDir, confDir, pluginDir });
    expect(uninstallCni({ binDir, confDir })).toEqual({
      conflists: [path.join(confDir, '10-aws.conflist')],
      files: [launcher(), path.join(binDir, 'eks-netpol-cni.d')],
    });
    expect(conflist()).toBe(CONFLIST);
    expect(fs.readdirSync(binDir)).toEqual([]);
    expect(uninstallCni({ binDir, confDir })).toEqual({ conflists: [], files: [] });
  });

  test('without a conflist it refuses, says who writes one, and writes nothing', () => {
    fs.rmSync(path.join(confDir, '10-aws.conflist'));
    expect(() => installCni({ binDir, confDir, pluginDir })).toThrow(CniInstallError);
    expect(() => installCni({ binDir, confDir, pluginDir })).toThrow(`no network configuration (*.conflist) in ${confDir}: the VPC CNI writes 10-aws.conflist when aws-node starts`);
    expect(fs.existsSync(binDir)).toBe(false);
    expect(() => installCni({ binDir, confDir: path.join(confDir, 'nope'), pluginDir })).toThrow(/the CNI configuration directory .*nope does not exist: give --conf-dir/);
  });

  test('a single-plugin configuration first in line is refused, naming the file', () => {
    fs.writeFileSync(path.join(confDir, '00-bridge.conf'), '{"cniVersion":"1.0.0","name":"b","type":"bridge"}');
    expect(() => installCni({ binDir, confDir, pluginDir })).toThrow(`${path.join(confDir, '00-bridge.conf')} is the network configuration the runtime uses, but it has no "plugins" array`);
  });

  test('an incomplete compiled plugin, or a relative node binary, is refused before anything is written', () => {
    const empty = fs.mkdtempSync(path.join(work, 'empty-'));
    expect(() => installCni({ binDir, confDir, pluginDir: empty })).toThrow(/the compiled plugin is incomplete in .* \(missing main.js, plugin.js, config.js, agent-client.js, protocol.js\): build it with `npm run build`/);
    expect(() => installCni({ binDir, confDir, pluginDir, nodeBinary: 'node' })).toThrow('the node binary "node" must be an absolute path');
    expect(fs.existsSync(binDir)).toBe(false);
    expect(conflist()).toBe(CONFLIST);
  });
});
