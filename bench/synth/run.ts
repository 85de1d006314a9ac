/**
 * `npm run bench:synth`: synthesizes 1,000 AppWithPolicy apps (3 rules each) to YAML, and, in the same run,
 * 1,000 plain cdk8s-plus-28 Deployments + Services + NetworkPolicies with the same 3 rules, and prints them with
 * their ratio; AppWithPolicy runs with lint at synth (the default) and without. Each case runs in its own process (so its peak memory is its own), three times; the median time and
 * the largest peak RSS are printed. Target: AppWithPolicy at most 3 s and 400 MB.
 */
import { execFileSync } from 'child_process';
import * as os from 'os';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AppWithPolicy, configurePolicyChecks, Peer, PolicyNamespace, Port } from '../../constructs';

const APPS = 1000;
const NAMESPACES = 10;
const RUNS = 3;
const TARGET_SECONDS = 3;
const TARGET_MB = 400;

type Case = 'app-with-policy' | 'app-with-policy-no-lint' | 'plain-cdk8s-plus';

let warnings = 0;

/** 1,000 apps in 10 namespaces; each allows the previous app in on http, 443 out to a CIDR, and monitoring in. */
function appsWithPolicy(lint: boolean): string {
  const app = new App();
  // One chart: cdk8s validates the whole app once per chart it synthesizes, so many charts cost quadratically.
  const chart = new Chart(app, 'bench');
  // Lint runs at synth as it does by default; its warnings are counted rather than printed.
  configurePolicyChecks(app, { warn: () => warnings++, lint: lint ? {} : false });
  new PolicyNamespace(chart, 'monitoring');
  new AppWithPolicy(chart, 'prometheus', { namespace: 'monitoring', image: 'prom/prometheus:v2.54.1', ports: { web: 9090 } });
  let previous: AppWithPolicy | undefined;
  for (let n = 0; n < NAMESPACES; n++) {
    const namespace = `team-${n}`;
    previous = undefined;
    for (let i = 0; i < APPS / NAMESPACES; i++) {
      const current = new AppWithPolicy(chart, `${namespace}-app-${i}`, { name: `app-${i}`, namespace, image: `registry.example/app:${i}`, ports: { http: 8080, metrics: 9090 } });
      if (previous) current.allowFrom(previous, Port.named('http'));
      current.allowTo(Peer.ipBlock(`10.${n}.${i}.0/24`), Port.tcp(443));
      current.allowFrom(Peer.namespace('monitoring'), Port.named('metrics'));
      previous = current;
    }
  }
  return app.synthYaml();
}

/** The same shape written with cdk8s-plus-28 alone. */
function plainCdk8sPlus(): string {
  const app = new App();
  const chart = new Chart(app, 'bench');
  const monitoring = kplus.Namespaces.select(chart, 'monitoring', { names: ['monitoring'] });
  for (let n = 0; n < NAMESPACES; n++) {
    const namespace = `team-${n}`;
    let previous: kplus.Deployment | undefined;
    for (let i = 0; i < APPS / NAMESPACES; i++) {
      const deployment = new kplus.Deployment(chart, `${namespace}-app-${i}`, {
        metadata: { namespace },
        containers: [{ image: `registry.example/app:${i}`, ports: [{ name: 'http', number: 8080 }, { name: 'metrics', number: 9090 }] }],
      });
      deployment.exposeViaService({ serviceType: kplus.ServiceType.CLUSTER_IP, ports: [{ port: 8080, targetPort: 8080, name: 'http' }, { port: 9090, targetPort: 9090, name: 'metrics' }] });
      const policy = new kplus.NetworkPolicy(chart, `${namespace}-app-${i}-policy`, { selector: deployment, metadata: { namespace } });
      if (previous) policy.addIngressRule(previous, [kplus.NetworkPolicyPort.tcp(8080)]);
      policy.addEgressRule(kplus.NetworkPolicyIpBlock.ipv4(chart, `${namespace}-app-${i}-cidr`, `10.${n}.${i}.0/24`), [kplus.NetworkPolicyPort.tcp(443)]);
      policy.addIngressRule(monitoring, [kplus.NetworkPolicyPort.tcp(9090)]);
      previous = deployment;
    }
  }
  return app.synthYaml();
}

/** Runs one case in this process and prints its figures as JSON. */
function measure(which: Case): void {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const yaml = which === 'plain-cdk8s-plus' ? plainCdk8sPlus() : appsWithPolicy(which === 'app-with-policy');
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // maxRSS is in kilobytes.
  const peakMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ seconds, cpuSeconds, warnings, peakMb, bytes: yaml.length, documents: yaml.split('\n---\n').length }));
}

interface Figures {
  seconds: number;
  warnings: number;
  cpuSeconds: number;
  peakMb: number;
  bytes: number;
  documents: number;
}

function runCase(which: Case): Figures {
  const runs: Figures[] = [];
  for (let r = 0; r < RUNS; r++) {
    runs.push(JSON.parse(execFileSync(process.execPath, [__filename, '--case', which], { encoding: 'utf8' })) as Figures);
  }
  const times = runs.map((f) => f.seconds).sort((a, b) => a - b);
  const cpu = runs.map((f) => f.cpuSeconds).sort((a, b) => a - b);
  return { seconds: times[Math.floor(RUNS / 2)], cpuSeconds: cpu[Math.floor(RUNS / 2)], peakMb: Math.max(...runs.map((f) => f.peakMb)), warnings: runs[0].warnings, bytes: runs[0].bytes, documents: runs[0].documents };
}

function main(): void {
  const caseIndex = process.argv.indexOf('--case');
  if (caseIndex >= 0) {
    measure(process.argv[caseIndex + 1] as Case);
    return;
  }
  const ours = runCase('app-with-policy');
  const noLint = runCase('app-with-policy-no-lint');
  const plain = runCase('plain-cdk8s-plus');
  const line = (name: string, f: Figures): string =>
    `${name.padEnd(48)} ${f.seconds.toFixed(2).padStart(6)} s (cpu ${f.cpuSeconds.toFixed(2)} s)  ${f.peakMb.toFixed(0).padStart(5)} MB peak  ${f.documents} objects, ${(f.bytes / 1e6).toFixed(1)} MB YAML`;
  // Wall time on a shared machine depends on its load; the load average is printed to read the figures by.
  const load = os.loadavg()[0].toFixed(1);
  process.stdout.write(`synth: ${APPS} apps, 3 rules each, to YAML (median of ${RUNS} runs, each in its own process; load average ${load} on ${os.cpus().length} CPUs)\n`);
  process.stdout.write(`${line('AppWithPolicy (validation + lint at synth)', ours)}, ${ours.warnings} lint warnings\n`);
  process.stdout.write(`${line('AppWithPolicy (validation, lint off)', noLint)}\n`);
  process.stdout.write(`${line('cdk8s-plus-28 Deployment+Service+NetworkPolicy', plain)}\n`);
  const ratio = (f: Figures): string => `${(f.seconds / plain.seconds).toFixed(2)}x time (${(f.cpuSeconds / plain.cpuSeconds).toFixed(2)}x cpu), ${(f.peakMb / plain.peakMb).toFixed(2)}x memory`;
  process.stdout.write(`ratio to cdk8s-plus-28: with lint ${ratio(ours)}; lint off ${ratio(noLint)}\n`);
  const ok = ours.seconds <= TARGET_SECONDS && ours.peakMb <= TARGET_MB;
  process.stdout.write(`target (<= ${TARGET_SECONDS} s, <= ${TARGET_MB} MB): ${ok ? 'met' : 'MISSED'}\n`);
  if (!ok) process.exitCode = 1;
}

main();
