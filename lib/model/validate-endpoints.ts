/**
 * EndpointSlices (discovery.k8s.io/v1) and legacy Endpoints (v1) into the model: the backends of a Service given by
 * address, which is how a selectorless Service gets any. Checked as the API server checks them
 * (ValidateEndpointSlice in pkg/apis/discovery/validation/validation.go, ValidateEndpoints in
 * pkg/apis/core/validation/validation.go): address type, addresses of that type and not loopback or link-local,
 * port names unique DNS labels, protocols.
 *
 * An Endpoints object becomes one slice per subset and address family, as the EndpointSlice mirroring controller
 * makes them (kube-proxy reads only EndpointSlices; pkg/controller/endpointslicemirroring).
 */
import { parseIp } from './cidr';
import { EndpointAddressType, EndpointSlice, EndpointSliceEndpoint, EndpointSlicePort, Labels } from './types';
import { at, ObjectScope, Path } from './validate-context';
import { checkKnownFields, isObject, JsonObject, optionalList, optionalString, scalarText, typeName } from './validate-fields';
import { dns1123LabelProblem, dns1123SubdomainProblem, labelKeyProblem, suggestDnsName } from './validate-names';
import { validateProtocol } from './validate-policy';
import { ObjectHeader } from './validate-workload';

/** The label that ties an EndpointSlice to its Service (discovery.LabelServiceName). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The label naming the controller that manages a slice (discovery.LabelManagedBy). */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';

const MAX_PORT = 65535;
const ADDRESS_TYPES: readonly EndpointAddressType[] = ['IPv4', 'IPv6', 'FQDN'];
// Limits of pkg/apis/discovery/validation: maxAddresses, maxPorts, maxEndpoints.
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;
const MAX_ENDPOINTS = 1000;

const ENDPOINT_FIELDS = ['addresses', 'conditions', 'deprecatedTopology', 'hints', 'hostname', 'nodeName', 'targetRef', 'zone'];
const CONDITION_FIELDS = ['ready', 'serving', 'terminating'];
const PORT_FIELDS = ['appProtocol', 'name', 'port', 'protocol'];
const SUBSET_FIELDS = ['addresses', 'notReadyAddresses', 'ports'];
const ADDRESS_FIELDS = ['hostname', 'ip', 'nodeName', 'targetRef'];

/** An EndpointSlice, or undefined when anything was reported. Its fields are at the top level, not under spec. */
export function validateEndpointSlice(scope: ObjectScope, raw: JsonObject, header: ObjectHeader): EndpointSlice | undefined {
  const before = scope.reported;
  const addressType = validateAddressType(scope, raw.addressType, at(undefined, 'addressType'));
  const endpoints: EndpointSliceEndpoint[] = [];
  const endpointsPath = at(undefined, 'endpoints');
  const list = optionalList(scope, raw.endpoints, endpointsPath) ?? [];
  if (list.length > MAX_ENDPOINTS) {
    scope.report(endpointsPath, `must have at most ${MAX_ENDPOINTS} items, not ${list.length}`, 'split the endpoints over several EndpointSlices of the same Service');
  } else {
    list.forEach((item, index) => {
      const endpoint = validateSliceEndpoint(scope, item, at(endpointsPath, index), addressType);
      if (endpoint) endpoints.push(endpoint);
    });
  }
  const ports = validateEndpointPorts(scope, raw.ports, at(undefined, 'ports'), false);
  if (scope.reported > before || !addressType) return undefined;
  const labels = header.labels ?? {};
  return {
    id: `${header.namespace}/${header.name}`,
    namespace: header.namespace,
    name: header.name,
    kind: 'EndpointSlice',
    ...optionalLabel(labels, SERVICE_NAME_LABEL, 'serviceName'),
    ...optionalLabel(labels, MANAGED_BY_LABEL, 'managedBy'),
    addressType,
    endpoints,
    ports,
    source: scope.source,
    metadata: header.metadata,
  };
}

/** The parts of a v1 Endpoints object (one slice per subset and address family), or undefined when anything was reported. */
export function validateEndpoints(scope: ObjectScope, raw: JsonObject, header: ObjectHeader): EndpointSlice[] | undefined {
  const before = scope.reported;
  const subsetsPath = at(undefined, 'subsets');
  const parts: { addressType: EndpointAddressType; endpoints: EndpointSliceEndpoint[]; ports: EndpointSlicePort[] }[] = [];
  (optionalList(scope, raw.subsets, subsetsPath) ?? []).forEach((item, index) => {
    const path = at(subsetsPath, index);
    if (!isObject(item)) {
      scope.report(path, `must be an object, not ${typeName(item)}`, 'write { addresses: [{ ip: 10.0.1.5 }], ports: [{ port: 5432 }] }');
      return;
    }
    checkKnownFields(scope, item, SUBSET_FIELDS, path);
    const ready = validateEndpointsAddresses(scope, item.addresses, at(path, 'addresses'), true);
    const notReady = validateEndpointsAddresses(scope, item.notReadyAddresses, at(path, 'notReadyAddresses'), false);
    // Counted as written: an address with a problem of its own is reported there, not as missing.
    const written = (Array.isArray(item.addresses) ? item.addresses.length : 0) + (Array.isArray(item.notReadyAddresses) ? item.notReadyAddresses.length : 0);
    if (written === 0) {
      scope.report(path, 'must specify `addresses` or `notReadyAddresses`', 'add addresses: [{ ip: 10.0.1.5 }], or remove the empty subset');
    }
    // Every port of an Endpoints subset must be named when there are several (validateEndpointPort's requireName).
    const ports = validateEndpointPorts(scope, item.ports, at(path, 'ports'), true);
    for (const family of ['IPv4', 'IPv6'] as const) {
      const endpoints = [...ready, ...notReady].filter((e) => (parseIp(e.addresses[0])?.family === 4) === (family === 'IPv4'));
      if (endpoints.length > 0) parts.push({ addressType: family, endpoints, ports });
    }
  });
  if (scope.reported > before) return undefined;
  return parts.map((part, index) => ({
    id: parts.length > 1 ? `${header.namespace}/${header.name}#${index}` : `${header.namespace}/${header.name}`,
    namespace: header.namespace,
    name: header.name,
    kind: 'Endpoints' as const,
    // An Endpoints object belongs to the Service of the same name.
    serviceName: header.name,
    addressType: part.addressType,
    endpoints: part.endpoints,
    ports: part.ports,
    source: scope.source,
    metadata: header.metadata,
  }));
}

function optionalLabel<K extends string>(labels: Labels, key: string, as: K): Partial<Record<K, string>> {
  const value = labels[key];
  return value === undefined || value === '' ? {} : ({ [as]: value } as Record<K, string>);
}

function validateAddressType(scope: ObjectScope, raw: unknown, path: Path): EndpointAddressType | undefined {
  if (raw === undefined || raw === null || raw === '') {
    scope.report(path, 'is required', 'write addressType: IPv4 (or IPv6, or FQDN)');
    return undefined;
  }
  if (ADDRESS_TYPES.includes(raw as EndpointAddressType)) return raw as EndpointAddressType;
  const guess = typeof raw === 'string' ? ADDRESS_TYPES.find((t) => t.toLowerCase() === raw.toLowerCase()) : undefined;
  scope.report(path, `unsupported address type ${typeof raw === 'string' ? `"${raw}"` : typeName(raw)}`,
    guess ? `write addressType: ${guess}` : 'use IPv4, IPv6 or FQDN');
  return undefined;
}

function validateSliceEndpoint(scope: ObjectScope, raw: unknown, path: Path, addressType: EndpointAddressType | undefined): EndpointSliceEndpoint | undefined {
  if (!isObject(raw)) {
    scope.report(path, `must be an object, not ${typeName(raw)}`, 'write { addresses: [10.0.1.5] }');
    return undefined;
  }
  const before = scope.reported;
  checkKnownFields(scope, raw, ENDPOINT_FIELDS, path);
  const addressesPath = at(path, 'addresses');
  const list = optionalList(scope, raw.addresses, addressesPath) ?? [];
  if (list.length === 0) {
    scope.report(addressesPath, 'must contain at least 1 address', 'write addresses: [10.0.1.5]');
  } else if (list.length > MAX_ADDRESSES) {
    scope.report(addressesPath, `must have at most ${MAX_ADDRESSES} items, not ${list.length}`, 'give the endpoint its own addresses only (kube-proxy uses the first)');
  }
  const addresses: string[] = [];
  list.forEach((item, index) => {
    // Addresses of an unknown type are not checked (the address type has been reported).
    if (addressType && checkAddress(scope, item, at(addressesPath, index), addressType)) addresses.push(item as string);
  });
  const ready = validateConditions(scope, raw.conditions, at(path, 'conditions'));
  const hostname = optionalString(scope, raw.hostname, at(path, 'hostname'));
  if (hostname !== undefined) {
    const problem = dns1123LabelProblem(hostname);
    if (problem) scope.report(at(path, 'hostname'), `"${hostname}" ${problem}`, `write hostname: ${suggestDnsName(hostname).replace(/\./g, '-')}`);
  }
  const nodeName = validateNodeRef(scope, raw.nodeName, at(path, 'nodeName'));
  const targetRef = validateTargetRef(scope, raw.targetRef, at(path, 'targetRef'));
  if (scope.reported > before) return undefined;
  return { addresses, ready, ...(nodeName !== undefined ? { nodeName } : {}), ...(targetRef ? { targetRef } : {}) };
}

/** conditions.ready as a boolean; absent (or null) means ready, "should be interpreted as true" in the API. */
function validateConditions(scope: ObjectScope, raw: unknown, path: Path): boolean {
  if (raw === undefined || raw === null) return true;
  if (!isObject(raw)) {
    scope.report(path, `must be an object, not ${typeName(raw)}`, 'write conditions: { ready: true }');
    return true;
  }
  checkKnownFields(scope, raw, CONDITION_FIELDS, path);
  for (const key of CONDITION_FIELDS) {
    const value = raw[key];
    if (value !== undefined && value !== null && typeof value !== 'boolean') {
      scope.report(at(path, key), `must be true or false, not ${typeName(value)}`, `write ${key}: ${scalarText(value) === 'false' ? 'false' : 'true'} without quotes`);
    }
  }
  return raw.ready !== false;
}

/** Is `raw` an address of `type`? Reports when not. IP addresses must not be loopback, link-local or unspecified. */
function checkAddress(scope: ObjectScope, raw: unknown, path: Path, type: EndpointAddressType): boolean {
  if (typeof raw !== 'string') {
    scope.report(path, `must be a string, not ${typeName(raw)}`, type === 'FQDN' ? 'write a name like db.example.com' : 'write an address like 10.0.1.5');
    return false;
  }
  if (type === 'FQDN') {
    const name = raw.replace(/\.$/, '');
    const problem = dns1123SubdomainProblem(name) ?? (name.includes('.') ? undefined : 'must have at least two segments separated by dots');
    if (problem) scope.report(path, `"${raw}" ${problem}`, 'write a fully qualified name like db.example.com');
    return problem === undefined;
  }
  const parsed = parseIp(raw);
  const family = type === 'IPv4' ? 4 : 6;
  if (!parsed || parsed.family !== family) {
    scope.report(path, `must be a valid ${type} address, not "${raw}"`,
      parsed ? `put ${type === 'IPv4' ? 'IPv6' : 'IPv4'} addresses in an EndpointSlice with addressType: ${type === 'IPv4' ? 'IPv6' : 'IPv4'}` : `write an address like ${family === 4 ? '10.0.1.5' : 'fd00::5'} (no prefix length)`);
    return false;
  }
  return checkNonSpecial(scope, raw, parsed, path);
}

/**
 * ValidateNonSpecialIP: an endpoint may not be unspecified, loopback, link-local unicast (this includes the instance
 * metadata address 169.254.169.254) or link-local multicast; proxying to those would reach the node itself.
 */
function checkNonSpecial(scope: ObjectScope, text: string, ip: { family: 4 | 6; address: bigint }, path: Path): boolean {
  const a = ip.address;
  const kind = ip.family === 4
    ? a === 0n ? 'unspecified' : a >> 24n === 127n ? 'loopback' : a >> 16n === 0xa9fen ? 'link-local' : a >> 8n === 0xe00000n ? 'link-local multicast' : undefined
    : a === 0n ? 'unspecified' : a === 1n ? 'loopback' : a >> 118n === 0x3fan ? 'link-local'
      : a >> 120n === 0xffn && ((a >> 112n) & 0xfn) === 2n ? 'link-local multicast' : undefined;
  if (kind === undefined) return true;
  scope.report(path, `may not be ${kind === 'unspecified' ? 'an' : 'a'} ${kind} address (${text})`, 'give the address of the backend itself (a pod, a node or a host outside the cluster)');
  return false;
}

/** The ports of a slice or an Endpoints subset. Names are unique (an empty name counts once) DNS-1123 labels. */
function validateEndpointPorts(scope: ObjectScope, raw: unknown, path: Path, nameRequired: boolean): EndpointSlicePort[] {
  const list = optionalList(scope, raw, path) ?? [];
  if (list.length > MAX_PORTS) {
    scope.report(path, `must have at most ${MAX_PORTS} items, not ${list.length}`, 'split the ports over several EndpointSlices');
    return [];
  }
  const ports: EndpointSlicePort[] = [];
  const names = new Map<string, number>();
  list.forEach((item, index) => {
    const portPath = at(path, index);
    if (!isObject(item)) {
      scope.report(portPath, `must be an object, not ${typeName(item)}`, 'write { name: http, port: 8080, protocol: TCP }');
      return;
    }
    const before = scope.reported;
    checkKnownFields(scope, item, PORT_FIELDS, portPath);
    const name = optionalString(scope, item.name, at(portPath, 'name')) ?? '';
    if (name !== '') {
      const problem = dns1123LabelProblem(name);
      if (problem) scope.report(at(portPath, 'name'), `"${name}" ${problem}`, 'write the name of the Service port this port serves, like http');
    } else if (nameRequired && list.length > 1) {
      scope.report(at(portPath, 'name'), 'is required when a subset has more than one port', 'name each port after the Service port it serves, like name: http');
    }
    const earlier = names.get(name);
    if (earlier !== undefined) {
      scope.report(at(portPath, 'name'), `duplicate port name ${name === '' ? '(empty)' : `"${name}"`} (also at index ${earlier})`,
        'give each port the name of the Service port it serves; those names are unique');
    } else {
      names.set(name, index);
    }
    let port: number | undefined;
    if (item.port !== undefined && item.port !== null) {
      if (typeof item.port !== 'number' || !Number.isInteger(item.port) || item.port < 1 || item.port > MAX_PORT) {
        // The API server checks the range only for Endpoints; a slice port outside it cannot carry traffic either.
        scope.report(at(portPath, 'port'), `must be between 1 and ${MAX_PORT}, inclusive, not ${typeName(item.port)}`, 'write the backend\'s port number, without quotes');
      } else {
        port = item.port;
      }
    } else if (nameRequired) {
      scope.report(at(portPath, 'port'), 'is required', 'write the backend\'s port number, like port: 5432');
    }
    const protocol = validateProtocol(scope, item.protocol, at(portPath, 'protocol'));
    const appProtocol = optionalString(scope, item.appProtocol, at(portPath, 'appProtocol'));
    if (appProtocol !== undefined) {
      const problem = labelKeyProblem(appProtocol);
      if (problem) scope.report(at(portPath, 'appProtocol'), `"${appProtocol}" ${problem}`, 'write a protocol name like http or kubernetes.io/h2c');
    }
    if (scope.reported > before || !protocol) return;
    ports.push({
      ...(name !== '' ? { name } : {}),
      ...(port !== undefined ? { port } : {}),
      protocol,
      ...(appProtocol !== undefined ? { appProtocol } : {}),
    });
  });
  return ports;
}

/** The addresses of an Endpoints subset, as endpoints of one address each. */
function validateEndpointsAddresses(scope: ObjectScope, raw: unknown, path: Path, ready: boolean): EndpointSliceEndpoint[] {
  const endpoints: EndpointSliceEndpoint[] = [];
  (optionalList(scope, raw, path) ?? []).forEach((item, index) => {
    const itemPath = at(path, index);
    if (!isObject(item)) {
      scope.report(itemPath, `must be an object, not ${typeName(item)}`, `write { ip: ${scalarText(item) || '10.0.1.5'} }`);
      return;
    }
    const before = scope.reported;
    checkKnownFields(scope, item, ADDRESS_FIELDS, itemPath);
    const ipPath = at(itemPath, 'ip');
    const ip = item.ip;
    const parsed = typeof ip === 'string' ? parseIp(ip) : undefined;
    if (ip === undefined || ip === null || ip === '') {
      scope.report(ipPath, 'is required', 'write ip: 10.0.1.5');
    } else if (!parsed) {
      scope.report(ipPath, `must be a valid IP address, not ${typeName(ip)}`, 'write an address like 10.0.1.5 or fd00::5 (no prefix length, no host name)');
    } else {
      checkNonSpecial(scope, ip as string, parsed, ipPath);
    }
    const hostname = optionalString(scope, item.hostname, at(itemPath, 'hostname'));
    if (hostname !== undefined && hostname !== '') {
      const problem = dns1123LabelProblem(hostname);
      if (problem) scope.report(at(itemPath, 'hostname'), `"${hostname}" ${problem}`, `write hostname: ${suggestDnsName(hostname).replace(/\./g, '-')}`);
    }
    const nodeName = validateNodeRef(scope, item.nodeName, at(itemPath, 'nodeName'));
    const targetRef = validateTargetRef(scope, item.targetRef, at(itemPath, 'targetRef'));
    if (scope.reported > before) return;
    endpoints.push({ addresses: [ip as string], ready, ...(nodeName !== undefined ? { nodeName } : {}), ...(targetRef ? { targetRef } : {}) });
  });
  return endpoints;
}

function validateNodeRef(scope: ObjectScope, raw: unknown, path: Path): string | undefined {
  const name = optionalString(scope, raw, path);
  if (name === undefined || name === '') return undefined;
  const problem = dns1123SubdomainProblem(name);
  if (problem) {
    scope.report(path, `"${name}" ${problem}`, `write the node's name as kubectl get nodes shows it, like ${suggestDnsName(name)}`);
    return undefined;
  }
  return name;
}

/** targetRef, kept as written (kind, namespace, name) when they are strings. */
function validateTargetRef(scope: ObjectScope, raw: unknown, path: Path): EndpointSliceEndpoint['targetRef'] {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) {
    scope.report(path, `must be an object, not ${typeName(raw)}`, 'write { kind: Pod, name: db-0, namespace: shop }');
    return undefined;
  }
  const ref: { kind?: string; namespace?: string; name?: string } = {};
  for (const key of ['kind', 'namespace', 'name'] as const) {
    const value = optionalString(scope, raw[key], at(path, key));
    if (value !== undefined && value !== '') ref[key] = value;
  }
  return ref;
}
