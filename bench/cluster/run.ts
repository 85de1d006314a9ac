/**
 * Benchmark for issue 4 (NetworkPolicyCluster): wall time of `npx cdk synth` for the example behind cdk.json and for
 * a stack with 200 AppWithPolicy apps, and the CloudFormation limits that stack must stay within.
 *
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/cluster/run.js
 * Targets: example <= 15 s, 200 apps <= 30 s; <= 500 resources, template <= 1 MB (S3-uploaded), <= 200 outputs and
 * parameters. Prints figures; never asserts (performance is shown here, not in unit tests).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '../../..');
const LIMITS = { resources: 500, templateBytes: 1_048_576, outputs: 200, parameters: 200 };

interface Template {
  Resources: Record<string, { Type: string; Properties?: { Manifest?: string } }>;
  Outputs?: object;
  Parameters?: object;
}

interface Synth {
  wall: number;
  /** User + system CPU seconds of cdk and the app it ran (as /usr/bin/time counts children). */
  cpu: number;
  /** Every template the synth wrote (the stack and its nested stacks), by file name. */
  templates: Record<string, { template: Template; bytes: number }>;
}

/** Runs `npx cdk synth` (optionally with another app) into a fresh directory and reads back every template. */
function cdkSynth(label: string, app: string | undefined, env: NodeJS.ProcessEnv): Synth {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cluster-'));
  const args = ['-f', '%U %S', 'npx', 'cdk', 'synth', '--quiet', '--output', out, ...(app ? ['--app', app] : [])];
  const start = process.hrtime.bigint();
  const run = spawnSync('/usr/bin/time', args, { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(`${label}: cdk synth failed:\n${run.stderr}`);
  const [user, sys] = run.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  const templates: Synth['templates'] = {};
  for (const file of fs.readdirSync(out).filter((f) => f.endsWith('.template.json')).sort()) {
    const text = fs.readFileSync(path.join(out, file), 'utf8');
    templates[file] = { template: JSON.parse(text) as Template, bytes: Buffer.byteLength(text) };
  }
  fs.rmSync(out, { recursive: true, force: true });
  return { wall, cpu: user + sys, templates };
}

function report(label: string, target: number, r: Synth): void {
  const all = Object.values(r.templates);
  const counts = all.map((t) => Object.keys(t.template.Resources).length);
  const manifests = all.flatMap((t) => Object.values(t.template.Resources)).filter((x) => x.Type === 'Custom::AWSCDK-EKS-KubernetesResource');
  const largest = Math.max(0, ...manifests.map((m) => Buffer.byteLength(m.Properties?.Manifest ?? '')));
  const maxBytes = Math.max(...all.map((t) => t.bytes));
  const maxOutputs = Math.max(...all.map((t) => Object.keys(t.template.Outputs ?? {}).length));
  const maxParameters = Math.max(...all.map((t) => Object.keys(t.template.Parameters ?? {}).length));
  const ok = (v: number, limit: number) => (v <= limit ? 'ok' : 'OVER');
  console.log(label);
  console.log(`  cdk synth wall time      ${r.wall.toFixed(1)} s (target <= ${target} s: ${r.wall <= target ? 'met' : 'missed'}); CPU ${r.cpu.toFixed(1)} s`);
  console.log(`  templates                ${all.length} (the stack and ${all.length - 1} nested)`);
  console.log(`  resources, largest tmpl  ${Math.max(...counts)} of ${LIMITS.resources} (${ok(Math.max(...counts), LIMITS.resources)}); ${counts.reduce((a, b) => a + b, 0)} in all`);
  console.log(`  size, largest template   ${(maxBytes / 1024).toFixed(0)} KiB of ${LIMITS.templateBytes / 1024} KiB (${ok(maxBytes, LIMITS.templateBytes)})`);
  console.log(`  outputs / parameters     ${maxOutputs} / ${maxParameters} of 200 (${ok(Math.max(maxOutputs, maxParameters), LIMITS.outputs)})`);
  console.log(`  manifests                ${manifests.length}, largest ${(largest / 1024).toFixed(1)} KiB`);
}

function main(): void {
  const apps = Number(process.env.APPS ?? 200);
  console.log(`bench/cluster on ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  report('example (cdk.json: examples/cluster, the shop)', 15, cdkSynth('example', undefined, {}));
  report(`${apps} AppWithPolicy apps, one chart each`, 30, cdkSynth('many apps', 'node dist/bench/cluster/many-apps.js', { APPS: String(apps) }));
  // The share of aws-cdk-lib's CloudFormation validation (on by default; cdk.json makes its findings errors).
  report('example without CloudFormation validation (CDK_VALIDATION=false)', 15, cdkSynth('example', undefined, { CDK_VALIDATION: 'false' }));
}

main();
