//! Mechanical fixes of compile errors whose only correct repair the program's text shows, made
//! before the model is asked again: told "%o expects an integer (string supplied)" and shown the
//! corrected line, the 1.5B model was seen to write the same line three rounds running. A fix
//! changes only how a value is printed, never what is traced, kept or computed, and the fixed
//! program goes through every check like any other.

use crate::obj::Target;

/// A program with its fixes made, and each fix in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Fixed {
    pub program: String,
    pub edits: Vec<String>,
}

/// The program with the fixes the compiler's `diagnostics` call for, if any apply.
pub fn fix(program: &str, diagnostics: &str, target: Target) -> Option<Fixed> {
    if target != Target::Bpftrace || !diagnostics.contains("specifier expects a value of type") {
        return None;
    }
    let fixes = printf_fixes(program);
    if fixes.is_empty() {
        return None;
    }
    let mut fixed = program.to_string();
    let mut edits = Vec::new();
    for (was, now) in fixes {
        fixed = fixed.replacen(&was, &now, 1);
        edits.push(format!("{was} → {now}"));
    }
    Some(Fixed { program: fixed, edits })
}

/// Each `printf(…)` call of a bpftrace program whose specifiers do not match values whose type
/// the text shows (a string literal, `comm`, `str(…)`; a number, `pid`), with the call corrected.
/// Values whose type only the compiler knows (`args->x`, `$v`) keep their specifiers.
fn printf_fixes(program: &str) -> Vec<(String, String)> {
    static SPEC: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let spec = SPEC.get_or_init(|| regex::Regex::new(r"%%|%([-+ 0#]*\d*(?:\.\d+)?)(?:hh|h|ll|l)?([a-zA-Z])").expect("a valid regex"));
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = program[from..].find("printf(").map(|k| from + k) {
        from = at + "printf(".len();
        let Some((format, args, end)) = printf_call(&program[from..]) else { continue };
        let mut fixed = String::new();
        let mut last = 0;
        let mut values = args.iter();
        for m in spec.captures_iter(&format) {
            let whole = m.get(0).expect("a match");
            if whole.as_str() == "%%" {
                continue;
            }
            let Some(value) = values.next() else { break };
            let conv = &m[2];
            let want = match (kind(value), conv) {
                (Some(Kind::Str), "d" | "i" | "u" | "x" | "X" | "o" | "c") => "s",
                (Some(Kind::Int), "s") => "d",
                _ => continue,
            };
            fixed.push_str(&format[last..whole.start()]);
            fixed.push_str(&format!("%{}{want}", &m[1]));
            last = whole.end();
        }
        if last == 0 {
            continue;
        }
        fixed.push_str(&format[last..]);
        let was = format!("printf({}", &program[from..from + end]);
        let mut call = format!("printf(\"{fixed}\"");
        for a in &args {
            call.push_str(", ");
            call.push_str(a);
        }
        call.push(')');
        out.push((was, call));
    }
    out
}

enum Kind {
    Str,
    Int,
}

/// The type a printf value's text shows, if it shows one.
fn kind(value: &str) -> Option<Kind> {
    let v = value.trim();
    if v.starts_with('"')
        || v == "comm"
        || v == "func"
        || v == "probe"
        || ["str(", "ksym(", "usym(", "kstack", "ustack", "strftime(", "inet_ntop(", "macaddr("].iter().any(|p| v.starts_with(p))
    {
        Some(Kind::Str)
    } else if v.parse::<i64>().is_ok() || ["pid", "tid", "uid", "gid", "cpu", "nsecs", "elapsed", "retval", "cgroup"].contains(&v) || v.starts_with("count(") {
        Some(Kind::Int)
    } else {
        None
    }
}

/// A printf call's format (its text between the quotes), its values and where its `)` ends,
/// from the text after `printf(`.
fn printf_call(text: &str) -> Option<(String, Vec<String>, usize)> {
    let rest = text.trim_start();
    let skipped = text.len() - rest.len();
    let mut chars = rest.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    let mut format_end = None;
    let mut escaped = false;
    for (k, c) in chars.by_ref() {
        match (escaped, c) {
            (true, _) => escaped = false,
            (false, '\\') => escaped = true,
            (false, '"') => {
                format_end = Some(k);
                break;
            }
            _ => {}
        }
    }
    let format_end = format_end?;
    let format = rest[1..format_end].to_string();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut args = Vec::new();
    let mut current = String::new();
    for (k, c) in rest[format_end + 1..].char_indices() {
        if in_string {
            current.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                current.push(c);
            }
            '(' | '[' => {
                depth += 1;
                current.push(c);
            }
            ')' if depth == 0 => {
                if !current.trim().is_empty() {
                    args.push(current.trim().to_string());
                }
                return Some((format, args, skipped + format_end + 1 + k + 1));
            }
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            ',' if depth == 0 => {
                if !current.trim().is_empty() {
                    args.push(current.trim().to_string());
                }
                current.clear();
            }
            _ => current.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{fix, printf_fixes};
    use crate::obj::Target;

    #[test]
    fn printf_specifiers_are_matched_to_values_whose_type_the_text_shows() {
        let program =
            "BEGIN { printf(\"%-7s %-7s %o\\n\", \"PID\", \"COMM\", \"MASK\"); }\ntracepoint:syscalls:sys_enter_umask { printf(\"%s %d %o\\n\", pid, comm, args->mask); }";
        let fixes = printf_fixes(program);
        assert_eq!(fixes.len(), 2);
        assert_eq!(fixes[0].0, "printf(\"%-7s %-7s %o\\n\", \"PID\", \"COMM\", \"MASK\")");
        assert_eq!(fixes[0].1, "printf(\"%-7s %-7s %s\\n\", \"PID\", \"COMM\", \"MASK\")");
        // `args->mask`'s type is the compiler's to know: its %o stays.
        assert_eq!(fixes[1].1, "printf(\"%d %s %o\\n\", pid, comm, args->mask)");
        // Matching specifiers, `%%`, and commas inside calls and strings are left alone.
        assert!(printf_fixes("k { printf(\"100%% %s %d, %s\\n\", str(args->filename, 64), pid, \"a,b\"); }").is_empty());
    }

    #[test]
    fn only_a_specifier_mismatch_is_fixed() {
        let program = "BEGIN { printf(\"%-7s %o\\n\", \"PID\", \"MASK\"); }";
        let fixed = fix(program, "ERROR: printf: %o specifier expects a value of type integer (string supplied)", Target::Bpftrace).expect("a fix");
        assert_eq!(fixed.program, "BEGIN { printf(\"%-7s %s\\n\", \"PID\", \"MASK\"); }");
        assert!(fix(program, "ERROR: syntax error", Target::Bpftrace).is_none());
    }
}
