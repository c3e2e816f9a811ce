// description: Count context switches on each CPU in a per-CPU array.
// tags: scheduler, cpu, count, map
// probes: tracepoint:sched:sched_switch
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, u64); } switches SEC(".maps");

SEC("tracepoint/sched/sched_switch")
int on_switch(struct trace_event_raw_sched_switch *ctx)
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&switches, &zero);
	if (n)
		(*n)++;
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
