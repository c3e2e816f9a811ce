// description: Count failing system calls (negative return) per syscall number, with the raw sys_exit tracepoint.
// tags: syscalls, errors, count, map
// probes: tracepoint:raw_syscalls:sys_exit
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, u32); __type(value, u64); } errors SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_exit")
int on_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret >= 0)
		return 0;
	u32 id = ctx->id;
	u64 one = 1, *n = bpf_map_lookup_elem(&errors, &id);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&errors, &id, &one, BPF_NOEXIST);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
