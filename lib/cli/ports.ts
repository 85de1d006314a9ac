import { PROTOCOLS, Protocol } from '../model/types';
import { PortQuery } from '../verdict/reachability';
import { UsageError } from './io';

/** An IANA service name, as Kubernetes requires of container port names. */
const PORT_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Parses `--port PORT[/PROTOCOL]`: a number 1-65535 or a container-port name, and optionally TCP, UDP or SCTP
 * (any case). Throws UsageError naming the value and the fix.
 */
export function parsePortArgument(text: string): PortQuery {
  const slash = text.indexOf('/');
  const portText = slash < 0 ? text : text.slice(0, slash);
  const protocolText = slash < 0 ? undefined : text.slice(slash + 1);
  let protocol: Protocol | undefined;
  if (protocolText !== undefined) {
    protocol = PROTOCOLS.find((p) => p === protocolText.toUpperCase());
    if (!protocol) {
      throw new UsageError(`--port "${text}": unknown protocol "${protocolText}". Use TCP, UDP or SCTP, as in --port 53/UDP.`);
    }
  }
  if (/^[0-9]+$/.test(portText)) {
    const port = Number(portText);
    if (port < 1 || port > 65535) {
      throw new UsageError(`--port "${text}": port ${portText} is outside 1-65535. Give a port number from 1 to 65535.`);
    }
    return protocol ? { port, protocol } : { port };
  }
  if (!PORT_NAME.test(portText)) {
    throw new UsageError(`--port "${text}": "${portText}" is neither a port number nor a container-port name. Give a number (80) or a name of at most 15 lowercase letters, digits and single hyphens (http).`);
  }
  return protocol ? { port: portText, protocol } : { port: portText };
}
