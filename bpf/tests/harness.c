/* SPDX-License-Identifier: Apache-2.0 */
#include "harness.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pktgen.h"

int run_pkt(struct env *e, __u8 dir, int ifindex, const struct pkt *p)
{
	struct __sk_buff ctx = { .ifindex = (__u32)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->buf, .data_size_in = p->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);
	int err = bpf_prog_test_run_opts(e->prog[dir], &opts);

	if (err) {
		fprintf(stderr, "bpf_prog_test_run_opts: %s (frame of %u bytes)\n", strerror(errno), p->len);
		expect_true(e, 0, __FILE__, __LINE__, "bpf_prog_test_run_opts succeeds");
		return -1000 + err;
	}
	return (int)opts.retval;
}

int send_flow_checked(struct env *e, __u8 dir, int ifindex, const struct flow *f)
{
	struct pkt p;

	if (pkt_build(&p, f)) {
		expect_true(e, 0, __FILE__, __LINE__, "the flow builds");
		return -1;
	}
	return run_pkt(e, dir, ifindex, &p);
}

void expect_true(struct env *e, int ok, const char *file, int line, const char *what)
{
	e->checks++;
	if (ok)
		return;
	if (!e->failures)
		snprintf(e->first_failure, sizeof(e->first_failure), "%s:%d: expected %s", file, line, what);
	e->failures++;
}

static void update(struct env *e, int fd, const void *key, const void *value, const char *map)
{
	if (bpf_map_update_elem(fd, key, value, BPF_ANY))
		fprintf(stderr, "map update of %s failed: %s\n", map, strerror(errno)), e->failures++;
}

void set_pod(struct env *e, int ifindex, __u8 ingress, __u8 egress)
{
	struct netpol_pod pod = { .ingress = ingress, .egress = egress };
	__u32 key = (__u32)ifindex;

	update(e, e->pods, &key, &pod, NETPOL_PODS_MAP);
}

void set_config(struct env *e, __u32 flags, __u32 events_per_sec)
{
	struct netpol_config cfg = { .flags = flags, .events_per_sec = events_per_sec };
	__u32 key = 0;

	update(e, e->config, &key, &cfg, NETPOL_CONFIG_MAP);
}

void set_port_set(struct env *e, __u32 id, __u8 flags, int nranges, const struct netpol_port_range *ranges)
{
	struct netpol_port_set set = { .flags = flags, .count = (__u8)nranges };

	if (nranges > 0)
		memcpy(set.ranges, ranges, sizeof(*ranges) * (size_t)nranges);
	update(e, e->ports, &id, &set, NETPOL_PORTS_MAP);
}

void set_host(struct env *e, __u8 dir, int ifindex, const char *addr, __u32 port_set)
{
	struct netpol_host_key key = { .ifindex = (__u32)ifindex };
	struct netpol_peer peer = { .port_set = port_set };

	if (pkt_addr16(addr, key.addr))
		fprintf(stderr, "bad address %s\n", addr), e->failures++;
	update(e, dir == NETPOL_DIR_INGRESS ? e->in_host : e->eg_host, &key, &peer, "hosts");
}

void set_cidr(struct env *e, __u8 dir, int ifindex, const char *prefix, __u32 port_set)
{
	struct netpol_cidr_key key = { .ifindex = (__u32)ifindex };
	struct netpol_peer peer = { .port_set = port_set };
	char addr[64];
	const char *slash = strchr(prefix, '/');
	int len;

	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - prefix), prefix);
	len = atoi(slash + 1);
	if (pkt_addr16(addr, key.addr))
		fprintf(stderr, "bad prefix %s\n", prefix), e->failures++;
	key.prefixlen = 32 + (strchr(addr, ':') ? len : 96 + len);
	update(e, dir == NETPOL_DIR_INGRESS ? e->in_cidr : e->eg_cidr, &key, &peer, "cidrs");
}

static void ct_key_of(struct netpol_ct_key *key, int ifindex, __u8 proto, const char *pod_addr, __u16 pod_port,
		      const char *peer_addr, __u16 peer_port)
{
	memset(key, 0, sizeof(*key));
	key->ifindex = (__u32)ifindex;
	key->proto = proto;
	key->pod_port = htons(pod_port);
	key->peer_port = htons(peer_port);
	pkt_addr16(pod_addr, key->pod_addr);
	pkt_addr16(peer_addr, key->peer_addr);
}

int get_ct(struct env *e, int ifindex, __u8 proto, const char *pod_addr, __u16 pod_port, const char *peer_addr,
	   __u16 peer_port, struct netpol_ct_entry *out)
{
	struct netpol_ct_key key;

	ct_key_of(&key, ifindex, proto, pod_addr, pod_port, peer_addr, peer_port);
	return bpf_map_lookup_elem(e->ct, &key, out);
}

void put_ct(struct env *e, int ifindex, __u8 proto, const char *pod_addr, __u16 pod_port, const char *peer_addr,
	    __u16 peer_port, const struct netpol_ct_entry *entry)
{
	struct netpol_ct_key key;

	ct_key_of(&key, ifindex, proto, pod_addr, pod_port, peer_addr, peer_port);
	update(e, e->ct, &key, entry, NETPOL_CT_MAP);
}

__u64 stat_packets(struct env *e, __u8 reason)
{
	int ncpu = libbpf_num_possible_cpus();
	struct netpol_stat vals[ncpu > 0 ? ncpu : 1];
	__u32 key = reason;
	__u64 sum = 0;
	int i;

	if (ncpu <= 0 || bpf_map_lookup_elem(e->stats, &key, vals))
		return (__u64)-1;
	for (i = 0; i < ncpu; i++)
		sum += vals[i].packets;
	return sum;
}

struct drain_ctx {
	struct netpol_event *out;
	int max, n;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct drain_ctx *d = ctx;

	if (size == sizeof(struct netpol_event) && d->n < d->max)
		memcpy(&d->out[d->n], data, size);
	d->n++;
	return 0;
}

int drain_events(struct env *e, struct netpol_event *out, int max)
{
	struct drain_ctx d = { .out = out, .max = max };
	struct ring_buffer *rb = ring_buffer__new(e->events, on_event, &d, NULL);

	if (!rb)
		return -1;
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return d.n;
}

/* Deletes every key of a hash-like map. */
static void clear_hash(int fd, size_t key_size)
{
	char key[64], next[64];

	while (bpf_map_get_next_key(fd, NULL, next) == 0) {
		memcpy(key, next, key_size);
		if (bpf_map_delete_elem(fd, key))
			break;
	}
}

void reset_maps(struct env *e)
{
	struct netpol_port_set empty_set = { 0 };
	int ncpu = libbpf_num_possible_cpus();
	struct netpol_stat zero_stats[ncpu > 0 ? ncpu : 1];
	struct netpol_budget zero_budget[ncpu > 0 ? ncpu : 1];
	struct netpol_event sink[1];
	__u32 i;

	clear_hash(e->pods, sizeof(__u32));
	clear_hash(e->in_host, sizeof(struct netpol_host_key));
	clear_hash(e->eg_host, sizeof(struct netpol_host_key));
	clear_hash(e->in_cidr, sizeof(struct netpol_cidr_key));
	clear_hash(e->eg_cidr, sizeof(struct netpol_cidr_key));
	clear_hash(e->ct, sizeof(struct netpol_ct_key));
	clear_hash(e->frag, sizeof(struct netpol_frag_key));
	for (i = 0; i < 64; i++)
		bpf_map_update_elem(e->ports, &i, &empty_set, BPF_ANY);
	memset(zero_stats, 0, sizeof(zero_stats));
	for (i = 0; i < NETPOL_REASON_MAX; i++)
		bpf_map_update_elem(e->stats, &i, zero_stats, BPF_ANY);
	memset(zero_budget, 0, sizeof(zero_budget));
	i = 0;
	bpf_map_update_elem(e->budget, &i, zero_budget, BPF_ANY);
	set_config(e, 0, 0);
	drain_events(e, sink, 0);
}
