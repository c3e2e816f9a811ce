// description: Count calls to the kernel function do_sys_openat2 per process id with a kprobe (needs kprobe support).
// tags: files, kernel, count, kprobe
// probes: kprobe:do_sys_openat2
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, u32); __type(value, u64); } opens SEC(".maps");

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(openat2_enter, int dfd, const char *filename)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 one = 1, *n = bpf_map_lookup_elem(&opens, &pid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&opens, &pid, &one, BPF_NOEXIST);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
