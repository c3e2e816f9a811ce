// description: Count system calls per process id in a hash map, using the raw syscall-entry tracepoint.
// tags: syscalls, count, map
// probes: raw_tracepoint:sys_enter
// trigger: cp -f /bin/true /tmp/kgent-trigger-true && /tmp/kgent-trigger-true
// expect: @syscalls\[\d+\]: \d+
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, u32); __type(value, u64); } syscalls SEC(".maps");

SEC("raw_tracepoint/sys_enter")
int count_syscalls(struct bpf_raw_tracepoint_args *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 one = 1, *n = bpf_map_lookup_elem(&syscalls, &pid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&syscalls, &pid, &one, BPF_NOEXIST);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
