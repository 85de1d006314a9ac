/**
 * Services (v1) into the model, validated and defaulted as the API server does it (`ValidateService` and
 * `ValidateServiceClusterIPsRelatedFields` in kubernetes pkg/apis/core/validation/validation.go, defaults from
 * pkg/apis/core/v1/defaults.go):
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go
 *
 * Only what the model carries is checked in depth (type, cluster IPs, selector, ports, externalName,
 * externalTrafficPolicy, externalIPs); every other spec field is accepted by name, and an unknown one is reported, as
 * strict field validation does. Whether a named targetPort resolves is not a question of validity: the API server
 * accepts any IANA service name, and `serviceBackends` answers it per backend.
 */
import { parseIp } from './cidr';
import { ExternalTrafficPolicy, Labels, Service, ServicePort, ServiceType } from './types';
import { at, ObjectScope, Path } from './validate-context';
import { checkKnownFields, closest, isObject, JsonObject, optionalList, optionalObject, optionalString, scalarText, typeName } from './validate-fields';
import { dns1123LabelProblem, dns1123SubdomainProblem, labelKeyProblem, portNameProblem, suggestDnsName } from './validate-names';
import { validateProtocol } from './validate-policy';
import { validateLoadBalancerStatus } from './validate-service-status';
import { validateLabels } from './validate-selector';
import { ObjectHeader } from './validate-workload';

const MAX_PORT = 65535;
const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const EXTERNAL_TRAFFIC_POLICIES: readonly ExternalTrafficPolicy[] = ['Cluster', 'Local'];

/** Every field of a v1 ServiceSpec (k8s.io/api/core/v1 types.go). */
const SPEC_FIELDS = [
  'allocateLoadBalancerNodePorts', 'clusterIP', 'clusterIPs', 'externalIPs', 'externalName', 'externalTrafficPolicy',
  'healthCheckNodePort', 'internalTrafficPolicy', 'ipFamilies', 'ipFamilyPolicy', 'loadBalancerClass', 'loadBalancerIP',
  'loadBalancerSourceRanges', 'ports', 'publishNotReadyAddresses', 'selector', 'sessionAffinity', 'sessionAffinityConfig',
  'trafficDistribution', 'type',
];
const PORT_FIELDS = ['appProtocol', 'name', 'nodePort', 'port', 'protocol', 'targetPort'];

/** A Service name is a DNS-1035 label (ValidateServiceName = NameIsDNS1035Label): it becomes a DNS label and env var prefix. */
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** A Service, validated and defaulted; undefined when anything was reported. */
export function validateService(scope: ObjectScope, raw: JsonObject, header: ObjectHeader): Service | undefined {
  validateServiceName(scope, header.name);
  const specPath = at(undefined, 'spec');
  const spec = optionalObject(scope, raw.spec, specPath, '{ selector: { app: web }, ports: [{ port: 80 }] }') ?? {};
  checkKnownFields(scope, spec, SPEC_FIELDS, specPath);

  // An unsupported type is reported once; the checks that depend on the type are skipped rather than judged
  // against a guess (they would only repeat the typo in other words).
  const type = validateType(scope, spec.type, at(specPath, 'type'));
  const addresses = validateClusterIPs(scope, spec, specPath, type);
  const externalName = type === 'ExternalName' ? validateExternalName(scope, spec.externalName, at(specPath, 'externalName')) : undefined;
  const externalIPs = validateExternalIPs(scope, spec.externalIPs, at(specPath, 'externalIPs'));
  const externalTrafficPolicy = type === undefined ? undefined
    : validateExternalTrafficPolicy(scope, spec.externalTrafficPolicy, at(specPath, 'externalTrafficPolicy'), type, externalIPs.length > 0);
  // The API reference: the selector "Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is
  // ExternalName." It is still validated, as the API server validates it.
  const written = validateServiceSelector(scope, spec.selector, at(specPath, 'selector'));
  const selector = type === 'ExternalName' ? undefined : written;
  const ports = validateServicePorts(scope, spec.ports, at(specPath, 'ports'), type, addresses?.headless ?? false);
  const loadBalancerIPs = validateLoadBalancerStatus(scope, raw.status, type);

  if (scope.failed || !addresses || !type) return undefined;
  const service: Service = {
    id: `${header.namespace}/${header.name}`,
    namespace: header.namespace,
    name: header.name,
    type,
    clusterIPs: addresses.clusterIPs,
    headless: addresses.headless,
    externalIPs,
    selector,
    ports,
    source: scope.source,
    metadata: header.metadata,
  };
  return {
    ...service,
    ...(externalName !== undefined ? { externalName } : {}),
    ...(externalTrafficPolicy !== undefined ? { externalTrafficPolicy } : {}),
    ...(loadBalancerIPs.length > 0 ? { loadBalancerIPs } : {}),
  };
}

function validateServiceName(scope: ObjectScope, name: string): void {
  if (DNS1035_LABEL.test(name) && name.length <= 63) return;
  // The caller has checked the name as a DNS-1123 subdomain; what is left is a dot, a leading digit, or the length.
  const suggestion = suggestDnsName(name).replace(/\./g, '-').replace(/^[^a-z]+/, '') || 'my-service';
  scope.report(at(undefined, 'metadata', 'name'),
    `"${name}" must be a DNS-1035 label for a Service: at most 63 lowercase letters, digits and '-', starting with a letter, no dots`,
    `write name: ${suggestion.slice(0, 63).replace(/-+$/, '')}`);
}

function validateType(scope: ObjectScope, raw: unknown, path: Path): ServiceType | undefined {
  if (raw === undefined || raw === null || raw === '') return 'ClusterIP';
  if (SERVICE_TYPES.includes(raw as ServiceType)) return raw as ServiceType;
  const guess = typeof raw === 'string' ? SERVICE_TYPES.find((t) => t.toLowerCase() === raw.toLowerCase()) ?? closest(raw, SERVICE_TYPES) : undefined;
  scope.report(path, `unsupported Service type ${typeof raw === 'string' ? `"${raw}"` : typeName(raw)}`,
    guess ? `write type: ${guess}` : `use one of ${SERVICE_TYPES.join(', ')} (omit it for ClusterIP)`);
  return undefined;
}

/**
 * spec.clusterIP and spec.clusterIPs. Either may be given alone (the API server copies one into the other); when both
 * are, clusterIPs[0] must be clusterIP. "None" makes the Service headless, allowed only as the first and only value
 * and only for type ClusterIP. An ExternalName Service has no cluster IP at all. Undefined when a problem was found.
 */
function validateClusterIPs(scope: ObjectScope, spec: JsonObject, specPath: Path, type: ServiceType | undefined): { clusterIPs: string[]; headless: boolean } | undefined {
  const before = scope.reported;
  const singlePath = at(specPath, 'clusterIP');
  const listPath = at(specPath, 'clusterIPs');
  const single = optionalString(scope, spec.clusterIP, singlePath);
  const list: string[] = [];
  (optionalList(scope, spec.clusterIPs, listPath) ?? []).forEach((item, index) => {
    if (typeof item !== 'string') scope.report(at(listPath, index), `must be a string, not ${typeName(item)}`, 'write an address like 10.100.0.10, or None');
    else list.push(item);
  });
  if (scope.reported > before) return undefined;

  if (type === 'ExternalName') {
    if ((single ?? '') !== '') {
      scope.report(singlePath, 'may not be set for ExternalName services', 'remove spec.clusterIP: an ExternalName Service is a DNS CNAME and has no cluster IP');
    } else if (list.length > 0) {
      scope.report(listPath, 'may not be set for ExternalName services', 'remove spec.clusterIPs: an ExternalName Service is a DNS CNAME and has no cluster IP');
    }
    return scope.reported > before ? undefined : { clusterIPs: [], headless: false };
  }

  if (single !== undefined && single !== '' && list.length > 0 && list[0] !== single) {
    scope.report(listPath, `first value must match clusterIP (${single}), not ${list[0]}`,
      `write clusterIPs: [${[single, ...list.slice(1)].join(', ')}], or give only one of clusterIP and clusterIPs`);
    return undefined;
  }
  const values = list.length > 0 ? list : single !== undefined && single !== '' ? [single] : [];
  const valuesPath = (index: number) => (list.length > 0 ? at(listPath, index) : singlePath);
  if (values[0] === 'None') {
    if (values.length > 1) {
      scope.report(listPath, '\'None\' must be the first and only value', 'write clusterIPs: [None] for a headless Service, or list addresses only');
      return undefined;
    }
    if (type !== 'ClusterIP' && type !== undefined) {
      scope.report(valuesPath(0), `may not be set to 'None' for ${type} services`,
        `remove clusterIP: None (a ${type} Service needs a cluster IP), or use type: ClusterIP for a headless Service`);
      return undefined;
    }
    return { clusterIPs: [], headless: true };
  }
  const families: (4 | 6)[] = [];
  values.forEach((value, index) => {
    const parsed = value === 'None' ? undefined : parseIp(value);
    if (!parsed) {
      scope.report(valuesPath(index), value === 'None' ? '\'None\' must be the first and only value' : `must be empty, 'None', or a valid IP address, not "${value}"`,
        'write an address like 10.100.0.10 or fd00::a, None for a headless Service, or leave it out to have one allocated');
      return;
    }
    families.push(parsed.family);
  });
  if (scope.reported > before) return undefined;
  if (values.length > 2) {
    scope.report(listPath, `may only hold up to 2 values, not ${values.length}`, 'give at most one IPv4 and one IPv6 address');
    return undefined;
  }
  if (families.length === 2 && families[0] === families[1]) {
    scope.report(listPath, `may specify no more than one IP for each IP family (both are IPv${families[0]})`,
      'give one IPv4 and one IPv6 address for a dual-stack Service, or only one address');
    return undefined;
  }
  return { clusterIPs: values, headless: false };
}

/** An ExternalName's target: required, a DNS-1123 subdomain once a trailing dot (a fully qualified name) is dropped. */
function validateExternalName(scope: ObjectScope, raw: unknown, path: Path): string | undefined {
  const value = optionalString(scope, raw, path);
  if (raw !== undefined && raw !== null && value === undefined) return undefined;
  const name = (value ?? '').replace(/\.$/, '');
  if (name === '') {
    scope.report(path, 'is required for an ExternalName Service', 'add externalName: db.example.com (the DNS name the Service is a CNAME for)');
    return undefined;
  }
  const problem = dns1123SubdomainProblem(name);
  if (problem) {
    scope.report(path, `"${value}" ${problem}`, `write a DNS name like ${suggestDnsName(name)} (not a URL or an IP address)`);
    return undefined;
  }
  return value;
}

function validateExternalIPs(scope: ObjectScope, raw: unknown, path: Path): string[] {
  const ips: string[] = [];
  (optionalList(scope, raw, path) ?? []).forEach((item, index) => {
    if (typeof item !== 'string' || !parseIp(item)) {
      scope.report(at(path, index), `must be a valid IP address, not ${typeName(item)}`, 'write an address like 203.0.113.10 (no prefix length)');
      return;
    }
    ips.push(item);
  });
  return ips;
}

/**
 * externalTrafficPolicy applies to externally reachable Services only (apiservice.ExternallyAccessible: NodePort,
 * LoadBalancer, or ClusterIP with externalIPs); for those it defaults to Cluster, as SetDefaults_Service does.
 */
function validateExternalTrafficPolicy(scope: ObjectScope, raw: unknown, path: Path, type: ServiceType, hasExternalIPs: boolean): ExternalTrafficPolicy | undefined {
  const external = type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && hasExternalIPs);
  const given = raw !== undefined && raw !== null && raw !== '';
  if (!external) {
    if (given) {
      scope.report(path, `may only be set for externally-accessible services, not for type ${type}`,
        'remove externalTrafficPolicy, or use type: NodePort or LoadBalancer');
    }
    return undefined;
  }
  if (!given) return 'Cluster';
  if (EXTERNAL_TRAFFIC_POLICIES.includes(raw as ExternalTrafficPolicy)) return raw as ExternalTrafficPolicy;
  const guess = typeof raw === 'string' ? EXTERNAL_TRAFFIC_POLICIES.find((p) => p.toLowerCase() === raw.toLowerCase()) : undefined;
  scope.report(path, `unsupported value ${typeof raw === 'string' ? `"${raw}"` : typeName(raw)}`,
    guess ? `write externalTrafficPolicy: ${guess}` : 'use Cluster (the default) or Local');
  return undefined;
}

/**
 * The selector, as labels. Empty or absent means selectorless, so both become undefined: the API reference says of
 * ServiceSpec.selector "If empty or not present, the service is assumed to have an external process managing its
 * endpoints, which Kubernetes will not modify"
 * (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec), and the
 * EndpointSlice controller skips a Service whose selector is nil (an empty map is stored as nil)
 * (https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/endpointslice/endpointslice_controller.go).
 */
function validateServiceSelector(scope: ObjectScope, raw: unknown, path: Path): Labels | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (isObject(raw) && (isObject(raw.matchLabels) || Array.isArray(raw.matchExpressions))) {
    // A Service selector is a plain label map, unlike a workload's; matchLabels here would be read as a label key.
    scope.report(path, 'is a plain map of labels, not a label selector (matchLabels and matchExpressions are not read here)',
      'write the labels directly, like selector: { app: web }');
    return undefined;
  }
  const labels = validateLabels(scope, raw, path);
  return Object.keys(labels).length === 0 ? undefined : labels;
}

/**
 * spec.ports: required except for headless and ExternalName Services. With more than one port every port needs a
 * unique name; (port, protocol) pairs and (nodePort, protocol) pairs must be unique.
 */
function validateServicePorts(scope: ObjectScope, raw: unknown, path: Path, type: ServiceType | undefined, headless: boolean): ServicePort[] {
  const list = optionalList(scope, raw, path);
  if (list === undefined && raw !== undefined && raw !== null) return [];
  const items = list ?? [];
  if (items.length === 0 && !headless && type !== 'ExternalName') {
    scope.report(path, 'is required: a Service needs at least one port', 'add ports: [{ port: 80, targetPort: 8080 }]');
    return [];
  }
  const ports: ServicePort[] = [];
  const names = new Map<string, number>();
  const pairs = new Map<string, number>();
  const nodePorts = new Map<string, number>();
  items.forEach((item, index) => {
    const port = validateServicePort(scope, item, at(path, index), type, items.length > 1);
    if (!port) return;
    const portPath = at(path, index);
    if (port.name !== undefined) {
      const earlier = names.get(port.name);
      if (earlier !== undefined) {
        scope.report(at(portPath, 'name'), `duplicate port name "${port.name}" (also spec.ports[${earlier}])`, 'give each port of the Service its own name');
        return;
      }
      names.set(port.name, index);
    }
    const pair = `${port.port}/${port.protocol}`;
    const earlierPair = pairs.get(pair);
    if (earlierPair !== undefined) {
      scope.report(portPath, `duplicate port ${pair} (also spec.ports[${earlierPair}])`, 'remove the copy, or give it another port number or protocol');
      return;
    }
    pairs.set(pair, index);
    if (port.nodePort !== undefined) {
      const nodePair = `${port.nodePort}/${port.protocol}`;
      const earlierNode = nodePorts.get(nodePair);
      if (earlierNode !== undefined) {
        scope.report(at(portPath, 'nodePort'), `duplicate nodePort ${nodePair} (also spec.ports[${earlierNode}])`, 'give each port its own nodePort, or leave it out to have one allocated');
        return;
      }
      nodePorts.set(nodePair, index);
    }
    ports.push(port);
  });
  return ports;
}

function validateServicePort(scope: ObjectScope, raw: unknown, path: Path, type: ServiceType | undefined, nameRequired: boolean): ServicePort | undefined {
  if (!isObject(raw)) {
    scope.report(path, `must be an object, not ${typeName(raw)}`, 'write { name: http, port: 80, targetPort: 8080 }');
    return undefined;
  }
  const before = scope.reported;
  checkKnownFields(scope, raw, PORT_FIELDS, path);
  const name = validatePortName(scope, raw.name, at(path, 'name'), nameRequired, raw.port);
  const port = validatePortNumber(scope, raw.port, at(path, 'port'), 'port', true);
  const protocol = validateProtocol(scope, raw.protocol, at(path, 'protocol'));
  const targetPort = validateTargetPort(scope, raw.targetPort, at(path, 'targetPort'), port);
  const nodePort = validateNodePort(scope, raw.nodePort, at(path, 'nodePort'), type);
  const appProtocol = validateAppProtocol(scope, raw.appProtocol, at(path, 'appProtocol'));
  if (scope.reported > before || port === undefined || protocol === undefined || targetPort === undefined) return undefined;
  return {
    ...(name !== undefined ? { name } : {}),
    port,
    targetPort,
    protocol,
    ...(nodePort !== undefined ? { nodePort } : {}),
    ...(appProtocol !== undefined ? { appProtocol } : {}),
  };
}

function validatePortName(scope: ObjectScope, raw: unknown, path: Path, required: boolean, port: unknown): string | undefined {
  const name = optionalString(scope, raw, path);
  if (name === undefined || name === '') {
    if (required && (raw === undefined || raw === null || raw === '')) {
      const suggestion = port === 443 ? 'https' : port === 80 ? 'http' : typeof port === 'number' ? `port-${port}` : 'http';
      scope.report(path, 'is required when a Service has more than one port', `name every port, like name: ${suggestion}`);
    }
    return undefined;
  }
  const problem = dns1123LabelProblem(name);
  if (problem) {
    scope.report(path, `"${name}" ${problem}`, `write name: ${suggestDnsName(name).replace(/\./g, '-').slice(0, 63)}`);
    return undefined;
  }
  return name;
}

/** A port number 1-65535; `field` names it in the fix. */
function validatePortNumber(scope: ObjectScope, raw: unknown, path: Path, field: string, required: boolean): number | undefined {
  if (raw === undefined || raw === null) {
    if (required) scope.report(path, 'is required', `write ${field}: 80`);
    return undefined;
  }
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > MAX_PORT) {
    const quoted = typeof raw === 'string' && /^[0-9]+$/.test(raw);
    scope.report(path, `must be between 1 and ${MAX_PORT}, inclusive, not ${typeName(raw)}`,
      quoted ? `write ${field}: ${raw} without quotes` : `write a port number from 1 to ${MAX_PORT}`);
    return undefined;
  }
  return raw;
}

/**
 * targetPort: a number 1-65535 or an IANA service name; absent, 0 or "" defaults to `port` (SetDefaults_Service).
 * A quoted number is a string to the API server, and fails as a name: say so.
 */
function validateTargetPort(scope: ObjectScope, raw: unknown, path: Path, port: number | undefined): number | string | undefined {
  if (raw === undefined || raw === null || raw === 0 || raw === '') return port;
  if (typeof raw === 'number') return validatePortNumber(scope, raw, path, 'targetPort', false);
  if (typeof raw !== 'string') {
    scope.report(path, `must be a port number or name, not ${typeName(raw)}`, 'write a number like 8080 or a container port name like http');
    return undefined;
  }
  const problem = portNameProblem(raw);
  if (problem) {
    const fix = /^[0-9]+$/.test(raw)
      ? `write targetPort: ${raw} without quotes (a quoted number is read as a port name)`
      : 'write a container port name (at most 15 lowercase letters, digits and \'-\', with a letter), or a number';
    scope.report(path, `port name "${raw}" ${problem}`, fix);
    return undefined;
  }
  return raw;
}

/** nodePort: only for NodePort and LoadBalancer Services; 0 or absent means "allocate one". */
function validateNodePort(scope: ObjectScope, raw: unknown, path: Path, type: ServiceType | undefined): number | undefined {
  if (raw === undefined || raw === null || raw === 0) return undefined;
  if (type !== 'NodePort' && type !== 'LoadBalancer' && type !== undefined) {
    scope.report(path, `may not be used when type is '${type}'`, 'remove nodePort, or use type: NodePort or LoadBalancer');
    return undefined;
  }
  // The allowed range is the API server's --service-node-port-range (30000-32767 by default), checked at allocation.
  return validatePortNumber(scope, raw, path, 'nodePort', false);
}

/** appProtocol: a qualified name (an optional DNS-subdomain prefix and '/', then a name), like `http` or `kubernetes.io/h2c`. */
function validateAppProtocol(scope: ObjectScope, raw: unknown, path: Path): string | undefined {
  const value = optionalString(scope, raw, path);
  if (value === undefined) return undefined;
  const problem = labelKeyProblem(value);
  if (problem) {
    scope.report(path, `"${scalarText(value)}" ${problem}`, 'write a protocol name like http, https or kubernetes.io/h2c');
    return undefined;
  }
  return value;
}
