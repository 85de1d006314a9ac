/**
 * Finding a pod's host-side interface: the VPC CNI (like most CNIs) routes each pod IP to the pod's veth with a
 * scope-link route, so the kernel's answer to "how would you reach this IP" names the interface.
 */
import { execFileSync } from 'child_process';

/** Raised when no interface of this node leads to the pod. */
export class VethNotFoundError extends Error {
  constructor(readonly ip: string, reason: string) {
    super(`no host-side interface routes to ${ip}: ${reason}`);
    this.name = 'VethNotFoundError';
  }
}

interface RouteAnswer {
  readonly dev?: string;
  readonly gateway?: string;
  readonly type?: string;
}

/**
 * The interface the route to `ip` leaves by. A route through a gateway (the node's default route) or to a local
 * address does not lead to a pod on this node, so it is refused rather than mistaken for the pod's veth.
 */
export function hostInterfaceFor(ip: string): string {
  let answer: RouteAnswer[];
  try {
    answer = JSON.parse(execFileSync('ip', ['-j', 'route', 'get', ip], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new VethNotFoundError(ip, (e.stderr || e.message).trim());
  }
  const route = answer[0];
  if (!route?.dev) throw new VethNotFoundError(ip, 'the route names no interface');
  if (route.gateway) throw new VethNotFoundError(ip, `the route goes through the gateway ${route.gateway} on ${route.dev}, so the pod is not on this node`);
  if (route.type && route.type !== 'unicast') throw new VethNotFoundError(ip, `the route is of type ${route.type} on ${route.dev}`);
  if (route.dev === 'lo') throw new VethNotFoundError(ip, 'the address is local to the node');
  return route.dev;
}
