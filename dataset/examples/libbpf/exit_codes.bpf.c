// description: Report process exits with pid, name and exit code through a ring buffer.
// tags: process, exit, trace, ringbuf
// probes: tracepoint:sched:sched_process_exit
// trigger: cp -f /bin/true /tmp/kgent-trigger-true && /tmp/kgent-trigger-true
// expect: exit_code=0 comm=kgent-trigger-t
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct event { u32 pid; int exit_code; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");

SEC("tracepoint/sched/sched_process_exit")
int on_exit(void *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	if ((u32)id != id >> 32) /* threads: report the process once */
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = id >> 32;
	e->exit_code = BPF_CORE_READ(task, exit_code) >> 8;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
