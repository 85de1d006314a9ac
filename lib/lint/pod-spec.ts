/**
 * Reading the pod spec as written (PodIdentity.podSpec is untyped: the engine never reads it). Every accessor
 * tolerates missing or odd fields: lint reports on what is there, the loader validates the rest.
 */
import { PodIdentity } from '../model/types';

type Json = Readonly<Record<string, unknown>>;

function record(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record).filter((v): v is Json => v !== undefined) : [];
}

/** The containers of the pod (init containers excluded: they take no probes and serve no ports). */
export function containersOf(pod: PodIdentity): Json[] {
  return records(pod.podSpec?.containers);
}

export function usesHostNetwork(pod: PodIdentity): boolean {
  return pod.podSpec?.hostNetwork === true;
}

/** The object's annotations, as strings. */
export function annotationsOf(metadata: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record(metadata?.annotations) ?? {})) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** True when the object's metadata lists at least one owner. */
export function hasOwnerReferences(metadata: Json | undefined): boolean {
  return records(metadata?.ownerReferences).length > 0;
}

/** The value of an environment variable set literally on some container, if any. */
export function containerEnv(pod: PodIdentity, name: string): string | undefined {
  for (const container of containersOf(pod)) {
    for (const variable of records(container.env)) {
      if (variable.name === name && typeof variable.value === 'string') return variable.value;
    }
  }
  return undefined;
}

const OS_LABELS = ['kubernetes.io/os', 'beta.kubernetes.io/os'];

/**
 * Does the pod ask for Windows nodes: a nodeSelector on the OS label, or a required node affinity term whose
 * requirement is `kubernetes.io/os In [windows]` (only when every term says so, since terms are ORed).
 */
export function targetsWindows(pod: PodIdentity): boolean {
  const selector = record(pod.podSpec?.nodeSelector) ?? {};
  if (OS_LABELS.some((label) => selector[label] === 'windows')) return true;
  const required = record(record(record(pod.podSpec?.affinity)?.nodeAffinity)?.requiredDuringSchedulingIgnoredDuringExecution);
  const terms = records(required?.nodeSelectorTerms);
  return terms.length > 0 && terms.every((term) => records(term.matchExpressions).some((expression) =>
    OS_LABELS.includes(String(expression.key)) && expression.operator === 'In'
    && Array.isArray(expression.values) && expression.values.length > 0
    && expression.values.every((v) => v === 'windows')));
}

/** A network probe of a container: which kind, and the port as written (number or container-port name). */
export interface NetworkProbe {
  readonly container: string;
  readonly probe: 'livenessProbe' | 'readinessProbe' | 'startupProbe';
  readonly handler: 'httpGet' | 'tcpSocket' | 'grpc';
  readonly port: number | string;
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HANDLERS = ['httpGet', 'tcpSocket', 'grpc'] as const;

/** Probes the kubelet makes over the network (exec probes run inside the container and are left out). */
export function networkProbesOf(pod: PodIdentity): NetworkProbe[] {
  const out: NetworkProbe[] = [];
  for (const container of containersOf(pod)) {
    for (const probe of PROBES) {
      const spec = record(container[probe]);
      if (!spec) continue;
      for (const handler of HANDLERS) {
        const port = record(spec[handler])?.port;
        if (typeof port === 'number' || (typeof port === 'string' && port !== '')) {
          out.push({ container: String(container.name ?? ''), probe, handler, port });
        }
      }
    }
  }
  return out;
}
