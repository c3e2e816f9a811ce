// description: Log2 histogram of read() latency in microseconds, kept in an array map of buckets.
// tags: syscalls, files, latency, histogram
// probes: tracepoint:syscalls:sys_enter_read, tracepoint:syscalls:sys_exit_read
// trigger: cp -f /bin/cat /tmp/kgent-trigger-cat && /tmp/kgent-trigger-cat /etc/hostname > /dev/null
// expect: @read_us_log2:\n\[0, 2\) +\d+ \|@
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, u32); __type(value, u64); } start SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 32); __type(key, u32); __type(value, u64); } read_us_log2 SEC(".maps");

static __always_inline u32 log2l(u64 v)
{
	u32 r = 0;
	for (int i = 0; i < 31 && v > 1; i++) { v >>= 1; r++; }
	return r;
}

SEC("tracepoint/syscalls/sys_enter_read")
int read_enter(void *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	u64 ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &tid, &ts, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int read_exit(void *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	u64 *ts = bpf_map_lookup_elem(&start, &tid);
	if (!ts)
		return 0;
	u32 slot = log2l((bpf_ktime_get_ns() - *ts) / 1000);
	bpf_map_delete_elem(&start, &tid);
	u64 *count = bpf_map_lookup_elem(&read_us_log2, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
