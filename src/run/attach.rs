//! C objects: load with aya, attach every program by its section name (libbpf's spelling), read
//! ring buffers and perf event arrays, and dump maps. Dropping [`Attached`] detaches everything.

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

use aya::maps::perf::PerfEventArrayBuffer;
use aya::maps::{Map, MapData, PerfEventArray, RingBuf};
use aya::programs::perf_event::{PerfEventScope, SamplePolicy};
use aya::programs::uprobe::UProbeScope;
use aya::programs::{Program, TcAttachType, XdpMode};
use aya::{Btf, Ebpf, EbpfLoader};
use serde_json::{json, Value};

use super::error::RunError;
use super::options::RunOptions;
use super::output::{self, Buckets};
use crate::obj::types::Types;
use crate::obj::{Probe, ProbeKind};

/// Present when the kernel can create kprobe perf events.
const KPROBE_PMU: &str = "/sys/bus/event_source/devices/kprobe/type";

/// Where a program goes, from its ELF section name (`tracepoint/sched/sched_process_exec`,
/// `uretprobe//bin/bash:readline`, `xdp`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Section {
    TracePoint {
        category: String,
        name: String,
    },
    RawTracePoint {
        name: String,
    },
    KProbe {
        function: String,
        ret: bool,
    },
    UProbe {
        binary: String,
        symbol: String,
        ret: bool,
    },
    /// Attached to the event `--perf-event` names, on every CPU.
    PerfEvent,
    /// Attached to `--iface`.
    Xdp,
    /// Attached to a raw packet socket bound to `--iface`.
    SocketFilter,
    /// Attached to `--iface` through tcx: `classifier` (ingress) or `classifier/egress` (aya reads
    /// only the `classifier` spelling of tc programs).
    Classifier {
        egress: bool,
    },
    Unsupported(String),
}

impl Section {
    pub fn parse(section: &str) -> Section {
        let unsupported = || Section::Unsupported(section.to_string());
        let Some(probe) = Probe::of_c_section(section) else { return unsupported() };
        let target = probe.target.as_str();
        match probe.kind {
            ProbeKind::Tracepoint => match probe.tracepoint() {
                Some((category, name)) if !category.is_empty() && !name.is_empty() => Section::TracePoint { category: category.into(), name: name.into() },
                _ => unsupported(),
            },
            ProbeKind::RawTracepoint if !target.is_empty() => Section::RawTracePoint { name: target.into() },
            ProbeKind::Kprobe | ProbeKind::Kretprobe if !target.is_empty() => Section::KProbe { function: target.into(), ret: probe.kind.is_return() },
            ProbeKind::Uprobe | ProbeKind::Uretprobe => match probe.uprobe_target() {
                Some((binary, symbol)) if !binary.is_empty() && !symbol.is_empty() => Section::UProbe { binary: binary.into(), symbol: symbol.into(), ret: probe.kind.is_return() },
                _ => unsupported(),
            },
            ProbeKind::PerfEvent => Section::PerfEvent,
            ProbeKind::Xdp => Section::Xdp,
            ProbeKind::Socket => Section::SocketFilter,
            ProbeKind::Tc => Section::Classifier { egress: target.ends_with("egress") },
            _ => unsupported(),
        }
    }

    /// The probe as `kgent hooks` and bpftrace spell it.
    pub fn describe(&self, opts: &RunOptions) -> String {
        match self {
            Section::TracePoint { category, name } => format!("tracepoint:{category}:{name}"),
            Section::RawTracePoint { name } => format!("rawtracepoint:{name}"),
            Section::KProbe { function, ret } => format!("{}:{function}", if *ret { "kretprobe" } else { "kprobe" }),
            Section::UProbe { binary, symbol, ret } => format!("{}:{binary}:{symbol}", if *ret { "uretprobe" } else { "uprobe" }),
            Section::PerfEvent => format!("{} on every CPU", opts.perf_event),
            Section::Xdp => format!("xdp on {}", opts.iface),
            Section::SocketFilter => format!("socket filter on {}", opts.iface),
            Section::Classifier { egress } => format!("tc {} on {}", if *egress { "egress" } else { "ingress" }, opts.iface),
            Section::Unsupported(s) => format!("section {s:?}"),
        }
    }
}

/// A loaded object with every program attached. Dropping it detaches them and frees the maps; the
/// raw sockets of socket filters close with it.
pub struct Attached {
    ebpf: Ebpf,
    types: Types,
    rings: Vec<(String, RingBuf<MapData>)>,
    perf: Vec<(String, Vec<PerfEventArrayBuffer<MapData>>)>,
    _sockets: Vec<OwnedFd>,
    /// `(program, where it is attached)`.
    pub programs: Vec<(String, String)>,
}

fn load_err(e: impl std::error::Error) -> String {
    crate::error_chain(&e)
}

/// A raw packet socket on `iface` that sees every protocol, for a socket filter.
fn packet_socket(iface: &str) -> std::io::Result<OwnedFd> {
    let c = std::ffi::CString::new(iface).map_err(|_| std::io::Error::other("interface name holds a NUL byte"))?;
    // SAFETY: `c` is a valid NUL-terminated string.
    let index = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if index == 0 {
        return Err(std::io::Error::other(format!("no network interface named {iface}")));
    }
    let proto = (libc::ETH_P_ALL as u16).to_be();
    // SAFETY: plain socket(2); the result is checked before use.
    let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK, proto as i32) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` is a new socket nothing else owns.
    let sock = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: sockaddr_ll is plain data; zero is a valid starting value.
    let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    addr.sll_family = libc::AF_PACKET as u16;
    addr.sll_protocol = proto;
    addr.sll_ifindex = index as i32;
    // SAFETY: `addr` is a valid sockaddr_ll of the size given.
    let r = unsafe { libc::bind(fd, &addr as *const _ as *const libc::sockaddr, std::mem::size_of::<libc::sockaddr_ll>() as u32) };
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(sock)
}

fn attach_one(program: &mut Program, section: &Section, opts: &RunOptions, sockets: &mut Vec<OwnedFd>) -> Result<(), String> {
    let e = |e: aya::programs::ProgramError| load_err(e);
    match (program, section) {
        (Program::TracePoint(p), Section::TracePoint { category, name }) => {
            p.load().map_err(e)?;
            p.attach(category, name).map_err(e)?;
        }
        (Program::RawTracePoint(p), Section::RawTracePoint { name }) => {
            p.load().map_err(e)?;
            p.attach(name).map_err(e)?;
        }
        (Program::KProbe(p), Section::KProbe { function, .. }) => {
            p.load().map_err(e)?;
            p.attach(function.as_str(), 0).map_err(|err| {
                let why = if Path::new(KPROBE_PMU).exists() {
                    "this kernel may load kprobes without being able to attach them (`kgent hooks --capabilities` shows which)"
                } else {
                    "this kernel cannot attach kprobes (it has no kprobe event source)"
                };
                format!("{}; {why}: use a tracepoint for the same event instead (`kgent hooks --kind tracepoint PATTERN` lists them)", load_err(err))
            })?;
        }
        (Program::UProbe(p), Section::UProbe { binary, symbol, .. }) => {
            p.load().map_err(e)?;
            p.attach(symbol.as_str(), binary.as_str(), UProbeScope::AllProcesses).map_err(e)?;
        }
        (Program::PerfEvent(p), Section::PerfEvent) => {
            p.load().map_err(e)?;
            let cpus = aya::util::online_cpus().map_err(|(what, err)| format!("{what}: {err}"))?;
            let config = opts.perf_event.config()?;
            for cpu in cpus {
                p.attach(config, PerfEventScope::AllProcessesOneCpu { cpu }, SamplePolicy::Frequency(opts.perf_event.frequency), false).map_err(|err| {
                    let hint = if opts.perf_event.hardware { " (hardware events need a CPU PMU, which virtual machines often lack; try software:cpu-clock)" } else { "" };
                    format!("{}{hint}", load_err(err))
                })?;
            }
        }
        (Program::Xdp(p), Section::Xdp) => {
            p.load().map_err(e)?;
            // Generic (skb) mode works on every interface, loopback and veth included.
            p.attach(&opts.iface, XdpMode::Skb).map_err(e)?;
        }
        (Program::SocketFilter(p), Section::SocketFilter) => {
            p.load().map_err(e)?;
            let sock = packet_socket(&opts.iface).map_err(|err| format!("opening a packet socket on {}: {err}", opts.iface))?;
            p.attach(sock.as_fd()).map_err(e)?;
            sockets.push(sock);
        }
        (Program::SchedClassifier(p), Section::Classifier { egress }) => {
            p.load().map_err(e)?;
            let at = if *egress { TcAttachType::Egress } else { TcAttachType::Ingress };
            p.attach(&opts.iface, at).map_err(e)?;
        }
        (_, Section::Unsupported(s)) => return Err(format!("Kgent cannot attach programs of section {s:?}")),
        (_, s) => return Err(format!("the program's type does not match its section ({s:?})")),
    }
    Ok(())
}

/// Loads `object` and attaches every program (record types come from `types`' BTF when given); on any failure, what was attached is detached
/// before the error returns.
pub fn load_and_attach(object: &[u8], types: Option<&[u8]>, opts: &RunOptions) -> Result<Attached, RunError> {
    let sections = crate::obj::elf::function_sections(object).map_err(|e| RunError::BadObject(e.to_string()))?;
    let btf = Btf::from_sys_fs().ok();
    let mut ebpf = EbpfLoader::new().btf(btf.as_ref()).load(object).map_err(|e| RunError::BadObject(load_err(e)))?;
    let mut sockets = Vec::new();
    let mut programs = Vec::new();
    for (name, program) in ebpf.programs_mut() {
        let section = Section::parse(sections.get(name).map(String::as_str).unwrap_or(""));
        attach_one(program, &section, opts, &mut sockets).map_err(|message| RunError::Attach { program: name.to_string(), probe: section.describe(opts), message })?;
        programs.push((name.to_string(), section.describe(opts)));
    }
    if programs.is_empty() {
        return Err(RunError::BadObject("the object holds no programs".into()));
    }
    programs.sort();

    let names: Vec<String> = ebpf.maps().map(|(n, _)| n.to_string()).collect();
    let mut rings = Vec::new();
    let mut perf = Vec::new();
    for name in names {
        match ebpf.map(&name) {
            Some(Map::RingBuf(_)) => {
                let map = ebpf.take_map(&name).expect("listed above");
                rings.push((name, RingBuf::try_from(map).map_err(|e| RunError::BadObject(load_err(e)))?));
            }
            Some(Map::PerfEventArray(_)) => {
                let map = ebpf.take_map(&name).expect("listed above");
                let mut array = PerfEventArray::try_from(map).map_err(|e| RunError::BadObject(load_err(e)))?;
                let cpus = aya::util::online_cpus().map_err(|(what, err)| RunError::BadObject(format!("{what}: {err}")))?;
                let buffers = cpus.into_iter().map(|cpu| array.open(cpu, None)).collect::<Result<Vec<_>, _>>().map_err(|e| RunError::BadObject(load_err(e)))?;
                perf.push((name, buffers));
            }
            _ => {}
        }
    }
    Ok(Attached { ebpf, types: Types::of_object(types.unwrap_or(object)), rings, perf, _sockets: sockets, programs })
}

impl Attached {
    /// Waits up to `timeout` for records, then prints every one waiting. Returns how many.
    pub fn drain(&mut self, timeout: std::time::Duration, json: bool, out: &mut dyn Write) -> std::io::Result<u64> {
        let mut fds: Vec<libc::pollfd> = self.rings.iter().map(|(_, r)| r.as_raw_fd()).map(|fd| libc::pollfd { fd, events: libc::POLLIN, revents: 0 }).collect();
        if fds.is_empty() || !self.perf.is_empty() {
            // Perf buffers are checked by reading; a short sleep keeps this loop cheap.
            std::thread::sleep(timeout.min(std::time::Duration::from_millis(100)));
        } else {
            // SAFETY: `fds` is a valid array of pollfd for the call; EINTR (a signal) just returns early.
            unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout.as_millis() as i32) };
        }
        let event = self.types.event();
        let mut n = 0;
        for (name, ring) in &mut self.rings {
            while let Some(item) = ring.next() {
                print_record(&self.types, event, name, &item, json, out)?;
                n += 1;
            }
        }
        for (name, buffers) in &mut self.perf {
            for buf in buffers.iter_mut() {
                let mut records: Vec<Vec<u8>> = Vec::new();
                buf.for_each(|e| {
                    if let aya::maps::perf::PerfEvent::Sample { head, tail } = e {
                        records.push([head, tail].concat());
                    }
                });
                for r in records {
                    print_record(&self.types, event, name, &r, json, out)?;
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// Prints every hash and array map (not ring buffers, not global data), bpftrace style.
    pub fn print_maps(&self, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
        for (name, map) in self.ebpf.maps() {
            let (data, per_cpu) = match map {
                Map::HashMap(d) | Map::LruHashMap(d) | Map::Array(d) => (d, false),
                Map::PerCpuHashMap(d) | Map::PerCpuLruHashMap(d) | Map::PerCpuArray(d) => (d, true),
                _ => continue,
            };
            // `.bss`, `.data`, `.rodata`: global variables, not results.
            if name.contains('.') {
                continue;
            }
            let is_array = matches!(map, Map::Array(_) | Map::PerCpuArray(_));
            match dump(data, per_cpu, is_array, &self.types, name) {
                Ok(d) => d.print(name, json, out)?,
                Err(e) => writeln!(out, "@{name}: cannot read: {e}")?,
            }
        }
        out.flush()
    }
}

fn print_record(types: &Types, event: Option<u32>, map: &str, bytes: &[u8], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let v = output::value(types, event, bytes);
    if json {
        writeln!(out, "{}", json!({"type": "event", "map": map, "data": v}))
    } else {
        writeln!(out, "{}", output::record_line(&v))
    }
}

/// A map's content, ready to print.
enum Dump {
    Entries(Vec<(Value, Value)>),
    Hist(Vec<u64>, Buckets),
    KeyedHists(Vec<(Value, Vec<u64>)>),
}

fn add_counts(into: &mut Vec<u64>, from: &[u64]) {
    if into.len() < from.len() {
        into.resize(from.len(), 0);
    }
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

/// One value from each CPU's copy: counters (and structs of counters) add up; anything else
/// shows the first CPU's copy.
fn merge_cpus(mut values: Vec<Value>) -> Value {
    if values.len() <= 1 {
        return values.pop().unwrap_or(Value::Null);
    }
    if values.iter().all(Value::is_u64) {
        return json!(values.iter().filter_map(Value::as_u64).sum::<u64>());
    }
    if values.iter().all(Value::is_i64) {
        return json!(values.iter().filter_map(Value::as_i64).sum::<i64>());
    }
    if let Some(Value::Object(first)) = values.first() {
        if values.iter().all(Value::is_object) {
            let mut out = serde_json::Map::new();
            for k in first.keys() {
                let column: Vec<Value> = values.iter().map(|v| v.get(k).cloned().unwrap_or(Value::Null)).collect();
                out.insert(k.clone(), merge_cpus(column));
            }
            return Value::Object(out);
        }
    }
    values.swap_remove(0)
}

fn slots(bytes: &[u8], (off, n, width): (usize, usize, usize)) -> Vec<u64> {
    (0..n).map(|i| bytes.get(off + i * width..off + (i + 1) * width).map_or(0, |b| b.iter().rev().fold(0u64, |a, x| a << 8 | *x as u64))).collect()
}

fn dump(data: &MapData, per_cpu: bool, is_array: bool, types: &Types, name: &str) -> Result<Dump, String> {
    let info = data.info().map_err(load_err)?;
    let (key_size, value_size) = (info.key_size() as usize, info.value_size() as usize);
    let cpus = if per_cpu { aya::util::nr_cpus().map_err(|(w, e)| format!("{w}: {e}"))? } else { 1 };
    let stride = if per_cpu { value_size.div_ceil(8) * 8 } else { value_size };
    let fd = data.fd().as_fd();
    let ty = types.map(name);
    let hist = types.hist_slots(ty.value);
    let buckets = if is_array && key_size == 4 && matches!(value_size, 4 | 8) { Buckets::of_map_name(name) } else { None };

    let mut entries = Vec::new();
    let mut counts = Vec::new();
    let mut keyed: Vec<(Value, Vec<u64>)> = Vec::new();
    for key in crate::kernel::sys::map_keys(fd, key_size).map_err(|e| e.to_string())? {
        let Some(value) = crate::kernel::sys::map_lookup(fd, &key, stride * cpus).map_err(|e| e.to_string())? else { continue };
        let per: Vec<&[u8]> = (0..cpus).map(|c| &value[c * stride..c * stride + value_size]).collect();
        if per.iter().all(|v| v.iter().all(|&b| b == 0)) && is_array {
            continue; // array slots always exist; an all-zero one was never written
        }
        let k = output::value(types, ty.key, &key);
        if buckets.is_some() {
            let slot = key.iter().rev().fold(0usize, |a, x| a << 8 | *x as usize);
            let c: u64 = per.iter().map(|v| v.iter().rev().fold(0u64, |a, x| a << 8 | *x as u64)).sum();
            if counts.len() <= slot {
                counts.resize(slot + 1, 0);
            }
            counts[slot] += c;
        } else if let Some(layout) = hist {
            let mut c = Vec::new();
            for v in &per {
                add_counts(&mut c, &slots(v, layout));
            }
            keyed.push((k, c));
        } else {
            let decoded: Vec<Value> = per.iter().map(|v| output::value(types, ty.value, v)).collect();
            entries.push((k, merge_cpus(decoded)));
        }
    }
    if let Some(b) = buckets {
        return Ok(Dump::Hist(counts, b));
    }
    if hist.is_some() {
        return Ok(Dump::KeyedHists(keyed));
    }
    // bpftrace prints maps sorted by value, largest last.
    if entries.iter().all(|(_, v)| v.is_number()) {
        entries.sort_by(|a, b| a.1.as_f64().partial_cmp(&b.1.as_f64()).unwrap_or(std::cmp::Ordering::Equal));
    }
    Ok(Dump::Entries(entries))
}

impl Dump {
    fn print(&self, name: &str, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
        match self {
            Dump::Entries(entries) if json => {
                let data: Vec<Value> = entries.iter().map(|(k, v)| json!({"key": k, "value": v})).collect();
                writeln!(out, "{}", json!({"type": "map", "map": name, "data": data}))
            }
            Dump::Entries(entries) => {
                for (k, v) in entries {
                    writeln!(out, "@{name}[{}]: {}", output::key_text(k), output::text(v))?;
                }
                if !entries.is_empty() {
                    writeln!(out)?;
                }
                Ok(())
            }
            Dump::Hist(counts, b) if json => writeln!(out, "{}", json!({"type": "hist", "map": name, "data": output::hist_json(counts, *b)})),
            Dump::Hist(counts, b) => {
                if counts.iter().any(|&c| c > 0) {
                    writeln!(out, "@{name}:\n{}", output::render_hist(counts, *b))?;
                }
                Ok(())
            }
            Dump::KeyedHists(hists) => {
                for (k, counts) in hists {
                    if json {
                        writeln!(out, "{}", json!({"type": "hist", "map": name, "key": k, "data": output::hist_json(counts, Buckets::Log2)}))?;
                    } else if counts.iter().any(|&c| c > 0) {
                        writeln!(out, "@{name}[{}]:\n{}", output::key_text(k), output::render_hist(counts, Buckets::Log2))?;
                    }
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::PerfSpec;

    #[test]
    fn sections_parse_like_libbpf() {
        assert_eq!(Section::parse("tracepoint/sched/sched_process_exec"), Section::TracePoint { category: "sched".into(), name: "sched_process_exec".into() });
        assert_eq!(Section::parse("tp/syscalls/sys_enter_openat"), Section::TracePoint { category: "syscalls".into(), name: "sys_enter_openat".into() });
        assert_eq!(Section::parse("uretprobe//bin/bash:readline"), Section::UProbe { binary: "/bin/bash".into(), symbol: "readline".into(), ret: true });
        assert_eq!(Section::parse("raw_tp/sys_enter"), Section::RawTracePoint { name: "sys_enter".into() });
        assert_eq!(Section::parse("kretprobe/do_sys_openat2"), Section::KProbe { function: "do_sys_openat2".into(), ret: true });
        assert_eq!(Section::parse("xdp"), Section::Xdp);
        assert_eq!(Section::parse("socket"), Section::SocketFilter);
        assert_eq!(Section::parse("classifier/egress"), Section::Classifier { egress: true });
        assert_eq!(Section::parse("classifier"), Section::Classifier { egress: false });
        assert_eq!(Section::parse("perf_event"), Section::PerfEvent);
        assert!(matches!(Section::parse("tracepoint/nocategory"), Section::Unsupported(_)));
        assert!(matches!(Section::parse("fentry/do_sys_openat2"), Section::Unsupported(_)));
        assert!(matches!(Section::parse("uprobe/no-symbol"), Section::Unsupported(_)));
    }

    #[test]
    fn perf_specs_parse_and_name_their_mistakes() {
        let s: PerfSpec = "software:cpu-clock".parse().unwrap();
        assert_eq!(s, PerfSpec { hardware: false, event: "cpu-clock".into(), frequency: 99 });
        assert_eq!("hardware:cycles:1000".parse::<PerfSpec>().unwrap().frequency, 1000);
        assert!("software:nope".parse::<PerfSpec>().unwrap_err().contains("unknown software event"));
        assert!("cpu-clock".parse::<PerfSpec>().unwrap_err().contains("expected software:EVENT"));
        assert!("software:cpu-clock:0".parse::<PerfSpec>().unwrap_err().contains("bad frequency"));
    }
}
