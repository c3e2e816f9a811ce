// description: Trace signals sent: sender pid and name, target pid and signal number, via a ring buffer.
// tags: signals, trace, ringbuf
// probes: tracepoint:signal:signal_generate
// trigger: sleep 30 & sleep 0.2; kill -USR1 $!
// expect: sig=10 
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event { u32 sender; u32 target; int sig; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");

SEC("tracepoint/signal/signal_generate")
int on_signal(struct trace_event_raw_signal_generate *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->sender = bpf_get_current_pid_tgid() >> 32;
	e->target = ctx->pid;
	e->sig = ctx->sig;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
