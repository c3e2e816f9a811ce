// description: Sum bytes transmitted per network device name.
// tags: network, packets, sum, map
// probes: tracepoint:net:net_dev_xmit
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct dev_key { char name[16]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 256); __type(key, struct dev_key); __type(value, u64); } tx_bytes SEC(".maps");

SEC("tracepoint/net/net_dev_xmit")
int on_xmit(struct trace_event_raw_net_dev_xmit *ctx)
{
	struct dev_key key = {};
	unsigned short off = ctx->__data_loc_name & 0xffff;
	bpf_probe_read_kernel_str(key.name, sizeof(key.name), (void *)ctx + off);
	u64 len = ctx->len, *total = bpf_map_lookup_elem(&tx_bytes, &key);
	if (total)
		__sync_fetch_and_add(total, len);
	else
		bpf_map_update_elem(&tx_bytes, &key, &len, BPF_NOEXIST);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
