// description: Count hardware interrupts per IRQ number.
// tags: interrupts, kernel, count, map
// probes: tracepoint:irq:irq_handler_entry
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, int); __type(value, u64); } irqs SEC(".maps");

SEC("tracepoint/irq/irq_handler_entry")
int on_irq(struct trace_event_raw_irq_handler_entry *ctx)
{
	int irq = ctx->irq;
	u64 one = 1, *n = bpf_map_lookup_elem(&irqs, &irq);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&irqs, &irq, &one, BPF_NOEXIST);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
