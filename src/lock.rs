//! Cache entries shared by concurrent `kgent` processes (the hook catalog, the index, `vmlinux.h`,
//! models). Every entry is written beside and renamed into place, so a reader never sees half of
//! one; on top of that, whoever builds an entry holds its [`Lock`], so two processes building the
//! same entry take turns and the second finds the first one's result instead of racing it. A lock
//! is an `flock` on a file next to the entry: the kernel drops it when its holder dies, even by
//! SIGKILL. The scratch files a killed holder leaves behind are [`sweep`]t by the next one: whoever
//! holds an entry's lock knows no other writer of that entry is alive, whatever pid namespace it
//! ran in.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// An exclusive lock on one cache entry, held until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
    pub path: PathBuf,
}

impl Lock {
    /// Takes the lock at `path` (created if missing), waiting while another process holds it;
    /// `on_wait` is told once when it must wait.
    pub fn exclusive(path: &Path, on_wait: &mut dyn FnMut()) -> std::io::Result<Lock> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // A lock file another user made (root, under sudo) may be read-only here; flock works
        // on a read-only descriptor too.
        let file = match OpenOptions::new().create(true).truncate(false).write(true).open(path) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && path.exists() => File::open(path)?,
            other => other?,
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                on_wait();
                file.lock()?;
            }
            Err(TryLockError::Error(e)) => return Err(e),
        }
        Ok(Lock { _file: file, path: path.to_path_buf() })
    }

    /// The lock at `path` if nobody holds it now, without waiting (`None` when someone does).
    pub fn try_exclusive(path: &Path) -> std::io::Result<Option<Lock>> {
        let file = OpenOptions::new().create(true).truncate(false).write(true).open(path).or_else(|_| File::open(path))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Lock { _file: file, path: path.to_path_buf() })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }
}

/// The pid a scratch name carries: `.index-build-PID`, `.index-old-PID`, `NAME.tmp.PID`,
/// `.vmlinux.h.PID`, `.partial-PID-…`.
fn scratch_pid(name: &str) -> Option<u32> {
    let digits = |s: &str| s.split(|c: char| !c.is_ascii_digit()).next().and_then(|d| d.parse().ok());
    if let Some(rest) = name.strip_prefix(".index-build-").or_else(|| name.strip_prefix(".index-old-")).or_else(|| name.strip_prefix(".partial-")) {
        return digits(rest);
    }
    if let Some(rest) = name.strip_prefix(".vmlinux.h.") {
        return digits(rest);
    }
    name.rsplit_once(".tmp.").and_then(|(_, pid)| digits(pid))
}

/// Removes the scratch files and directories in `dir` that `covers` names: those of the entry
/// whose lock the caller holds, left by a writer killed before it could rename them into place.
pub fn sweep(dir: &Path, covers: &dyn Fn(&str) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = scratch_pid(&name) else { continue };
        if pid == std::process::id() || !covers(&name) {
            continue;
        }
        let path = entry.path();
        let _ = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_names_carry_their_writer() {
        assert_eq!(scratch_pid(".index-build-123"), Some(123));
        assert_eq!(scratch_pid(".index-old-7"), Some(7));
        assert_eq!(scratch_pid("6.18.0-abc.tmp.99"), Some(99));
        assert_eq!(scratch_pid(".vmlinux.h.42"), Some(42));
        assert_eq!(scratch_pid(".partial-5-x1b2-model.gguf"), Some(5));
        assert_eq!(scratch_pid("stamp.json"), None);
        assert_eq!(scratch_pid("model.gguf"), None);
    }

    #[test]
    fn only_the_locked_entrys_scratch_is_swept_and_never_this_process_own() {
        let dir = tempfile::tempdir().unwrap();
        let killed = dir.path().join(".index-build-4194399");
        std::fs::create_dir(&killed).unwrap();
        let other_entry = dir.path().join("cat.tmp.4194398");
        std::fs::write(&other_entry, b"half").unwrap();
        let mine = dir.path().join(format!(".index-old-{}", std::process::id()));
        std::fs::write(&mine, b"mine").unwrap();
        let kept = dir.path().join("catalog.json");
        std::fs::write(&kept, b"{}").unwrap();
        sweep(dir.path(), &|n| n.starts_with(".index-"));
        assert!(!killed.exists());
        assert!(other_entry.exists() && mine.exists() && kept.exists());
    }

    #[test]
    fn a_second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        let first = Lock::exclusive(&path, &mut || panic!("nobody holds it yet")).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        let waiter = std::thread::spawn(move || {
            let mut waited = false;
            let _second = Lock::exclusive(&p, &mut || waited = true).unwrap();
            tx.send(waited).unwrap();
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(rx.try_recv().is_err(), "the second took the lock while the first held it");
        drop(first);
        assert!(rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap(), "the second was told it waited");
        waiter.join().unwrap();
    }
}
