// description: Sum bytes written with write() per process id, counting only successful writes.
// tags: syscalls, files, sum, map
// probes: tracepoint:syscalls:sys_exit_write
// trigger: echo kgent > /tmp/kgent-trigger-write
// expect: @write_bytes\[\d+\]: \d+
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, u32); __type(value, u64); } write_bytes SEC(".maps");

SEC("tracepoint/syscalls/sys_exit_write")
int on_write_exit(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret <= 0)
		return 0;
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 bytes = ctx->ret, *total = bpf_map_lookup_elem(&write_bytes, &pid);
	if (total)
		__sync_fetch_and_add(total, bytes);
	else
		bpf_map_update_elem(&write_bytes, &pid, &bytes, BPF_NOEXIST);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
