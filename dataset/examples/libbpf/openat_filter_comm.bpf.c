// description: Trace files opened by processes named "bash" only, sending pid and path through a ring buffer.
// tags: syscalls, files, trace, filter-comm, ringbuf
// probes: tracepoint:syscalls:sys_enter_openat
// trigger: touch /tmp/kgent-trigger-open && bash -c 'read -r x < /tmp/kgent-trigger-open'
// expect: filename=/tmp/kgent-trigger-open
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event { u32 pid; char filename[128]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int bash_opens(struct trace_event_raw_sys_enter *ctx)
{
	char comm[16];
	bpf_get_current_comm(comm, sizeof(comm));
	if (comm[0] != 'b' || comm[1] != 'a' || comm[2] != 's' || comm[3] != 'h' || comm[4] != 0)
		return 0;
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const char *)ctx->args[1]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
