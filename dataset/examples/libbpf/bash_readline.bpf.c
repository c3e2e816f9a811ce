// description: Capture commands entered in bash: a uretprobe on readline sends pid and the line typed.
// tags: uprobe, bash, shell, trace, ringbuf
// probes: uretprobe:/bin/bash:readline
// trigger: printf 'echo kgent-trigger-readline\nexit\n' | script -qec 'bash --norc --noprofile -i' /dev/null
// expect: line=\"echo kgent-trigger-readline\"
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct event { u32 pid; char line[128]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");

SEC("uretprobe//bin/bash:readline")
int BPF_KRETPROBE(readline_return, const void *ret)
{
	if (!ret)
		return 0;
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_user_str(e->line, sizeof(e->line), ret);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
