//! Names the uapi headers give numbers: errnos, signals, and the constants a syscall's arguments
//! take (`SEEK_DATA`, `MS_RDONLY`, `PR_SET_NO_NEW_PRIVS`). Every number comes from the libc
//! crate, which takes it from the headers; none is written here by hand.
//!
//! A constant is either one bit of a mask (`MS_RDONLY` in mount's `flags`: any call with it
//! set) or one value of an enumeration (`SEEK_DATA` as lseek's `whence`), and names the fields
//! it can be a value of. Some enumerations carry flags in their high bits (`SOCK_STREAM |
//! SOCK_CLOEXEC` is socket's `type`; `FUTEX_WAIT | FUTEX_PRIVATE_FLAG` futex's `op`): a value of
//! those is any of its combinations with them, so a test for the value alone does not miss the
//! calls that set them.

/// The mode bits by their constants' names: "the setuid bit" is `S_ISUID`, not the setuid
/// syscall; "sticky bit" `S_ISVTX`.
pub(crate) fn mode_bits_named(request: &str) -> String {
    static MODE_BITS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let mode_bits =
        MODE_BITS.get_or_init(|| regex::Regex::new(r"(?i)\b(set-?uid|suid|set-?gid|sgid|sticky)((\s+(or|and|/)\s+(set-?gid|sgid|sticky))?\s+bits?)\b").expect("a valid regex"));
    let name = |word: &str| match word.to_lowercase().replace('-', "").as_str() {
        "setuid" | "suid" => "S_ISUID",
        "setgid" | "sgid" => "S_ISGID",
        _ => "S_ISVTX",
    };
    mode_bits
        .replace_all(request, |caps: &regex::Captures| match (caps.get(4), caps.get(5)) {
            (Some(join), Some(second)) => format!("{} {} {} bits", name(&caps[1]), join.as_str(), name(second.as_str())),
            _ => format!("{}{}", name(&caps[1]), &caps[2]),
        })
        .into_owned()
}

/// An errno by name (`ENOENT`).
pub(crate) fn errno(word: &str) -> Option<i64> {
    // Every name of the errno.h programs see (asm-generic/errno-base.h and errno.h), with
    // glibc's aliases; not the kernel's internal ones (ERESTARTSYS, ENOTSUPP 524).
    let n = match word {
        "EPERM" => libc::EPERM,
        "ENOENT" => libc::ENOENT,
        "ESRCH" => libc::ESRCH,
        "EINTR" => libc::EINTR,
        "EIO" => libc::EIO,
        "ENXIO" => libc::ENXIO,
        "E2BIG" => libc::E2BIG,
        "ENOEXEC" => libc::ENOEXEC,
        "EBADF" => libc::EBADF,
        "ECHILD" => libc::ECHILD,
        "ENOMEM" => libc::ENOMEM,
        "EAGAIN" | "EWOULDBLOCK" => libc::EAGAIN,
        "EACCES" => libc::EACCES,
        "EFAULT" => libc::EFAULT,
        "ENOTBLK" => libc::ENOTBLK,
        "EBUSY" => libc::EBUSY,
        "EEXIST" => libc::EEXIST,
        "EXDEV" => libc::EXDEV,
        "ENODEV" => libc::ENODEV,
        "ENOTDIR" => libc::ENOTDIR,
        "EISDIR" => libc::EISDIR,
        "EINVAL" => libc::EINVAL,
        "ENFILE" => libc::ENFILE,
        "EMFILE" => libc::EMFILE,
        "ENOTTY" => libc::ENOTTY,
        "ETXTBSY" => libc::ETXTBSY,
        "EFBIG" => libc::EFBIG,
        "ENOSPC" => libc::ENOSPC,
        "ESPIPE" => libc::ESPIPE,
        "EROFS" => libc::EROFS,
        "EMLINK" => libc::EMLINK,
        "EPIPE" => libc::EPIPE,
        "EDOM" => libc::EDOM,
        "ERANGE" => libc::ERANGE,
        "EDEADLK" | "EDEADLOCK" => libc::EDEADLK,
        "ENAMETOOLONG" => libc::ENAMETOOLONG,
        "ENOLCK" => libc::ENOLCK,
        "ENOSYS" => libc::ENOSYS,
        "ENOTEMPTY" => libc::ENOTEMPTY,
        "ELOOP" => libc::ELOOP,
        "ENOMSG" => libc::ENOMSG,
        "EIDRM" => libc::EIDRM,
        "ECHRNG" => libc::ECHRNG,
        "EL2NSYNC" => libc::EL2NSYNC,
        "EL3HLT" => libc::EL3HLT,
        "EL3RST" => libc::EL3RST,
        "ELNRNG" => libc::ELNRNG,
        "EUNATCH" => libc::EUNATCH,
        "ENOCSI" => libc::ENOCSI,
        "EL2HLT" => libc::EL2HLT,
        "EBADE" => libc::EBADE,
        "EBADR" => libc::EBADR,
        "EXFULL" => libc::EXFULL,
        "ENOANO" => libc::ENOANO,
        "EBADRQC" => libc::EBADRQC,
        "EBADSLT" => libc::EBADSLT,
        "EBFONT" => libc::EBFONT,
        "ENOSTR" => libc::ENOSTR,
        "ENODATA" => libc::ENODATA,
        "ETIME" => libc::ETIME,
        "ENOSR" => libc::ENOSR,
        "ENONET" => libc::ENONET,
        "ENOPKG" => libc::ENOPKG,
        "EREMOTE" => libc::EREMOTE,
        "ENOLINK" => libc::ENOLINK,
        "EADV" => libc::EADV,
        "ESRMNT" => libc::ESRMNT,
        "ECOMM" => libc::ECOMM,
        "EPROTO" => libc::EPROTO,
        "EMULTIHOP" => libc::EMULTIHOP,
        "EDOTDOT" => libc::EDOTDOT,
        "EBADMSG" => libc::EBADMSG,
        "EOVERFLOW" => libc::EOVERFLOW,
        "ENOTUNIQ" => libc::ENOTUNIQ,
        "EBADFD" => libc::EBADFD,
        "EREMCHG" => libc::EREMCHG,
        "ELIBACC" => libc::ELIBACC,
        "ELIBBAD" => libc::ELIBBAD,
        "ELIBSCN" => libc::ELIBSCN,
        "ELIBMAX" => libc::ELIBMAX,
        "ELIBEXEC" => libc::ELIBEXEC,
        "EILSEQ" => libc::EILSEQ,
        "ERESTART" => libc::ERESTART,
        "ESTRPIPE" => libc::ESTRPIPE,
        "EUSERS" => libc::EUSERS,
        "ENOTSOCK" => libc::ENOTSOCK,
        "EDESTADDRREQ" => libc::EDESTADDRREQ,
        "EMSGSIZE" => libc::EMSGSIZE,
        "EPROTOTYPE" => libc::EPROTOTYPE,
        "ENOPROTOOPT" => libc::ENOPROTOOPT,
        "EPROTONOSUPPORT" => libc::EPROTONOSUPPORT,
        "ESOCKTNOSUPPORT" => libc::ESOCKTNOSUPPORT,
        "EOPNOTSUPP" | "ENOTSUP" => libc::EOPNOTSUPP,
        "EPFNOSUPPORT" => libc::EPFNOSUPPORT,
        "EAFNOSUPPORT" => libc::EAFNOSUPPORT,
        "EADDRINUSE" => libc::EADDRINUSE,
        "EADDRNOTAVAIL" => libc::EADDRNOTAVAIL,
        "ENETDOWN" => libc::ENETDOWN,
        "ENETUNREACH" => libc::ENETUNREACH,
        "ENETRESET" => libc::ENETRESET,
        "ECONNABORTED" => libc::ECONNABORTED,
        "ECONNRESET" => libc::ECONNRESET,
        "ENOBUFS" => libc::ENOBUFS,
        "EISCONN" => libc::EISCONN,
        "ENOTCONN" => libc::ENOTCONN,
        "ESHUTDOWN" => libc::ESHUTDOWN,
        "ETOOMANYREFS" => libc::ETOOMANYREFS,
        "ETIMEDOUT" => libc::ETIMEDOUT,
        "ECONNREFUSED" => libc::ECONNREFUSED,
        "EHOSTDOWN" => libc::EHOSTDOWN,
        "EHOSTUNREACH" => libc::EHOSTUNREACH,
        "EALREADY" => libc::EALREADY,
        "EINPROGRESS" => libc::EINPROGRESS,
        "ESTALE" => libc::ESTALE,
        "EUCLEAN" => libc::EUCLEAN,
        "ENOTNAM" => libc::ENOTNAM,
        "ENAVAIL" => libc::ENAVAIL,
        "EISNAM" => libc::EISNAM,
        "EREMOTEIO" => libc::EREMOTEIO,
        "EDQUOT" => libc::EDQUOT,
        "ENOMEDIUM" => libc::ENOMEDIUM,
        "EMEDIUMTYPE" => libc::EMEDIUMTYPE,
        "ECANCELED" => libc::ECANCELED,
        "ENOKEY" => libc::ENOKEY,
        "EKEYEXPIRED" => libc::EKEYEXPIRED,
        "EKEYREVOKED" => libc::EKEYREVOKED,
        "EKEYREJECTED" => libc::EKEYREJECTED,
        "EOWNERDEAD" => libc::EOWNERDEAD,
        "ENOTRECOVERABLE" => libc::ENOTRECOVERABLE,
        "ERFKILL" => libc::ERFKILL,
        "EHWPOISON" => libc::EHWPOISON,
        _ => return None,
    };
    Some(n as i64)
}

/// A signal by name (`SIGTERM`, `TERM`) or as users say it (`segfault`).
pub(super) fn signal(word: &str) -> Option<i64> {
    let name = word.strip_prefix("SIG").unwrap_or(word);
    let n = match name {
        "HUP" => libc::SIGHUP,
        "INT" => libc::SIGINT,
        "QUIT" => libc::SIGQUIT,
        "ILL" => libc::SIGILL,
        "TRAP" => libc::SIGTRAP,
        "ABRT" => libc::SIGABRT,
        "BUS" => libc::SIGBUS,
        "FPE" => libc::SIGFPE,
        "KILL" => libc::SIGKILL,
        "USR1" => libc::SIGUSR1,
        "SEGV" => libc::SIGSEGV,
        "USR2" => libc::SIGUSR2,
        "PIPE" => libc::SIGPIPE,
        "ALRM" => libc::SIGALRM,
        "TERM" => libc::SIGTERM,
        "CHLD" => libc::SIGCHLD,
        "CONT" => libc::SIGCONT,
        "STOP" => libc::SIGSTOP,
        "TSTP" => libc::SIGTSTP,
        "XCPU" => libc::SIGXCPU,
        "WINCH" => libc::SIGWINCH,
        "SYS" => libc::SIGSYS,
        _ => return None,
    };
    // Bare names ("TERM", "INT") only as capitals with the prefix; "segfault" as users write it.
    (word.starts_with("SIG") || name.len() >= 4 && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())).then_some(n as i64)
}

/// The fields a named constant is a value of, by the uapi headers' prefixes: `MADV_FREE` is
/// madvise's `behavior`, `LOCK_EX` flock's `cmd`, `RLIMIT_NOFILE` a `resource`. The event's
/// record decides which of the names it has.
pub(super) fn constant_fields(word: &str) -> Option<&'static [&'static str]> {
    const PREFIXES: &[(&str, &[&str])] = &[
        ("POSIX_FADV_", &["advice"]),
        ("MADV_", &["behavior", "advice"]),
        ("LOCK_", &["cmd", "operation"]),
        ("F_", &["cmd"]),
        ("PROT_", &["prot"]),
        ("MAP_", &["flags"]),
        ("O_", &["flags"]),
        ("PIDFD_", &["flags"]),
        ("AT_", &["flag", "flags"]),
        ("RLIMIT_", &["resource"]),
        ("ITIMER_", &["which"]),
        ("CLOCK_", &["which_clock", "clockid", "clk_id"]),
        ("SEEK_", &["whence"]),
        ("AF_", &["family"]),
        ("PF_", &["family"]),
        ("SOCK_", &["type"]),
        ("IPPROTO_", &["protocol"]),
        ("SOL_", &["level"]),
        ("SO_", &["optname"]),
        ("MSG_", &["flags"]),
        ("SHUT_", &["how"]),
        ("EPOLL_CTL_", &["op"]),
        ("FUTEX_", &["op"]),
        ("PR_", &["option"]),
        ("PTRACE_", &["request"]),
        ("MS_", &["flags"]),
        ("MNT_", &["flags"]),
        ("CLONE_", &["clone_flags", "flags"]),
        ("SCHED_", &["policy"]),
        ("MCL_", &["flags"]),
        ("MREMAP_", &["flags"]),
        ("GRND_", &["flags"]),
        ("RWF_", &["flags"]),
        ("IN_", &["mask"]),
        ("FAN_", &["mask"]),
        ("BPF_", &["cmd"]),
        // System V IPC: IPC_RMID is a *ctl call's command, IPC_CREAT a *get call's flag.
        ("IPC_", &["cmd", "semflg", "shmflg", "msgflg"]),
        ("SEM_", &["cmd", "semflg"]),
        ("SHM_", &["cmd", "shmflg"]),
    ];
    let constant = word.len() > 3 && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !constant {
        return None;
    }
    PREFIXES.iter().find(|(prefix, _)| word.strip_prefix(prefix).is_some_and(|rest| rest.len() >= 2)).map(|(_, fields)| *fields)
}

/// A named constant: what a condition on a field with it tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Named {
    /// Which family it is of: constants of one family can be joined into one test.
    pub family: usize,
    /// The fields it can be a value of, in the order to look for them in a record.
    pub fields: &'static [&'static str],
    /// The syscalls whose arguments take it (any syscall, where empty). A constant names the
    /// call's own argument only: `O_DIRECT` said of an mmap is the open's flag, not mmap's.
    pub calls: &'static [&'static str],
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// One bit of a mask: calls with it set.
    Bit(i64),
    /// One value, with the flags its field may carry beside it.
    Value { value: i64, beside: &'static [i64] },
}

impl Named {
    /// The numbers a field holding this value may read: the value with every combination of
    /// the flags beside it. `None` for a bit.
    pub fn values(&self) -> Option<Vec<i64>> {
        let Kind::Value { value, beside } = self.kind else { return None };
        let mut out = vec![value];
        for &f in beside {
            let with: Vec<i64> = out.iter().map(|v| v | f).collect();
            out.extend(with);
        }
        Some(out)
    }

    /// The bit it sets. `None` for a value.
    pub fn bit(&self) -> Option<i64> {
        match self.kind {
            Kind::Bit(b) => Some(b),
            Kind::Value { .. } => None,
        }
    }

    /// Whether a call's record takes it: the event is one of its syscalls.
    pub fn of_call(&self, calls: &[String]) -> bool {
        !calls.is_empty() && (self.calls.is_empty() || calls.iter().any(|c| self.calls.contains(&c.as_str())))
    }
}

struct Family {
    fields: &'static [&'static str],
    calls: &'static [&'static str],
    /// `None`: one bit each. `Some(beside)`: values, with these flags beside them.
    values: Option<&'static [i64]>,
    names: &'static [(&'static str, i64)],
}

macro_rules! named {
    ($($name:ident),* $(,)?) => { &[$((stringify!($name), libc::$name as i64)),*] };
}

const FLAGS: &[&str] = &["flags"];
const DIRFDS: &[&str] = &["dfd", "dirfd", "olddfd", "newdfd"];

/// Each family's names, with their numbers from the libc crate, and the syscalls that take them.
/// Only what a syscall's tracepoint record holds as a plain number: a constant inside a struct
/// the call points to (`sched_setattr`'s policy, `openat2`'s flags) is not in the record.
/// Option names that mean something only with their level (`TCP_INFO` is 11, as is
/// `SO_PRIORITY`) are left out: a test of the number alone would take the other one too.
const FAMILIES: &[Family] = &[
    Family { fields: &["prot"], calls: &["mmap", "mprotect", "pkey_mprotect"], values: None, names: named![PROT_READ, PROT_WRITE, PROT_EXEC] },
    Family {
        fields: FLAGS,
        calls: &["mmap"],
        values: None,
        // MAP_SHARED and MAP_PRIVATE are values of the two-bit mapping type in truth
        // (MAP_SHARED_VALIDATE is both bits); as bits they differ only for that one.
        names: named![
            MAP_SHARED,
            MAP_PRIVATE,
            MAP_ANONYMOUS,
            MAP_ANON,
            MAP_FIXED,
            MAP_FIXED_NOREPLACE,
            MAP_POPULATE,
            MAP_LOCKED,
            MAP_NORESERVE,
            MAP_HUGETLB,
            MAP_GROWSDOWN,
            MAP_STACK
        ],
    },
    Family {
        fields: FLAGS,
        calls: &["open", "openat", "open_by_handle_at", "pipe2", "dup3"],
        values: None,
        // O_RDONLY is 0, and O_SYNC and O_TMPFILE are several bits (O_SYNC has O_DSYNC's): none
        // is a test of any bit set.
        names: named![
            O_WRONLY,
            O_RDWR,
            O_CREAT,
            O_EXCL,
            O_NOCTTY,
            O_TRUNC,
            O_APPEND,
            O_NONBLOCK,
            O_DSYNC,
            O_ASYNC,
            O_DIRECT,
            O_DIRECTORY,
            O_NOFOLLOW,
            O_NOATIME,
            O_CLOEXEC,
            O_PATH
        ],
    },
    // pidfd_open's one flag is O_NONBLOCK under its own name (linux/pidfd.h).
    Family { fields: FLAGS, calls: &["pidfd_open"], values: None, names: named![PIDFD_NONBLOCK] },
    Family {
        fields: FLAGS,
        calls: &["mount"],
        values: None,
        names: named![
            MS_RDONLY,
            MS_NOSUID,
            MS_NODEV,
            MS_NOEXEC,
            MS_SYNCHRONOUS,
            MS_REMOUNT,
            MS_MANDLOCK,
            MS_DIRSYNC,
            MS_NOATIME,
            MS_NODIRATIME,
            MS_BIND,
            MS_MOVE,
            MS_REC,
            MS_SILENT,
            MS_UNBINDABLE,
            MS_PRIVATE,
            MS_SLAVE,
            MS_SHARED,
            MS_RELATIME,
            MS_STRICTATIME,
            MS_LAZYTIME,
        ],
    },
    Family { fields: FLAGS, calls: &["msync"], values: None, names: named![MS_ASYNC, MS_INVALIDATE, MS_SYNC] },
    // umount2(2) is traced as sys_enter_umount.
    Family { fields: FLAGS, calls: &["umount", "umount2"], values: None, names: named![MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW] },
    Family {
        fields: &["clone_flags", "unshare_flags", "flags", "nstype"],
        calls: &["clone", "unshare", "setns"],
        values: None,
        names: named![
            CLONE_VM,
            CLONE_FS,
            CLONE_FILES,
            CLONE_SIGHAND,
            CLONE_PIDFD,
            CLONE_PTRACE,
            CLONE_VFORK,
            CLONE_PARENT,
            CLONE_THREAD,
            CLONE_NEWNS,
            CLONE_SYSVSEM,
            CLONE_SETTLS,
            CLONE_PARENT_SETTID,
            CLONE_CHILD_CLEARTID,
            CLONE_UNTRACED,
            CLONE_CHILD_SETTID,
            CLONE_NEWCGROUP,
            CLONE_NEWUTS,
            CLONE_NEWIPC,
            CLONE_NEWUSER,
            CLONE_NEWPID,
            CLONE_NEWNET,
            CLONE_IO,
        ],
    },
    Family {
        fields: FLAGS,
        calls: &["sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg"],
        values: None,
        names: named![
            MSG_OOB,
            MSG_PEEK,
            MSG_DONTROUTE,
            MSG_CTRUNC,
            MSG_TRUNC,
            MSG_DONTWAIT,
            MSG_EOR,
            MSG_WAITALL,
            MSG_CONFIRM,
            MSG_ERRQUEUE,
            MSG_NOSIGNAL,
            MSG_MORE,
            MSG_WAITFORONE,
            MSG_FASTOPEN,
            MSG_CMSG_CLOEXEC,
            MSG_ZEROCOPY,
        ],
    },
    Family { fields: FLAGS, calls: &["mlockall"], values: None, names: named![MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT] },
    Family { fields: FLAGS, calls: &["mremap"], values: None, names: named![MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP] },
    Family { fields: FLAGS, calls: &["getrandom"], values: None, names: named![GRND_NONBLOCK, GRND_RANDOM] },
    Family { fields: FLAGS, calls: &["preadv2", "pwritev2"], values: None, names: named![RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT, RWF_APPEND] },
    Family { fields: FLAGS, calls: &["memfd_create"], values: None, names: named![MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_HUGETLB] },
    Family { fields: FLAGS, calls: &["renameat2"], values: None, names: named![RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT] },
    Family {
        fields: &["mask"],
        calls: &["inotify_add_watch"],
        values: None,
        names: named![
            IN_ACCESS,
            IN_MODIFY,
            IN_ATTRIB,
            IN_CLOSE_WRITE,
            IN_CLOSE_NOWRITE,
            IN_OPEN,
            IN_MOVED_FROM,
            IN_MOVED_TO,
            IN_CREATE,
            IN_DELETE,
            IN_DELETE_SELF,
            IN_MOVE_SELF,
            IN_ONLYDIR,
            IN_DONT_FOLLOW,
            IN_EXCL_UNLINK,
            IN_MASK_ADD,
            IN_ONESHOT
        ],
    },
    Family { fields: FLAGS, calls: &["inotify_init1"], values: None, names: named![IN_NONBLOCK, IN_CLOEXEC] },
    // socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0): in the type, beside its value.
    Family { fields: &["flags", "type"], calls: &["accept4", "socket", "socketpair"], values: None, names: named![SOCK_NONBLOCK, SOCK_CLOEXEC] },
    Family {
        fields: &["flag", "flags"],
        calls: &["unlinkat", "newfstatat", "faccessat2", "linkat", "fchownat", "utimensat", "statx", "name_to_handle_at", "execveat", "fchmodat2", "open_tree", "mount_setattr"],
        values: None,
        names: named![AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_NO_AUTOMOUNT, AT_EMPTY_PATH, AT_EACCESS],
    },
    Family {
        fields: &["mode"],
        calls: &["fallocate"],
        values: None,
        names: named![FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_ZERO_RANGE, FALLOC_FL_INSERT_RANGE, FALLOC_FL_UNSHARE_RANGE],
    },
    // A file's mode bits beyond rwx: the setuid, setgid and sticky bits.
    Family {
        fields: &["mode"],
        calls: &["chmod", "fchmod", "fchmodat", "fchmodat2", "open", "openat", "creat", "mkdir", "mkdirat", "mknod", "mknodat"],
        values: None,
        names: named![S_ISUID, S_ISGID, S_ISVTX],
    },
    // System V IPC: IPC_CREAT is a *get call's flag, IPC_RMID a *ctl call's command.
    Family {
        fields: &["semflg", "shmflg", "msgflg"],
        calls: &["semget", "shmget", "msgget", "semop", "semtimedop", "msgsnd", "msgrcv"],
        values: None,
        names: named![IPC_CREAT, IPC_EXCL, IPC_NOWAIT],
    },
    Family { fields: &["shmflg"], calls: &["shmat", "shmget"], values: None, names: named![SHM_RDONLY, SHM_RND, SHM_HUGETLB] },
    Family { fields: &["cmd"], calls: &["semctl", "shmctl", "msgctl"], values: Some(&[]), names: named![IPC_RMID, IPC_SET, IPC_STAT, IPC_INFO] },
    Family { fields: &["cmd"], calls: &["shmctl"], values: Some(&[]), names: named![SHM_LOCK, SHM_UNLOCK] },
    // flock's operation: LOCK_EX|LOCK_NB is one call.
    Family { fields: &["cmd", "operation"], calls: &["flock"], values: None, names: named![LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN] },
    Family { fields: &["whence"], calls: &["lseek"], values: Some(&[]), names: named![SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE] },
    // sched_setscheduler(pid, SCHED_FIFO | SCHED_RESET_ON_FORK, …).
    Family {
        fields: &["policy"],
        calls: &["sched_setscheduler"],
        values: Some(&[libc::SCHED_RESET_ON_FORK as i64]),
        names: named![SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE, SCHED_DEADLINE],
    },
    Family { fields: &["policy"], calls: &["sched_setscheduler"], values: None, names: named![SCHED_RESET_ON_FORK] },
    Family {
        fields: &["option"],
        calls: &["prctl"],
        values: Some(&[]),
        names: named![
            PR_SET_PDEATHSIG,
            PR_GET_PDEATHSIG,
            PR_GET_DUMPABLE,
            PR_SET_DUMPABLE,
            PR_GET_KEEPCAPS,
            PR_SET_KEEPCAPS,
            PR_SET_NAME,
            PR_GET_NAME,
            PR_GET_SECCOMP,
            PR_SET_SECCOMP,
            PR_CAPBSET_READ,
            PR_CAPBSET_DROP,
            PR_SET_TIMERSLACK,
            PR_GET_TIMERSLACK,
            PR_MCE_KILL,
            PR_SET_MM,
            PR_SET_PTRACER,
            PR_SET_CHILD_SUBREAPER,
            PR_GET_CHILD_SUBREAPER,
            PR_SET_NO_NEW_PRIVS,
            PR_GET_NO_NEW_PRIVS,
            PR_SET_THP_DISABLE,
            PR_GET_THP_DISABLE,
            PR_CAP_AMBIENT,
            PR_SET_VMA,
        ],
    },
    Family {
        fields: &["family"],
        calls: &["socket", "socketpair"],
        values: Some(&[]),
        names: named![
            AF_UNIX,
            AF_LOCAL,
            AF_INET,
            AF_INET6,
            AF_NETLINK,
            AF_PACKET,
            AF_VSOCK,
            AF_BLUETOOTH,
            AF_XDP,
            AF_ALG,
            AF_CAN,
            AF_KEY,
            PF_UNIX,
            PF_LOCAL,
            PF_INET,
            PF_INET6,
            PF_NETLINK,
            PF_PACKET,
            PF_VSOCK
        ],
    },
    // socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0): the type with its flags.
    Family {
        fields: &["type"],
        calls: &["socket", "socketpair"],
        values: Some(&[libc::SOCK_NONBLOCK as i64, libc::SOCK_CLOEXEC as i64]),
        names: named![SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET],
    },
    Family {
        fields: &["protocol"],
        calls: &["socket", "socketpair"],
        values: Some(&[]),
        names: named![IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_RAW, IPPROTO_SCTP, IPPROTO_UDPLITE, IPPROTO_MPTCP],
    },
    Family { fields: &["level"], calls: &["setsockopt", "getsockopt"], values: Some(&[]), names: named![SOL_SOCKET, SOL_TCP, SOL_UDP, SOL_IP, SOL_IPV6] },
    Family { fields: &["how"], calls: &["shutdown"], values: Some(&[]), names: named![SHUT_RD, SHUT_WR, SHUT_RDWR] },
    Family { fields: &["op"], calls: &["epoll_ctl"], values: Some(&[]), names: named![EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL] },
    // futex(uaddr, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, …): the operation with its flags.
    Family {
        fields: &["op"],
        calls: &["futex"],
        values: Some(&[libc::FUTEX_PRIVATE_FLAG as i64, libc::FUTEX_CLOCK_REALTIME as i64]),
        names: named![
            FUTEX_WAIT,
            FUTEX_WAKE,
            FUTEX_REQUEUE,
            FUTEX_CMP_REQUEUE,
            FUTEX_WAKE_OP,
            FUTEX_LOCK_PI,
            FUTEX_UNLOCK_PI,
            FUTEX_TRYLOCK_PI,
            FUTEX_WAIT_BITSET,
            FUTEX_WAKE_BITSET,
            FUTEX_WAIT_REQUEUE_PI,
            FUTEX_CMP_REQUEUE_PI,
            FUTEX_LOCK_PI2,
        ],
    },
    Family { fields: &["op"], calls: &["futex"], values: None, names: named![FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME] },
    // PTRACE_GETREGS and PTRACE_SETREGS are not on every architecture.
    Family {
        fields: &["request"],
        calls: &["ptrace"],
        values: Some(&[]),
        names: named![
            PTRACE_TRACEME,
            PTRACE_PEEKTEXT,
            PTRACE_PEEKDATA,
            PTRACE_POKETEXT,
            PTRACE_POKEDATA,
            PTRACE_CONT,
            PTRACE_KILL,
            PTRACE_SINGLESTEP,
            PTRACE_ATTACH,
            PTRACE_DETACH,
            PTRACE_SYSCALL,
            PTRACE_SETOPTIONS,
            PTRACE_GETREGSET,
            PTRACE_SETREGSET,
            PTRACE_SEIZE,
            PTRACE_INTERRUPT,
            PTRACE_LISTEN,
        ],
    },
    Family {
        fields: &["resource"],
        calls: &["getrlimit", "setrlimit", "prlimit64"],
        values: Some(&[]),
        names: named![
            RLIMIT_CPU,
            RLIMIT_FSIZE,
            RLIMIT_DATA,
            RLIMIT_STACK,
            RLIMIT_CORE,
            RLIMIT_RSS,
            RLIMIT_NPROC,
            RLIMIT_NOFILE,
            RLIMIT_MEMLOCK,
            RLIMIT_AS,
            RLIMIT_LOCKS,
            RLIMIT_SIGPENDING,
            RLIMIT_MSGQUEUE,
            RLIMIT_NICE,
            RLIMIT_RTPRIO,
            RLIMIT_RTTIME,
        ],
    },
    Family { fields: &["which"], calls: &["setitimer", "getitimer"], values: Some(&[]), names: named![ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF] },
    Family { fields: &["which"], calls: &["getpriority", "setpriority"], values: Some(&[]), names: named![PRIO_PROCESS, PRIO_PGRP, PRIO_USER] },
    Family {
        fields: &["which_clock", "clockid"],
        calls: &["clock_gettime", "clock_settime", "clock_getres", "clock_nanosleep", "clock_adjtime", "timer_create", "timerfd_create"],
        values: Some(&[]),
        names: named![
            CLOCK_REALTIME,
            CLOCK_MONOTONIC,
            CLOCK_PROCESS_CPUTIME_ID,
            CLOCK_THREAD_CPUTIME_ID,
            CLOCK_MONOTONIC_RAW,
            CLOCK_REALTIME_COARSE,
            CLOCK_MONOTONIC_COARSE,
            CLOCK_BOOTTIME,
            CLOCK_REALTIME_ALARM,
            CLOCK_BOOTTIME_ALARM,
            CLOCK_TAI,
        ],
    },
    Family {
        fields: &["cmd"],
        calls: &["fcntl"],
        values: Some(&[]),
        names: named![
            F_DUPFD,
            F_GETFD,
            F_SETFD,
            F_GETFL,
            F_SETFL,
            F_GETLK,
            F_SETLK,
            F_SETLKW,
            F_SETOWN,
            F_GETOWN,
            F_SETLEASE,
            F_GETLEASE,
            F_NOTIFY,
            F_DUPFD_CLOEXEC,
            F_SETPIPE_SZ,
            F_GETPIPE_SZ,
            F_ADD_SEALS,
            F_GET_SEALS,
            F_OFD_GETLK,
            F_OFD_SETLK,
            F_OFD_SETLKW,
        ],
    },
    Family {
        fields: &["behavior", "advice"],
        calls: &["madvise", "process_madvise"],
        values: Some(&[]),
        names: named![
            MADV_NORMAL,
            MADV_RANDOM,
            MADV_SEQUENTIAL,
            MADV_WILLNEED,
            MADV_DONTNEED,
            MADV_FREE,
            MADV_REMOVE,
            MADV_DONTFORK,
            MADV_DOFORK,
            MADV_MERGEABLE,
            MADV_UNMERGEABLE,
            MADV_HUGEPAGE,
            MADV_NOHUGEPAGE,
            MADV_DONTDUMP,
            MADV_DODUMP,
            MADV_WIPEONFORK,
            MADV_KEEPONFORK,
            MADV_COLD,
            MADV_PAGEOUT,
            MADV_POPULATE_READ,
            MADV_POPULATE_WRITE,
            MADV_HWPOISON,
        ],
    },
    Family {
        fields: &["advice"],
        calls: &["fadvise64"],
        values: Some(&[]),
        names: named![POSIX_FADV_NORMAL, POSIX_FADV_RANDOM, POSIX_FADV_SEQUENTIAL, POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE],
    },
    // The commands are magic numbers above 2^31: the record's `cmd` is unsigned.
    Family {
        fields: &["cmd"],
        calls: &["reboot"],
        values: Some(&[]),
        names: named![
            LINUX_REBOOT_CMD_RESTART,
            LINUX_REBOOT_CMD_HALT,
            LINUX_REBOOT_CMD_CAD_ON,
            LINUX_REBOOT_CMD_CAD_OFF,
            LINUX_REBOOT_CMD_POWER_OFF,
            LINUX_REBOOT_CMD_RESTART2,
            LINUX_REBOOT_CMD_SW_SUSPEND,
            LINUX_REBOOT_CMD_KEXEC,
        ],
    },
    // The directory a *at call resolves against: the calling process's working directory. The
    // one signed value here (-100), in a signed `int`.
    Family { fields: DIRFDS, calls: &[], values: Some(&[]), names: named![AT_FDCWD] },
];

/// A constant by its name in the headers.
pub(super) fn named(word: &str) -> Option<Named> {
    FAMILIES.iter().enumerate().find_map(|(family, f)| {
        let &(_, n) = f.names.iter().find(|(name, _)| *name == word)?;
        // A C int's top bit (CLONE_IO, the reboot magic) is a bit of an unsigned field, not a
        // sign; only a descriptor is signed.
        let n = if n < 0 && n >= i32::MIN as i64 && f.fields != DIRFDS { n as u32 as i64 } else { n };
        let kind = match f.values {
            None => Kind::Bit(n),
            Some(beside) => Kind::Value { value: n, beside },
        };
        Some(Named { family, fields: f.fields, calls: f.calls, kind })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bit_is_one_bit_values_are_distinct_and_none_but_a_descriptor_is_negative() {
        for f in FAMILIES {
            let mut seen: Vec<i64> = Vec::new();
            for (name, _) in f.names {
                let c = named(name).unwrap();
                match c.kind {
                    Kind::Bit(b) => assert_eq!(b.count_ones(), 1, "{name} is not one bit: {b:#x}"),
                    Kind::Value { value, beside } => {
                        assert!(value >= 0 || f.fields == DIRFDS, "{name} is negative: {value}");
                        for b in beside {
                            assert_eq!(value & b, 0, "{name} overlaps a flag beside it");
                        }
                        // Aliases (AF_UNIX and AF_LOCAL, PF_INET and AF_INET) share a value.
                        let alias =
                            f.names.iter().any(|(other, v)| other != name && *v == value && (other[3..] == name[3..] || other.ends_with("LOCAL") || name.ends_with("LOCAL")));
                        assert!(!seen.contains(&value) || alias, "{name} repeats a value of its family");
                        seen.push(value);
                    }
                }
            }
        }
    }

    #[test]
    fn constants_read_with_the_flags_beside_them() {
        assert_eq!(named("SEEK_DATA").unwrap().values(), Some(vec![3]));
        assert_eq!(named("MS_RDONLY").unwrap().kind, Kind::Bit(1));
        let stream = named("SOCK_STREAM").unwrap().values().unwrap();
        assert_eq!(stream.len(), 4);
        assert!(stream.contains(&(1 | libc::SOCK_CLOEXEC as i64)) && stream.contains(&1));
        let wait = named("FUTEX_WAIT").unwrap().values().unwrap();
        assert!(wait.contains(&0) && wait.contains(&128), "{wait:?}");
        assert_eq!(named("PR_SET_NO_NEW_PRIVS").unwrap().fields, &["option"]);
        assert!(named("O_RDONLY").is_none() && named("O_SYNC").is_none() && named("TCP_INFO").is_none());
        // The reboot magic is a positive number in an unsigned field.
        assert!(matches!(named("LINUX_REBOOT_CMD_HALT").unwrap().kind, Kind::Value { value, .. } if value == 0xcdef0123));
        assert!(matches!(named("AT_FDCWD").unwrap().kind, Kind::Value { value: -100, .. }));
        // A constant is its calls' argument: O_DIRECT is open's, not mmap's.
        let direct = named("O_DIRECT").unwrap();
        assert!(direct.of_call(&["openat".to_string()]) && !direct.of_call(&["mmap".to_string()]) && !direct.of_call(&[]));
        assert!(named("AT_FDCWD").unwrap().of_call(&["unlinkat".to_string()]));
    }
}
