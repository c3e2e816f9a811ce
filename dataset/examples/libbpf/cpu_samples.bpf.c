// description: Perf-event sampling program counting CPU samples per process id (attach to a cpu-clock event).
// tags: cpu, profile, count, perf
// probes: software:cpu-clock
// trigger: timeout 1 sh -c 'while :; do :; done'
// expect: @samples\[\d+\]: \d+
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, u32); __type(value, u64); } samples SEC(".maps");

SEC("perf_event")
int on_sample(void *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 one = 1, *n = bpf_map_lookup_elem(&samples, &pid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&samples, &pid, &one, BPF_NOEXIST);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
