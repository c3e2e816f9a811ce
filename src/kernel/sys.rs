//! The `bpf(2)` system call for the few commands aya does not offer on raw sizes: creating maps
//! and loading programs for bpftrace's objects, and walking maps whose key and value types are only
//! known at run time (from BTF).

use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

pub const BPF_MAP_LOOKUP_ELEM: libc::c_long = 1;
pub const BPF_MAP_GET_NEXT_KEY: libc::c_long = 4;
pub const BPF_MAP_CREATE: libc::c_long = 0;
pub const BPF_PROG_LOAD: libc::c_long = 5;

/// A zeroed `union bpf_attr`, written field by field at the kernel's offsets.
pub struct Attr(pub [u8; 128]);

impl Attr {
    pub fn new() -> Attr {
        Attr([0; 128])
    }
    pub fn u32(mut self, off: usize, v: u32) -> Attr {
        self.0[off..off + 4].copy_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u64(mut self, off: usize, v: u64) -> Attr {
        self.0[off..off + 8].copy_from_slice(&v.to_le_bytes());
        self
    }
}

impl Default for Attr {
    fn default() -> Self {
        Attr::new()
    }
}

/// Runs `cmd`; the kernel's return value, or errno as an error.
pub fn bpf(cmd: libc::c_long, mut attr: Attr) -> std::io::Result<i64> {
    // SAFETY: `attr` is a zero-initialised buffer laid out as `union bpf_attr` for `cmd`, larger
    // than the fields used; pointers inside it point at memory the caller keeps alive for the call.
    let r = unsafe { libc::syscall(libc::SYS_bpf, cmd, attr.0.as_mut_ptr(), attr.0.len()) };
    if r < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// Runs a command that returns a new file descriptor.
pub fn bpf_fd(cmd: libc::c_long, attr: Attr) -> std::io::Result<OwnedFd> {
    let fd = bpf(cmd, attr)?;
    // SAFETY: the kernel returned a new file descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Every key of a map, in the kernel's order. `key_size` must be the map's.
pub fn map_keys(map: BorrowedFd<'_>, key_size: usize) -> std::io::Result<Vec<Vec<u8>>> {
    let mut keys: Vec<Vec<u8>> = Vec::new();
    let mut next = vec![0u8; key_size];
    loop {
        // The first call passes no key, which asks for the first one.
        let prev = keys.last().map_or(0, |k| k.as_ptr() as u64);
        let attr = Attr::new().u32(0, map.as_raw_fd() as u32).u64(8, prev).u64(16, next.as_mut_ptr() as u64);
        match bpf(BPF_MAP_GET_NEXT_KEY, attr) {
            Ok(_) => keys.push(next.clone()),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(keys),
            Err(e) => return Err(e),
        }
        if keys.len() > 1 << 20 {
            return Ok(keys); // a map that changes under us must not loop for ever
        }
    }
}

/// The value stored under `key`, `None` when it is gone. Per-CPU maps need `value_size` times the
/// number of possible CPUs (each slot rounded up to 8 bytes).
pub fn map_lookup(map: BorrowedFd<'_>, key: &[u8], value_size: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut value = vec![0u8; value_size];
    let attr = Attr::new().u32(0, map.as_raw_fd() as u32).u64(8, key.as_ptr() as u64).u64(16, value.as_mut_ptr() as u64);
    match bpf(BPF_MAP_LOOKUP_ELEM, attr) {
        Ok(_) => Ok(Some(value)),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(None),
        Err(e) => Err(e),
    }
}
