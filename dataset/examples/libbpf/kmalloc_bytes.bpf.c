// description: Sum kmalloc'd kernel memory in bytes per process id.
// tags: memory, kernel, sum, map
// probes: tracepoint:kmem:kmalloc
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, u32); __type(value, u64); } kmalloc_bytes SEC(".maps");

SEC("tracepoint/kmem/kmalloc")
int on_kmalloc(struct trace_event_raw_kmalloc *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 bytes = ctx->bytes_alloc, *total = bpf_map_lookup_elem(&kmalloc_bytes, &pid);
	if (total)
		__sync_fetch_and_add(total, bytes);
	else
		bpf_map_update_elem(&kmalloc_bytes, &pid, &bytes, BPF_NOEXIST);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
