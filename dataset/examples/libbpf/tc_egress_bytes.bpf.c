// description: Count packets and bytes leaving a network interface with a tc egress classifier, letting every packet through.
// tags: network, tc, packets, count
// probes: classifier:egress
// trigger: python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(b"kgent", ("127.0.0.1", 9999)) for _ in range(20)]'
// expect: @tx\[0\]: \{packets: \d+, bytes: \d+\}
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define TC_ACT_OK 0

struct stats { u64 packets; u64 bytes; };
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, struct stats); } tx SEC(".maps");

SEC("classifier/egress")
int count_egress(struct __sk_buff *skb)
{
	u32 zero = 0;
	struct stats *s = bpf_map_lookup_elem(&tx, &zero);
	if (s) {
		s->packets++;
		s->bytes += skb->len;
	}
	return TC_ACT_OK;
}
char LICENSE[] SEC("license") = "GPL";
