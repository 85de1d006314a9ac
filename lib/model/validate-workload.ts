/**
 * Pods and the workloads that make pods (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) into pod
 * identities (Services are in validate-service.ts). Only the fields the engine and lint rules read are validated:
 * labels, container ports, hostNetwork, and a Pod's IPs and node (spec.nodeName, status.hostIP).
 */
import { parseIp } from './cidr';
import { ContainerPort, Labels, PodIdentity, WorkloadKind } from './types';
import { at, formatFieldPath, ObjectScope, Path, pathFrom, toFieldPath } from './validate-context';
import { isObject, JsonObject, optionalList, optionalObject, optionalString, scalarText, typeName } from './validate-fields';
import { dns1123SubdomainProblem, portNameProblem, suggestDnsName } from './validate-names';
import { validateProtocol } from './validate-policy';
import { formatSelector, selectorMatches, selectsEverything } from './selector';
import { validateLabelSelector, validateLabels } from './validate-selector';

const MAX_PORT = 65535;

/** The identity and metadata of an object, already validated by the caller. */
export interface ObjectHeader {
  readonly namespace: string;
  readonly name: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The object's own labels (metadata.labels), validated. */
  readonly labels?: Labels;
}

/** Where each workload kind keeps its pod template. */
const TEMPLATE_STEPS: Readonly<Record<Exclude<WorkloadKind, 'Pod'>, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** apps/v1 kinds require spec.selector and it must select the pod template (Jobs generate theirs). */
const SELECTOR_REQUIRED: ReadonlySet<WorkloadKind> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/**
 * spec.selector of an apps/v1 workload: present, not empty, and selecting the template's labels, as the API server
 * requires. A selector that misses its own template would make the workload's pods someone else's.
 */
function validateWorkloadSelector(scope: ObjectScope, raw: JsonObject, templateLabels: Labels): void {
  const path = at(undefined, 'spec', 'selector');
  const spec = isObject(raw.spec) ? raw.spec : {};
  const suggestion = `selector: { matchLabels: ${JSON.stringify(templateLabels).replace(/"/g, '').replace(/[:,]/g, '$& ')} }`;
  if (spec.selector === undefined || spec.selector === null) {
    scope.report(path, 'is required', `add ${suggestion}`);
    return;
  }
  const before = scope.reported;
  const selector = validateLabelSelector(scope, spec.selector, path);
  // A selector with problems of its own is not compared with the template: its requirements may be missing.
  if (!selector || scope.reported > before) return;
  if (selectsEverything(selector)) {
    scope.report(path, 'must not be empty', `select the pod template's labels: ${suggestion}`);
  } else if (!selectorMatches(selector, templateLabels)) {
    scope.report(path, `does not match the template labels (${formatSelector(selector)} does not select ${formatSelector({ matchLabels: templateLabels })})`,
      `make spec.selector and spec.template.metadata.labels agree, for example ${suggestion}`);
  }
}

/**
 * One pod identity from a Pod or a workload, or undefined when anything was reported. A Pod's labels are its own and
 * its IPs come from status.podIP / status.podIPs; a workload's labels and ports come from its pod template and it
 * has no IPs (its replicas' IPs are not known before deploy).
 */
export function validatePodIdentity(scope: ObjectScope, kind: WorkloadKind, raw: JsonObject, header: ObjectHeader): PodIdentity | undefined {
  let labels: Labels;
  let podSpec: JsonObject | undefined;
  let specPath: Path;
  let ips: string[] = [];
  let hostIPs: string[] = [];
  let nodeName: string | undefined;
  if (kind === 'Pod') {
    labels = header.labels ?? {};
    specPath = at(undefined, 'spec');
    podSpec = requiredObject(scope, raw.spec, specPath, 'spec: { containers: [{ name: app, image: nginx }] }');
    ips = validateStatusIps(scope, raw.status, 'podIP', 'podIPs');
    hostIPs = validateStatusIps(scope, raw.status, 'hostIP', 'hostIPs');
    nodeName = podSpec ? validateNodeName(scope, podSpec.nodeName, at(specPath, 'nodeName')) : undefined;
  } else {
    const steps = TEMPLATE_STEPS[kind];
    const templatePath = pathFrom(steps);
    const template = requiredObject(scope, dig(raw, steps), templatePath,
      `${steps.join('.')}: { metadata: { labels: { app: web } }, spec: { containers: [...] } }`);
    const templateMetadata = optionalObject(scope, template?.metadata, at(templatePath, 'metadata'), '{ labels: { app: web } }');
    labels = validateLabels(scope, templateMetadata?.labels, at(templatePath, 'metadata', 'labels'));
    specPath = at(templatePath, 'spec');
    podSpec = template ? requiredObject(scope, template.spec, specPath, 'spec: { containers: [{ name: app, image: nginx }] }') : undefined;
    if (SELECTOR_REQUIRED.has(kind) && template) validateWorkloadSelector(scope, raw, labels);
  }
  const ports = podSpec ? validateContainerPorts(scope, podSpec, specPath) : [];
  const hostNetwork = podSpec ? validateHostNetwork(scope, podSpec.hostNetwork, at(specPath, 'hostNetwork')) : false;
  if (scope.failed) return undefined;
  return {
    id: `${header.namespace}/${header.name}`,
    namespace: header.namespace,
    name: header.name,
    kind,
    labels,
    ports,
    ips,
    source: scope.source,
    podSpec,
    metadata: header.metadata,
    // Optional fields appear only when set, so identities without them compare equal to those built before they existed.
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(hostIPs.length > 0 ? { hostIPs } : {}),
    ...(hostNetwork ? { hostNetwork: true as const } : {}),
  };
}

/** spec.nodeName: a node name is a DNS-1123 subdomain (ValidateNodeName), like ip-10-0-1-17.ec2.internal. */
function validateNodeName(scope: ObjectScope, raw: unknown, path: Path): string | undefined {
  const name = optionalString(scope, raw, path);
  if (name === undefined || name === '') return undefined;
  const problem = dns1123SubdomainProblem(name);
  if (problem) {
    scope.report(path, `"${name}" ${problem}`, `write the node's name as kubectl get nodes shows it, like nodeName: ${suggestDnsName(name)}`);
    return undefined;
  }
  return name;
}

/** spec.hostNetwork is a boolean; the string "true" is refused by the API server, and reading it as true would hide that. */
function validateHostNetwork(scope: ObjectScope, raw: unknown, path: Path): boolean {
  if (raw === undefined || raw === null) return false;
  if (typeof raw === 'boolean') return raw;
  scope.report(path, `must be true or false, not ${typeName(raw)}`, typeof raw === 'string' ? `write hostNetwork: ${raw.toLowerCase() === 'true' ? 'true' : 'false'} without quotes` : 'write hostNetwork: true or leave it out');
  return false;
}

function dig(value: JsonObject, path: readonly string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function requiredObject(scope: ObjectScope, value: unknown, path: Path, example: string): JsonObject | undefined {
  if (value === undefined || value === null) {
    scope.report(path, 'is required', `add ${example}`);
    return undefined;
  }
  return optionalObject(scope, value, path, example);
}

/**
 * The ports the pod's containers declare. Ports of ordinary init containers are left out (they have exited before
 * the pod serves traffic); ports of native sidecars (init containers with `restartPolicy: Always`) are included,
 * because they run beside the app containers for the pod's whole life and a named port can resolve to them.
 * Port names must be unique across the pod, as the API server requires.
 */
function validateContainerPorts(scope: ObjectScope, podSpec: JsonObject, specPath: Path): ContainerPort[] {
  const ports: ContainerPort[] = [];
  // Where each port name was first seen, formatted only when a second port takes the name.
  const namesSeen = new Map<string, Path>();
  for (const group of ['containers', 'initContainers'] as const) {
    const containers = optionalList(scope, podSpec[group], at(specPath, group)) ?? [];
    containers.forEach((container, index) => {
      const containerPath = at(specPath, group, index);
      if (!isObject(container)) {
        scope.report(containerPath, `must be an object, not ${typeName(container)}`, 'write { name: app, image: nginx }');
        return;
      }
      if (group === 'initContainers' && container.restartPolicy !== 'Always') return;
      const list = optionalList(scope, container.ports, at(containerPath, 'ports')) ?? [];
      list.forEach((item, portIndex) => {
        const port = validateContainerPort(scope, item, at(containerPath, 'ports', portIndex));
        if (!port) return;
        if (port.name !== undefined) {
          const earlier = namesSeen.get(port.name);
          if (earlier) {
            const where = formatFieldPath(toFieldPath(earlier));
            scope.report(at(containerPath, 'ports', portIndex, 'name'), `duplicate port name "${port.name}" (also at ${where})`,
              'give each container port of the pod its own name');
            return;
          }
          namesSeen.set(port.name, at(containerPath, 'ports', portIndex));
        }
        ports.push(port);
      });
    });
  }
  return ports;
}

function validateContainerPort(scope: ObjectScope, raw: unknown, path: Path): ContainerPort | undefined {
  if (!isObject(raw)) {
    scope.report(path, `must be an object, not ${typeName(raw)}`, 'write { containerPort: 8080, name: http }');
    return undefined;
  }
  const number = raw.containerPort;
  let ok = true;
  if (number === undefined || number === null) {
    scope.report(at(path, 'containerPort'), 'is required', 'write containerPort: 8080');
    ok = false;
  } else if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > MAX_PORT) {
    scope.report(at(path, 'containerPort'), `must be between 1 and ${MAX_PORT}, inclusive, not ${typeof number === 'number' ? number : typeName(number)}`,
      'write a port number from 1 to 65535, without quotes');
    ok = false;
  }
  const protocol = validateProtocol(scope, raw.protocol, at(path, 'protocol'));
  const name = optionalString(scope, raw.name, at(path, 'name'));
  if (name !== undefined) {
    const problem = portNameProblem(name);
    if (problem) {
      scope.report(at(path, 'name'), `port name "${name}" ${problem}`, 'use a name like "http" (at most 15 lowercase letters, digits and \'-\')');
      ok = false;
    }
  } else if (raw.name !== undefined && raw.name !== null) {
    ok = false;
  }
  if (!ok || !protocol) return undefined;
  return name === undefined ? { port: number as number, protocol } : { name, port: number as number, protocol };
}

/**
 * One address and its list from a Pod's status: status.podIP and status.podIPs[].ip, or status.hostIP and
 * status.hostIPs[].ip; validated and deduplicated, the single field first.
 */
function validateStatusIps(scope: ObjectScope, rawStatus: unknown, single: 'podIP' | 'hostIP', list: 'podIPs' | 'hostIPs'): string[] {
  // Both calls read the same status: report a status that is not an object only once.
  if (single === 'hostIP' && !isObject(rawStatus)) return [];
  const status = optionalObject(scope, rawStatus, at(undefined, 'status'), '{ podIP: 10.0.0.7 }');
  if (!status) return [];
  const ips: string[] = [];
  const add = (value: unknown, path: Path) => {
    if (typeof value !== 'string' || !parseIp(value)) {
      scope.report(path, `must be an IPv4 or IPv6 address, not ${typeName(value)}`, 'write an address like 10.0.0.7 or fd00::7 (no prefix length)');
      return;
    }
    if (!ips.includes(value)) ips.push(value);
  };
  if (status[single] !== undefined && status[single] !== null && status[single] !== '') add(status[single], at(undefined, 'status', single));
  const items = optionalList(scope, status[list], at(undefined, 'status', list)) ?? [];
  items.forEach((item, index) => {
    if (!isObject(item)) {
      scope.report(at(undefined, 'status', list, index), `must be an object, not ${typeName(item)}`, `write { ip: ${scalarText(item) || '10.0.0.7'} }`);
      return;
    }
    add(item.ip, at(at(undefined, 'status', list, index), 'ip'));
  });
  return ips;
}
