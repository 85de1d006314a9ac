/**
 * Nodes (v1) into the model: the name, labels and the addresses traffic from the node carries. Kubelet probes and
 * hostNetwork pods send from the node's InternalIP; ExternalIP addresses are kept apart, since on EKS they are
 * public addresses translated away before traffic reaches a pod.
 */
import { parseIp } from './cidr';
import { Node } from './types';
import { at, ObjectScope } from './validate-context';
import { isObject, JsonObject, optionalList, optionalObject, typeName } from './validate-fields';
import { ObjectHeader } from './validate-workload';

/** The address types a NodeAddress can have (k8s.io/api/core/v1 NodeAddressType). */
const ADDRESS_TYPES = ['Hostname', 'InternalIP', 'ExternalIP', 'InternalDNS', 'ExternalDNS'];

/** A Node, or undefined when anything was reported. The node's spec (podCIDR, taints) is not read. */
export function validateNode(scope: ObjectScope, raw: JsonObject, header: ObjectHeader): Node | undefined {
  const addresses: string[] = [];
  const externalAddresses: string[] = [];
  const statusPath = at(undefined, 'status');
  const status = optionalObject(scope, raw.status, statusPath, '{ addresses: [{ type: InternalIP, address: 10.0.1.17 }] }');
  const listPath = at(statusPath, 'addresses');
  (optionalList(scope, status?.addresses, listPath) ?? []).forEach((item, index) => {
    const path = at(listPath, index);
    if (!isObject(item)) {
      scope.report(path, `must be an object, not ${typeName(item)}`, 'write { type: InternalIP, address: 10.0.1.17 }');
      return;
    }
    if (typeof item.type !== 'string' || !ADDRESS_TYPES.includes(item.type)) {
      scope.report(at(path, 'type'), `unsupported address type ${typeof item.type === 'string' ? `"${item.type}"` : typeName(item.type)}`,
        `use one of ${ADDRESS_TYPES.join(', ')}`);
      return;
    }
    if (item.type !== 'InternalIP' && item.type !== 'ExternalIP') return;
    if (typeof item.address !== 'string' || !parseIp(item.address)) {
      scope.report(at(path, 'address'), `must be an IPv4 or IPv6 address for type ${item.type}, not ${typeName(item.address)}`,
        'write an address like 10.0.1.17 or fd00::17 (no prefix length)');
      return;
    }
    const into = item.type === 'InternalIP' ? addresses : externalAddresses;
    if (!into.includes(item.address)) into.push(item.address);
  });
  if (scope.failed) return undefined;
  return { name: header.name, addresses, externalAddresses, labels: header.labels ?? {}, declared: true, source: scope.source };
}
