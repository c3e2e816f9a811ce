// description: XDP program counting packets and bytes received on an interface, passing every packet.
// tags: network, xdp, packets, count
// probes: xdp
// trigger: python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(b"kgent", ("127.0.0.1", 9999)) for _ in range(20)]'
// expect: @rx\[0\]: \{packets: \d+, bytes: \d+\}
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct stats { u64 packets; u64 bytes; };
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, struct stats); } rx SEC(".maps");

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	u32 zero = 0;
	struct stats *s = bpf_map_lookup_elem(&rx, &zero);
	if (s) {
		s->packets++;
		s->bytes += ctx->data_end - ctx->data;
	}
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
