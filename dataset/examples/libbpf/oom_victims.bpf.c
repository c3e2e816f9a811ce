// description: Report OOM-killer victims (pid and anonymous RSS) through a ring buffer.
// tags: memory, oom, trace, ringbuf
// probes: tracepoint:oom:mark_victim
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event { int pid; u64 anon_rss_kb; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 12); } events SEC(".maps");

SEC("tracepoint/oom/mark_victim")
int on_victim(struct trace_event_raw_mark_victim *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = ctx->pid;
	e->anon_rss_kb = ctx->anon_rss;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
