/**
 * `reach --to service/NS/NAME`: probes through Services as a table (with each backend under `--explain`), JSON, CSV
 * or Markdown. A Service probe's verdict is its outcome: allowed, denied, partial (some backends allowed, some
 * denied) or no backends.
 */
import { ServiceVerdict } from '../../verdict/service-verdict';
import { csvRecord } from './csv';
import { probeJson } from './json';
import { markdownRow } from './markdown';
import { Sink } from './sink';
import { Style } from './style';
import { explainDirection } from './table';

/** The formats a Service probe prints in. */
export const SERVICE_OUTPUTS = ['table', 'json', 'csv', 'md'] as const;
export type ServiceOutput = (typeof SERVICE_OUTPUTS)[number];

/** Counts of a run through Services, by outcome. */
export interface ServiceSummary {
  readonly probes: number;
  readonly allowed: number;
  readonly denied: number;
  readonly partial: number;
  readonly noBackends: number;
}

export function serviceSummary(verdicts: readonly ServiceVerdict[]): ServiceSummary {
  const count = (outcome: ServiceVerdict['outcome']) => verdicts.filter((v) => v.outcome === outcome).length;
  return { probes: verdicts.length, allowed: count('allowed'), denied: count('denied'), partial: count('partial'), noBackends: count('no-backends') };
}

/** `80/TCP -> http`: the Service port and the target port as the Service spells it. */
function portText(v: ServiceVerdict): string {
  return `${v.port}/${v.protocol} -> ${v.targetPort}`;
}

/** The verdict word: `partial` says how many backends the policies allow. */
function outcomeText(v: ServiceVerdict): string {
  if (v.outcome !== 'partial') return v.outcome === 'no-backends' ? 'no backends' : v.outcome;
  return `partial (${v.backends.filter((b) => b.verdict.allowed).length} of ${v.backends.length} backends allowed)`;
}

function countLine(s: ServiceSummary): string {
  return `${s.probes} ${s.probes === 1 ? 'probe' : 'probes'} through Services: ${s.allowed} allowed, ${s.denied} denied, ${s.partial} partial, ${s.noBackends} without backends\n`;
}

/** The reason lines of one Service probe: each backend, its target port and its two directions. */
function explainService(v: ServiceVerdict, style: Style): string {
  const lines: string[] = [];
  for (const b of v.backends) {
    const word = b.verdict.allowed ? style.good('allowed') : style.bad('denied');
    lines.push(`    backend ${b.backend}${b.address && b.address !== b.backend ? ` (${b.address})` : ''} on ${b.targetPort}/${v.protocol}: ${word}`);
    if (b.verdict.self) lines.push('      a Pod may always reach itself');
    else if (b.verdict.nodeLocal) lines.push('      traffic from a node to its own pods is always allowed');
    else {
      lines.push(`      egress   ${explainDirection(b.verdict.egress, v.from)}`);
      lines.push(`      ingress  ${explainDirection(b.verdict.ingress, b.backend)}`);
    }
  }
  for (const u of v.unresolved) lines.push(`    no endpoint: ${u.reason}`);
  if (v.reason) lines.push(`    ${v.reason}`);
  return lines.map((l) => `${l}\n`).join('');
}

/** Writes the verdicts in `format`; returns how many it wrote. */
export async function writeServiceVerdicts(
  verdicts: readonly ServiceVerdict[],
  format: ServiceOutput,
  sink: Sink,
  options: { explain: boolean; style: Style },
): Promise<number> {
  const summary = serviceSummary(verdicts);
  if (format === 'json') {
    const entries = verdicts.map((v) => JSON.stringify({
      ...v,
      backends: v.backends.map((b) => ({ backend: b.backend, ...(b.address ? { address: b.address } : {}), targetPort: b.targetPort, ...probeJson(b.verdict, options.explain) })),
    }));
    sink.push(`{"services":[${entries.map((e) => `\n${e}`).join(',')}${entries.length ? '\n' : ''}],"summary":${JSON.stringify(summary)}}\n`);
  } else if (format === 'csv') {
    sink.push(csvRecord(['source', 'service', 'port', 'protocol', 'target_port', 'verdict']));
    for (const v of verdicts) sink.push(csvRecord([v.from, v.to, String(v.port), v.protocol, String(v.targetPort), v.outcome]));
  } else if (format === 'md') {
    sink.push(markdownRow(['From', 'Service', 'Port', 'Verdict']));
    sink.push(markdownRow(['---', '---', '---', '---']));
    for (const v of verdicts) sink.push(markdownRow([v.from, v.to, portText(v), outcomeText(v)]));
    sink.push(`\n${countLine(summary)}`);
  } else {
    const fromWidth = Math.max(4, ...verdicts.map((v) => v.from.length));
    const toWidth = Math.max(7, ...verdicts.map((v) => v.to.length));
    const portWidth = Math.max(4, ...verdicts.map((v) => portText(v).length));
    const row = (from: string, to: string, port: string, verdict: string) =>
      `${from.padEnd(fromWidth)}  ${to.padEnd(toWidth)}  ${port.padEnd(portWidth)}  ${verdict}\n`;
    sink.push(options.style.bold(row('FROM', 'SERVICE', 'PORT', 'VERDICT').trimEnd()) + '\n');
    for (const v of verdicts) {
      const word = v.outcome === 'allowed' ? options.style.good(outcomeText(v)) : options.style.bad(outcomeText(v));
      sink.push(row(v.from, v.to, portText(v), word));
      if (options.explain) sink.push(explainService(v, options.style));
    }
    sink.push(`\n${countLine(summary)}`);
  }
  await sink.flush();
  return verdicts.length;
}
