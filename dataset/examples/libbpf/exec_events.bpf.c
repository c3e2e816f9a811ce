// description: Trace program executions: pid, parent pid and binary path, sent through a ring buffer.
// tags: process, exec, trace, ringbuf
// probes: tracepoint:sched:sched_process_exec
// trigger: cp -f /bin/true /tmp/kgent-trigger-true && /tmp/kgent-trigger-true
// expect: filename=/tmp/kgent-trigger-true
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct event { u32 pid; u32 ppid; char filename[128]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 18); } events SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int on_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	unsigned short off = ctx->__data_loc_filename & 0xffff;
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + off);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
