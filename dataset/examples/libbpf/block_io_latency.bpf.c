// description: Disk I/O latency per request, issue to completion, sent as events with device and sector.
// tags: block, disk, latency, trace, ringbuf
// probes: tracepoint:block:block_rq_issue, tracepoint:block:block_rq_complete
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct rq_key { u32 dev; u64 sector; };
struct event { u32 dev; u64 sector; u64 latency_us; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, struct rq_key); __type(value, u64); } issued SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");

SEC("tracepoint/block/block_rq_issue")
int on_issue(struct trace_event_raw_block_rq *ctx)
{
	struct rq_key key = { .dev = ctx->dev, .sector = ctx->sector };
	u64 ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&issued, &key, &ts, BPF_ANY);
	return 0;
}

SEC("tracepoint/block/block_rq_complete")
int on_complete(struct trace_event_raw_block_rq_completion *ctx)
{
	struct rq_key key = { .dev = ctx->dev, .sector = ctx->sector };
	u64 *ts = bpf_map_lookup_elem(&issued, &key);
	if (!ts)
		return 0;
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->dev = key.dev;
		e->sector = key.sector;
		e->latency_us = (bpf_ktime_get_ns() - *ts) / 1000;
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&issued, &key);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
