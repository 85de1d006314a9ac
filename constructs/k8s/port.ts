import { Protocol } from '../../lib/model/types';

const MAX_PORT = 65535;
// IANA_SVC_NAME, as the API server checks container port names: at most 15 characters, lowercase letters, digits
// and dashes, at least one letter, no leading, trailing or double dash.
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9]|-(?!-)){0,13}[a-z0-9]$|^[a-z]$/;

/**
 * A port of a rule: a number, a range, a name of the destination's container port, or every port of a protocol.
 *
 * ```ts
 * Port.tcp(443); Port.udp(53); Port.tcpRange(8000, 8099); Port.named('http'); Port.allTcp();
 * ```
 */
export class Port {
  /** One TCP port. */
  static tcp(port: number): Port {
    return new Port('TCP', port);
  }

  /** One UDP port. */
  static udp(port: number): Port {
    return new Port('UDP', port);
  }

  /** One SCTP port. */
  static sctp(port: number): Port {
    return new Port('SCTP', port);
  }

  /** An inclusive range of TCP ports (`endPort`). */
  static tcpRange(start: number, end: number): Port {
    return new Port('TCP', start, end);
  }

  /** An inclusive range of UDP ports (`endPort`). */
  static udpRange(start: number, end: number): Port {
    return new Port('UDP', start, end);
  }

  /**
   * The container port of this name on the destination pods. When the destination is an `AppWithPolicy`, the name
   * is checked against its ports and the protocol taken from there.
   *
   * @param protocol the protocol of the named port. @default - the protocol the destination app declares for the
   * name, TCP when the destination is not an app
   */
  static named(name: string, protocol?: Protocol): Port {
    return new Port(protocol, name);
  }

  /** Every TCP port. */
  static allTcp(): Port {
    return new Port('TCP');
  }

  /** Every UDP port. */
  static allUdp(): Port {
    return new Port('UDP');
  }

  private constructor(
    /** Undefined only for a named port whose protocol comes from the destination. */
    readonly protocol: Protocol | undefined,
    readonly port?: number | string,
    readonly endPort?: number,
  ) {}

  /** How the user wrote it, for messages: `Port.tcp(443)`, `Port.named("http")`. */
  toString(): string {
    if (typeof this.port === 'string') return `Port.named("${this.port}"${this.protocol ? `, "${this.protocol}"` : ''})`;
    const family = (this.protocol ?? 'TCP').toLowerCase();
    if (this.port === undefined) return `Port.all${family[0].toUpperCase()}${family.slice(1)}()`;
    if (this.endPort !== undefined) return `Port.${family}Range(${this.port}, ${this.endPort})`;
    return `Port.${family}(${this.port})`;
  }

  /** Why this port cannot be written, or undefined when it is fine. */
  problem(): { problem: string; fix: string } | undefined {
    if (typeof this.port === 'string') {
      return PORT_NAME.test(this.port) ? undefined : {
        problem: `"${this.port}" is not a valid port name.`,
        fix: 'use the name of a container port: at most 15 lowercase letters, digits and dashes, with at least one letter.',
      };
    }
    for (const value of [this.port, this.endPort]) {
      if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= MAX_PORT)) {
        return { problem: `${value} is not a port number.`, fix: `give a whole number from 1 to ${MAX_PORT}.` };
      }
    }
    if (this.endPort !== undefined && this.endPort < (this.port as number)) {
      return { problem: `the range ends (${this.endPort}) before it starts (${this.port}).`, fix: `write Port.${(this.protocol ?? 'TCP').toLowerCase()}Range(${this.endPort}, ${this.port}).` };
    }
    return undefined;
  }
}

/** Is `name` a valid container port name (IANA_SVC_NAME)? */
export function isValidPortName(name: string): boolean {
  return PORT_NAME.test(name);
}
