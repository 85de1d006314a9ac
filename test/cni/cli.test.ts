/**
 * `eks-netpol agent install-cni` and `agent uninstall-cni` through the CLI: usage errors exit 2 with the fix, an
 * install that cannot proceed exits 1 with the reason, uninstall reports what it removed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installCni } from '../../lib/cni/install';
import { runCli } from '../cli/fake-io';

describe('eks-netpol agent install-cni / uninstall-cni', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-cni-cli-'));
    fs.mkdirSync(path.join(dir, 'net.d'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('--help describes both subcommands and their defaults', async () => {
    const result = await runCli(['agent', 'install-cni', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('eks-netpol agent uninstall-cni [--bin-dir DIR] [--conf-dir DIR]');
    expect(result.stdout).toContain('Default: /opt/cni/bin');
    expect(result.stdout).toContain('Default: /run/eks-netpol/cni.sock');
    expect((await runCli(['agent', '--help'])).stdout).toContain('eks-netpol agent install-cni|uninstall-cni');
  });

  test.each([
    [['--mode', 'lax'], '--mode "lax" is not standard or strict.'],
    [['--cni-socket', 'cni.sock'], '--cni-socket "cni.sock" is not an absolute path'],
    [['--timeout-ms', 'soon'], '--timeout-ms "soon" is not a number of milliseconds from 100 to 300000.'],
    [['--pin-dir', '/sys/fs/bpf/x'], 'Unknown option \'--pin-dir\''],
    [['extra'], 'unexpected argument "extra".'],
  ])('install-cni %j is a usage error (exit 2) that says what to give', async (args, message) => {
    const result = await runCli(['agent', 'install-cni', '--conf-dir', path.join(dir, 'net.d'), ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('eks-netpol agent --help');
  });

  test('uninstall-cni refuses the options of install-cni', async () => {
    const result = await runCli(['agent', 'uninstall-cni', '--mode', 'strict']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--mode is an option of install-cni, not uninstall-cni.');
  });

  test('install-cni without a conflist exits 1 with the reason and writes nothing', async () => {
    const bin = path.join(dir, 'bin');
    const result = await runCli(['agent', 'install-cni', '--bin-dir', bin, '--conf-dir', path.join(dir, 'net.d')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`eks-netpol agent install-cni: no network configuration (*.conflist) in ${path.join(dir, 'net.d')}: the VPC CNI writes 10-aws.conflist when aws-node starts on the node; install after it (an init container is retried until then)\n`);
    expect(fs.existsSync(bin)).toBe(false);
  });

  test('uninstall-cni takes the plugin out of the chain and says what it removed; a second run finds nothing', async () => {
    const conflist = path.join(dir, 'net.d', '10-aws.conflist');
    const original = '{"cniVersion":"1.0.0","name":"aws-cni","plugins":[{"type":"aws-cni"}]}\n';
    fs.writeFileSync(conflist, original);
    const pluginDir = path.join(dir, 'compiled');
    fs.mkdirSync(pluginDir);
    for (const file of ['main.js', 'plugin.js', 'config.js', 'agent-client.js', 'protocol.js']) fs.writeFileSync(path.join(pluginDir, file), '');
    const bin = path.join(dir, 'bin');
    installCni({ binDir: bin, confDir: path.join(dir, 'net.d'), pluginDir, nodeBinary: process.execPath, mode: 'strict' });

    const removed = await runCli(['agent', 'uninstall-cni', '--bin-dir', bin, '--conf-dir', path.join(dir, 'net.d')]);
    expect(removed.code).toBe(0);
    expect(removed.stderr).toBe(`eks-netpol-cni: taken out of ${conflist}; removed ${path.join(bin, 'eks-netpol-cni')}, ${path.join(bin, 'eks-netpol-cni.d')}.\n`);
    expect(fs.readFileSync(conflist, 'utf8')).toBe(original);
    const again = await runCli(['agent', 'uninstall-cni', '--bin-dir', bin, '--conf-dir', path.join(dir, 'net.d')]);
    expect(again.stderr).toBe(`eks-netpol-cni: in no chain of ${path.join(dir, 'net.d')}; no files in ${bin}.\n`);
  });
});
