// description: Socket filter counting packets seen on a socket by IP protocol, without dropping any.
// tags: network, sockets, packets, count
// probes: socket
// trigger: python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(b"kgent", ("127.0.0.1", 9999)) for _ in range(20)]'
// expect: @by_protocol\[17\]: \d+
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 256); __type(key, u32); __type(value, u64); } by_protocol SEC(".maps");

SEC("socket")
int count_protocols(struct __sk_buff *skb)
{
	u8 proto = 0;
	/* Offset of the protocol byte in an IPv4 header after a 14-byte Ethernet header. */
	if (bpf_skb_load_bytes(skb, 14 + 9, &proto, 1) < 0)
		return skb->len;
	u32 key = proto;
	u64 *n = bpf_map_lookup_elem(&by_protocol, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return skb->len;
}
char LICENSE[] SEC("license") = "GPL";
