// description: Log2 histogram of block I/O request sizes in kilobytes.
// tags: block, disk, histogram
// probes: tracepoint:block:block_rq_issue
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 32); __type(key, u32); __type(value, u64); } io_kb_log2 SEC(".maps");

SEC("tracepoint/block/block_rq_issue")
int on_issue(struct trace_event_raw_block_rq *ctx)
{
	u64 kb = ctx->bytes / 1024;
	u32 slot = 0;
	for (int i = 0; i < 31 && kb > 1; i++) { kb >>= 1; slot++; }
	u64 *count = bpf_map_lookup_elem(&io_kb_log2, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
