/** An app's named ports: parsing the props, and resolving the ports of a rule against the destination app. */
import { PROTOCOLS } from '../../../lib/model/types';
import type { AppPort, AppPortOptions, AppWithPolicy } from '../app-with-policy';
import { PolicyDeclarationError } from '../errors';
import type { PeerInfo } from '../peer';
import { isValidPortName, Port } from '../port';
import { KubePort } from './kube';

/** The props.ports of an app, validated, in declaration order. */
export function parsePorts(path: string, ports: Readonly<Record<string, number | AppPortOptions>>): AppPort[] {
  const out: AppPort[] = [];
  for (const [name, value] of Object.entries(ports)) {
    const prop = `props.ports.${name}`;
    if (!isValidPortName(name)) {
      throw new PolicyDeclarationError(path, prop, `"${name}" is not a valid port name.`, 'use at most 15 lowercase letters, digits and dashes, with at least one letter (IANA service name).');
    }
    const port = typeof value === 'number' ? value : value.port;
    const protocol = typeof value === 'number' ? 'TCP' : value.protocol ?? 'TCP';
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      throw new PolicyDeclarationError(path, prop, `${port} is not a port number.`, 'give a whole number from 1 to 65535.');
    }
    if (!PROTOCOLS.includes(protocol)) {
      throw new PolicyDeclarationError(path, `${prop}.protocol`, `"${protocol}" is not a protocol.`, 'use "TCP", "UDP" or "SCTP".');
    }
    const clash = out.find((p) => p.port === port && p.protocol === protocol);
    if (clash) {
      throw new PolicyDeclarationError(path, prop, `port ${port}/${protocol} is already declared as "${clash.name}".`, 'declare each port once.');
    }
    out.push({ name, port, protocol });
  }
  return out;
}

/**
 * Validates ports and resolves names against `server`'s ports. `numeric` writes resolved numbers (egress);
 * otherwise names stay names with the server's protocol (ingress, resolved on the selected pods themselves).
 */
export function resolvePorts(path: string, call: string, ports: readonly Port[], server: AppWithPolicy | undefined, numeric: boolean, info: PeerInfo): KubePort[] | undefined {
  if (ports.length === 0) return info.kind === 'dns' ? info.dns._ports() : undefined;
  return ports.map((p) => {
    const problem = p.problem();
    if (problem) throw new PolicyDeclarationError(path, call, `${p}: ${problem.problem}`, problem.fix);
    if (typeof p.port !== 'string') {
      return { protocol: p.protocol ?? 'TCP', ...(p.port !== undefined ? { port: p.port } : {}), ...(p.endPort !== undefined ? { endPort: p.endPort } : {}) };
    }
    if (!server) return { protocol: p.protocol ?? 'TCP', port: p.port };
    const found = server.ports.find((sp) => sp.name === p.port && (!p.protocol || sp.protocol === p.protocol));
    if (!found) {
      const declared = server.ports.map((sp) => `"${sp.name}" (${sp.port}/${sp.protocol})`).join(', ');
      throw new PolicyDeclarationError(path, call, `${server.node.path} declares no ${p.protocol ? `${p.protocol} ` : ''}port named "${p.port}"${declared ? `; it declares ${declared}` : ' (it declares no ports)'}.`, `name one of its ports, or add "${p.port}" to the props.ports of ${server.node.path}.`);
    }
    return numeric ? { protocol: found.protocol, port: found.port } : { protocol: found.protocol, port: found.name };
  });
}
