//! Mechanical fixes of errors whose only correct repair the program's text shows, made before
//! the model is asked again: told "%o expects an integer (string supplied)" and shown the
//! corrected line, the 1.5B model was seen to write the same line three rounds running; told
//! "if needs braces" it kept writing `if (c) printf(…);`; shown the probes that work here it
//! kept a stray colon after the probe (`tracepoint:timer:timer_cancel: {`). A fix changes only
//! how the program is written, never what is traced, kept or computed, and the fixed program
//! goes through every check like any other.

use super::checks::Checks;
use crate::obj::Target;
use crate::verify::compile::CompileVerdict;
use crate::verify::hooks::HookVerdict;

/// A program with its fixes made, and each fix in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Fixed {
    pub program: String,
    pub edits: Vec<String>,
}

/// The program with the fixes its first failing check calls for, if any apply: a probe written
/// with a trailing colon (the hook check), an `if` or `else` without braces (a syntax error),
/// printf specifiers that do not match their values (a type error).
pub fn fix(program: &str, checks: &Checks, target: Target) -> Option<Fixed> {
    if target != Target::Bpftrace {
        return None;
    }
    let mut edits = Vec::new();
    let mut fixed = program.to_string();
    if matches!(checks.hooks, Some(HookVerdict::Problems { .. })) {
        for (was, now) in colon_fixes(&fixed) {
            // Only where it stands as a probe, not inside a string or a longer probe's name.
            let probe = regex::Regex::new(&format!(r"{}(\s*[{{/,])", regex::escape(&was))).expect("an escaped probe is a valid regex");
            fixed = probe.replace_all(&fixed, format!("{}${{1}}", now.replace('$', "$$"))).into_owned();
            edits.push(format!("{was} → {now}"));
        }
    }
    if let Some(CompileVerdict::Failed { diagnostics }) = &checks.compile {
        if diagnostics.contains("syntax error") {
            if let Some((braced, n)) = brace_bodies(&fixed) {
                fixed = braced;
                edits.push(format!("braces around {n} if/else bod{}", if n == 1 { "y" } else { "ies" }));
            }
        }
        if diagnostics.contains("specifier expects a value of type") {
            for (was, now) in printf_fixes(&fixed) {
                fixed = fixed.replacen(&was, &now, 1);
                edits.push(format!("{was} → {now}"));
            }
        }
    }
    (!edits.is_empty()).then_some(Fixed { program: fixed, edits })
}

/// The program with every integer printf conversion given a 64-bit length (`%d` → `%ld`,
/// `%-8u` → `%-8lu`, `%x` → `%lx`), if any lacks one. bpftrace 0.17 prints `%d`, `%u` and `%x`
/// from the low 32 bits of its 64-bit values: an offset past 4 GiB (5000271828) prints as
/// 705304532, a 1 EiB malloc size as 0, and a program that passed every check shows the wrong
/// number. With `l` every width prints whole, on every bpftrace. Made to every reply, failing
/// or not; only how a value is printed changes.
pub fn widen_printf(program: &str, target: Target) -> Option<Fixed> {
    if target != Target::Bpftrace {
        return None;
    }
    let spec = printf_spec();
    let mut fixed = program.to_string();
    let mut edits = Vec::new();
    let mut from = 0;
    while let Some(at) = fixed[from..].find("printf(").map(|k| from + k) {
        from = at + "printf(".len();
        let Some((format, _, _)) = printf_call(&fixed[from..]) else { continue };
        // Where the format's text begins: past any spaces and its opening quote.
        let start = from + (fixed[from..].len() - fixed[from..].trim_start().len()) + 1;
        let widened = spec.replace_all(&format, |m: &regex::Captures| match (m.get(2), m.get(3).map(|c| c.as_str())) {
            (None, Some(conv @ ("d" | "i" | "u" | "x" | "X" | "o"))) => format!("%{}l{conv}", &m[1]),
            _ => m[0].to_string(),
        });
        if widened == format {
            continue;
        }
        edits.push(format!("\"{format}\" → \"{widened}\""));
        fixed.replace_range(start..start + format.len(), &widened);
        from = start + widened.len() + 1;
    }
    (!edits.is_empty()).then(|| Fixed { program: fixed, edits: vec![format!("64-bit printf conversions ({})", edits.join("; "))] })
}

/// A printf conversion, or `%%`: its flags, width and precision (1), its length (2) and its
/// letter (3).
fn printf_spec() -> &'static regex::Regex {
    static SPEC: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| regex::Regex::new(r"%%|%([-+ 0#]*\d*(?:\.\d+)?)(hh|h|ll|l)?([a-zA-Z])").expect("a valid regex"))
}

/// How a reply went on past its first program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Past {
    /// It wrote a block again, word for word: the first program twice over. Kept even if the
    /// whole reply passes, where the first program passes too (a count counted twice is not
    /// the count asked for).
    Repeated,
    /// It started a block on probes an earlier one had, or the token limit cut its last block.
    Restarted,
}

/// The reply's first whole program, when the reply goes on past it. A small model that has
/// written a program often starts it again, block after block (`BEGIN`, the entry probe, the
/// exit probe, `BEGIN` …), until the token limit cuts it mid-block: the reply then fails to
/// compile, though its opening blocks were a program. The blocks before the first that repeats
/// an earlier block's probes and filter, or (where the limit ended the reply, `cut_off`)
/// before one left open, are that program. Unlike [`fix`], this drops code the model wrote, so
/// it is only a candidate: the caller checks it like any other.
pub fn first_whole(program: &str, target: Target, cut_off: bool) -> Option<(Fixed, Past)> {
    if target != Target::Bpftrace {
        return None;
    }
    let bytes = program.as_bytes();
    let code = code_mask(program);
    // What a head or a body says: code and strings (`/comm == "nginx"/` is not `/comm ==
    // "curl"/`), without comments or spacing.
    let said = |from: usize, to: usize| -> String {
        let mut out = String::new();
        let mut string = false;
        for (j, c) in program[from..to].char_indices() {
            let k = from + j;
            if !code[k] && (k == 0 || code[k - 1]) {
                string = c == '"';
            }
            if code[k] || string {
                out.push(c);
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    // Each top-level block: where the text before it starts, its `{`, and its end (None: open).
    let mut blocks: Vec<(usize, usize, Option<usize>)> = Vec::new();
    let (mut depth, mut head_from) = (0usize, 0usize);
    for (k, &b) in bytes.iter().enumerate() {
        if !code[k] {
            continue;
        }
        match b {
            b'{' if depth == 0 => {
                blocks.push((head_from, k, None));
                depth = 1;
            }
            b'{' => depth += 1,
            b'}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    head_from = k + 1;
                    if let Some(last) = blocks.last_mut() {
                        last.2 = Some(k + 1);
                    }
                }
            }
            _ => {}
        }
    }
    let heads: Vec<String> = blocks.iter().map(|&(from, open, _)| said(from, open)).collect();
    let again = (1..blocks.len()).find(|&i| heads[..i].contains(&heads[i]));
    let (end, past, why) = match again {
        Some(i) => {
            // A repeat only if every block from there on is an earlier one, word for word (the
            // last may be cut off): nothing new is dropped with it.
            let whole = |b: &(usize, usize, Option<usize>)| b.2.map(|end| said(b.0, end));
            let first: Vec<Option<String>> = blocks[..i].iter().map(whole).collect();
            let n = blocks.len();
            let copies = blocks[i..].iter().enumerate().all(|(m, b)| match whole(b) {
                Some(text) => first.contains(&Some(text)),
                None => i + m == n - 1 && cut_off,
            });
            let past = if copies { Past::Repeated } else { Past::Restarted };
            (blocks[i].0, past, format!("the reply started its program again at `{}`", heads[i]))
        }
        None => match blocks.last() {
            Some(&(from, _, None)) if cut_off => (from, Past::Restarted, "the token limit cut the reply's last block".to_string()),
            _ => return None,
        },
    };
    // At least one whole block before the cut.
    if !blocks.iter().any(|b| b.2.is_some_and(|e| e <= end)) {
        return None;
    }
    let whole = program[..end].trim_end();
    let dropped = program[end..].lines().filter(|l| !l.trim().is_empty()).count();
    Some((Fixed { program: format!("{whole}\n"), edits: vec![format!("{why}: the first whole program kept, {dropped} lines after it dropped")] }, past))
}

/// Each probe written with a colon after its last part (`tracepoint:timer:timer_cancel:`), as it
/// appears before its `{`, `/` or `,`, with the colon dropped. bpftrace reads the colon as one
/// more, empty, part and rejects the probe.
fn colon_fixes(program: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for probe in crate::obj::source::bpftrace_probes(program) {
        let Some(bare) = probe.strip_suffix(':') else { continue };
        if bare.is_empty() || bare.ends_with(':') || !bare.contains(':') || out.iter().any(|(w, _)| *w == probe) {
            continue;
        }
        out.push((probe.clone(), bare.to_string()));
    }
    out
}

/// The program with braces around each body an `if (…)` or `else` has without them (bpftrace
/// requires them), and how many were added. The body is the one statement up to its `;` or the
/// block's end.
fn brace_bodies(program: &str) -> Option<(String, usize)> {
    let mut text = program.to_string();
    let mut n = 0;
    let mut from = 0;
    // Each pass braces the first unbraced body at or after `from`; a nested `if` inside it is
    // found by the next pass.
    while let Some((body, end)) = unbraced_body(&text, from) {
        // An `if` as the body of another takes the `else` after it: which one is the
        // writer's to say, not a fix's.
        if text.as_bytes()[body..].starts_with(b"if") && text.as_bytes().get(body + 2).is_some_and(|c| *c == b'(' || c.is_ascii_whitespace()) {
            return None;
        }
        let stmt = text[body..end].trim_end();
        let braced = format!("{{ {stmt} }}{}", &text[body + stmt.len()..end]);
        text.replace_range(body..end, &braced);
        from = body + 2;
        n += 1;
        if n > 50 {
            return None;
        }
    }
    (n > 0).then_some((text, n))
}

/// Where the first body without braces at or after `from` starts and ends (after its `;`).
fn unbraced_body(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let code = code_mask(text);
    let word_at = |k: usize, w: &str| {
        // Bytes, not chars: `k` steps over every byte, inside a multi-byte character too.
        code[k]
            && bytes[k..].starts_with(w.as_bytes())
            && (k == 0 || !(bytes[k - 1].is_ascii_alphanumeric() || b"_@$".contains(&bytes[k - 1])))
            && bytes.get(k + w.len()).is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
    };
    // Spaces and comments (no statement starts with a string).
    let skip_space = |mut k: usize| {
        while k < bytes.len() && (bytes[k].is_ascii_whitespace() || !code[k]) {
            k += 1;
        }
        k
    };
    let mut k = from;
    while k < bytes.len() {
        let after = if word_at(k, "if") {
            let open = skip_space(k + 2);
            if bytes.get(open) != Some(&b'(') {
                k += 1;
                continue;
            }
            let close = matching(text, &code, open)?;
            close + 1
        } else if word_at(k, "else") {
            let next = skip_space(k + 4);
            // `else if` braces its own body.
            if next < bytes.len() && word_at(next, "if") {
                k = next;
                continue;
            }
            k + 4
        } else {
            k += 1;
            continue;
        };
        let body = skip_space(after);
        if body >= bytes.len() || bytes[body] == b'{' {
            k = after;
            continue;
        }
        // The statement runs to its `;` at depth 0, or to the `}` closing the block around it.
        let mut depth = 0i32;
        let mut j = body;
        while j < bytes.len() {
            if code[j] {
                match bytes[j] {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' => depth -= 1,
                    b'}' if depth == 0 => return Some((body, j)),
                    b'}' => depth -= 1,
                    b';' if depth == 0 => return Some((body, j + 1)),
                    _ => {}
                }
            }
            j += 1;
        }
        return None;
    }
    None
}

/// The index of the `)` matching the `(` at `open`, in code (not strings or comments).
fn matching(text: &str, code: &[bool], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (j, c) in text.bytes().enumerate().skip(open) {
        if !code[j] {
            continue;
        }
        match c {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// For each byte of `text`, whether it is code: not inside a string or a comment.
fn code_mask(text: &str) -> Vec<bool> {
    let b = text.as_bytes();
    let mut mask = vec![true; b.len()];
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'"' {
            let start = k;
            k += 1;
            while k < b.len() && b[k] != b'"' {
                k += if b[k] == b'\\' { 2 } else { 1 };
            }
            let end = (k + 1).min(b.len());
            mask[start..end].iter_mut().for_each(|m| *m = false);
            k = end;
        } else if b[k..].starts_with(b"//") {
            let end = text[k..].find('\n').map_or(b.len(), |e| k + e);
            mask[k..end].iter_mut().for_each(|m| *m = false);
            k = end;
        } else if b[k..].starts_with(b"/*") {
            let end = text[k + 2..].find("*/").map_or(b.len(), |e| k + 2 + e + 2);
            mask[k..end].iter_mut().for_each(|m| *m = false);
            k = end;
        } else {
            k += 1;
        }
    }
    mask
}

/// Each `printf(…)` call of a bpftrace program whose specifiers do not match values whose type
/// the text shows (a string literal, `comm`, `str(…)`; a number, `pid`), with the call corrected.
/// Values whose type only the compiler knows (`args->x`, `$v`) keep their specifiers.
fn printf_fixes(program: &str) -> Vec<(String, String)> {
    let spec = printf_spec();
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
            let conv = &m[3];
            let want = match (kind(value), conv) {
                (Some(Kind::Str), "d" | "i" | "u" | "x" | "X" | "o" | "c") => "s",
                (Some(Kind::Int), "s") => "ld",
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
    use super::{brace_bodies, colon_fixes, first_whole, fix, printf_fixes, widen_printf, Checks, Past};
    use crate::obj::Target;
    use crate::verify::compile::CompileVerdict;
    use crate::verify::hooks::{HookProblem, HookVerdict};

    #[test]
    fn a_reply_that_starts_its_program_again_is_cut_before_the_repeat() {
        let one = "BEGIN\n{\n  printf(\"%-16s %s\\n\", \"COMM\", \"PATH\");\n}\n\ntracepoint:syscalls:sys_enter_rmdir\n{\n  @p[tid] = args->pathname;\n}\n\ntracepoint:syscalls:sys_exit_rmdir\n/@p[tid]/\n{\n  if (args->ret == -39) { printf(\"%-16s %s\\n\", comm, str(@p[tid])); }\n  delete(@p[tid]);\n}\n";
        // Started again, and cut off by the token limit inside a block.
        let again = format!("{one}\nBEGIN\n{{\n  printf(\"%s\\n\", \"X\");\n}}\n\ntracepoint:syscalls:sys_enter_rmdir\n{{\n  @");
        let (cut, past) = first_whole(&again, Target::Bpftrace, true).expect("a first program");
        assert_eq!((cut.program.as_str(), past), (one, Past::Restarted));
        assert!(cut.edits[0].contains("started its program again at `BEGIN`"), "{:?}", cut.edits);
        // Written twice, word for word: a repeat.
        let twice = format!("{one}\n{one}");
        assert_eq!(first_whole(&twice, Target::Bpftrace, false).map(|(f, p)| (f.program, p)), Some((one.to_string(), Past::Repeated)));
        // Only cut off: the open block goes, the whole ones stay; a reply that ended by itself
        // with a brace missing is not cut (the brace may be missing anywhere).
        let open = format!("{one}\ninterval:s:1\n{{\n  print(@p");
        assert_eq!(first_whole(&open, Target::Bpftrace, true).expect("a first program").0.program, one);
        assert_eq!(first_whole(&open, Target::Bpftrace, false), None);
        // A whole reply, and one probe twice with different filters (numbers or strings), are
        // left as they are; a brace in a string or a comment is not a block's.
        assert_eq!(first_whole(one, Target::Bpftrace, true), None);
        let filters = "t:syscalls:sys_enter_read /pid == 1/ { @a = count(); }\nt:syscalls:sys_enter_read /pid == 2/ { @b = count(); }\n";
        assert_eq!(first_whole(filters, Target::Bpftrace, true), None);
        let names = "t:syscalls:sys_enter_read /comm == \"nginx\"/ { @a = count(); }\nt:syscalls:sys_enter_read /comm == \"curl\"/ { @b = count(); }\n";
        assert_eq!(first_whole(names, Target::Bpftrace, true), None);
        let strings = "BEGIN { printf(\"{\\n\"); } // {\nEND { clear(@a); }\n";
        assert_eq!(first_whole(strings, Target::Bpftrace, true), None);
        // Nothing whole before the cut: no candidate.
        assert_eq!(first_whole("BEGIN {\n  printf(\"x", Target::Bpftrace, true), None);
        assert_eq!(first_whole("int main() {", Target::Libbpf, true), None);
    }

    #[test]
    fn every_integer_conversion_prints_all_64_bits() {
        let program = "BEGIN { printf(\"%-8s %s\\n\", \"POS\", \"WHEN\"); }\nt:syscalls:sys_enter_pwrite64 { printf(\"%-8d %u %x 100%% %lu %s\\n\", args->pos, args->count, args->fd, nsecs, comm); time(\"%d %H\"); }";
        let w = widen_printf(program, Target::Bpftrace).expect("a conversion to widen");
        assert!(w.program.contains("printf(\"%-8ld %lu %lx 100%% %lu %s\\n\", args->pos"), "{}", w.program);
        // Strings, `%%`, conversions that have a length, and time()'s own `%d` stay.
        assert!(w.program.contains("printf(\"%-8s %s\\n\", \"POS\"") && w.program.contains("time(\"%d %H\")"), "{}", w.program);
        assert_eq!(w.edits.len(), 1);
        assert!(widen_printf(&w.program, Target::Bpftrace).is_none());
        assert!(widen_printf(program, Target::Libbpf).is_none());
    }

    #[test]
    fn printf_specifiers_are_matched_to_values_whose_type_the_text_shows() {
        let program =
            "BEGIN { printf(\"%-7s %-7s %o\\n\", \"PID\", \"COMM\", \"MASK\"); }\ntracepoint:syscalls:sys_enter_umask { printf(\"%s %d %o\\n\", pid, comm, args->mask); }";
        let fixes = printf_fixes(program);
        assert_eq!(fixes.len(), 2);
        assert_eq!(fixes[0].0, "printf(\"%-7s %-7s %o\\n\", \"PID\", \"COMM\", \"MASK\")");
        assert_eq!(fixes[0].1, "printf(\"%-7s %-7s %s\\n\", \"PID\", \"COMM\", \"MASK\")");
        // `args->mask`'s type is the compiler's to know: its %o stays.
        assert_eq!(fixes[1].1, "printf(\"%ld %s %o\\n\", pid, comm, args->mask)");
        // Matching specifiers, `%%`, and commas inside calls and strings are left alone.
        assert!(printf_fixes("k { printf(\"100%% %s %d, %s\\n\", str(args->filename, 64), pid, \"a,b\"); }").is_empty());
    }

    fn failed(diagnostics: &str) -> Checks {
        Checks { hooks: Some(HookVerdict::Ok { probes: vec![] }), compile: Some(CompileVerdict::Failed { diagnostics: diagnostics.into() }), ..Default::default() }
    }

    #[test]
    fn only_a_specifier_mismatch_is_fixed() {
        let program = "BEGIN { printf(\"%-7s %o\\n\", \"PID\", \"MASK\"); }";
        let fixed = fix(program, &failed("ERROR: printf: %o specifier expects a value of type integer (string supplied)"), Target::Bpftrace).expect("a fix");
        assert_eq!(fixed.program, "BEGIN { printf(\"%-7s %s\\n\", \"PID\", \"MASK\"); }");
        assert!(fix(program, &failed("ERROR: syntax error"), Target::Bpftrace).is_none());
        assert!(fix(program, &failed("ERROR: printf: %o specifier expects a value of type integer"), Target::Libbpf).is_none());
    }

    #[test]
    fn a_body_without_braces_gets_them_and_nothing_else_changes() {
        let program = "k:f {\n  if (args->func == 1) // old\n    printf(\"%d;\\n\", pid);\n  @n = count();\n}\n";
        let fixed = fix(program, &failed("stdin:3:5-11: ERROR: syntax error, unexpected call, expecting {"), Target::Bpftrace).expect("a fix");
        assert_eq!(fixed.program, "k:f {\n  if (args->func == 1) // old\n    { printf(\"%d;\\n\", pid); }\n  @n = count();\n}\n");
        // else, else if, a nested if, a body that ends at the block's `}`, and one in braces.
        let (braced, n) = brace_bodies("k { if (a) @x = 1; else if (b) @y = 2; else @z = 3 }\nj { if (d) { @w = 4; } }").expect("braced");
        assert_eq!(braced, "k { if (a) { @x = 1; } else if (b) { @y = 2; } else { @z = 3 } }\nj { if (d) { @w = 4; } }");
        assert_eq!(n, 3);
        // An if as another's body: which if the else belongs to is not a fix's to say.
        assert_eq!(brace_bodies("k { if (b) if (c) @y = 2; else @z = 3; }"), None);
        // Text that is not ASCII, in a comment or a string, around a body to brace.
        let (braced, _) = brace_bodies("k { // µs → ms\n if (a) printf(\"é %d\\n\", 1); }").expect("braced");
        assert_eq!(braced, "k { // µs → ms\n if (a) { printf(\"é %d\\n\", 1); } }");
        assert_eq!(brace_bodies("k { @else = 1; $if = 2; }"), None);
        // Words inside strings and comments are not code; a map called @if is not an if.
        assert_eq!(brace_bodies("k { printf(\"if (x) y\"); /* else z */ @if[1] = 2; }"), None);
    }

    #[test]
    fn a_probe_with_a_trailing_colon_loses_it_when_the_hook_check_fails() {
        let hooks = Checks {
            hooks: Some(HookVerdict::Problems {
                problems: vec![HookProblem { probe: "tracepoint:timer:timer_cancel:".into(), reason: "no tracepoint".into(), suggestions: vec![] }],
            }),
            ..Default::default()
        };
        let program = "tracepoint:timer:timer_cancel: { printf(\"tracepoint:timer:timer_cancel: %s\\n\", comm); }\ninterval:s:1 { print(@); }";
        let fixed = fix(program, &hooks, Target::Bpftrace).expect("a fix");
        assert_eq!(fixed.program, "tracepoint:timer:timer_cancel { printf(\"tracepoint:timer:timer_cancel: %s\\n\", comm); }\ninterval:s:1 { print(@); }");
        assert!(colon_fixes("tracepoint:a:b { }").is_empty());
        // A program whose hooks passed is left alone.
        assert!(fix(program, &failed("ERROR: something else"), Target::Bpftrace).is_none());
    }
}
