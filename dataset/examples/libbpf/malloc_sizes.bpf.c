// description: Log2 histogram of malloc() request sizes with a uprobe on libc.
// tags: uprobe, libc, memory, histogram
// probes: uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc
// trigger: cp -f /bin/ls /tmp/kgent-trigger-ls && /tmp/kgent-trigger-ls / > /dev/null
// expect: @malloc_bytes_log2:\n(?:[^\n]*\n)*?\[\d+[KM]?, \d+[KM]?\) +\d+ \|@
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 64); __type(key, u32); __type(value, u64); } malloc_bytes_log2 SEC(".maps");

SEC("uprobe//lib/x86_64-linux-gnu/libc.so.6:malloc")
int BPF_KPROBE(malloc_enter, size_t size)
{
	u32 slot = 0;
	for (int i = 0; i < 63 && size > 1; i++) { size >>= 1; slot++; }
	u64 *n = bpf_map_lookup_elem(&malloc_bytes_log2, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
