/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "live.h"

#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define NODE_IP "10.200.0.1"
#define POD_IP "10.200.0.2"
#define PORT_OUT 8080 /* listener on the node side: the pod connects out */
#define PORT_IN 9090  /* listener in the pod: the node side connects in */

static int node_ns = -1, pod_ns = -1, host_if;
static pid_t holder = -1;
static int listen_node = -1, listen_pod = -1;

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		fprintf(stderr, "netpol-test live: `%s` failed\n", cmd);
	return rc ? -1 : 0;
}

/* Opens a TCP socket in namespace `ns`, then returns to the node namespace (a socket keeps its namespace). */
static int socket_in(int ns)
{
	int s;

	if (setns(ns, CLONE_NEWNET))
		return -1;
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setns(node_ns, CLONE_NEWNET);
	return s;
}

static int listener(int ns, const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((__u16)port) };
	int s = socket_in(ns), one = 1;

	inet_pton(AF_INET, ip, &a.sin_addr);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16)) {
		fprintf(stderr, "netpol-test live: listener %s:%d: %s\n", ip, port, strerror(errno));
		return -1;
	}
	return s;
}

/* Connects from namespace `ns` to ip:port; returns 1 when the handshake completes within a second (a dropped SYN
 * would only be retried after one). */
static int connects(int ns, const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((__u16)port) };
	struct pollfd p;
	int s = socket_in(ns), err = 0, ok;
	socklen_t len = sizeof(err);

	if (s < 0)
		return -1;
	inet_pton(AF_INET, ip, &a.sin_addr);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS) {
		close(s);
		return 0;
	}
	p = (struct pollfd){ .fd = s, .events = POLLOUT };
	ok = poll(&p, 1, 1000) == 1 && !getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) && err == 0;
	close(s);
	return ok;
}

/* Accepts and closes whatever the listeners queued, so cases do not see each other's connections. */
static void drain_listeners(void)
{
	int s;

	while ((s = accept4(listen_node, NULL, NULL, SOCK_NONBLOCK)) >= 0)
		close(s);
	while ((s = accept4(listen_pod, NULL, NULL, SOCK_NONBLOCK)) >= 0)
		close(s);
}

static int attach(struct env *e)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = host_if, .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, eg, .prog_fd = e->prog[NETPOL_DIR_EGRESS]);
	LIBBPF_OPTS(bpf_tc_opts, in, .prog_fd = e->prog[NETPOL_DIR_INGRESS]);
	int err = bpf_tc_hook_create(&hook);

	if (err && err != -EEXIST)
		return err;
	/* Packets the pod sends arrive at the host veth's tc ingress: the pod's EGRESS policy. */
	hook.attach_point = BPF_TC_INGRESS;
	err = bpf_tc_attach(&hook, &eg);
	if (err)
		return err;
	/* Packets for the pod leave through the host veth's tc egress: the pod's INGRESS policy. */
	hook.attach_point = BPF_TC_EGRESS;
	return bpf_tc_attach(&hook, &in);
}

int live_setup(struct env *e)
{
	char cmd[256];
	int ready[2];

	if (host_if)
		return 0;
	node_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (node_ns < 0 || pipe(ready))
		return -1;
	holder = fork();
	if (holder == 0) {
		/* Holds the pod namespace open until the runner ends it. */
		if (unshare(CLONE_NEWNET))
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (holder < 0 || read(ready[0], cmd, 1) != 1)
		return -1;
	snprintf(cmd, sizeof(cmd), "/proc/%d/ns/net", holder);
	pod_ns = open(cmd, O_RDONLY | O_CLOEXEC);
	if (pod_ns < 0)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "ip link add hveth type veth peer name eth0 && ip link set eth0 netns %d && "
		 "ip addr add " NODE_IP "/24 dev hveth && ip link set hveth up && "
		 "nsenter -t %d -n sh -c 'ip addr add " POD_IP "/24 dev eth0 && ip link set eth0 up && ip link set lo up'",
		 holder, holder);
	if (sh(cmd))
		return -1;
	host_if = (int)if_nametoindex("hveth");
	if (!host_if || attach(e))
		return -1;
	listen_node = listener(node_ns, NODE_IP, PORT_OUT);
	listen_pod = listener(pod_ns, POD_IP, PORT_IN);
	return listen_node < 0 || listen_pod < 0 ? -1 : 0;
}

void live_teardown(void)
{
	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
		holder = -1;
	}
}

/* Common setup: the live pod, both directions isolated; port sets 1 = TCP PORT_OUT, 2 = TCP PORT_IN, 3 = other. */
static void setup_live(struct env *e)
{
	const struct netpol_port_range out[] = { RANGE(NETPOL_PROTO_TCP, PORT_OUT, PORT_OUT) };
	const struct netpol_port_range in[] = { RANGE(NETPOL_PROTO_TCP, PORT_IN, PORT_IN) };
	const struct netpol_port_range other[] = { RANGE(NETPOL_PROTO_TCP, 1, PORT_OUT - 1) };

	if (live_setup(e)) {
		EXPECT(e, !"the live pod namespace, veth and tc attachments are set up");
		return;
	}
	drain_listeners();
	set_pod(e, host_if, NETPOL_STATE_ISOLATED, NETPOL_STATE_ISOLATED);
	set_port_set(e, 1, 0, 1, out);
	set_port_set(e, 2, 0, 1, in);
	set_port_set(e, 3, 0, 1, other);
}

static void check_isolated_pod_cannot_connect(struct env *e, struct pkt *p)
{
	(void)p;
	EXPECT(e, connects(pod_ns, NODE_IP, PORT_OUT) == 0);
	EXPECT(e, connects(node_ns, POD_IP, PORT_IN) == 0);
	EXPECT(e, stat_packets(e, NETPOL_REASON_NO_PEER) >= 2);
}

static void check_egress_rule_connects_out(struct env *e, struct pkt *p)
{
	(void)p;
	set_host(e, NETPOL_DIR_EGRESS, host_if, NODE_IP, 1);
	/* The SYN-ACK enters through the isolated, empty ingress direction: conntrack passes it. */
	EXPECT(e, connects(pod_ns, NODE_IP, PORT_OUT) == 1);
	EXPECT(e, stat_packets(e, NETPOL_REASON_POLICY) >= 1);
	EXPECT(e, stat_packets(e, NETPOL_REASON_CONNTRACK) >= 1);
	/* An egress rule is not an ingress rule. */
	EXPECT(e, connects(node_ns, POD_IP, PORT_IN) == 0);
}

static void check_ingress_rule_connects_in(struct env *e, struct pkt *p)
{
	(void)p;
	set_host(e, NETPOL_DIR_INGRESS, host_if, NODE_IP, 2);
	EXPECT(e, connects(node_ns, POD_IP, PORT_IN) == 1);
	EXPECT(e, connects(pod_ns, NODE_IP, PORT_OUT) == 0);
}

static void check_wrong_port_is_refused(struct env *e, struct pkt *p)
{
	(void)p;
	set_host(e, NETPOL_DIR_EGRESS, host_if, NODE_IP, 3);
	EXPECT(e, connects(pod_ns, NODE_IP, PORT_OUT) == 0);
	EXPECT(e, stat_packets(e, NETPOL_REASON_NO_PORT) >= 1);
}

static void check_open_pod_connects_both_ways(struct env *e, struct pkt *p)
{
	(void)p;
	set_pod(e, host_if, NETPOL_STATE_OPEN, NETPOL_STATE_OPEN);
	EXPECT(e, connects(pod_ns, NODE_IP, PORT_OUT) == 1);
	EXPECT(e, connects(node_ns, POD_IP, PORT_IN) == 1);
}

const struct test_case netpol_live_cases[] = {
	{ "live: an isolated pod without entries can neither connect out nor be connected to", NULL, setup_live,
	  check_isolated_pod_cannot_connect },
	{ "live: an egress rule lets the pod connect out and the reply passes its isolated ingress", NULL, setup_live,
	  check_egress_rule_connects_out },
	{ "live: an ingress rule lets the node side connect in, and only in", NULL, setup_live,
	  check_ingress_rule_connects_in },
	{ "live: a rule for other ports refuses the connection", NULL, setup_live, check_wrong_port_is_refused },
	{ "live: a not-isolated pod connects both ways", NULL, setup_live, check_open_pod_connects_both_ways },
};

const int netpol_live_case_count = sizeof(netpol_live_cases) / sizeof(netpol_live_cases[0]);
