//! Which BPF program types this kernel loads and attaches, found by trying: each do-nothing program
//! of the embedded probe object is loaded, attached where that is harmless (the calling process,
//! the loopback interface, a local socket) and detached at once.

use std::collections::BTreeMap;

use aya::programs::perf_event::{PerfEventConfig, PerfEventScope, SamplePolicy, SoftwareEvent};
use aya::programs::uprobe::UProbeScope;
use aya::programs::{FEntry, KProbe, Lsm, PerfEvent, RawTracePoint, SocketFilter, TracePoint, UProbe, Xdp, XdpMode};
use aya::{Btf, Ebpf};
use serde::{Deserialize, Serialize};

/// The probe object (source beside it; rebuilt by scripts/build-probe.sh).
static PROBE: &[u8] = aya::include_bytes_aligned!("probe/probe.bpf.o");

/// The outcome of one try.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "detail")]
pub enum Outcome {
    Yes,
    No(String),
    /// Not tried: loading failed first, or the process may not use BPF at all.
    Untried(String),
}

impl Outcome {
    pub fn is_yes(&self) -> bool {
        matches!(self, Outcome::Yes)
    }
}

/// Load and attach outcomes of one program type.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TypeSupport {
    pub loads: Outcome,
    pub attaches: Outcome,
}

/// Program type name (`tracepoint`, `kprobe`, …) → what the kernel allowed.
pub type Capabilities = BTreeMap<String, TypeSupport>;

fn describe(e: &dyn std::error::Error) -> String {
    let s = crate::error_chain(e);
    // The verifier log can be long; the first lines say why.
    s.lines().take(3).collect::<Vec<_>>().join(" / ")
}

fn outcome<T, E: std::error::Error>(r: Result<T, E>) -> (Outcome, Option<T>) {
    match r {
        Ok(v) => (Outcome::Yes, Some(v)),
        Err(e) => (Outcome::No(describe(&e)), None),
    }
}

/// The shared library that holds `getpid`, for the uprobe attach test.
fn libc_path() -> Option<&'static str> {
    ["/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/usr/lib/libc.so.6", "/lib64/libc.so.6"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

/// Tries every program type. Never fails: what could not be tried says why.
pub fn probe() -> Capabilities {
    let names = ["tracepoint", "raw_tracepoint", "kprobe", "uprobe", "perf_event", "fentry", "lsm", "xdp", "socket_filter"];
    let untried = |why: &str| -> Capabilities {
        names.iter().map(|n| (n.to_string(), TypeSupport { loads: Outcome::Untried(why.into()), attaches: Outcome::Untried(why.into()) })).collect()
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return untried("needs root (CAP_BPF and CAP_PERFMON) to load programs");
    }
    let mut ebpf = match Ebpf::load(PROBE) {
        Ok(e) => e,
        Err(e) => return untried(&format!("the probe object did not load: {}", describe(&e))),
    };
    let btf = Btf::from_sys_fs().ok();
    let mut caps = Capabilities::new();
    let mut record = |name: &str, loads: Outcome, attaches: Outcome| {
        let attaches = if loads.is_yes() { attaches } else { Outcome::Untried("did not load".into()) };
        caps.insert(name.to_string(), TypeSupport { loads, attaches });
    };

    macro_rules! program {
        ($name:literal, $ty:ty) => {
            ebpf.program_mut($name).and_then(|p| <&mut $ty>::try_from(p).ok()).expect(concat!("probe object has ", $name))
        };
    }

    {
        let p = program!("probe_tracepoint", TracePoint);
        let (loads, _) = outcome(p.load());
        let (attaches, link) = outcome(p.attach("syscalls", "sys_enter_getpid"));
        link.map(|l| p.detach(l));
        record("tracepoint", loads, attaches);
    }
    {
        let p = program!("probe_raw_tracepoint", RawTracePoint);
        let (loads, _) = outcome(p.load());
        let (attaches, link) = outcome(p.attach("sys_enter"));
        link.map(|l| p.detach(l));
        record("raw_tracepoint", loads, attaches);
    }
    {
        let p = program!("probe_kprobe", KProbe);
        let (loads, _) = outcome(p.load());
        let (attaches, link) = outcome(p.attach("do_sys_openat2", 0));
        link.map(|l| p.detach(l));
        record("kprobe", loads, attaches);
    }
    {
        let p = program!("probe_uprobe", UProbe);
        let (loads, _) = outcome(p.load());
        let attaches = match libc_path() {
            Some(libc) => {
                let (a, link) = outcome(p.attach("getpid", libc, UProbeScope::CallingProcess));
                link.map(|l| p.detach(l));
                a
            }
            None => Outcome::Untried("no libc.so.6 found to attach to".into()),
        };
        record("uprobe", loads, attaches);
    }
    {
        let p = program!("probe_perf_event", PerfEvent);
        let (loads, _) = outcome(p.load());
        let (attaches, link) =
            outcome(p.attach(PerfEventConfig::Software(SoftwareEvent::CpuClock), PerfEventScope::CallingProcess { cpu: None }, SamplePolicy::Frequency(1), false));
        link.map(|l| p.detach(l));
        record("perf_event", loads, attaches);
    }
    match &btf {
        Some(btf) => {
            let p = program!("probe_fentry", FEntry);
            let (loads, _) = outcome(p.load("do_sys_openat2", btf));
            let (attaches, link) = outcome(p.attach());
            link.map(|l| p.detach(l));
            record("fentry", loads, attaches);
            let p = program!("probe_lsm", Lsm);
            let (loads, _) = outcome(p.load("file_open", btf));
            let (attaches, link) = outcome(p.attach());
            link.map(|l| p.detach(l));
            record("lsm", loads, attaches);
        }
        None => {
            let why = || Outcome::Untried("no kernel BTF at /sys/kernel/btf/vmlinux".into());
            record("fentry", why(), why());
            record("lsm", why(), why());
        }
    }
    {
        let p = program!("probe_xdp", Xdp);
        let (loads, _) = outcome(p.load());
        let (attaches, link) = outcome(p.attach("lo", XdpMode::Skb));
        link.map(|l| p.detach(l));
        record("xdp", loads, attaches);
    }
    {
        let p = program!("probe_socket", SocketFilter);
        let (loads, _) = outcome(p.load());
        let attaches = match std::net::UdpSocket::bind("127.0.0.1:0") {
            Ok(sock) => outcome(p.attach(&sock)).0, // the filter goes with the socket
            Err(e) => Outcome::Untried(format!("no local socket: {e}")),
        };
        record("socket_filter", loads, attaches);
    }
    caps
}
