/**
 * The kernel's byte layouts, mirrored from bpf/include/netpol.h. Each struct lists its size and field offsets;
 * test/dataplane/layout.test.ts checks every one against the BTF of the compiled object, so a change to the header
 * that is not made here fails a test instead of corrupting a map.
 */

/** Map names, as in the object and in pins (NETPOL_*_MAP). */
export const MAP = {
  pods: 'netpol_pods',
  config: 'netpol_config',
  inHosts: 'netpol_in_host',
  inCidrs: 'netpol_in_cidr',
  egHosts: 'netpol_eg_host',
  egCidrs: 'netpol_eg_cidr',
  ports: 'netpol_ports',
  conntrack: 'netpol_ct',
  fragments: 'netpol_frag',
  events: 'netpol_events',
  budget: 'netpol_budget',
  stats: 'netpol_stats',
} as const;

/** Program names (NETPOL_PROG_*): the pod's ingress policy runs at tc EGRESS of the host veth, and vice versa. */
export const PROGRAM = { ingress: 'netpol_ingress', egress: 'netpol_egress' } as const;

/** enum netpol_state. */
export const STATE = { defaultDeny: 0, open: 1, isolated: 2 } as const;

/** NETPOL_PROTO_*. */
export const PROTO = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, SCTP: 132 } as const;

/** NETPOL_PORTS_ANY, NETPOL_MAX_RANGES, NETPOL_PORT_SET_NONE. */
export const PORTS_ANY = 0x01;
export const MAX_RANGES = 32;
export const PORT_SET_NONE = 0;

/** NETPOL_CFG_*. */
export const CONFIG_FLAG = { eventsDrop: 0x01, eventsPass: 0x02, strict: 0x04 } as const;

/** enum netpol_reason, by value. */
export const REASONS = [
  'non-ip', 'unknown-pod', 'unknown-strict', 'default-deny', 'not-isolated', 'conntrack', 'policy', 'no-peer',
  'no-port', 'malformed', 'fragment', 'fragment-unknown', 'control',
] as const;

/** A struct's size and the byte offset of each field the user space reads or writes. */
export interface StructLayout {
  readonly size: number;
  readonly fields: Readonly<Record<string, number>>;
}

/** Every struct of netpol.h (must match bpf/include/netpol.h; checked against BTF by a test). */
export const LAYOUT: Readonly<Record<string, StructLayout>> = {
  // must match struct netpol_pod in bpf/include/netpol.h
  netpol_pod: { size: 8, fields: { ingress: 0, egress: 1, pad: 2, generation: 4 } },
  // must match struct netpol_config in bpf/include/netpol.h
  netpol_config: { size: 16, fields: { flags: 0, events_per_sec: 4, pad: 8 } },
  // must match struct netpol_host_key in bpf/include/netpol.h
  netpol_host_key: { size: 20, fields: { ifindex: 0, addr: 4 } },
  // must match struct netpol_cidr_key in bpf/include/netpol.h
  netpol_cidr_key: { size: 24, fields: { prefixlen: 0, ifindex: 4, addr: 8 } },
  // must match struct netpol_peer in bpf/include/netpol.h
  netpol_peer: { size: 4, fields: { port_set: 0 } },
  // must match struct netpol_port_range in bpf/include/netpol.h
  netpol_port_range: { size: 8, fields: { first: 0, last: 2, proto: 4, pad: 5 } },
  // must match struct netpol_port_set in bpf/include/netpol.h
  netpol_port_set: { size: 264, fields: { flags: 0, count: 1, pad: 2, ranges: 8 } },
  // must match struct netpol_ct_key in bpf/include/netpol.h
  netpol_ct_key: { size: 44, fields: { ifindex: 0, proto: 4, pad: 5, pod_port: 8, peer_port: 10, pod_addr: 12, peer_addr: 28 } },
  // must match struct netpol_ct_entry in bpf/include/netpol.h
  netpol_ct_entry: { size: 16, fields: { last_seen_ns: 0, origin: 8, tcp_state: 9, pad: 10 } },
  // must match struct netpol_stat in bpf/include/netpol.h
  netpol_stat: { size: 16, fields: { packets: 0, bytes: 8 } },
  // must match struct netpol_event in bpf/include/netpol.h
  netpol_event: {
    size: 64,
    fields: {
      timestamp_ns: 0, ifindex: 8, direction: 12, verdict: 13, reason: 14, proto: 15, sport: 16, dport: 18,
      family: 20, pad: 21, port_set: 24, pad2: 28, saddr: 32, daddr: 48,
    },
  },
};
