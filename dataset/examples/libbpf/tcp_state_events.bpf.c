// description: Trace TCP state changes with IPv4 addresses, ports, old and new state, via a ring buffer.
// tags: network, tcp, trace, ringbuf
// probes: tracepoint:sock:inet_sock_set_state
// trigger: python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); c = socket.create_connection(s.getsockname()); a = s.accept()'
// expect: saddr=127\.0\.0\.1 daddr=127\.0\.0\.1 sport=\d+ dport=\d+ oldstate=2 newstate=1
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event { u8 saddr[4]; u8 daddr[4]; u16 sport; u16 dport; int oldstate; int newstate; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int on_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP || ctx->family != 2 /* AF_INET */)
		return 0;
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	__builtin_memcpy(e->saddr, ctx->saddr, 4);
	__builtin_memcpy(e->daddr, ctx->daddr, 4);
	e->sport = ctx->sport;
	e->dport = ctx->dport;
	e->oldstate = ctx->oldstate;
	e->newstate = ctx->newstate;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
