// description: Trace program executions with pid and command name through a perf event array, for kernels without ring buffers.
// tags: process, exec, trace, perfbuf
// probes: tracepoint:sched:sched_process_exec
// trigger: cp -f /bin/true /tmp/kgent-trigger-true && /tmp/kgent-trigger-true
// expect: pid=\d+ comm=kgent-trigger-t
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event { u32 pid; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, sizeof(u32)); __uint(value_size, sizeof(u32)); } events SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	struct event e = {};
	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(&e.comm, sizeof(e.comm));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
