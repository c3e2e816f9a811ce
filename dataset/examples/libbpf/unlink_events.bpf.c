// description: Trace file deletions (unlinkat) with pid, process name and path via a ring buffer.
// tags: syscalls, files, trace, ringbuf
// probes: tracepoint:syscalls:sys_enter_unlinkat
// trigger: touch /tmp/kgent-trigger-unlink && rm -f /tmp/kgent-trigger-unlink
// expect: comm=rm path=/tmp/kgent-trigger-unlink
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event { u32 pid; char comm[16]; char path[128]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int on_unlink(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->path, sizeof(e->path), (const char *)ctx->args[1]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
