import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import { ROOT, runLint } from './run-cli';

const SEED = 'examples/lint/seed-no-dns';
const FIXED = 'examples/lint/seed-fixed';

function tmpFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-lint-'));
  const file = path.join(dir, 'input.yaml');
  fs.writeFileSync(file, text);
  return file;
}

afterAll(() => {
  for (const entry of fs.readdirSync(os.tmpdir())) {
    if (entry.startsWith('eks-netpol-lint-')) fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
  }
});

describe('eks-netpol lint', () => {
  test('the seed scenario is reported as dns-egress-blocked in the JSON contract, and exits 1', async () => {
    const { code, stdout, stderr } = await runLint([SEED, '--output', 'json']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.findings).toEqual([{
      rule: 'dns-egress-blocked',
      severity: 'error',
      object: 'Deployment/demo/alpine',
      file: path.join(SEED, 'demo.yaml'),
      line: 8,
      message: expect.stringContaining('demo/default-deny-egress'),
      fix: expect.stringContaining('port 53'),
    }]);
    expect(report.summary).toEqual({ errors: 1, warnings: 0, infos: 0 });
    expect(Object.keys(report.findings[0])).toEqual(['rule', 'severity', 'object', 'file', 'line', 'message', 'fix']);
  });

  test('the fixed seed lints clean and exits 0', async () => {
    const { code, stdout } = await runLint([FIXED]);
    expect(code).toBe(0);
    expect(stdout).toBe('No findings.\n');
  });

  test('the table prints file:line, severity, rule and object, the fix, and a summary', async () => {
    const { code, stdout } = await runLint([SEED]);
    expect(code).toBe(1);
    expect(stdout).toContain(`${path.join(SEED, 'demo.yaml')}:8: error [dns-egress-blocked] Deployment/demo/alpine: `);
    expect(stdout).toContain('    fix: add an egress rule allowing UDP and TCP port 53');
    expect(stdout.trimEnd().split('\n').pop()).toBe('1 error, 0 warnings, 0 infos.');
  });

  test('--disable removes a rule, and warnings alone exit 0', async () => {
    const { code, stdout } = await runLint([SEED, '--disable', 'dns-egress-blocked', '-o', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).findings).toEqual([]);
  });

  test('--disable with a name that is no rule is a usage error (exit 2) listing the rules', async () => {
    const { code, stderr, stdout } = await runLint([SEED, '--disable', 'dns-egres-blocked']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('"dns-egres-blocked" is not a lint rule. Did you mean "dns-egress-blocked"?');
    expect(stderr).toContain('dns-egress-blocked');
  });

  test('the lint-disable annotation silences the rule for that object', async () => {
    const text = fs.readFileSync(path.join(ROOT, SEED, 'demo.yaml'), 'utf8')
      .replace('  name: alpine\n', '  name: alpine\n  annotations:\n    eks-netpol.io/lint-disable: "dns-tcp-missing, dns-egress-blocked"\n');
    const { code, stdout } = await runLint([tmpFile(text), '-o', 'json']);
    expect(JSON.parse(stdout).findings).toEqual([]);
    expect(code).toBe(0);
  });

  test('--enforcing-mode strict and --pod-cidr reach the rules', async () => {
    const strict = await runLint([FIXED, '--enforcing-mode', 'strict', '--pod-cidr', '10.0.0.0/16', '-o', 'json']);
    const rules = JSON.parse(strict.stdout).findings.map((f: { rule: string }) => f.rule);
    expect(rules).toContain('ipblock-covers-cluster-cidr');
    expect(strict.code).toBe(0);
  });

  test('a malformed --pod-cidr or an unknown --enforcing-mode is a usage error', async () => {
    const cidr = await runLint([FIXED, '--pod-cidr', '10.0.0.0']);
    expect(cidr.code).toBe(2);
    expect(cidr.stderr).toContain('--pod-cidr: "10.0.0.0" is not a CIDR');
    const mode = await runLint([FIXED, '--enforcing-mode', 'enforcing']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('Use standard or strict');
  });

  test('invalid manifests exit 2 with every problem on stderr and nothing on stdout', async () => {
    const file = tmpFile('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: bad\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock:\n            cidr: 10.0.0.0\n');
    const { code, stdout, stderr } = await runLint([file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${file}:`);
    expect(stderr).toContain('nothing was linted');
  });

  test('on a terminal the severity is coloured, unless NO_COLOR is set', async () => {
    const run = async (env: Record<string, string>) => {
      let out = '';
      await main(['lint', SEED], { stdout: { write: (t: string) => { out += t; return true; }, isTTY: true }, stderr: { write: () => true }, readStdin: () => '', cwd: ROOT, env });
      return out;
    };
    expect(await run({})).toContain('\u001b[31merror\u001b[0m [dns-egress-blocked]');
    expect(await run({ NO_COLOR: '1' })).not.toContain('\u001b[');
  });

  test('no PATH is a usage error; --help lists every rule and exits 0', async () => {
    expect((await runLint([])).code).toBe(2);
    const help = await runLint(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('dns-egress-blocked');
    expect(help.stdout).toContain('eks-port-limit');
  });

  test('standard input works with -', async () => {
    const text = fs.readFileSync(path.join(ROOT, SEED, 'demo.yaml'), 'utf8');
    const { code, stdout } = await runLint(['-', '-o', 'json'], text);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings[0].file).toBe('<stdin>');
  });

  test('the same input gives byte-identical output', async () => {
    const first = await runLint([ROOT + '/examples', '-o', 'json']);
    const second = await runLint([ROOT + '/examples', '-o', 'json']);
    expect(first.stdout).toBe(second.stdout);
  });
});
