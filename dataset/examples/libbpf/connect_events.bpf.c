// description: Trace connect() calls with the destination IPv4 address and port, read from the user's sockaddr.
// tags: network, tcp, connect, syscalls, trace, ringbuf
// probes: tracepoint:syscalls:sys_enter_connect
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct event { u32 pid; u32 daddr; u16 dport; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_connect")
int on_connect(struct trace_event_raw_sys_enter *ctx)
{
	struct sockaddr_in sa = {};
	if (bpf_probe_read_user(&sa, sizeof(sa), (void *)ctx->args[1]) < 0 || sa.sin_family != 2 /* AF_INET */)
		return 0;
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->daddr = sa.sin_addr.s_addr;
	e->dport = bpf_ntohs(sa.sin_port);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
