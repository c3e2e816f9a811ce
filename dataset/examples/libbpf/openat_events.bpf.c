// description: Trace file opens and send pid, process name and path to user space through a ring buffer.
// tags: syscalls, files, trace, ringbuf
// probes: tracepoint:syscalls:sys_enter_openat
// trigger: touch /tmp/kgent-trigger-open && cat /tmp/kgent-trigger-open
// expect: comm=cat filename=/tmp/kgent-trigger-open
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event { u32 pid; char comm[16]; char filename[128]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 18); } events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int trace_openat(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const char *)ctx->args[1]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
