/**
 * Validation of a networking.k8s.io/v1 NetworkPolicy spec into the model, as the API server validates and defaults
 * it (pkg/apis/networking/validation and v1 defaults), plus its strict field validation (unknown fields).
 */
import { cidrCovers, describeCidrProblem, parseCidr } from './cidr';
import {
  Cidr, IpBlock, LabelSelector, NetworkPolicy, PolicyPeer, PolicyPort, PolicyRule, PolicyType, Protocol, PROTOCOLS,
} from './types';
import { at, ObjectScope, Path } from './validate-context';
import { checkKnownFields, closest, isObject, JsonObject, optionalList, optionalObject, scalarText, typeName } from './validate-fields';
import { portNameProblem } from './validate-names';
import { validateLabelSelector } from './validate-selector';

const SPEC_FIELDS = ['podSelector', 'policyTypes', 'ingress', 'egress'];
const INGRESS_RULE_FIELDS = ['from', 'ports'];
const EGRESS_RULE_FIELDS = ['to', 'ports'];
const PEER_FIELDS = ['podSelector', 'namespaceSelector', 'ipBlock'];
const IP_BLOCK_FIELDS = ['cidr', 'except'];
const PORT_FIELDS = ['protocol', 'port', 'endPort'];
const POLICY_TYPES: readonly PolicyType[] = ['Ingress', 'Egress'];
const MAX_PORT = 65535;

/** The identity and metadata of the policy, already validated by the caller. */
export interface PolicyHeader {
  readonly namespace: string;
  readonly name: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * Validates the `spec` of a NetworkPolicy and returns the policy in the model, or undefined when anything was
 * reported (the problems are in `scope`).
 */
export function validateNetworkPolicySpec(scope: ObjectScope, rawSpec: unknown, header: PolicyHeader): NetworkPolicy | undefined {
  const path = at(undefined, 'spec');
  if (rawSpec === undefined || rawSpec === null) {
    scope.report(path, 'is required', 'add spec: { podSelector: {} } (an empty podSelector selects every pod of the namespace)');
    return undefined;
  }
  const spec = optionalObject(scope, rawSpec, path, '{ podSelector: {} }');
  if (!spec) return undefined;
  checkKnownFields(scope, spec, SPEC_FIELDS, path);

  let podSelector: LabelSelector | undefined;
  if (spec.podSelector === undefined || spec.podSelector === null) {
    // A misspelt podSelector (reported above as an unknown field, with the fix) is not reported twice.
    const misspelt = Object.keys(spec).some((key) => !SPEC_FIELDS.includes(key) && closest(key, SPEC_FIELDS) === 'podSelector');
    if (!misspelt) {
      scope.report(at(path, 'podSelector'), 'is required',
        'add podSelector: {} to select every pod of the namespace, or podSelector: { matchLabels: { app: web } }');
    }
  } else {
    podSelector = validateLabelSelector(scope, spec.podSelector, at(path, 'podSelector'));
  }
  const ingress = validateRules(scope, spec.ingress, at(path, 'ingress'), 'from');
  const egress = validateRules(scope, spec.egress, at(path, 'egress'), 'to');
  const policyTypes = validatePolicyTypes(scope, spec, path);
  if (scope.failed || !podSelector || !policyTypes) return undefined;
  return {
    id: `${header.namespace}/${header.name}`,
    namespace: header.namespace,
    name: header.name,
    podSelector,
    policyTypes,
    ingress: ingress ?? [],
    egress: egress ?? [],
    source: scope.source,
    metadata: header.metadata,
  };
}

/**
 * policyTypes as written, or defaulted as the API server defaults them (SetDefaults_NetworkPolicy): when the list
 * is absent OR EMPTY, Ingress always, plus Egress when `len(spec.egress) != 0`. So `egress: []` with no policyTypes
 * does NOT make the policy an egress policy (it is an ingress-only policy); write `policyTypes: [Ingress, Egress]`
 * to deny all egress.
 */
function validatePolicyTypes(scope: ObjectScope, spec: JsonObject, path: Path): PolicyType[] | undefined {
  const typesPath = at(path, 'policyTypes');
  const list = optionalList(scope, spec.policyTypes, typesPath);
  if (spec.policyTypes !== undefined && spec.policyTypes !== null && !list) return undefined;
  if (!list || list.length === 0) {
    const egress = spec.egress;
    return Array.isArray(egress) && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  if (list.length > POLICY_TYPES.length) {
    scope.report(typesPath, 'may not specify more than two policyTypes', 'list each of Ingress and Egress at most once');
    return undefined;
  }
  const types: PolicyType[] = [];
  let ok = true;
  list.forEach((value, index) => {
    if (POLICY_TYPES.includes(value as PolicyType)) {
      if (!types.includes(value as PolicyType)) types.push(value as PolicyType);
      return;
    }
    ok = false;
    const guess = POLICY_TYPES.find((t) => typeof value === 'string' && t.toLowerCase() === value.toLowerCase());
    scope.report(at(typesPath, index), `unsupported policy type ${typeof value === 'string' ? `"${value}"` : typeName(value)}`,
      guess ? `write "${guess}" (policy types are case-sensitive)` : 'use "Ingress" or "Egress"');
  });
  // Canonical order (Ingress, Egress), as defaulting writes it, so equal policies compare equal.
  return ok ? POLICY_TYPES.filter((t) => types.includes(t)) : undefined;
}

/** The rules of one direction; undefined when absent or malformed. `peersField` is `from` or `to`. */
function validateRules(scope: ObjectScope, raw: unknown, path: Path, peersField: 'from' | 'to'): PolicyRule[] | undefined {
  const list = optionalList(scope, raw, path);
  if (!list) return undefined;
  const rules: PolicyRule[] = [];
  list.forEach((item, index) => {
    const rulePath = at(path, index);
    if (!isObject(item)) {
      scope.report(rulePath, `must be an object, not ${typeName(item)}`,
        `write a rule like { ${peersField}: [{ podSelector: { matchLabels: { app: web } } }], ports: [{ port: 80 }] }, or {} for every peer and port`);
      return;
    }
    checkRuleFields(scope, item, rulePath, peersField);
    const peers = validatePeers(scope, item[peersField], at(rulePath, peersField));
    const ports = validatePorts(scope, item.ports, at(rulePath, 'ports'));
    rules.push({ peers, ports });
  });
  return rules;
}

/** Unknown fields of a rule, with the other direction's peer field named when that was the slip. */
function checkRuleFields(scope: ObjectScope, rule: JsonObject, path: Path, peersField: 'from' | 'to'): void {
  const other = peersField === 'from' ? 'to' : 'from';
  if (other in rule) {
    const direction = peersField === 'from' ? 'ingress' : 'egress';
    scope.report(at(path, other), `unknown field "${other}"`, `did you mean "${peersField}"? ${direction} rules list their peers under ${peersField}`);
  }
  checkKnownFields(scope, rule, peersField === 'from' ? INGRESS_RULE_FIELDS : EGRESS_RULE_FIELDS, path, other);
}

/** Peers; `[]` and absent both mean every peer (undefined), as the API documents. */
function validatePeers(scope: ObjectScope, raw: unknown, path: Path): PolicyPeer[] | undefined {
  const list = optionalList(scope, raw, path);
  if (!list || list.length === 0) return undefined;
  const peers: PolicyPeer[] = [];
  list.forEach((item, index) => {
    const peer = validatePeer(scope, item, at(path, index));
    if (peer) peers.push(peer);
  });
  return peers;
}

function validatePeer(scope: ObjectScope, raw: unknown, path: Path): PolicyPeer | undefined {
  if (!isObject(raw)) {
    scope.report(path, `must be an object, not ${typeName(raw)}`,
      'write a peer like { podSelector: { matchLabels: { app: web } } }, { namespaceSelector: {} } or { ipBlock: { cidr: 10.0.0.0/16 } }');
    return undefined;
  }
  checkKnownFields(scope, raw, PEER_FIELDS, path);
  const present = (key: string) => raw[key] !== undefined && raw[key] !== null;
  if (!present('podSelector') && !present('namespaceSelector') && !present('ipBlock')) {
    scope.report(path, 'must specify a peer',
      'give podSelector, namespaceSelector (both for pods in some namespaces), or ipBlock; or remove the peer list to allow every peer');
    return undefined;
  }
  if (present('ipBlock') && (present('podSelector') || present('namespaceSelector'))) {
    scope.report(path, 'may not specify both ipBlock and another peer',
      'split it into two peers (two "- " items): one with the ipBlock, one with the selectors');
    return undefined;
  }
  if (present('ipBlock')) {
    const ipBlock = validateIpBlock(scope, raw.ipBlock, at(path, 'ipBlock'));
    return ipBlock ? { ipBlock } : undefined;
  }
  const peer: { podSelector?: LabelSelector; namespaceSelector?: LabelSelector } = {};
  if (present('podSelector')) peer.podSelector = validateLabelSelector(scope, raw.podSelector, at(path, 'podSelector'));
  if (present('namespaceSelector')) {
    peer.namespaceSelector = validateLabelSelector(scope, raw.namespaceSelector, at(path, 'namespaceSelector'));
  }
  return peer;
}

function validateIpBlock(scope: ObjectScope, raw: unknown, path: Path): IpBlock | undefined {
  const block = optionalObject(scope, raw, path, '{ cidr: 10.0.0.0/16, except: [10.0.5.0/24] }');
  if (!block) return undefined;
  checkKnownFields(scope, block, IP_BLOCK_FIELDS, path);
  if (block.cidr === undefined || block.cidr === null || block.cidr === '') {
    scope.report(at(path, 'cidr'), 'is required', 'write cidr: 10.0.0.0/16 (0.0.0.0/0 for every IPv4 address)');
    return undefined;
  }
  const cidr = parseCidrField(scope, block.cidr, at(path, 'cidr'));
  const exceptList = optionalList(scope, block.except, at(path, 'except'));
  const except: Cidr[] = [];
  (exceptList ?? []).forEach((item, index) => {
    const exceptPath = at(path, 'except', index);
    const hole = parseCidrField(scope, item, exceptPath);
    if (!hole || !cidr) return;
    if (hole.family !== cidr.family) {
      scope.report(exceptPath, `must be a strict subset of cidr ${cidr.text}, but "${scalarText(item)}" is IPv${hole.family} and the cidr IPv${cidr.family}`,
        `except only addresses of the cidr's family, or move it to an ipBlock with an IPv${hole.family} cidr`);
    } else if (hole.prefixLength <= cidr.prefixLength || !cidrCovers(cidr, hole)) {
      scope.report(exceptPath, `must be a strict subset of cidr ${cidr.text}, but "${scalarText(item)}" is not strictly inside it`,
        `except a smaller block inside ${cidr.text}, or widen the cidr`);
    } else {
      except.push(hole);
    }
  });
  return cidr ? { cidr, except } : undefined;
}

function parseCidrField(scope: ObjectScope, raw: unknown, path: Path): Cidr | undefined {
  if (typeof raw !== 'string') {
    scope.report(path, `must be a CIDR string, not ${typeName(raw)}`, 'write a CIDR like 10.0.0.0/16');
    return undefined;
  }
  const cidr = parseCidr(raw.trim() === raw ? raw : '');
  if (cidr) return cidr;
  scope.report(path, `invalid CIDR: ${describeCidrProblem(raw)}`, cidrFix(raw));
  return undefined;
}

function cidrFix(text: string): string {
  const suggestion = /Did you mean "([^"]+)"/.exec(describeCidrProblem(text));
  return suggestion ? `write ${suggestion[1]}` : 'write an address and a prefix length, like 10.0.0.0/16 or 2001:db8::/64';
}

/** Ports; `[]` and absent both mean every port (undefined). */
function validatePorts(scope: ObjectScope, raw: unknown, path: Path): PolicyPort[] | undefined {
  const list = optionalList(scope, raw, path);
  if (!list || list.length === 0) return undefined;
  const ports: PolicyPort[] = [];
  list.forEach((item, index) => {
    const port = validatePort(scope, item, at(path, index));
    if (port) ports.push(port);
  });
  return ports;
}

function validatePort(scope: ObjectScope, raw: unknown, path: Path): PolicyPort | undefined {
  if (!isObject(raw)) {
    const fix = typeof raw === 'number' || typeof raw === 'string' ? `write { port: ${raw} }` : 'write { port: 80, protocol: TCP }';
    scope.report(path, `must be an object, not ${typeName(raw)}`, fix);
    return undefined;
  }
  checkKnownFields(scope, raw, PORT_FIELDS, path);
  const protocol = validateProtocol(scope, raw.protocol, at(path, 'protocol'));
  const port = raw.port === null ? undefined : raw.port;
  const endPort = raw.endPort === null ? undefined : raw.endPort;
  let ok = protocol !== undefined;
  if (port !== undefined) ok = validatePortValue(scope, port, at(path, 'port')) && ok;
  if (endPort !== undefined) ok = validateEndPort(scope, port, endPort, path) && ok;
  if (!ok || !protocol) return undefined;
  const result: { protocol: Protocol; port?: number | string; endPort?: number } = { protocol };
  if (port !== undefined) result.port = port as number | string;
  if (endPort !== undefined) result.endPort = endPort as number;
  return result;
}

/** A protocol name; absent means TCP (SetDefaults_NetworkPolicyPort). */
export function validateProtocol(scope: ObjectScope, raw: unknown, path: Path): Protocol | undefined {
  if (raw === undefined || raw === null) return 'TCP';
  if (PROTOCOLS.includes(raw as Protocol)) return raw as Protocol;
  const guess = PROTOCOLS.find((p) => typeof raw === 'string' && p === raw.toUpperCase());
  scope.report(path, `unsupported protocol ${typeof raw === 'string' ? `"${raw}"` : typeName(raw)}`,
    guess ? `write "${guess}" (protocols are upper case)` : 'use TCP, UDP or SCTP (omit it for TCP)');
  return undefined;
}

/** A port number 1-65535 or a port name; reports and returns false when it is neither. */
function validatePortValue(scope: ObjectScope, raw: unknown, path: Path): boolean {
  if (typeof raw === 'number') {
    if (Number.isInteger(raw) && raw >= 1 && raw <= MAX_PORT) return true;
    scope.report(path, `must be between 1 and ${MAX_PORT}, inclusive, not ${raw}`,
      raw === 0 ? 'remove port to allow every port of the protocol' : 'write a port number from 1 to 65535');
    return false;
  }
  if (typeof raw === 'string') {
    const problem = portNameProblem(raw);
    if (!problem) return true;
    const numeric = /^[0-9]+$/.test(raw);
    scope.report(path, `port name "${raw}" ${problem}`,
      numeric ? `write the number without quotes: port: ${Number(raw)}` : 'name a container port of the destination pod, like "http" (at most 15 lowercase letters, digits and \'-\')');
    return false;
  }
  scope.report(path, `must be a port number or a port name, not ${typeName(raw)}`, 'write a number like 8080 or a name like "http"');
  return false;
}

function validateEndPort(scope: ObjectScope, port: unknown, endPort: unknown, path: Path): boolean {
  const endPath = at(path, 'endPort');
  if (typeof endPort !== 'number' || !Number.isInteger(endPort)) {
    scope.report(endPath, `must be a whole number, not ${typeName(endPort)}`, 'write the last port of the range, like endPort: 32768');
    return false;
  }
  if (port === undefined) {
    scope.report(endPath, 'may not be specified when port is not specified', 'add port: the first port of the range');
    return false;
  }
  if (typeof port === 'string') {
    scope.report(endPath, `may not be specified when port is non-numeric ("${port}")`,
      'use a numeric port for a range, or remove endPort to allow the named port alone');
    return false;
  }
  let ok = true;
  if (typeof port === 'number' && endPort < port) {
    scope.report(endPath, `must be greater than or equal to port (${port}), not ${endPort}`,
      `write endPort: ${port} or more, or swap port and endPort`);
    ok = false;
  }
  if (endPort < 1 || endPort > MAX_PORT) {
    scope.report(endPath, `must be between 1 and ${MAX_PORT}, inclusive, not ${endPort}`, 'write a port number from 1 to 65535');
    ok = false;
  }
  return ok;
}
