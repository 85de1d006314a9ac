/**
 * A Service's status.loadBalancer, as far as the node's translation depends on it: the ingress addresses kube-proxy
 * captures. Validated as `ValidateLoadBalancerStatus` does (kubernetes pkg/apis/core/validation/validation.go): an
 * ingress `ip` is an IP address, a `hostname` is a DNS-1123 subdomain and not an address, `ipMode` is VIP or Proxy and
 * only with an `ip`, and only a LoadBalancer Service carries ingress points.
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go
 *
 * kube-proxy (pkg/proxy/iptables/proxier.go) writes rules for an ingress ip whose ipMode is VIP or unset; with Proxy
 * the load balancer forwards itself and traffic to the address leaves the node untranslated.
 */
import { parseIp } from './cidr';
import { ServiceType } from './types';
import { at, ObjectScope, Path } from './validate-context';
import { checkKnownFields, isObject, optionalList, optionalObject, optionalString, scalarText, typeName } from './validate-fields';
import { dns1123SubdomainProblem } from './validate-names';

const STATUS_FIELDS = ['conditions', 'loadBalancer'];
const INGRESS_FIELDS = ['hostname', 'ip', 'ipMode', 'ports'];
const IP_MODES = ['VIP', 'Proxy'];

/** The ingress addresses kube-proxy translates on every node; empty when there are none or a problem was reported. */
export function validateLoadBalancerStatus(scope: ObjectScope, raw: unknown, type: ServiceType | undefined): string[] {
  const statusPath = at(undefined, 'status');
  const status = optionalObject(scope, raw, statusPath, '{ loadBalancer: { ingress: [{ ip: 203.0.113.10 }] } }');
  if (!status) return [];
  checkKnownFields(scope, status, STATUS_FIELDS, statusPath);
  const balancerPath = at(statusPath, 'loadBalancer');
  const balancer = optionalObject(scope, status.loadBalancer, balancerPath, '{ ingress: [{ ip: 203.0.113.10 }] }');
  if (!balancer) return [];
  checkKnownFields(scope, balancer, ['ingress'], balancerPath);
  const ingressPath = at(balancerPath, 'ingress');
  const ingress = optionalList(scope, balancer.ingress, ingressPath) ?? [];
  if (ingress.length > 0 && type !== undefined && type !== 'LoadBalancer') {
    scope.report(ingressPath, `may only be set for LoadBalancer services, not for type ${type}`,
      'remove status.loadBalancer.ingress (the load balancer controller writes it), or use type: LoadBalancer');
    return [];
  }
  const captured: string[] = [];
  ingress.forEach((item, index) => {
    const address = validateIngress(scope, item, at(ingressPath, index));
    if (address !== undefined) captured.push(address);
  });
  return captured;
}

/** One ingress point; its address when kube-proxy captures it (ipMode VIP or unset). */
function validateIngress(scope: ObjectScope, raw: unknown, path: Path): string | undefined {
  if (!isObject(raw)) {
    scope.report(path, `must be an object, not ${typeName(raw)}`, 'write { ip: 203.0.113.10 } or { hostname: lb.example.com }');
    return undefined;
  }
  checkKnownFields(scope, raw, INGRESS_FIELDS, path);
  const before = scope.reported;
  const ip = optionalString(scope, raw.ip, at(path, 'ip'));
  if (ip !== undefined && ip !== '' && !parseIp(ip)) {
    scope.report(at(path, 'ip'), `must be a valid IP address, not "${ip}"`, 'write an address like 203.0.113.10, or give the name as hostname');
  }
  const hostname = optionalString(scope, raw.hostname, at(path, 'hostname'));
  if (hostname !== undefined && hostname !== '') {
    const problem = parseIp(hostname) ? 'must be a DNS name, not an IP address' : dns1123SubdomainProblem(hostname);
    if (problem) scope.report(at(path, 'hostname'), `"${hostname}" ${problem}`, parseIp(hostname) ? `write ip: ${hostname}` : 'write a DNS name like lb.example.com');
  }
  const ipMode = optionalString(scope, raw.ipMode, at(path, 'ipMode'));
  if (ipMode !== undefined) {
    if (!IP_MODES.includes(ipMode)) {
      scope.report(at(path, 'ipMode'), `unsupported value "${scalarText(ipMode)}"`, 'use VIP (kube-proxy translates the address) or Proxy (the load balancer does)');
    } else if (ip === undefined || ip === '') {
      scope.report(at(path, 'ipMode'), 'may only be set when ip is set', 'remove ipMode, or give the ingress its ip');
    }
  }
  if (scope.reported > before || ip === undefined || ip === '' || ipMode === 'Proxy') return undefined;
  return ip;
}
