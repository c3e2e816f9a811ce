//! Taking the program out of a model's reply.

use crate::obj::Target;

/// The program in `reply`: the first fenced code block if there is one (the reply may also be the
/// inside of a block we opened), without a `bpftrace -e '…'` shell wrapper or a shebang.
pub fn program(reply: &str, target: Target) -> String {
    let mut code = match reply.find("```") {
        Some(start) => {
            let after = &reply[start + 3..];
            let body = after.split_once('\n').map_or("", |(_, b)| b);
            body.split("```").next().unwrap_or(body).to_string()
        }
        None => reply.to_string(),
    };
    if target == Target::Bpftrace {
        let t = code.trim();
        if let Some(rest) = t.strip_prefix("sudo ").unwrap_or(t).strip_prefix("bpftrace") {
            if let Some(q) = rest.find(['\'', '"']) {
                let quote = rest.as_bytes()[q] as char;
                let inner = &rest[q + 1..];
                code = inner.rfind(quote).map_or(inner, |end| &inner[..end]).to_string();
            }
        }
        code = code.lines().filter(|l| !l.starts_with("#!")).collect::<Vec<_>>().join("\n");
    }
    format!("{}\n", code.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_comes_out_of_blocks_wrappers_and_bare_replies() {
        assert_eq!(program("Here:\n```bpftrace\nBEGIN { exit(); }\n```\nDone.", Target::Bpftrace), "BEGIN { exit(); }\n");
        assert_eq!(program("BEGIN { exit(); }\n", Target::Bpftrace), "BEGIN { exit(); }\n");
        assert_eq!(
            program("```sh\nsudo bpftrace -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'\n```", Target::Bpftrace),
            "tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }\n"
        );
        assert_eq!(program("#!/usr/bin/env bpftrace\nBEGIN {}\n", Target::Bpftrace), "BEGIN {}\n");
        assert_eq!(program("```c\nint x;\n```", Target::Libbpf), "int x;\n");
    }
}
