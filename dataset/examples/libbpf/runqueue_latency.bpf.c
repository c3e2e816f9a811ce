// description: Log2 histogram of run-queue latency in microseconds, from wakeup to running.
// tags: scheduler, latency, histogram
// probes: tracepoint:sched:sched_wakeup, tracepoint:sched:sched_switch
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, u32); __type(value, u64); } woken SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 32); __type(key, u32); __type(value, u64); } runq_us_log2 SEC(".maps");

SEC("tracepoint/sched/sched_wakeup")
int on_wakeup(struct trace_event_raw_sched_wakeup_template *ctx)
{
	u32 pid = ctx->pid;
	u64 ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&woken, &pid, &ts, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_switch")
int on_switch(struct trace_event_raw_sched_switch *ctx)
{
	u32 pid = ctx->next_pid;
	u64 *ts = bpf_map_lookup_elem(&woken, &pid);
	if (!ts)
		return 0;
	u64 us = (bpf_ktime_get_ns() - *ts) / 1000;
	bpf_map_delete_elem(&woken, &pid);
	u32 slot = 0;
	for (int i = 0; i < 31 && us > 1; i++) { us >>= 1; slot++; }
	u64 *count = bpf_map_lookup_elem(&runq_us_log2, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
