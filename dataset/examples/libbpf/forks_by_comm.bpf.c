// description: Count process and thread creations per parent process name.
// tags: process, fork, count, map
// probes: tracepoint:sched:sched_process_fork
// trigger: cp -f /bin/sh /tmp/kgent-trigger-sh && /tmp/kgent-trigger-sh -c '/bin/true; /bin/true'
// expect: @forks\[kgent-trigger-s\]: \d+
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct comm_key { char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4096); __type(key, struct comm_key); __type(value, u64); } forks SEC(".maps");

SEC("tracepoint/sched/sched_process_fork")
int on_fork(void *ctx)
{
	struct comm_key key = {};
	u64 one = 1, *n;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	n = bpf_map_lookup_elem(&forks, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&forks, &key, &one, BPF_NOEXIST);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
