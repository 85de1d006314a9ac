/**
 * The DaemonSet's init container runs `install-cni` as uid 0 with every capability dropped: this runs the install
 * exactly so (setpriv, empty bounding set) into root-owned directories, and it succeeds, because root owns them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeKernel } from '../support/kernel-env';
import { compilePlugin } from './compile-plugin';

describeKernel('install-cni without any capability', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-cni-caps-'));
    compilePlugin(path.join(work, 'compiled'));
  }, 60_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('chains the plugin into a root-owned conflist and copies node into a root-owned bin directory, holding no capability', () => {
    const binDir = path.join(work, 'opt', 'cni', 'bin');
    const confDir = path.join(work, 'etc', 'cni', 'net.d');
    fs.mkdirSync(binDir, { recursive: true, mode: 0o755 });
    fs.mkdirSync(confDir, { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(confDir, '10-aws.conflist'), '{"cniVersion":"1.0.0","name":"aws-cni","plugins":[{"type":"aws-cni"}]}\n', { mode: 0o644 });
    const script = `
      const caps = require('fs').readFileSync('/proc/self/status', 'utf8').match(/^CapEff:\\s*(\\w+)$/m)[1];
      const result = require(${JSON.stringify(path.join(work, 'compiled', 'install.js'))}).installCni({
        binDir: ${JSON.stringify(binDir)}, confDir: ${JSON.stringify(confDir)}, mode: 'strict',
        pluginDir: ${JSON.stringify(path.join(work, 'compiled'))},
      });
      process.stdout.write(JSON.stringify({ caps, result }));`;
    const output = JSON.parse(execFileSync('setpriv', ['--bounding-set', '-all', '--inh-caps', '-all', '--ambient-caps', '-all', process.execPath, '-e', script], { encoding: 'utf8' }));
    expect(output.caps).toBe('0000000000000000');
    expect(output.result).toMatchObject({ chainChanged: true, nodeCopied: true });
    expect(JSON.parse(fs.readFileSync(path.join(confDir, '10-aws.conflist'), 'utf8')).plugins.map((p: { type: string }) => p.type)).toEqual(['aws-cni', 'eks-netpol-cni']);
    expect(fs.statSync(path.join(binDir, 'eks-netpol-cni.d', 'node')).size).toBe(fs.statSync(process.execPath).size);
  });
});
