// One do-nothing program per program type. `kgent` loads each (and attaches the ones it can
// detach at once) to learn what this kernel accepts: the result decides which hooks are offered.
// Rebuild with scripts/build-probe.sh; the object is committed so that kgent needs no clang to run it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_getpid") int probe_tracepoint(void *ctx) { return 0; }
SEC("raw_tracepoint/sys_enter") int probe_raw_tracepoint(void *ctx) { return 0; }
SEC("kprobe/do_sys_openat2") int probe_kprobe(void *ctx) { return 0; }
SEC("uprobe") int probe_uprobe(void *ctx) { return 0; }
SEC("perf_event") int probe_perf_event(void *ctx) { return 0; }
SEC("fentry/do_sys_openat2") int probe_fentry(void *ctx) { return 0; }
SEC("lsm/file_open") int probe_lsm(void *ctx) { return 0; }
SEC("xdp") int probe_xdp(struct xdp_md *ctx) { return XDP_PASS; }
SEC("socket") int probe_socket(struct __sk_buff *skb) { return skb->len; }

char LICENSE[] SEC("license") = "GPL";
