// description: Count TCP retransmissions per destination port.
// tags: network, tcp, retransmit, count, map
// probes: tracepoint:tcp:tcp_retransmit_skb
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4096); __type(key, u16); __type(value, u64); } retransmits SEC(".maps");

SEC("tracepoint/tcp/tcp_retransmit_skb")
int on_retransmit(struct trace_event_raw_tcp_retransmit_skb *ctx)
{
	u16 port = ctx->dport;
	u64 one = 1, *n = bpf_map_lookup_elem(&retransmits, &port);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&retransmits, &port, &one, BPF_NOEXIST);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
