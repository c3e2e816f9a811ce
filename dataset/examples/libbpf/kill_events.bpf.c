// description: Trace kill() system calls: sender pid and name, target pid, signal number.
// tags: signals, syscalls, trace, ringbuf
// probes: tracepoint:syscalls:sys_enter_kill
// trigger: sleep 30 & sleep 0.2; kill -USR1 $!
// expect: sig=10 
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event { u32 pid; int target; int sig; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_kill")
int on_kill(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->target = (int)ctx->args[0];
	e->sig = (int)ctx->args[1];
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
