//! Reading a request as a [`Plan`]: its event, from the grounding or the everyday words for
//! events (`dataset/specs/events.toml`); its conditions (a process name, a uid or pid, failing
//! calls, an errno, signal, flag or TCP state by name, a size or time over a threshold) over the
//! event's real fields; what it shows or folds, and by what; how often; in which unit.
//!
//! A reader of English by rules misreads some requests, and a plan that leaves out what a
//! request asks answers another question. So the reader says what it could not settle (`gaps`),
//! and which of the request's words that constrain a program it did not read (`unread`: a
//! number, a quoted name, a negation, a comparison, a protocol, a field or value it has no place
//! for, an errno). Only a reading with neither is complete, and only a complete plan is written
//! without the model.
//!
//! ```
//! use kgent::kernel::{Attach, Catalog, Field, Hook, HookKind, KernelKey};
//! use kgent::ground::{Grounding, Servable};
//! let tp = |name: &str, fields: &[(&str, &str)]| Hook {
//!     probe: format!("tracepoint:syscalls:{name}"), kind: HookKind::Tracepoint, category: "syscalls".into(),
//!     fields: fields.iter().map(|(t, n)| Field::new(n.to_string(), t.to_string())).collect(),
//!     prototype: None, about: String::new(), attach: Attach::Yes };
//! let catalog = Catalog { key: KernelKey::current(), hooks: vec![tp("sys_enter_close", &[("unsigned int", "fd")]), tp("sys_exit_close", &[("long", "ret")])],
//!                         capabilities: Default::default(), tools: Default::default(), warnings: vec![] };
//! let nothing = Grounding { events: vec![], servable: Servable::Here, told: vec![] };
//! let reading = kgent::plan::read("tally close() per process", &nothing, &catalog);
//! let plan = reading.complete().expect("a complete plan");
//! assert_eq!(plan.to_string(), "on tracepoint:syscalls:sys_enter_close: count by comm");
//! ```

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::constants::{self, constant_fields, errno, signal};
use super::{field_is_text, Builtin, Condition, Fold, Output, PairKey, Plan, Radix, Said, Start, Term, Test, TimeUnit};
use crate::comprehend::CmpOp;
use crate::ground::{stem, Evidence, Grounding, Servable};
use crate::kernel::{Catalog, Field};

/// What the reader made of a request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reading {
    /// The plan as far as the words settle it (`None`: not even its event).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    /// What the words did not settle, in plain words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
    /// Words that constrain a program which the reader did not read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
    /// The names among `unread` ("does nginx push out"): a program that answers the request
    /// says each, in a string or a probe.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// Events the request names side by side ("created and destroyed"): a program traces at
    /// least as many.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// Tracepoints unread words name by their own name ("between queue_work and execution
    /// start" is `workqueue:workqueue_queue_work`): a program traces one for each word.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<NamedHooks>,
    /// The words ask how long something takes ("how long did each sleep block"): a program
    /// that answers measures a time, whatever the reader settled of the rest.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub timed: bool,
}

/// The tracepoints one word names by name (`queue_work`: workqueue's and the kthread worker's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedHooks {
    pub word: String,
    pub hooks: Vec<String>,
}

impl Reading {
    /// The plan, when the reading settled everything the request says.
    pub fn complete(&self) -> Option<&Plan> {
        self.plan.as_ref().filter(|_| self.gaps.is_empty() && self.unread.is_empty())
    }

    fn gap(gap: impl Into<String>, text: &Text) -> Reading {
        Reading { plan: None, gaps: vec![gap.into()], unread: text.unread(&[]), names: text.unread_names(&[]), events: vec![], hooks: vec![], timed: false }
    }
}

// --- The words ------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Word {
    /// As written, without surrounding punctuation.
    raw: String,
    lower: String,
    /// Without a plural (`connections` is `connection`, never `connect`): nouns match by it.
    light: String,
    /// Without a plural or a verb's ending: phrases match by it.
    root: String,
    /// The crude stem grounding uses (`executed` and `execute` meet): field names match by it.
    stem: String,
    /// Inside quotes ('dd', "nginx").
    quoted: bool,
    /// Punctuation ends a clause after it.
    ends: bool,
    /// That punctuation (`?` after a guess: "ENOMEM?").
    punct: Option<char>,
    /// A parenthesis opens before it: "advice value (MADV_FREE, …)" describes the words before.
    paren: bool,
    /// Inside a parenthesis: an aside ("(copy_to_user landing on a user page …)"), which does
    /// not decide between close events.
    aside: bool,
    /// Written with a possessive 's ("rsync's calls").
    owns: bool,
    used: bool,
}

/// Which whitespace tokens of a request are a ticket's or a chat's header, not its text: clock
/// times ("09:41", "[14:32]", "02:40-03:10") with their zone and weekday, @handles, #channels,
/// the speaker after a time ("[10:41] kofi:"), and the person a ticket is "from" or "reported
/// by" ("(reported by Oleg, 04:50)", "from Wen at 22:48").
fn header_tokens(tokens: &[&str]) -> Vec<bool> {
    static CLOCK: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let clock_re = CLOCK.get_or_init(|| regex::Regex::new(r"^[\[(]?\d{1,2}:\d{2}(:\d{2})?(-\d{1,2}:\d{2})?[zZ]?[\]),.;:]*$").expect("a valid regex"));
    let bare = |k: usize| tokens.get(k).map(|t| t.trim_matches(|c: char| "()[],;:".contains(c))).unwrap_or_default();
    let lower = |k: usize| bare(k).to_lowercase();
    const DAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    // Inside a parenthesis: where a ticket's header keeps who and when ("(from Ingrid, Thu 15:30)").
    let mut depth = 0usize;
    let inside: Vec<bool> = tokens
        .iter()
        .map(|t| {
            depth += t.matches('(').count();
            let here = depth > 0;
            depth = depth.saturating_sub(t.matches(')').count());
            here
        })
        .collect();
    let time_like = |k: usize| tokens.get(k).is_some_and(|t| clock_re.is_match(t));
    let handle = |k: usize| tokens.get(k).is_some_and(|t| t.trim_start_matches(['(', '[']).strip_prefix('@').is_some_and(|h| h.starts_with(|c: char| c.is_alphabetic())));
    // A time is a header's when it is bracketed, in an aside, beside a zone, a weekday or a
    // speaker, or among the request's first words; never one the ask bounds ("between 09:00
    // and 17:00", "after 10:30").
    let clock = |k: usize| {
        let bounded = k > 0 && ["between", "after", "before", "until", "till", "since", "and", "to", "from", "at"].contains(&lower(k - 1).as_str());
        let dated = k > 0 && DAYS.contains(&lower(k - 1).as_str());
        let zoned = ["utc", "gmt", "z"].contains(&lower(k + 1).as_str());
        let spoken = tokens.get(k + 1).is_some_and(|t| t.ends_with(':') && !time_like(k + 1));
        time_like(k) && (tokens[k].starts_with('[') || dated || zoned || spoken || ((inside[k] || k < 6) && !bounded))
    };
    // The person a ticket is from or reported by: an aside's, or before "at" and a time.
    const FILED: &[&str] = &["reported", "opened", "filed", "raised", "assigned", "written", "posted", "asked"];
    let person = |t: usize| {
        let name = bare(t);
        let led = t > 0 && (lower(t - 1) == "from" || (lower(t - 1) == "by" && t > 1 && FILED.contains(&lower(t - 2).as_str())));
        led && name.len() > 1
            && name.starts_with(|c: char| c.is_uppercase())
            && name.chars().skip(1).all(|c| c.is_lowercase())
            // ("(Fri 14:03, reported by Anneke): …": the aside may close before a colon.)
            && ((inside[t] && tokens[t].trim_end_matches(':').ends_with([',', ')'])) || (lower(t + 1) == "at" && time_like(t + 2)))
    };
    (0..tokens.len())
        .map(|t| {
            let token = tokens[t].trim_start_matches(['(', '[']);
            let after_clock = t > 0 && clock(t - 1);
            let zone = after_clock && ["utc", "gmt", "z"].contains(&lower(t).as_str());
            let day = t + 1 < tokens.len() && clock(t + 1) && DAYS.contains(&lower(t).as_str());
            let channel = token.starts_with('#') && token[1..].starts_with(|c: char| c.is_ascii_alphabetic());
            let speaker = (after_clock || (t > 0 && tokens[t - 1].starts_with('#'))) && token.ends_with(':') && bare(t).chars().all(|c| c.is_alphanumeric() || "._-".contains(c));
            let at_time = lower(t) == "at" && t > 0 && person(t - 1);
            clock(t) || zone || day || handle(t) || channel || speaker || person(t) || at_time
        })
        .collect()
}

impl Word {
    /// A word taken as written, with no plural or ending to strip (a path, an ellipsis's
    /// "etc").
    fn verbatim(word: &str, quoted: bool) -> Word {
        let lower = word.to_lowercase();
        Word {
            raw: word.to_string(),
            light: lower.clone(),
            root: lower.clone(),
            stem: lower.clone(),
            lower,
            quoted,
            ends: false,
            punct: None,
            paren: false,
            aside: false,
            owns: false,
            used: false,
        }
    }

    /// A word with the forms it is matched by (without a plural, without an ending).
    fn new(raw: String, lower: String, quoted: bool) -> Word {
        Word { raw, light: light(&lower), root: root(&lower), stem: stem(&lower), ..Word::verbatim(&lower, quoted) }
    }
}

/// The request as words, each marked once a part of the plan reads it.
#[derive(Debug, Clone)]
struct Text {
    words: Vec<Word>,
    said: Vec<Said>,
    /// Value nouns of the event's phrase, left to be read as what to show ("every file that
    /// gets deleted"); read as the event's at the end.
    event_nouns: Vec<usize>,
    /// Every word of the event's phrase.
    event_at: Vec<usize>,
    /// Words between the event's phrase's words that are not everyday words ("what files does
    /// bash open"): left to be read, and a constraint when nothing reads them.
    inside: Vec<usize>,
    /// The event was read from everyday words ("files that get deleted"), grounding having named
    /// none: what else the words count or show is all that tells it from another.
    everyday: bool,
    /// Where the story a ticket labels ends ([`Text::story_until`]), found once.
    story_end: Option<usize>,
}

/// Everyday short forms of the words the reader knows.
const SHORT_FORMS: &[(&str, &str)] = &[
    ("procs", "processes"),
    ("conn", "connection"),
    ("conns", "connections"),
    ("pkts", "packets"),
    ("reqs", "requests"),
    ("msgs", "messages"),
    ("lat", "latency"),
    ("blk", "block"),
    ("lats", "latencies"),
];

/// A word without its plural: `switches` → `switch`, `entries` → `entry`, `opens` → `open`.
fn light(word: &str) -> String {
    let w = word.to_lowercase();
    if let Some(r) = w.strip_suffix("ies").filter(|r| r.len() >= 3) {
        return format!("{r}y");
    }
    if let Some(r) = ["sses", "shes", "ches", "xes"].iter().find_map(|s| w.strip_suffix(s).map(|r| (r, *s))) {
        return format!("{}{}", r.0, &r.1[..r.1.len() - 2]);
    }
    if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") && w.len() > 3 {
        return w[..w.len() - 1].to_string();
    }
    w
}

/// A word's root for matching phrases: without a plural, `-ed` or `-ing`, a doubled final
/// consonant or a final `e` (`executed`, `executes` and `execute` meet; `connection` stays
/// apart from `connect`).
fn root(word: &str) -> String {
    let mut w = light(word);
    for suffix in ["ing", "ed"] {
        if let Some(r) = w.strip_suffix(suffix).filter(|r| r.len() >= 3) {
            w = r.to_string();
            let b = w.as_bytes();
            if b.len() >= 2 && b[b.len() - 1] == b[b.len() - 2] && !b"aeiouls".contains(&b[b.len() - 1]) {
                w.pop();
            }
            break;
        }
    }
    if w.len() > 3 && w.ends_with('e') && !w.ends_with("ee") {
        w.pop();
    }
    w
}

impl Text {
    fn new(request: &str) -> Text {
        // "/s" after a word is a rate ("switches/s"), "(2)" a manual section.
        let mut s = String::new();
        let chars: Vec<char> = request.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let rest: String = chars[i..chars.len().min(i + 5)].iter().collect();
            let after_word = i > 0 && chars[i - 1].is_alphanumeric();
            if after_word && (rest.starts_with("/sec") || (rest.starts_with("/s") && !rest[2..].starts_with(|c: char| c.is_alphanumeric()))) {
                s.push_str(" per second ");
                i += if rest.starts_with("/sec") { 4 } else { 2 };
                continue;
            }
            if c == '(' && after_word {
                if let Some(close) = chars[i..].iter().position(|&c| c == ')').filter(|&n| n <= 3) {
                    if chars[i + 1..i + close].iter().all(|c| c.is_ascii_digit()) {
                        i += close + 1;
                        continue;
                    }
                }
            }
            s.push(c);
            i += 1;
        }
        // Code written without spaces: "ret<0" is `ret < 0` (split apart, "<" would be lost)
        // and "comm,errno" two keys.
        static CODE: std::sync::OnceLock<[regex::Regex; 2]> = std::sync::OnceLock::new();
        let [compared, listed] = CODE.get_or_init(|| {
            [
                // A number on the right: "vector<int>" and "stdout>file" are no comparisons.
                regex::Regex::new(r"([A-Za-z0-9_\])])(<=|>=|!=|==|<|>)(-?[0-9])").expect("a valid regex"),
                regex::Regex::new(r"\b([A-Za-z_][A-Za-z0-9_]*),([A-Za-z_])").expect("a valid regex"),
            ]
        });
        let s = compared.replace_all(&s, "${1} ${2} ${3}");
        // Matches do not overlap: again until "comm,pid,errno" is all spaced.
        let mut s = listed.replace_all(&s, "${1}, ${2}").into_owned();
        while listed.is_match(&s) {
            s = listed.replace_all(&s, "${1}, ${2}").into_owned();
        }
        // "MS_BIND|MS_REC": both bits, as C writes it (not "ERROR|WARN").
        static PIPED: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let piped = PIPED.get_or_init(|| regex::Regex::new(r"\b([A-Z][A-Z0-9_]+)\s*\|\s*([A-Z][A-Z0-9_]+)\b").expect("a valid regex"));
        let both = |caps: &regex::Captures| {
            if constants::named(&caps[1]).is_some() && constants::named(&caps[2]).is_some() {
                format!("{} and {}", &caps[1], &caps[2])
            } else {
                caps[0].to_string()
            }
        };
        let s = constants::mode_bits_named(&s);
        // Twice: the second pass takes the third of "A|B|C".
        let s = piped.replace_all(&s, both).into_owned();
        let s = piped.replace_all(&s, both).into_owned();
        // "local/remote ports" is "local ports and remote ports" ("I/O" is one word).
        static SLASHED: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let slashed = SLASHED.get_or_init(|| regex::Regex::new(r"(^|\s)([A-Za-z]{2,})/([A-Za-z]{2,})\s+([A-Za-z]+)").expect("a valid regex"));
        // ("poll/ppoll calls" are alternatives of one call, read below.)
        let s = slashed
            .replace_all(&s, |c: &regex::Captures| {
                if CALL_WORDS.contains(&c[4].to_lowercase().as_str()) || c[4].eq_ignore_ascii_case("system") {
                    c[0].to_string()
                } else {
                    format!("{}{} {} and {} {}", &c[1], &c[2], &c[4], &c[3], &c[4])
                }
            })
            .into_owned();
        // "accept/accept4", "REAL/VIRTUAL/PROF": alternatives ("bytes/sec" is a rate).
        static ALTERNATIVES: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let alternatives = ALTERNATIVES.get_or_init(|| regex::Regex::new(r"^[A-Za-z][A-Za-z0-9_]+(/[A-Za-z][A-Za-z0-9_]+)+$").expect("a valid regex"));
        let per_time = |part: &str| ["sec", "secs", "second", "seconds", "min", "mins", "minute", "ms", "us", "ns", "hr", "hour", "day"].contains(&part.to_lowercase().as_str());
        let s = s
            .split(' ')
            .map(|token| {
                // "(LOCK_SH/LOCK_EX)": the parenthesis stays around the alternatives.
                let open = &token[..token.len() - token.trim_start_matches('(').len()];
                let core = token[open.len()..].trim_end_matches([',', '.', ';', ':', '?', '!', ')']);
                if alternatives.is_match(core) && !core.split('/').skip(1).any(per_time) {
                    format!("{open}{}{}", core.replace('/', " or "), &token[open.len() + core.len()..])
                } else {
                    token.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let mut words = Vec::new();
        let mut in_quote = false;
        let mut depth = 0usize;
        let tokens: Vec<&str> = s.split_whitespace().collect();
        let header = header_tokens(&tokens);
        for (t, token) in tokens.iter().copied().enumerate() {
            // A chat message's time ("[10:42] kofi: …") begins a new sentence.
            if header[t] && token.starts_with('[') && token.contains(':') {
                if let Some(last) = words.last_mut().filter(|w: &&mut Word| !matches!(w.punct, Some('.' | '!' | '?' | ';'))) {
                    last.ends = true;
                    last.punct = Some('.');
                }
            }
            let leading = token.len() - token.trim_start_matches('(').len();
            depth += leading;
            let ends = token.ends_with([',', '.', ';', ':', '?', '!', ')']);
            let before = words.len();
            let opens = token.starts_with(['\'', '"', '`', '\u{2018}', '\u{201c}']);
            let closes = token.ends_with(['\'', '"', '`', '\u{2019}', '\u{201d}']) && !token.ends_with("s'")
                || token.trim_end_matches([',', '.', ';', ':', '?', '!', ')']).ends_with(['\'', '"', '`', '\u{2019}', '\u{201d}']);
            let quoted = in_quote || opens;
            in_quote = (in_quote || opens) && !closes;
            let core = token.trim_matches(|c: char| !(c.is_alphanumeric() || c == '_' || c == '/' || c == '-'));
            let owns = core.ends_with("'s") || core.ends_with("\u{2019}s");
            let core = core.trim_end_matches("'s").trim_end_matches("\u{2019}s").trim_matches('-');
            // "(EEXIST, EACCES, ...)": an ellipsis ends a list of examples, as "etc" does.
            let bare = token.trim_matches(|c: char| "()[],;:".contains(c));
            // "0 = default": the number is given a meaning (a legend), which `in_examples` reads.
            if token == "=" {
                if let Some(last) = words.last_mut().filter(|w: &&mut Word| w.punct.is_none() && w.lower.chars().all(|c| c.is_ascii_digit())) {
                    last.punct = Some('=');
                }
                continue;
            }
            // A comparison written as code ("offset > 4GiB") is a word; without it "pos > 4096"
            // would read as `pos == 4096`.
            if [">", "<", ">=", "<=", "!="].contains(&token) {
                words.push(Word::verbatim(token, quoted));
                continue;
            }
            // "count by comm + wait flag": a list.
            // (Not in arithmetic: "offset + count > 1G".)
            if token == "+" && !tokens[t + 1..(t + 4).min(tokens.len())].iter().any(|n| [">", "<", ">=", "<=", "==", "!="].contains(n)) {
                words.push(Word::verbatim("and", quoted));
                continue;
            }
            // A dash between clauses ("waiting for completions — the ring, …") parts them, as
            // a comma does.
            if ["\u{2014}", "\u{2013}", "--", "-"].contains(&token) {
                if let Some(last) = words.last_mut().filter(|w: &&mut Word| w.punct.is_none()) {
                    last.ends = true;
                    last.punct = Some(',');
                }
                continue;
            }
            if core.is_empty() && (bare == "..." || bare == "\u{2026}") {
                words.push(Word { ends: true, punct: Some(','), ..Word::verbatim("etc", quoted) });
                continue;
            }
            // A path ("/tmp", "/var/log") is one word, its slashes kept; its punctuation ends a
            // clause as a word's does ("/dev/mem, /dev/kmem or /dev/port").
            let path = core.starts_with('/') && core.len() > 1 && core[1..].starts_with(|c: char| c.is_alphanumeric() || c == '.' || c == '_');
            if path {
                words.push(Word::verbatim(core.trim_end_matches(['.', ',']), quoted));
            }
            // A negative number keeps its sign ("ret == -1" is not `ret == 1`).
            let signed = token.trim_start_matches('(').trim_end_matches([',', '.', ';', ':', '?', '!', ')']);
            let negative = !path && signed.strip_prefix('-').is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            if negative {
                words.push(Word::verbatim(signed, quoted));
            }
            for part in core.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '/' || c == '-' || c == '.')).filter(|_| !negative && !path) {
                let part = part.trim_matches(['.', '-', '/']);
                if part.is_empty() {
                    continue;
                }
                // Hyphens join words of a phrase ("run-queue latency"), except in words that
                // mean something joined ("non-zero", "per-cpu", "top-10").
                let ticket = part.split_once('-').is_some_and(|(_, b)| b.chars().all(|c| c.is_ascii_digit()));
                // "0-50ms", "2-5s": a range, its unit after the second number.
                let range = part.split_once('-').is_some_and(|(a, b)| !a.is_empty() && a.chars().all(|c| c.is_ascii_digit()) && b.starts_with(|c: char| c.is_ascii_digit()));
                // "latency-sensitive daemon", "allocator-heavy service": what a thing is, one word.
                let adjective = ["-sensitive", "-critical", "-bound", "-heavy", "-intensive", "-hungry", "-aware"].iter().any(|e| part.to_lowercase().ends_with(e));
                let joined = part.contains('-')
                    && !ticket
                    && !range
                    && !adjective
                    && !KEEP_HYPHEN.iter().chain(ACCESS_MODES).any(|k| part.to_lowercase().starts_with(k))
                    && !program_name(&tokens, t, part);
                let pieces: Vec<&str> = if joined { part.split('-').filter(|p| !p.is_empty()).collect() } else { vec![part] };
                for piece in pieces {
                    let lower = piece.to_lowercase();
                    // Numbers in words: "the ten busiest", "every two seconds".
                    let (raw, lower) = match NUMBER_WORDS.iter().position(|n| *n == lower) {
                        Some(n) => ((n + 1).to_string(), (n + 1).to_string()),
                        // "procs", "conns": read as the words they shorten (a quoted name is
                        // a name).
                        None => match SHORT_FORMS.iter().find(|(short, _)| *short == lower).filter(|_| !quoted) {
                            Some((_, long)) => (piece.to_string(), long.to_string()),
                            None => (piece.to_string(), lower),
                        },
                    };
                    words.push(Word::new(raw, lower, quoted));
                }
            }
            if words.len() > before && token.starts_with('(') {
                words[before].paren = true;
            }
            if let (true, Some(last)) = (owns && words.len() > before, words.last_mut()) {
                last.owns = true;
            }
            for w in &mut words[before..] {
                w.aside = depth > 0;
                // A ticket's or a chat's header: read as saying nothing of the program.
                w.used |= header[t];
            }
            // "(copy_to_user() landing …": a call's parentheses inside the aside keep it open.
            depth = (depth + token.matches('(').count() - leading).saturating_sub(token.matches(')').count());
            if words.len() > before && ends {
                if let Some(last) = words.last_mut() {
                    last.ends = true;
                    last.punct = token.trim_end_matches(['\'', '"', '`', '\u{2019}', '\u{201d}', ')', ']']).chars().last();
                }
            }
        }
        let mut text = Text { words, said: vec![], event_nouns: vec![], event_at: vec![], inside: vec![], everyday: false, story_end: None };
        text.story_end = text.ask_label().filter(|&k| !text.is(k, &["question"]));
        text.mark_tried();
        text
    }

    /// "Already checked: ulimit -v is unlimited, no cgroup memory limit." and "Ask:": what was
    /// tried before the ask, and the ask's label, say nothing the program must do.
    fn mark_tried(&mut self) {
        let mut start = 0;
        while start < self.len() {
            let end = self.sentence_end(start);
            let tried = (self.is(start, &["already"]) && self.is(start + 1, &["checked", "tried", "ruled", "verified", "done"]))
                || (self.is(start, &["tried", "checked", "ruled"]) && (self.labelled(start) || self.labelled(start + 1)));
            // Up to the ask's label ("… (too noisy) Ask: print every close()"), and never a
            // span that asks itself ("Already checked dmesg, so count openat() by nginx").
            let label = (start + 1..=end).find(|&k| self.is(k, ASK_LABELS) && self.labelled(k)).unwrap_or(end + 1);
            let asks = (start..label).any(|k| self.is(k, SHOW) || self.is(k, ASKING) || self.is(k, SHOWING));
            if tried && !asks {
                let all: Vec<usize> = (start..label).collect();
                self.mark(&all);
                if label <= end {
                    self.mark(&[label]);
                }
            } else if self.is(start, ASK_LABELS) && self.labelled(start) {
                self.mark(&[start]);
            }
            start = end + 1;
        }
    }

    fn len(&self) -> usize {
        self.words.len()
    }

    /// Where a ticket's ask begins, at its label ("Ask:"), if it has one after its first word.
    fn ask_label(&self) -> Option<usize> {
        (1..self.len()).find(|&k| k == self.sentence_start(k) && self.is(k, ASK_LABELS) && self.labelled(k))
    }

    /// Where the story a ticket labels ends: its "Ask:" label. ("… EBUSY. Question: can it
    /// include the cwd?" asks after the ask, and leaves it no story.)
    fn story_until(&self) -> Option<usize> {
        self.story_end
    }

    /// Whether word `k` is a label, a colon after it ("Ask:", "Tried:").
    fn labelled(&self, k: usize) -> bool {
        self.words.get(k).is_some_and(|w| w.punct == Some(':'))
    }

    fn lower(&self, i: usize) -> &str {
        self.words.get(i).map_or("", |w| w.lower.as_str())
    }

    fn is(&self, i: usize, options: &[&str]) -> bool {
        options.contains(&self.lower(i))
    }

    fn used(&self, i: usize) -> bool {
        self.words.get(i).is_some_and(|w| w.used)
    }

    fn has(&self, options: &[&str]) -> bool {
        self.words.iter().any(|w| options.contains(&w.lower.as_str()))
    }

    /// Marks words as read, and records what they mean.
    fn read(&mut self, at: &[usize], means: impl Into<String>) {
        let words: Vec<String> = at.iter().filter_map(|&i| self.words.get(i).map(|w| w.raw.clone())).collect();
        self.mark(at);
        self.said.push(Said { words: words.join(" "), means: means.into() });
    }

    fn mark(&mut self, at: &[usize]) {
        for &i in at {
            if let Some(w) = self.words.get_mut(i) {
                w.used = true;
            }
        }
    }

    /// Word `i` says who filed a ticket, in its header ("NET-2290 (opened by Sam, 09:41)"),
    /// not an event: an aside's first word, followed by "by" and a name.
    fn authored(&self, i: usize) -> bool {
        self.aside_of(i).is_some_and(|(first, _)| first == i)
            && self.is(i + 1, &["by"])
            && self.words.get(i + 2).is_some_and(|w| w.raw.starts_with(|c: char| c.is_uppercase() || c == '@'))
    }

    /// Where the words of `phrase` occur in order (by their roots), with at most `gap` others
    /// between each two; the first occurrence among words not yet read.
    fn find(&self, phrase: &str, gap: usize) -> Option<Vec<usize>> {
        let roots: Vec<String> = phrase.split_whitespace().map(root).collect();
        let first = roots.first()?;
        'start: for s in 0..self.len() {
            if &self.words[s].root != first || self.words[s].used {
                continue;
            }
            let mut at = vec![s];
            for l in &roots[1..] {
                let from = at.last().copied().unwrap_or(s) + 1;
                // A phrase does not run across the end of a clause.
                let limit = self.len().min(from + gap + 1);
                let stop = (from.saturating_sub(1)..limit).find(|&k| self.words[k].ends).map_or(limit, |k| (k + 1).min(limit));
                match (from..stop).find(|&j| &self.words[j].root == l && !self.words[j].used) {
                    Some(j) => at.push(j),
                    None => continue 'start,
                }
            }
            return Some(at);
        }
        None
    }

    /// The words of `phrase` (by their roots, none read yet) written in a row from word `i`,
    /// within one clause: what [`find`](Self::find) with no gap would find there, whatever an
    /// earlier place writes the same words ("Processes use time(). Count per process.").
    fn phrase_from(&self, phrase: &str, i: usize) -> Option<Vec<usize>> {
        let roots: Vec<String> = phrase.split_whitespace().map(root).collect();
        roots.first()?;
        let at: Vec<usize> = (i..i + roots.len()).collect();
        let fits = roots.iter().zip(&at).all(|(r, &k)| k < self.len() && self.words[k].root == *r && !self.words[k].used);
        (fits && at.iter().rev().skip(1).all(|&k| !self.words[k].ends)).then_some(at)
    }

    /// Words that constrain a program which no part of the plan read: `names` are the fields of
    /// the event's records, and value nouns the reader had no field for.
    fn unread(&self, names: &[String]) -> Vec<String> {
        self.unread_words(names).into_iter().map(|(w, _)| w).collect()
    }

    /// The names among the unread words: a program ("by nginx", "does python open") or a quoted
    /// word. A program that answers the request says them.
    fn unread_names(&self, fields: &[String]) -> Vec<String> {
        self.unread_words(fields).into_iter().filter(|(_, name)| *name).map(|(w, _)| w).collect()
    }

    /// Whether word `k` names the event: one of its words, a word for calls, or the event said
    /// again in another form ("tickd wakes up … wakeups of tickd").
    fn names_the_event(&self, k: usize) -> bool {
        let head = |w: &str| w.chars().take(4).collect::<String>();
        self.event_at.contains(&k)
            || self.is(k, CALL_WORDS)
            || (k < self.len() && self.lower(k).len() >= 4 && self.event_at.iter().any(|&e| self.lower(e).len() >= 4 && head(self.lower(e)) == head(self.lower(k))))
    }

    /// Whether word `i` is in a sentence without the event's words while another sentence has
    /// them: the story around the ask.
    fn in_story(&self, i: usize) -> bool {
        let (start, end) = (self.sentence_start(i), self.sentence_end(i));
        let here = |e: &usize| (start..=end).contains(e);
        !self.event_at.iter().any(here) && self.event_at.iter().any(|e| !here(e))
    }

    /// Whether the sentence holding word `i` asks for something: a verb of showing or wanting,
    /// or a question.
    fn asks(&self, i: usize) -> bool {
        let (start, end) = (self.sentence_start(i), self.sentence_end(i));
        // "with", "including" list values in any sentence ("maps files with mmap").
        // "Files keep showing up": appearing, not showing.
        // "strace shows tons of xattr traffic", "the log prints": what a tool does, told.
        let told = |k: usize| self.is(k, &["shows", "prints", "logs", "lists", "reports", "dumps", "displays", "records", "outputs"]);
        let appears = |k: usize| self.is(k + 1, &["up"]) && self.words[k].punct.is_none();
        // "Users report stalls", "people see errors": what others saw, not the ask.
        let reported = |k: usize| k > start && self.is(k - 1, REPORTERS);
        // "ps didn't catch anything": what failed, not the ask.
        let denied = |k: usize| k > start && self.is(k - 1, &["t", "not", "never", "cannot"]);
        // "the kernel log shows no errors": a noun that does the telling, not a verb asking.
        let subject = |k: usize| k > start && self.is(k + 1, TOOL_VERBS) && self.words[k].punct.is_none();
        let shows = |k: usize| (self.is(k, SHOW) || self.is(k, ASKING)) && !(self.is(k, LIST_WORDS) || told(k) || appears(k) || reported(k) || denied(k) || subject(k));
        self.words[end].punct == Some('?') || (start..=end).any(shows)
    }

    /// Whether the sentence at `start` is a yes-or-no question a later sentence answers by
    /// asking ("is something spinning on poll() with a timeout that keeps running out? how many
    /// poll/ppoll calls return 0, per process name?"): the suspicion, whose plain value words
    /// are told, not asked for. Its event words still name the event ("Are bios being split?
    /// Count splits per device"), and what it names precisely (a constant, an errno, a quoted
    /// name) still constrains. "Is there a way to …", "can you …", "does anyone know …" ask.
    fn wonders(&self, start: usize) -> bool {
        const AUX: &[&str] = &["is", "are", "does", "do", "did", "has", "have", "was", "were"];
        let end = self.sentence_end(start);
        if !self.is(start, AUX) || self.is(start + 1, &["there", "you", "anyone", "anybody", "it", "this", "that"]) {
            return false;
        }
        // A later sentence that asks, not another yes-or-no question.
        let mut k = end + 1;
        while k < self.len() {
            let e = self.sentence_end(k);
            if !self.is(k, AUX) && self.asks(k) {
                return true;
            }
            k = e + 1;
        }
        false
    }

    /// Whether word `i` is in a sentence of the story that asks for nothing: no event's words,
    /// no verb of showing or wanting, no question ("the /data bind mount inside one of our
    /// containers disappeared"). What it names is not what to show.
    /// Only the background before the ask: what follows it ("Trace openat. Only for nginx.")
    /// still says what the program must do.
    /// The story may name the event the ask names again ("… I suspect one of the batch jobs
    /// resets its umask. Log each umask() call: …"): it is still the story.
    fn only_tells(&self, i: usize) -> bool {
        // A ticket that labels its ask ("… Its debug mode only prints the top-level directory.
        // Ask: log every rmdir() …"): all before the label is the story.
        if self.story_until().is_some_and(|label| i < label) {
            return true;
        }
        const RESTRICTS: &[&str] = &["only", "just", "restrict", "limit", "except", "ignore", "exclude", "skip", "care", "matters", "matter", "excluding", "not"];
        let (start, end) = (self.sentence_start(i), self.sentence_end(i));
        let bare = |k: usize| self.words[k].stem.split('(').next().unwrap_or_default().to_string();
        // Said again after it, whether or not the reader took that mention as the event's.
        let said_again = |e: usize| (start..=end).contains(&e) && (end + 1..self.len()).any(|f| bare(f) == bare(e));
        // "plain dup() calls": the name is the event's word, "calls" only says what it is.
        let story = self.event_at.iter().any(|&e| e > end || said_again(e)) && self.event_at.iter().all(|&e| e > end || said_again(e) || self.is(e, CALL_WORDS));
        // "the connection limit" is a noun; "limit it to nginx" restricts.
        let noun = |k: usize| self.is(k, &["limit", "restrict"]) && !self.is(k + 1, &["to", "it", "them", "this", "that", "output", "results"]);
        // "… and just says 'config error'": an adverb of what happened, no restriction.
        let narrates = |k: usize| self.is(k + 1, NARRATIVE_VERBS) || (self.is(k, &["not", "t"]) && self.is(k + 1, UNAVAILABLE));
        story && !self.asks(i) && !(start..=end).any(|k| self.is(k, RESTRICTS) && !self.told_of(k) && !noun(k) && !narrates(k))
    }

    /// Whether the number at word `i` may be a value to filter by: anything but a plain
    /// numeral ("2038") or a numeral's adjective ("16-bit") is (an address, a path, `eth0`), and
    /// so is a numeral after an id's noun ("pid 4242", "user: 1000", "file descriptor 3") or
    /// within a few words of a comparison ("over 50 ms", "between 10 and 20 ms", "more than
    /// about 2 s").
    fn names_an_id(&self, i: usize) -> bool {
        const IDS: &[&str] = &[
            "pid",
            "pids",
            "tid",
            "tids",
            "uid",
            "uids",
            "gid",
            "gids",
            "port",
            "ports",
            "fd",
            "fds",
            "cpu",
            "cpus",
            "core",
            "cores",
            "irq",
            "inode",
            "ino",
            "signal",
            "sig",
            "errno",
            "code",
            "dev",
            "device",
            "major",
            "minor",
            "cgroup",
            "id",
            "number",
            "no",
            "user",
            "users",
            "process",
            "thread",
            "task",
            "job",
            "descriptor",
            "mode",
            "status",
            "interface",
            "node",
            "socket",
            "group",
            "ppid",
            "container",
            "level",
            "priority",
            "nice",
            "order",
            "size",
            "limit",
        ];
        let w = &self.words[i].lower;
        // A percentile ("p99", "p999") is a statistic's name, as a numeral is.
        let percentile = w.strip_prefix('p').is_some_and(|n| !n.is_empty() && n.len() <= 4 && n.chars().all(|c| c.is_ascii_digit()));
        let numeral = w.chars().all(|c| c.is_ascii_digit())
            || percentile
            || w.split_once('-').is_some_and(|(n, rest)| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() && rest.chars().all(|c| c.is_ascii_alphabetic()));
        // An id's noun may end in ':' or '=' ("pid: 4242", "uid=1000").
        let id_before = i > 0 && self.is(i - 1, IDS) && self.words[i - 1].punct.is_none_or(|p| p == ':' || p == '=');
        let bounded = (1..=3).any(|d| {
            i >= d
                && (i - d + 1..i).all(|k| self.words[k].punct.is_none())
                && (COMPARATIVES.contains(&self.lower(i - d)) || self.is(i - d, &["than", "within", "exceed", "exceeds", "exceeding"]))
        })
            // "between 10 and 20 ms", not "between two DCs".
            || (1..=3).any(|d| i >= d && self.is(i - d, &["between"]) && self.is(i + 1, &["and"]))
            || (i >= 2 && self.is(i - 1, &["and"]) && (2..=5).any(|d| i >= d && self.is(i - d, &["between"])));
        !numeral || id_before || bounded
    }

    /// Whether word `k` is one of the words a fold is asked by ("max", "histogram", "average").
    fn is_fold_word(&self, k: usize) -> bool {
        self.words.get(k).is_some_and(|w| [HIST, AVG, MAX, MIN, SUM, COUNT].iter().any(|l| l.iter().any(|f| !f.contains(' ') && root(f) == w.root)))
    }

    /// Whether word `k`, a verb of leaving out ("ignore", "skip"), tells what someone does ("some
    /// workers ignore SIGTERM") rather than asks it of the program ("Ignore root.", "please skip
    /// kworkers", "and exclude sshd").
    fn told_of(&self, k: usize) -> bool {
        const VERBS: &[&str] = &["ignore", "ignores", "ignored", "skip", "skips", "skipped", "exclude", "excludes"];
        const LEADS: &[&str] = &["please", "and", "but", "then", "also", "to", "just", "should", "must", "pls", "i", "we", "you"];
        self.is(k, VERBS) && k > self.sentence_start(k) && !self.is(k - 1, LEADS) && self.words[k - 1].punct.is_none()
    }

    /// Where the sentence holding word `i` ends (its last word).
    fn sentence_end(&self, i: usize) -> usize {
        (i..self.len()).find(|&j| matches!(self.words[j].punct, Some('.' | '!' | ';' | '?'))).unwrap_or(self.len().saturating_sub(1))
    }

    /// Where the sentence holding word `i` begins.
    fn sentence_start(&self, i: usize) -> usize {
        (0..i).rev().find(|&j| matches!(self.words[j].punct, Some('.' | '!' | ';' | '?'))).map_or(0, |j| j + 1)
    }

    /// Whether word `i` is in a sentence that guesses at the cause ("I think some event loop
    /// is spinning on a non-blocking fd."), followed by another that asks: the guess is the
    /// story, and its fields and kinds ask nothing of the program.
    fn guessed(&self, i: usize) -> bool {
        let stop = |w: &Word| matches!(w.punct, Some('.' | '!' | ';'));
        let start = self.sentence_start(i);
        let Some(end) = (i..self.len()).find(|&j| stop(&self.words[j]) || self.words[j].punct == Some('?')) else { return false };
        if !stop(&self.words[end]) || end + 1 >= self.len() {
            return false;
        }
        GUESSES.iter().any(|g| {
            let parts: Vec<&str> = g.split(' ').collect();
            parts.iter().enumerate().all(|(k, p)| start + k <= end && self.lower(start + k) == *p)
        })
    }

    /// Whether word `i` is `name` as written, a call's parentheses aside ("mmap()").
    fn writes(&self, i: usize, name: &str) -> bool {
        self.words[i].lower.trim_end_matches("()") == name
    }

    /// Whether word `i` is in an aside that gives examples ("(copy_to_user landing on a user
    /// page, that kind of thing)", "(e.g. …)"): it illustrates, it does not constrain.
    fn in_examples(&self, i: usize) -> bool {
        let Some((first, last)) = self.aside_of(i) else { return false };
        let ends = |phrase: &[&str]| last + 1 >= first + phrase.len() && phrase.iter().enumerate().all(|(k, p)| self.lower(last + 1 - phrase.len() + k) == *p);
        let opens = |phrase: &[&str]| phrase.iter().enumerate().all(|(k, p)| first + k <= last && self.lower(first + k) == *p);
        self.explains(i)
            || [&["kind", "of", "thing"][..], &["etc"], &["and", "so", "on"], &["or", "similar"]].iter().any(|p| ends(p))
            || [&["e.g"][..], &["eg"], &["for", "example"], &["for", "instance"], &["such", "as"], &["like"], &["say"]].iter().any(|p| opens(p))
    }

    /// Whether word `i` is in an aside that says what a value means: "(0 means it is
    /// cancelling)", "(flags=1 means …)", or a legend "(0 = default action, 1 = ignored, …)".
    /// Nothing in it is a condition or a value to show.
    fn explains(&self, i: usize) -> bool {
        let Some((first, last)) = self.aside_of(i) else { return false };
        let number = |k: usize| self.words[k].lower.chars().all(|c| c.is_ascii_digit());
        (first..last).any(|k| number(k) && self.words[k].punct == Some('=')) || (first..=last).any(|k| self.is(k, &["means", "meaning", "i.e", "ie"]))
    }

    /// Whether word `i` is in a clause that says what the answer is for ("…, so I can tell
    /// absolute from relative timers", "in order to find the culprit"): why, not what to show.
    fn in_purpose(&self, i: usize) -> bool {
        const PRONOUNS: &[&str] = &["i", "we", "you", "they", "one"];
        const MODALS: &[&str] = &["can", "could", "may", "might"];
        let start = self.sentence_start(i);
        // The purpose runs to its clause's end ("In order to find the leak, count …": the count
        // is asked).
        (start..i).filter(|&k| (k..i).all(|m| !self.words[m].ends)).any(|k| {
            let after_so = if self.is(k, &["so"]) && self.is(k + 1, &["that"]) { k + 2 } else { k + 1 };
            (self.is(k, &["so"]) && self.is(after_so, PRONOUNS) && self.is(after_so + 1, MODALS) && after_so + 1 < i)
                // "so the most common blocking paths float to the top": what a ranking shows,
                // said in its own words (the others are read as any).
                || (self.is(k, &["so"])
                    && self.is(after_so, &["the"])
                    && self.is(after_so + 1, SUPERLATIVES)
                    && after_so + 1 < i
                    && self.is(i, &["most", "common", "frequent", "float", "floats", "rise", "rises", "bubble", "bubbles", "top", "first", "stand", "out", "show", "up"]))
                || (self.is(k, &["in"]) && self.is(k + 1, &["order"]) && self.is(k + 2, &["to"]) && k + 2 < i)
        })
    }

    /// Whether word `i` ("vs") sets two values side by side that were both read ("show
    /// rmem_alloc vs the rcvbuf size"): no split left to find, unlike "in the idle task versus
    /// anything else".
    fn compares_read(&self, i: usize) -> bool {
        if !self.is(i, &["vs", "versus"]) || i == 0 {
            return false;
        }
        // Values, not conditions: "pid 100 vs pid 200" asks for a split.
        let value = |k: usize| self.used(k) && !self.words[k].lower.chars().any(|c| c.is_ascii_digit()) && !self.words[k].quoted;
        let after = (i + 1..self.len()).find(|&k| !self.is(k, &["the", "a", "an", "its", "their"]));
        value(i - 1) && after.is_some_and(value)
    }

    /// Whether word `i` is a tool the words say shows something ("perf top shows …", "top only
    /// shows …", "htop just says …"): what the story saw, not a fold or a program.
    fn tool_says(&self, i: usize) -> bool {
        const ADVERBS: &[&str] = &["only", "just", "mostly", "always", "still", "never", "barely"];
        (0..2).any(|d| (1..=d).all(|a| self.is(i + a, ADVERBS)) && self.is(i + d + 1, TOOL_VERBS))
    }

    /// The first and last word of the aside word `i` is in.
    fn aside_of(&self, i: usize) -> Option<(usize, usize)> {
        if !self.words[i].aside {
            return None;
        }
        let first = (0..=i).rev().take_while(|&k| self.words[k].aside).last().unwrap_or(i);
        let last = (i..self.len()).take_while(|&k| self.words[k].aside).last().unwrap_or(i);
        Some((first, last))
    }

    /// The words of each item of a list of values to show that nothing read ("comm, both fds
    /// and the requested length"; "Log each call: who makes it, the pidfd, how many iovecs,
    /// and the advice value"): a value the request names and a plan would leave out, though
    /// no word of it is one the reader knows. A list is one when it follows a verb of showing
    /// or a colon in a sentence that asks, has two items or more, and another of its items was
    /// read.
    fn unread_items(&self) -> Vec<usize> {
        // An item that says why or what else to do, not what to show ("…, so we can find the
        // culprit", "… every 5 seconds and reset").
        const PROSE: &[&str] = &[
            "so",
            "because",
            "since",
            "to",
            "in",
            "as",
            "then",
            "but",
            "if",
            "when",
            "for",
            "while",
            "until",
            "every",
            "each",
            "per",
            "reset",
            "clear",
            "exit",
            "stop",
            "quit",
            "sort",
            "sorted",
            "formatted",
            "first",
            "newest",
            "oldest",
            "latest",
        ];
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.len() {
            let opens = (self.is(i, SHOWING) || self.words[i].punct == Some(':')) && !self.words[i].aside && self.asks(i);
            if !opens {
                i += 1;
                continue;
            }
            let end = self.sentence_end(i);
            let mut items: Vec<Vec<usize>> = vec![vec![]];
            for k in i + 1..=end {
                let w = &self.words[k];
                if !w.aside && self.is(k, &["and", "plus"]) {
                    items.push(vec![]);
                    continue;
                }
                items.last_mut().expect("one item at least").push(k);
                if !w.aside && matches!(w.punct, Some(',' | ':')) {
                    items.push(vec![]);
                }
            }
            items.retain(|it| !it.is_empty());
            let read = items.iter().filter(|it| it.iter().any(|&k| self.used(k))).count();
            if items.len() >= 2 && read >= 1 {
                // The event's words name no value ("which rcu flavour").
                let shown = |k: usize| self.used(k) && !self.event_at.contains(&k);
                for it in items.iter().filter(|it| it.iter().all(|&k| !shown(k)) && !self.is(it[0], PROSE)) {
                    // "who tried", "why", "how long it took": who caused the event (a plan
                    // shows it unasked), a reason or a time, not a value by its name.
                    // ("whether it was delivered" asks for the outcome: a value.)
                    let question = self.is(it[0], &["who", "whom", "why", "when", "where"])
                        || (self.is(it[0], &["how"]) && !self.is(it[0] + 1, &["many", "much"]))
                        // "nicely formatted": how, not what.
                        || (self.lower(it[0]).len() > 4 && self.lower(it[0]).ends_with("ly"));
                    if question {
                        continue;
                    }
                    let content = |k: usize| {
                        let w = self.words[k].lower.as_str();
                        let plain = [STOP, ENGLISH, FILLER, GENERIC].iter().any(|list| list.contains(&w));
                        !plain && !self.in_examples(k) && w.chars().any(|c| c.is_ascii_alphabetic())
                    };
                    // The value's own words, not a clause that tells of it ("the target it
                    // points to", "the mountpoint being unmounted", "the rtt it measured").
                    let clause = it
                        .iter()
                        .skip(1)
                        .position(|&k| self.is(k, &["it", "they", "that", "which", "who", "being", "if", "we", "you", "i", "so", "because", "since", "when", "whenever", "where"]))
                        .map_or(it.len(), |n| 1 + n);
                    out.extend(it[..clause].iter().copied().filter(|&k| content(k) && !self.used(k) && !self.is(k, &["caller", "callers"])));
                }
            }
            i = end + 1;
        }
        out
    }

    /// Each unread word that constrains a program, and whether it names something.
    fn unread_words(&self, names: &[String]) -> Vec<(String, bool)> {
        let listed = self.unread_items();
        let mut out = Vec::new();
        for (i, w) in self.words.iter().enumerate() {
            if w.used || self.in_examples(i) {
                continue;
            }
            // A guess's field or kind ("a non-blocking fd") is not asked for; what it names
            // precisely (a path, a number, a quoted word, an errno) still is.
            // Platforms spelled with digits ("k8s node", "on x86_64") set the scene.
            if !w.quoted && PLATFORMS.contains(&w.lower.as_str()) {
                continue;
            }
            let precise = w.quoted || w.raw.starts_with('/') || w.lower.chars().any(|c| c.is_ascii_digit()) || errno(&w.raw).is_some() || signal(&w.raw).is_some();
            // A number in a sentence of the story that is no one's id and bounds nothing ("We're
            // auditing for 2038 problems.", "daemons running with nofile=1024 although …"):
            // what the story is about, not a value to filter by. An id ("runs as pid 4242"), a
            // bound ("it took over 50 ms") or a restriction in the sentence still is.
            if w.lower.chars().any(|c| c.is_ascii_digit()) && self.only_tells(i) && !w.quoted && !self.names_an_id(i) {
                continue;
            }
            // "How many files …? Just a count per uid": the question a fold answers (not
            // openat2's `how`).
            if w.lower == "how" && self.is(i + 1, &["many", "much"]) {
                continue;
            }
            // A path the story names ("at 03:12 the /data filesystem went read-only") where the
            // ask takes any event ("Catch any mount() that …"): where it happened, not a filter.
            // ("each"/"every" alone say one per event, not whatever the path: "Files under /srv
            // keep vanishing. Print each unlink" may mean those files.)
            // "on the box", "on the host": wherever it happens.
            let anywhere = |k: usize| {
                self.is(k, &["any", "anywhere"]) || (self.is(k, &["on"]) && self.is(k + 1, &["the"]) && self.is(k + 2, &["box", "host", "machine", "system", "server", "node"]))
            };
            if w.raw.starts_with('/') && !w.quoted && self.only_tells(i) && (0..self.len()).any(|k| anywhere(k) && self.asks(k) && !self.only_tells(k)) {
                continue;
            }
            // A message the story quotes ("just says 'config error'"), not a name to match.
            let in_message = w.quoted && ((i > 0 && self.words[i - 1].quoted) || self.words.get(i + 1).is_some_and(|n| n.quoted));
            if in_message && self.only_tells(i) {
                continue;
            }
            // A quoted name of something else said in an aside ("(the old 'shocker' exploit)").
            if w.quoted && w.aside && w.punct.is_none() && self.words.get(i + 1).is_some_and(|n| NAMED_THINGS.contains(&n.lower.as_str())) {
                continue;
            }
            // The story names the things it is about ("maps files"); a name in it ("our web
            // server is nginx") may still be what the request is about.
            // So is a field's name in it ("spinning on poll() with a timeout that keeps running
            // out", `timeout_msecs`): what the story tells of, not a value to show.
            let field_named = names_a_field(names, w);
            // A yes-or-no question a later sentence answers by asking is the suspicion: what
            // no rule read in it, unless precise, asks nothing.
            let wondered = self.wonders(self.sentence_start(i)) && !PROTOCOLS.contains(&w.lower.as_str());
            if !precise && (self.guessed(i) || (self.only_tells(i) && (value_noun(w) || field_named)) || wondered || self.in_purpose(i)) {
                continue;
            }
            // "the p99 GET latency has doubled": a time the story tells of asks for none;
            // "serves GETs with small positional reads (pread64)": what the story says of its
            // calls keeps none out.
            if self.only_tells(i) && (self.inside.contains(&i) || self.is(i, &["latency", "latencies", "duration", "durations", "delay", "delays"])) {
                continue;
            }
            // A failure the story tells of, or "error output": no condition (`conditions`
            // reads them so too).
            let failure = failure_word(w);
            if failure && no_failure_asked(self, i) {
                continue;
            }
            let next_is_number = self.words.get(i + 1).is_some_and(|n| n.lower.starts_with(|c: char| c.is_ascii_digit()))
                || (self.is(i + 1, &["than"]) && self.words.get(i + 2).is_some_and(|n| n.lower.starts_with(|c: char| c.is_ascii_digit())));
            // "INC-4471", "#123": a ticket's name, not a number.
            let ticket = w.raw.split_once('-').is_some_and(|(a, b)| a.chars().all(|c| c.is_ascii_alphabetic()) && b.chars().all(|c| c.is_ascii_digit()));
            // "never says which path": the story of the request, not a condition on the program.
            let narrative = ((NEGATIONS.contains(&w.lower.as_str()) || w.lower == "only") && self.is(i + 1, NARRATIVE_VERBS))
                // "Most clock_gettime() calls never enter the kernel …, but something here is
                // making real ones.": a negation in the story asks nothing.
                // ("No kworkers." still excludes: only an adverb's negation tells.)
                || (w.lower == "never" && self.only_tells(i))
                // "the log shows no I/O errors": the denial of a failure the story tells of.
                || (self.only_tells(i)
                    && (i + 1..(i + 4).min(self.len())).any(|k| failure_word(&self.words[k]) && denied_failure(self, k) == Some(i)))
                // "'perf top' is not allowed on those boxes", "bpftrace isn't installed there": a
                // tool the story could not use.
                || (["not", "t"].contains(&w.lower.as_str()) && self.only_tells(i) && self.is(i + 1, UNAVAILABLE))
                || (self.told_of(i) && self.only_tells(i))
                // "perf top shows it's all page zeroing", "sits at 100% CPU in top": a tool the
                // story names, not a fold or a program to trace.
                // ("top only shows …", "htop just says …": an adverb between.)
                || (self.only_tells(i)
                    && (self.tool_says(i)
                        || (i > 0 && self.is(i - 1, &["in"]) && self.is(i, MONITORS))))
                // "SIGTERM specifically (not the other signals)": what is named, said again; if
                // nothing read it, its own word is left unread.
                // "the seconds it asked for", "the path it is asking about": the value itself,
                // unless the record tells what was asked from what was given (`bytes_req`).
                || (w.stem.starts_with("ask") && !names.iter().any(|n| n.contains("req")))
                // "We hit fs.aio-max-nr": a fold's word in the story asks for no fold.
                || (self.only_tells(i) && self.is_fold_word(i))
                // "I just want a count of …": a softener of the asking verb.
                || (w.lower == "just" && self.is(i + 1, &["want", "wanted", "wanna", "need", "needed", "like", "wish"]))
                // "just the max per comm": the fold, said again.
                || (["just", "only"].contains(&w.lower.as_str()) && (self.is_fold_word(i + 1) || (self.is(i + 1, &["the", "a", "an"]) && self.is_fold_word(i + 2))))
                || (["not", "no"].contains(&w.lower.as_str()) && (self.is(i + 1, &["other", "others"]) || (self.is(i + 1, &["the", "any"]) && self.is(i + 2, &["other", "others"]))))
                // "the disk is slow", and "Truncating big files stalls our ingest box." before
                // the ask: what the story tells of, no condition.
                || (["slow", "big", "large", "small"].contains(&w.lower.as_str())
                    && ((i > 0 && self.is(i - 1, &["is", "are", "was", "were", "seems", "seem", "feels", "gets", "got", "so", "too", "very"])) || self.only_tells(i)));
            // "opened by bash", "calls from nginx": a name nothing read.
            let name = !everyday(w) && w.raw.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            // "tickd's wakeups", "wakeups of tickd", "daemon tickd": whose events, by name.
            let of_event = |k: usize| self.names_the_event(k);
            // ("an inode's extent cache", "a socket's rcvbuf": an object's, not a program's.)
            let owned = (w.owns && (of_event(i + 1) || of_event(i + 2)) && !(i > 0 && self.is(i - 1, DETERMINERS))) || (i > 1 && self.is(i - 1, &["of"]) && of_event(i - 2));
            let named_after = ((i > 0
                && (self.is(i - 1, &["by"]) || (self.is(i - 1, &["for"]) && looks_like_program(self, i)) || (self.is(i - 1, &["from"]) && !self.is(i + 1, &["to"]))))
                // A program's name may look like a plural ("of postgres"): left unread, not
                // dropped.
                || (owned && w.raw.starts_with(|c: char| c.is_ascii_lowercase()) && !value_noun(w))
                // "who keeps waking up our tickd daemon?": a daemon's name, in a sentence that
                // asks (the story's "our audio daemon" says what it is about).
                || (self.is(i + 1, &["daemon", "daemons"]) && looks_like_program(self, i) && self.asks(i) && !self.only_tells(i) && !self.guessed(i)))
                && name;
            // "how many bytes does nginx push out": the subject of the question, a name.
            let subject = i > 0 && self.is(i - 1, &["does", "do", "did"]) && name;
            // "how many inotify instances each process creates", read as forks from everyday
            // words: what is counted, which nothing read.
            let plain = [STOP, ENGLISH, FILLER, GENERIC].iter().any(|list| list.contains(&w.lower.as_str())) || ["does", "do", "did"].contains(&w.lower.as_str());
            let counted = self.everyday
                && !plain
                && (1..=3).any(|d| {
                    i > d
                        && ((self.is(i - d, &["many"]) && self.is(i - d - 1, &["how"])) || (self.is(i - d, &["of"]) && self.is(i - d - 1, &["number"])))
                        && (i - d..i).all(|k| self.words[k].punct.is_none() && (k == i - d || !self.used(k)))
                });
            // "the size in KB": a unit a value is to be shown in, which no plan converts to.
            let size_unit = ["kb", "kib", "mb", "mib", "gb", "gib", "kilobytes", "megabytes", "gigabytes", "khz", "mhz", "ghz"].contains(&w.lower.as_str())
                && !(i > 0 && self.words[i - 1].lower.parse::<f64>().is_ok());
            // Linear buckets asked for without the numbers the reader takes.
            let linear = ["linear", "lhist"].contains(&w.lower.as_str());
            // A dotted name ("nginx.conf", "libc.so.6", "example.com"): a file, library or host.
            let dotted = w.raw.split('.').filter(|p| !p.is_empty()).count() >= 2
                && w.raw.chars().any(|c| c.is_ascii_alphabetic())
                && !["e.g", "i.e", "a.k.a", "vs", "etc"].contains(&w.lower.trim_end_matches('.'))
                // A sysctl or a file the story names ("we hit fs.inotify.max_user_watches").
                && !self.only_tells(i)
                && !["fs.", "net.", "kernel.", "vm.", "user.", "dev."].iter().any(|p| w.lower.starts_with(p));
            let constrains = size_unit
                || linear
                || dotted
                || (w.lower.chars().any(|c| c.is_ascii_digit()) && !ticket)
                || counted
                || listed.contains(&i)
                || named_after
                || subject
                || self.inside.contains(&i)
                || (w.quoted && w.raw.chars().any(|c| c.is_alphabetic()) && !(MONITORS.contains(&w.lower.as_str()) && self.only_tells(i)))
                || (CONSTRAINING.contains(&w.lower.as_str()) && !narrative && !self.compares_read(i))
                // "that return NULL": a result asked, whether or not a rule read it.
                || (["null", "nil"].contains(&w.lower.as_str()) && i > 0 && self.is(i - 1, &["return", "returns", "returned", "returning"]))
                || w.raw.starts_with('/')
                || (ACCESS_MODES.contains(&w.lower.as_str()) && !self.only_tells(i))
                || (COMPARATIVES.contains(&w.lower.as_str()) && next_is_number)
                // ("their own Unix account" is no protocol: only its sockets are.)
                || (PROTOCOLS.contains(&w.lower.as_str())
                    && !(w.lower == "unix"
                        && self.is(i + 1, &["account", "accounts", "user", "users", "time", "timestamp", "timestamps", "epoch", "group", "groups", "permissions", "login", "logins"])))
                || w.stem.starts_with("fail")
                || errno(&w.raw).is_some()
                || signal(&w.raw).is_some()
                || constants::named(&w.raw).is_some()
                || tcp_state(&w.raw).is_some()
                // "parent -> child …, names and pids": whose value (`parent_pid`, `child_comm`).
                || names_a_field(names, w)
                // "when it would have expired": a verb's form of a field's name (`expires`) that
                // nothing read. (Nouns that share a field's start, "timers" of `timer`, "clock"
                // of `clockid`, mostly name the event.)
                || (w.lower.len() >= 6 && w.lower.ends_with("ed") && !everyday(w) && names.iter().any(|f| f.len() >= 5 && !f.starts_with("common_") && names_field(&w.lower, f)))
                || KINDS.iter().any(|(nouns, _)| nouns.contains(&w.lower.as_str()) || nouns.contains(&w.light.as_str()))
                // A builtin by its own name, or stacks ("count the kernel stacks"): a key or a
                // value to show that nothing read.
                || ((SPELLED_BUILTINS.contains(&w.light.as_str()) || (w.light == "stack" && i > 0 && self.is(i - 1, &["kernel", "user", "call", "userspace", "user-space"])))
                    && !self.only_tells(i))
                // ("The name of" says whose; a name said again, "per process name", says nothing new.)
                || (VALUE_OR_STATE.contains(&w.lower.as_str()) && !self.only_tells(i) && !self.in_purpose(i) && (!w.lower.starts_with("name") || self.is(i + 1, &["of"]))
                    // ("still runnable (prev_state == 0)": the condition, said in the aside.)
                    && !self.words.get(i + 1).is_some_and(|n| n.paren && n.used))
                || (w.raw.contains('_') && !w.raw.contains('.') && w.raw.chars().any(|c| c.is_ascii_alphabetic()));
            if constrains {
                // One quoted word, as commands are named; a quoted message is not one.
                let beside_quote = (i > 0 && self.words[i - 1].quoted) || self.words.get(i + 1).is_some_and(|n| n.quoted);
                let quoted_name = w.quoted && !beside_quote && w.raw.chars().any(|c| c.is_alphabetic());
                // Commands are named in lower case ("how long do DNS lookups take" names no
                // program), and a question's subject is one when a verb follows it ("does nginx
                // push"), not a plural noun ("do dns lookups take"), unless that names its
                // processes ("do java threads block").
                let command = w.raw.starts_with(|c: char| c.is_ascii_lowercase()) && !PROTOCOLS.contains(&w.lower.as_str());
                let group = |j: usize| self.is(j, &["process", "processes", "program", "programs", "workers", "worker", "threads", "thread", "instances", "backends", "daemons"]);
                let noun_follows = self.words.get(i + 1).is_some_and(|n| n.lower.len() > 3 && n.lower.ends_with('s') && !n.lower.ends_with("ss")) && !group(i + 1);
                // "do" asks of a plural subject ("what bufsize do callers pass", "how long do
                // packets spend"): a program is named so only with its processes after it ("do
                // java threads block"); "does nginx push" is one.
                let plural_asked = i > 0 && self.is(i - 1, &["do"]) && w.lower.len() > 3 && w.lower.ends_with('s') && !w.lower.ends_with("ss") && !group(i + 1);
                // A word for one of the record's fields ("fallbacks by reason code", "matched
                // by tag") names that field, not a program.
                // The word itself, not a name that starts like one (`postgres` is no `pos`).
                let field_word = names.iter().any(|f| f.len() > 2 && (w.lower == *f || stem(&w.lower) == stem(f)));
                // "How long does writing back one inode take": a gerund with its object or
                // particle after it, no program ("does ioping see" still names one).
                let gerund = w.lower.len() >= 6
                    && w.lower.ends_with("ing")
                    && self.is(i + 1, &["back", "out", "up", "down", "off", "through", "a", "an", "the", "one", "each", "every", "its", "their", "this", "that"]);
                let names_one = (named_after || (subject && !noun_follows && !plural_asked && !gerund)) && command && !field_word;
                out.push((w.raw.clone(), names_one || quoted_name));
            }
        }
        out
    }
}

/// Words of an item that name nothing by themselves.
const GENERIC: &[&str] = &[
    "value",
    "values",
    "number",
    "numbers",
    "field",
    "fields",
    "info",
    "information",
    "details",
    "stuff",
    "thing",
    "things",
    "etc",
    "line",
    "lines",
    "hits",
    "attempts",
    "occurrences",
    "invocations",
    "times",
];

/// How a sentence that guesses at the cause begins.
const GUESSES: &[&str] = &[
    "i think",
    "i suspect",
    "we think",
    "we suspect",
    "i guess",
    "i believe",
    "we believe",
    "my guess",
    "our guess",
    "my theory",
    "our theory",
    "maybe",
    "perhaps",
    "probably",
    "possibly",
    "apparently",
    "looks like",
    "seems like",
    "it seems",
    "it looks like",
    "i bet",
    "suspect",
    "hunch",
];

/// Words whose hyphen joins a meaning of its own.
const KEEP_HYPHEN: &[&str] =
    &["non-", "per-", "top-", "power-of-two", "user-space", "kernel-space", "wi-fi", "real-time", "short-lived", "long-lived", "off-cpu", "on-cpu", "x86-64"];
/// An access mode said in words, one word as [`KEEP_HYPHEN`]'s are: no rule reads it, so asked
/// for it constrains (in the story, "the filesystem went read-only", it tells).
const ACCESS_MODES: &[&str] = &["read-only", "write-only", "append-only"];
/// Whether the hyphenated `part` of token `t` is a program's name ("only redis-server",
/// "php-fpm processes"): lower case, beside a word that introduces a name, and no piece a word
/// of a phrase ("for run-queue latency", "only read-only opens").
fn program_name(tokens: &[&str], t: usize, part: &str) -> bool {
    const BEFORE: &[&str] = &["only", "just", "named", "called", "by", "comm", "except", "excluding", "exclude", "ignore", "skip"];
    const AFTER: &[&str] = &["only", "process", "processes", "daemon", "daemons", "service", "services", "workers", "threads", "instances", "pods", "containers"];
    const PHRASE: &[&str] = &[
        "latency",
        "sensitive",
        "thread",
        "threads",
        "pool",
        "worker",
        "workers",
        "intensive",
        "critical",
        "facing",
        "owned",
        "specific",
        "hungry",
        "hog",
        "process",
        "read",
        "write",
        "only",
        "run",
        "queue",
        "page",
        "cache",
        "user",
        "kernel",
        "space",
        "time",
        "real",
        "zero",
        "cpu",
        "block",
        "level",
        "side",
        "wide",
        "end",
        "mode",
        "world",
        "group",
        "owner",
        "low",
        "high",
        "long",
        "short",
        "new",
        "old",
        "self",
        "sub",
        "multi",
        "single",
        "double",
        "half",
        "full",
        "re",
        "pre",
        "post",
        "co",
        "system",
        "out",
        "in",
        "on",
        "off",
        "up",
        "down",
        "back",
        "copy",
        "family",
        "like",
        "style",
        "based",
        "related",
        "heavy",
        "bound",
        "aware",
        "free",
        "safe",
        "per",
        "all",
        "non",
        "top",
        "most",
        "least",
        "well",
        "so",
        "called",
        "known",
        "set",
        "get",
        "file",
        "files",
        "tcp",
        "udp",
        "ip",
        "io",
        "i",
        "o",
        "memory",
        "disk",
        "network",
        "socket",
        "sockets",
        "syscall",
        "syscalls",
    ];
    let clean = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-').to_lowercase();
    let before = t > 0 && BEFORE.contains(&clean(tokens[t - 1]).as_str());
    let after = tokens.get(t + 1).is_some_and(|n| AFTER.contains(&clean(n).as_str()));
    // "for redis-server only"
    let last = t + 1 == tokens.len() || tokens[t].ends_with(['.', ',', ';', ':', '?', '!']);
    let for_only = t > 0 && clean(tokens[t - 1]) == "for" && (after || last);
    (before || after || for_only)
        && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && part.split('-').all(|p| !p.is_empty() && !PHRASE.contains(&p) && !["ed", "ing", "ion", "ment"].iter().any(|e| p.ends_with(e)))
}

/// Numbers users write as words.
const NUMBER_WORDS: &[&str] = &[
    "",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

/// Words that, unread, would leave a condition, a fold or a choice out of the plan.
const CONSTRAINING: &[&str] = &[
    "not",
    "no",
    "non",
    "never",
    "without",
    "except",
    "excluding",
    "exclude",
    "ignore",
    "ignoring",
    "unless",
    "only",
    "just",
    "solely",
    "exclusively",
    "than",
    "histogram",
    "histograms",
    "distribution",
    "average",
    "avg",
    "mean",
    "total",
    "sum",
    "max",
    "maximum",
    "worst",
    "peak",
    "longest",
    "min",
    "minimum",
    "shortest",
    "count",
    "counts",
    "tally",
    "rate",
    "per",
    "latency",
    "latencies",
    "duration",
    "durations",
    "unsuccessful",
    "successful",
    "succeeded",
    "success",
    "denied",
    "refused",
    "invalid",
    "nonzero",
    "non-zero",
    "zero",
    "root",
    "error",
    "errors",
    "errno",
    "top",
    "slow",
    "slowest",
    "large",
    "largest",
    "big",
    "biggest",
    "small",
    "smallest",
    "ask",
    "asks",
    "asked",
    "asking",
    // "in the idle task versus anything else": a split the reading must find.
    "versus",
    "vs",
];

/// What a story says it could not use ("'perf top' is not allowed", "bpftrace isn't installed").
const UNAVAILABLE: &[&str] = &["allowed", "installed", "available", "permitted", "possible"];

/// Negations, which constrain unless a verb of the story follows ("never says").
const NEGATIONS: &[&str] = &["not", "no", "never", "without"];
const NARRATIVE_VERBS: &[&str] = &[
    "says", "say", "said", "did", "shows", "tells", "tell", "logs", "sure", "clear", "seem", "seems", "know", "knows", "work", "works", "happen", "matter", "want", "need", "see",
    "sees", "saw", "seen", "catches", "caught", "notices", "noticed", "care", "idea", "clue",
];

/// Comparisons, which constrain when a number follows them.
const COMPARATIVES: &[&str] = &[
    "bigger",
    "larger",
    "greater",
    "smaller",
    "less",
    "fewer",
    "more",
    "over",
    "above",
    "under",
    "below",
    "exceeding",
    "exceeds",
    "longer",
    "shorter",
    "slower",
    "faster",
    "least",
    "most",
    "higher",
    "lower",
];

/// Things a program makes or holds, named after a subsystem's name ("netlink sockets").
const OBJECTS: &[&str] = &["socket", "sockets", "connection", "connections", "file", "files", "descriptor", "descriptors", "fd", "fds"];

/// Protocols and families, which narrow an event to theirs.
const PROTOCOLS: &[&str] = &["tcp", "udp", "icmp", "icmpv6", "ipv4", "ipv6", "unix", "sctp", "mptcp", "raw", "netlink", "loopback", "v4", "v6", "ip6"];

// --- Knowledge the reader uses -----------------------------------------------------------------

/// Words that follow a syscall's name and mean the call itself ("the bpf() syscall").
const CALL_WORDS: &[&str] = &["syscall", "syscalls", "call", "calls"];

/// The errno whose message (glibc's `strerror`) the request quotes: "No such file or
/// directory" is ENOENT.
fn errno_by_message(text: &Text) -> Option<(i64, Vec<usize>)> {
    for n in 1..134 {
        // SAFETY: strerror returns a pointer to a static or thread-local string for any number.
        let message = unsafe { std::ffi::CStr::from_ptr(libc::strerror(n)) }.to_string_lossy().to_lowercase();
        if message.starts_with("unknown error") || message.split_whitespace().count() < 2 {
            continue;
        }
        if let Some(mut at) = text.find(&message, 0) {
            // Logs quote the number with it: "(24: Too many open files)".
            if at[0] > 0 && text.lower(at[0] - 1) == n.to_string() {
                at.insert(0, at[0] - 1);
            }
            return Some((n as i64, at));
        }
    }
    None
}

/// The words of the request's story: the sentences before the first one that asks anything (a
/// verb of showing or wanting, a fold, a question). Grounding leaves out a call only the story
/// names when the ask names another ("bind() and connect() get slow when ports run low.
/// Histogram of the time spent inside inet_csk_get_port()").
pub(crate) fn story_words(request: &str) -> Vec<String> {
    let text = Text::new(request);
    // A ticket that labels its ask ("… strace -c says mostly read(). Ask: sample kernel stacks
    // …"): all before the label is the story, whatever its sentences seem to ask.
    if let Some(label) = text.ask_label() {
        return (0..label).map(|i| text.words[i].lower.clone()).collect();
    }
    // Sentence by sentence: `asks` reads a whole sentence.
    let mut start = 0;
    while start < text.len() {
        let end = text.sentence_end(start);
        if text.asks(start) || (start..=end).any(|i| text.is_fold_word(i)) {
            return (0..start).map(|i| text.words[i].lower.clone()).collect();
        }
        start = end + 1;
    }
    Vec::new()
}

/// A TCP state by name (`SYN_SENT`, `TCP_ESTABLISHED`), as `inet_sock_set_state` numbers them.
pub(crate) fn tcp_state(word: &str) -> Option<i64> {
    let name = word.strip_prefix("TCP_").unwrap_or(word);
    let n = match name {
        "ESTABLISHED" => 1,
        "SYN_SENT" => 2,
        "SYN_RECV" => 3,
        "FIN_WAIT1" => 4,
        "FIN_WAIT2" => 5,
        "TIME_WAIT" => 6,
        "CLOSE" if word.starts_with("TCP_") => 7,
        "CLOSE_WAIT" => 8,
        "LAST_ACK" => 9,
        "LISTEN" if word.starts_with("TCP_") => 10,
        "CLOSING" if word.starts_with("TCP_") => 11,
        "NEW_SYN_RECV" => 12,
        _ => return None,
    };
    Some(n)
}

/// An entry of `dataset/specs/events.toml`.
#[derive(Debug, Deserialize)]
struct EventWords {
    words: Vec<String>,
    probes: Vec<String>,
    #[serde(default)]
    ends: Option<End>,
    /// Conditions that make the hook this event (`newstate == 2` for a connection attempt).
    #[serde(default, rename = "where")]
    conditions: Vec<Where>,
    /// What a line about the event shows beside who caused it, when the request names nothing.
    #[serde(default)]
    shows: Vec<String>,
    /// The words name a duration (run queue latency): its time is what is folded or shown.
    #[serde(default)]
    latency: bool,
    /// The syscall behind the event, for what only the call has (its result, an exit code).
    #[serde(default)]
    syscall: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct End {
    probe: String,
    /// The start record's fields that match the end's (`tid`: the thread).
    by: Vec<String>,
    /// The end record's fields, where they are named otherwise.
    #[serde(default)]
    end_by: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Where {
    field: String,
    op: String,
    value: i64,
}

#[derive(Deserialize)]
struct EventFile {
    event: Vec<EventWords>,
}

const EVENTS: &str = include_str!("../../dataset/specs/events.toml");

fn events() -> &'static [EventWords] {
    static PARSED: OnceLock<Vec<EventWords>> = OnceLock::new();
    // Compiled in and parsed by a unit test: a failure here is a build defect.
    PARSED.get_or_init(|| toml::from_str::<EventFile>(EVENTS).expect("dataset/specs/events.toml is valid").event)
}

fn op(s: &str) -> Option<CmpOp> {
    Some(match s {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        _ => return None,
    })
}

/// bpftrace builtins by the names users give them, longest first.
const BUILTINS: &[(&str, Builtin)] = &[
    ("user stack", Builtin::Ustack),
    ("user-space stack", Builtin::Ustack),
    ("kernel stack", Builtin::Kstack),
    ("stack trace", Builtin::Kstack),
    ("call stack", Builtin::Kstack),
    ("process id", Builtin::Pid),
    ("process ids", Builtin::Pid),
    ("pid", Builtin::Pid),
    ("tgid", Builtin::Pid),
    ("thread id", Builtin::Tid),
    ("tid", Builtin::Tid),
    ("thread", Builtin::Tid),
    ("user id", Builtin::Uid),
    ("uid", Builtin::Uid),
    ("user", Builtin::Uid),
    ("group id", Builtin::Gid),
    ("gid", Builtin::Gid),
    ("process name", Builtin::Comm),
    ("command name", Builtin::Comm),
    ("program name", Builtin::Comm),
    ("task name", Builtin::Comm),
    ("comm", Builtin::Comm),
    ("command", Builtin::Comm),
    ("process", Builtin::Comm),
    ("program", Builtin::Comm),
    ("task", Builtin::Comm),
    ("executable", Builtin::Comm),
    ("application", Builtin::Comm),
    ("app", Builtin::Comm),
    ("cpu", Builtin::Cpu),
    ("core", Builtin::Cpu),
    ("processor", Builtin::Cpu),
    ("cgroup", Builtin::Cgroup),
    ("container", Builtin::Cgroup),
    ("ustack", Builtin::Ustack),
    ("backtrace", Builtin::Kstack),
    ("kstack", Builtin::Kstack),
    ("stack", Builtin::Kstack),
];

/// Nouns that make a builtin's word before them part of a thing's name ("container runtime",
/// "process manager", "app server").
const COMPOUND_HEADS: &[&str] = &[
    "runtime",
    "runtimes",
    "engine",
    "engines",
    "manager",
    "managers",
    "orchestrator",
    "orchestrators",
    "platform",
    "platforms",
    "image",
    "images",
    "registry",
    "registries",
    "server",
    "servers",
    "runner",
    "runners",
    "tree",
    "trees",
    "scheduler",
    "schedulers",
    "team",
    "teams",
];

/// Labels a ticket puts before its ask ("Ask: …", "Want: …").
const ASK_LABELS: &[&str] = &["ask", "want", "need", "request", "goal", "question"];

/// What a tool is said to do with what it saw ("top shows", "strace says").
const TOOL_VERBS: &[&str] = &["shows", "showed", "says", "said", "reports", "reported", "lists", "displays", "prints"];

/// Words that set root aside before it ("not root", "leaving out root"); the checker's test of
/// a program's `uid != 0` reads the same ones. `TAKES_OUT` are said with "out".
pub(crate) const SETS_ASIDE: &[&str] =
    &["not", "t", "no", "nothing", "skip", "skipping", "exclude", "excludes", "excluding", "ignore", "ignores", "ignoring", "except", "without", "drop", "omit", "omitting"];
pub(crate) const TAKES_OUT: &[&str] = &["leave", "leaves", "leaving", "left", "filter", "filtering", "filtered", "drop", "dropping", "take", "taking"];

/// Builtins by the names only a program or a stack gives them: said, and read by nothing, they
/// constrain.
const SPELLED_BUILTINS: &[&str] = &["comm", "pid", "tid", "tgid", "uid", "gid", "kstack", "ustack", "backtrace"];

/// Words that say whose value it is or which state a task is in ("keyed by the name of the task
/// that was switched out and the name of the task that got the CPU", "while it is still
/// runnable"): said in the ask and read by nothing, a key or a condition fell out.
const VALUE_OR_STATE: &[&str] = &["name", "names", "runnable", "uninterruptible", "interruptible", "preempted", "zombie", "zombies", "sleeping"];

/// Kinds of record fields, by the nouns users give them (without plurals), and the field names
/// that hold each (the first the record has wins).
const KINDS: &[(&[&str], &[&str])] = &[
    (
        &["binary path", "executable path", "program path", "library path", "full path", "file name", "filename", "pathname", "path", "file", "directory", "dir", "folder"],
        // (dlopen()'s `file`, a string: a path.)
        &["filename", "pathname", "path", "name", "newname", "file"],
    ),
    (&["byte count", "size", "byte", "length", "len", "amount"], &["count", "len", "size", "bytes", "nr_bytes", "bytes_alloc", "bytes_req", "length"]),
    (&["return value", "return code", "retval", "ret", "result", "return"], &["ret", "rc", "retval", "result"]),
    (&["exit status", "exit code", "status"], &["error_code", "status", "exit_code", "code"]),
    (&["signal number", "signal", "sig"], &["sig", "signr", "signo"]),
    (&["source port", "local port", "sport"], &["sport", "lport"]),
    (&["destination port", "dest port", "remote port", "dport"], &["dport", "rport"]),
    (&["port"], &["dport", "sport", "port", "lport", "rport"]),
    (&["source address", "source ip", "local address", "saddr"], &["saddr", "src"]),
    (&["destination address", "destination ip", "dest address", "remote address", "remote ip", "daddr", "destination", "peer"], &["daddr", "dst"]),
    // A memory range's address is its `start` (mprotect, madvise).
    (&["address", "ip"], &["daddr", "saddr", "addr", "start"]),
    (&["block device", "device", "disk", "drive"], &["dev", "device", "disk", "name"]),
    (&["interface", "nic", "netdev"], &["name", "dev", "ifindex"]),
    // A directory's fd: openat's `dfd`; execveat calls it `fd`.
    (&["directory fd", "dir fd", "dirfd", "dfd"], &["dfd", "dirfd", "fd"]),
    (&["file descriptor", "descriptor", "fd"], &["fd"]),
    (&["file offset", "offset", "position"], &["pos", "offset", "off", "loff", "ppos"]),
    // An I/O vector's length: readv's `vlen`, process_vm_readv's `liovcnt`/`riovcnt`.
    (&["iovec", "io vector"], &["vlen", "iovcnt", "liovcnt", "riovcnt"]),
    (&["open flags", "open flag"], &["oflag", "flags"]),
    // A socket option is named by a number (setsockopt's `optname`).
    (&["option number", "option name", "option"], &["optname"]),
    (&["instruction pointer", "program counter"], &["ip", "pc"]),
    // Where in the kernel an event happened: consume_skb's `location`, kmalloc's `call_site`.
    (&["kernel function", "call site", "callsite", "code location"], &["location", "call_site", "ip", "function", "func"]),
    (&["permission", "access mode", "mode"], &["mode"]),
    (&["syscall number", "syscall id", "syscall"], &["id", "nr"]),
    // An exec's argument list (`argv`, printed with join()).
    (&["argument list", "arg list", "command line", "argv"], &["argv"]),
    // ioctl(2) calls its second argument the request; the record calls it `cmd`.
    (&["request code", "request number", "command number", "command code"], &["cmd"]),
];

/// Word forms that name a field's parts: `addr` is written "address".
const SYNONYMS: &[(&str, &str)] = &[
    ("addr", "address"),
    ("dev", "device"),
    ("len", "length"),
    ("nr", "number"),
    ("sig", "signal"),
    ("cap", "capability"),
    ("ino", "inode"),
    ("rq", "request"),
    ("req", "request"),
    ("prot", "protection"),
    ("vec", "vector"),
    ("sk", "socket"),
    ("skb", "packet"),
    ("irq", "interrupt"),
    ("tb", "table"),
    ("cpu", "processor"),
    ("nid", "node"),
    ("msg", "message"),
    ("ctx", "context"),
    ("blk", "block"),
    ("pkt", "packet"),
    ("buf", "buffer"),
    ("freq", "frequency"),
    ("src", "source"),
    ("dst", "destination"),
    ("arg", "argument"),
    ("mnt", "mount"),
    ("proto", "protocol"),
    ("fmt", "format"),
];

/// Words that point at the event's object rather than the task that caused it: "the target
/// pid", "to which process", "the victim".
const TARGET: &[&str] = &["target", "targeted", "victim", "receiver", "recipient", "receiving", "woken", "killed", "signalled", "signaled", "destination"];

/// Words for the task that caused the event, which the builtins read: "the sender process",
/// "the uid of the caller".
const CAUSE: &[&str] = &[
    "sender",
    "sending",
    "caller",
    "calling",
    "requester",
    "requesting",
    "issuer",
    "issuing",
    "source",
    "originating",
    "initiating",
    "initiator",
    "culprit",
    "offender",
    "waker",
    "wakers",
];

/// Verbs of a task that causes an event done to another ("which processes send signals", "tasks
/// that wake others").
const ACTING: &[&str] = &[
    "send", "sends", "sending", "wake", "wakes", "waking", "kill", "kills", "killing", "signal", "signals", "migrate", "migrates", "raise", "raises", "trigger", "triggers",
    "cause", "causes",
];

/// Fields that say what an event is about, to count by when a request asks "which timers"
/// or "which workqueue functions".
const IDENTITY: &[&str] = &["function", "call_site", "name", "ip", "func", "handler", "action", "reason", "id"];

/// Nouns of an amount: with keys and no fold named, events are summed ("bytes written per process").
const AMOUNT: &[&str] = &["bytes", "byte", "memory", "data", "traffic", "throughput", "volume"];
/// Nouns of a size: with keys and no fold named, a histogram ("request sizes per disk").
const SIZES: &[&str] = &["size", "sizes", "length", "lengths"];

// --- The event ---------------------------------------------------------------------------------

/// The event as the words name it.
#[derive(Debug, Clone)]
enum Event {
    /// Syscalls by name, the calls libc makes for them first (`unlinkat` before `unlink`).
    Syscalls(Vec<String>),
    /// Hooks with the same fields, and what the event vocabulary says of them.
    Hooks { probes: Vec<String>, end: Option<(String, PairKey)>, conditions: Vec<Where>, shows: Vec<String>, latency: bool, syscall: Option<String> },
}

impl Event {
    fn hook(probe: String, catalog: &Catalog) -> Event {
        let end = end_of(&probe, catalog);
        Event::Hooks { probes: vec![probe], end, conditions: vec![], shows: vec![], latency: false, syscall: None }
    }

    /// The hooks it is read at (a syscall's entry).
    fn probes(&self) -> Vec<String> {
        match self {
            Event::Syscalls(names) => names.iter().map(|n| format!("tracepoint:syscalls:sys_enter_{n}")).collect(),
            Event::Hooks { probes, .. } => probes.clone(),
        }
    }
}

pub(super) fn syscall_of(probe: &str) -> Option<&str> {
    probe.strip_prefix("tracepoint:syscalls:sys_enter_").or_else(|| probe.strip_prefix("tracepoint:syscalls:sys_exit_"))
}

/// Whether a word names a value (a file, a process, a size): an event's phrase leaves it to be
/// read as what to show ("log every file that gets deleted" shows the file).
/// Whether `w` is the name of one of the record's fields (`names`), or the part before its
/// underscore ("parent" of `parent_pid`, "timeout" of `timeout_msecs`).
fn names_a_field(names: &[String], w: &Word) -> bool {
    names.iter().any(|f| *f == w.lower && f.len() > 2)
        || (w.lower.len() >= 5 && w.lower != "common" && names.iter().any(|f| f.strip_prefix(w.lower.as_str()).is_some_and(|rest| rest.len() > 1 && rest.starts_with('_'))))
}

fn value_noun(w: &Word) -> bool {
    KINDS.iter().any(|(nouns, _)| nouns.contains(&w.light.as_str())) || BUILTINS.iter().any(|(n, _)| *n == w.light)
}

/// Marks an event's words as read, leaving its value nouns to be read again.
fn read_event(text: &mut Text, phrase: &[usize], means: String) {
    // Words inside the phrase describe the event too ("block device I/O", "files that get
    // opened"), but not a question's subject or a program's name ("what files does bash open").
    let named = |i: usize, w: &Word| i > 0 && ["does", "do", "did"].contains(&text.lower(i - 1)) && !everyday(w);
    let mut at: Vec<usize> = match (phrase.iter().min(), phrase.iter().max()) {
        (Some(&a), Some(&b)) if b - a < 5 => (a..=b).filter(|&i| phrase.contains(&i) || (!text.used(i) && !named(i, &text.words[i]))).collect(),
        _ => phrase.to_vec(),
    };
    // "in kernel mode", "from user space": the side the phrase names, said in two words.
    for i in at.clone() {
        if text.is(i, &["kernel", "user"]) && text.is(i + 1, &["mode", "space", "side", "context", "land"]) && !text.used(i + 1) {
            at.push(i + 1);
        }
    }
    if let (Some(&a), Some(&b)) = (phrase.iter().min(), phrase.iter().max()) {
        let left: Vec<usize> = (a..=b).filter(|i| !at.contains(i) && !text.used(*i) && named(*i, &text.words[*i])).collect();
        text.inside.extend(left);
    }
    let at = &at[..];
    // A value noun that another of the phrase follows modifies it ("file permissions"): the
    // event's. Others are left to be read as what to show ("every file that gets deleted").
    let modifier = |i: usize| phrase.contains(&(i + 1)) && value_noun(&text.words[i + 1]);
    let keep: Vec<usize> = at.iter().copied().filter(|&i| !value_noun(&text.words[i]) || modifier(i)).collect();
    text.event_nouns.extend(at.iter().copied().filter(|i| !keep.contains(i)));
    text.event_at.extend(at);
    let all = at.to_vec();
    text.read(&keep, means);
    // The words still count as said by the event for what they are.
    if let Some(s) = text.said.last_mut() {
        s.words = all.iter().map(|&i| text.words[i].raw.clone()).collect::<Vec<_>>().join(" ");
    }
}

/// Where an evidence word is first written: a word ("mmap()"), or a phrase's words in a row
/// ("ext4 zero range" in "ext4 zero-range").
fn phrase_at(text: &Text, word: &str) -> Vec<usize> {
    let parts: Vec<&str> = word.split(' ').collect();
    (0..text.len()).find(|&i| parts.iter().enumerate().all(|(k, p)| i + k < text.len() && text.writes(i + k, p))).map(|i| (i..i + parts.len()).collect()).unwrap_or_default()
}

/// A constant's spelling: `FALLOC_FL_ZERO_RANGE`, `MFD_HUGETLB`.
fn constant_word(w: &str) -> bool {
    w.contains('_') && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Words that name a tracepoint again, beyond the phrase that found it: its category alone
/// ("watch that land in ext4"), a constant that ends in the rest of its name
/// (`FALLOC_FL_INSERT_RANGE` for `ext4_insert_range`), and the kernel's identifier for the thing
/// in an aside, one of whose parts is the category ("kernel timers (timer_list)").
fn event_own_words(text: &Text, probe: &str) -> Vec<usize> {
    let mut parts = probe.splitn(3, ':').skip(1);
    let (Some(category), Some(name)) = (parts.next(), parts.next()) else { return vec![] };
    let rest = name.strip_prefix(&format!("{category}_")).unwrap_or(name);
    (0..text.len())
        .filter(|&i| {
            let w = &text.words[i];
            // "by workqueue" keys by a field of that name.
            // "by process and capability number": a value of the event, listed among keys.
            let key = i > 0 && text.is(i - 1, &["by", "per", "each", "every"])
                || text.is(i + 1, &["number", "numbers", "id", "ids", "value", "values"])
                || (i > 1 && text.is(i - 1, &["and"]) && (i.saturating_sub(5)..i - 1).any(|k| text.is(k, &["by", "per"]) && (k..i).all(|j| !text.words[j].ends)));
            // Only right after the thing's own word ("timers (timer_list)"): a callback's name
            // in an aside ("the keepalive one (tcp_keepalive_timer)") says which timer.
            let after_category = text.aside_of(i).is_some_and(|(first, _)| first > 0 && (text.lower(first - 1) == category || text.words[first - 1].light == category));
            let identifier =
                after_category && w.raw.contains('_') && w.raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') && w.raw.split('_').any(|p| p == category);
            !w.used && ((w.lower == category && !key) || (constant_word(&w.raw) && w.lower.ends_with(&format!("_{rest}"))) || identifier)
        })
        .collect()
}

/// Reads what names the event without being one of its names: a call said to be not what is
/// meant ("futex_wait() (not the old futex())", "instead of select()"), which grounding left out,
/// and the event's family by its version ("the new futex2 futex_wait() syscall").
fn not_meant(text: &mut Text, grounding: &Grounding, catalog: &Catalog) {
    let grounded = |name: &str| grounding.events.iter().any(|e| syscall_of(&e.probe) == Some(name) || e.probe.ends_with(&format!(":{name}")));
    for i in 0..text.len() {
        let from = if text.is(i, &["not"]) {
            i + 1
        } else if text.is(i, &["instead", "rather"]) && text.is(i + 1, &["of", "than"]) {
            i + 2
        } else {
            continue;
        };
        let mut j = from;
        while j < text.len() && (text.is(j, &["the", "a", "an"]) || text.is(j, crate::ground::NOT_MEANT_QUALIFIERS)) && j < from + 3 {
            j += 1;
        }
        let Some(w) = text.words.get(j) else { continue };
        let name = w.lower.trim_end_matches("()").to_string();
        let known = catalog.find(&format!("tracepoint:syscalls:sys_enter_{name}")).is_some() || catalog.find(&format!("kprobe:{name}")).is_some();
        // "futex_requeue (the futex2 syscall, not FUTEX_CMP_REQUEUE)": a constant of a field the
        // grounded events do not have names the other call's operation.
        let other_call = constant_fields(&w.raw).is_some_and(|fields| {
            let hooks: Vec<&crate::kernel::Hook> = grounding.events.iter().filter_map(|e| catalog.find(&e.probe)).collect();
            !hooks.is_empty() && !hooks.iter().any(|h| h.fields.iter().any(|f| fields.contains(&f.name.as_str())))
        });
        if !text.used(j) && ((known && !grounded(&name)) || other_call) {
            text.read(&(i..=j).collect::<Vec<_>>(), "named as not what is meant");
        }
    }
    read_told(text, grounding);
    let firsts: Vec<String> = grounding.events.iter().filter_map(|e| syscall_of(&e.probe)).filter_map(|s| s.split('_').next().map(str::to_string)).collect();
    for i in 0..text.len() {
        let w = &text.words[i].lower;
        let stem = w.trim_end_matches(|c: char| c.is_ascii_digit());
        // The catalog's lookup is a scan: asked last, for the few words that could be a version.
        let versioned = !text.used(i) && stem.len() >= 3 && stem.len() < w.len() && firsts.iter().any(|f| f == stem);
        if versioned && catalog.find(&format!("tracepoint:syscalls:sys_enter_{}", w.trim_end_matches("()"))).is_none() {
            // "the futex2 syscall": the call word goes with it.
            let at: Vec<usize> = if text.is(i + 1, CALL_WORDS) && !text.used(i + 1) { vec![i, i + 1] } else { vec![i] };
            text.read(&at, "the event's family, by its version");
        }
    }
}

/// What grounding found named as the setting: calls only the story names, beside the one the
/// ask names, a category beside its own event, and a setting named like a call ("'madvise'
/// mode").
fn read_told(text: &mut Text, grounding: &Grounding) {
    let told: Vec<&str> = grounding.told.iter().filter_map(|g| g.evidence.name()).collect();
    for i in 0..text.len() {
        if !text.used(i) && told.contains(&text.words[i].lower.trim_end_matches("()")) {
            text.read(&[i], "the setting, not what is asked");
        }
    }
}

/// The event of the request.
fn event(text: &mut Text, grounding: &Grounding, catalog: &Catalog) -> Result<Event, Unsettled> {
    if grounding.events.is_empty() {
        read_told(text, grounding);
        text.everyday = true;
        return everyday_event(text, catalog);
    }
    not_meant(text, grounding, catalog);
    // "through glibc", "inside libc": where the function is, said of the uprobe's library.
    let on_libc = |p: &str| p.strip_prefix("uprobe:").and_then(|t| t.rsplit_once(':')).is_some_and(|(binary, _)| crate::kernel::uprobe::is_c_library(std::path::Path::new(binary)));
    if grounding.events.iter().any(|e| on_libc(&e.probe)) {
        let library: Vec<usize> = (0..text.len())
            .filter(|&i| !text.used(i) && text.is(i, crate::ground::C_LIBRARY_WORDS))
            .flat_map(|i| [i.checked_sub(1).filter(|&b| !text.used(b) && text.is(b, &["through", "from", "in", "inside", "via", "using", "of"])), Some(i)])
            .flatten()
            .collect();
        if !library.is_empty() {
            text.read(&library, "the C library, where the function is");
        }
    }
    // "(libc uprobe)", "the sched_switch tracepoint": the kind of hook the grounded events are.
    let kinds: Vec<&str> = grounding.events.iter().filter_map(|e| e.probe.split(':').next()).collect();
    let kind_words: Vec<usize> =
        (0..text.len()).filter(|&i| !text.used(i) && kinds.iter().any(|k| text.words[i].light == *k || (*k == "uprobe" && text.words[i].light == "uretprobe"))).collect();
    if !kind_words.is_empty() {
        text.read(&kind_words, "the kind of hook");
    }
    let words: Vec<String> = grounding
        .events
        .iter()
        .flat_map(|e| match &e.evidence {
            Evidence::Named { word } | Evidence::Libc { word, .. } | Evidence::Subsystem { word, .. } => vec![word.clone()],
            Evidence::Counter { words } | Evidence::Described { words, .. } | Evidence::Sampling { words, .. } => words.clone(),
            // Values to show, not the event's words.
            Evidence::Fields { .. } => vec![],
        })
        .collect();
    // The first place each evidence word is written ("capability checks by capability number":
    // the second is a field's); a phrase's words all ("ext4 zero range").
    let at: Vec<usize> = words.iter().flat_map(|w| phrase_at(text, w)).fold(Vec::new(), |mut v, i| {
        if !v.contains(&i) {
            v.push(i);
        }
        v
    });
    // "execs per process": a description's word after "per" or "by" is the key, not the event.
    let at: Vec<usize> = at
        .into_iter()
        .filter(|&i| {
            !(i > 0
                && text.is(i - 1, &["per", "by", "each", "every"])
                && text
                    .is(i, &["process", "processes", "task", "tasks", "program", "programs", "thread", "threads", "cpu", "cpus", "user", "users", "uid", "pid", "command", "comm"]))
        })
        .collect();
    // A syscall family counts as one event.
    let syscalls: Vec<String> = grounding.events.iter().filter_map(|e| syscall_of(&e.probe).map(str::to_string)).collect();
    if syscalls.len() == grounding.events.len() {
        let mut family: Vec<String> = Vec::new();
        for s in syscalls {
            if !family.contains(&s) {
                family.push(s);
            }
        }
        // Some named in a sentence that asks, the others only in sentences that do not ("my
        // kill() tracing never sees them. Show every pidfd_send_signal"): the ones asked for.
        let said_at = |name: &str| -> Vec<usize> {
            let words: Vec<&str> = grounding.events.iter().filter(|e| syscall_of(&e.probe) == Some(name)).filter_map(|e| e.evidence.name()).collect();
            (0..text.len()).filter(|&i| words.iter().any(|w| text.writes(i, w))).collect()
        };
        let asked: Vec<String> = family.iter().filter(|s| said_at(s).iter().any(|&i| text.asks(i))).cloned().collect();
        // "plain dup() calls": that call, not the ones libc makes for it beside it.
        let plain: Vec<(String, usize)> = family
            .iter()
            .flat_map(|n| said_at(n).into_iter().filter(|&i| i > 0 && text.is(i - 1, &["plain", "classic", "original", "bare", "vanilla"])).map(|i| (n.clone(), i - 1)))
            .collect();
        // Only the background before the ask; "Also pwrite64." adds one.
        let first_ask = (0..text.len()).find(|&i| text.asks(i)).map_or(0, |i| text.sentence_start(i));
        let background = family.iter().filter(|s| !asked.contains(s)).all(|s| said_at(s).iter().all(|&i| i < first_ask));
        let mut at = at;
        if background
            && !text.has(&["also", "too", "well", "same"])
            && family.len() > 1
            && !one_family(&family)
            && !asked.is_empty()
            && asked.len() < family.len()
            && family.iter().all(|s| !said_at(s).is_empty())
        {
            let story: Vec<usize> = family.iter().filter(|s| !asked.contains(s)).flat_map(|s| said_at(s)).collect();
            text.read(&story, "named in the story, not asked for");
            at.retain(|i| !story.contains(i));
            family = asked;
        }
        if family.len() > 1 && !one_family(&family) {
            let gap = format!("the request names several syscalls ({}); a plan has one event", family.join(", "));
            // "time(), utime() or utimes() syscalls": the list's own word for them.
            let called: Vec<usize> = at.iter().map(|&i| i + 1).filter(|&k| text.is(k, CALL_WORDS) && !at.contains(&k)).collect();
            at.extend(called);
            read_event(text, &at, format!("the {} syscalls", family.join("/")));
            return Err(Unsettled { gap, among: Some(Box::new(Event::Syscalls(family.clone()))), named: vec![], apart: Some(Box::new((vec![], Event::Syscalls(family)))) });
        }
        // The calls libc makes for it too (`chown`: fchownat, chown, lchown); asked for its
        // variants ("getxattr and friends, the l- and f- variants"), the call on a descriptor too.
        const VARIANTS: &[&str] = &["variants", "variant", "friends", "flavors", "flavours", "siblings", "cousins"];
        let variants: Vec<usize> = (0..text.len()).filter(|&i| !text.used(i) && text.is(i, VARIANTS)).collect();
        if !plain.is_empty() {
            text.read(&plain.iter().map(|(_, i)| *i).collect::<Vec<_>>(), "the call itself, not its variants");
        }
        for n in family.clone().into_iter().filter(|n| !plain.iter().any(|(p, _)| p == n)) {
            let on_fd = format!("f{n}");
            let fd_call = (!variants.is_empty() && catalog.find(&format!("tracepoint:syscalls:sys_enter_{on_fd}")).is_some()).then_some(on_fd);
            for f in family_here(&n, catalog).into_iter().chain(fd_call) {
                if !family.contains(&f) && one_family(&[n.clone(), f.clone()]) {
                    family.push(f);
                }
            }
        }
        if family.len() > 1 {
            at.extend(variants);
        }
        // "the bpf() syscall", "write calls": the syscall's own words.
        // Named again with those words ("jobs wrapped in flock(1) … each flock() syscall"): the
        // same call.
        let named_at = |i: usize| words.iter().any(|w| text.writes(i, w));
        let mut at: Vec<usize> = at.iter().copied().chain((0..text.len()).filter(|&i| !at.contains(&i) && named_at(i) && text.is(i + 1, CALL_WORDS))).collect();
        for i in at.clone() {
            if text.is(i + 1, CALL_WORDS) {
                at.push(i + 1);
            }
        }
        read_event(text, &at, format!("the {} syscall", family.join("/")));
        return Ok(Event::Syscalls(family));
    }
    let specific: Vec<String> = grounding
        .events
        .iter()
        .flat_map(|e| match &e.evidence {
            Evidence::Described { hooks, .. } | Evidence::Fields { hooks, .. } => hooks.clone(),
            _ if !e.probe.ends_with('*') => vec![e.probe.clone()],
            _ => vec![],
        })
        // (A sampling rate is any number: `profile:hz:99` is no catalog entry.)
        .filter(|p| catalog.find(p).is_some() || p.starts_with("profile:"))
        .fold(Vec::new(), |mut v, p| {
            if !v.contains(&p) {
                v.push(p);
            }
            v
        });
    // Events only described (the best matches of a few words) yield to an everyday phrase of two
    // words or more the vocabulary knows ("semaphore operations" are semop's, not the "locks"
    // that matched `lock:contention_begin`).
    // Not a phrase that shares a word with the description ("tcp congestion state changes" is
    // `tcp_cong_state_set`'s, whatever "state changes" alone would be).
    if grounding.events.iter().all(|e| matches!(e.evidence, Evidence::Described { .. })) {
        let mut probe_text = text.clone();
        if let Ok(e) = everyday_event(&mut probe_text, catalog) {
            let read: Vec<usize> = (0..text.len()).filter(|&i| probe_text.used(i) && !text.used(i)).collect();
            let shared = read.iter().any(|&i| words.iter().any(|w| light(w) == text.words[i].light || w.as_str() == text.lower(i)));
            // Not a phrase of the story before the ask ("Opens on our file server sometimes
            // hang … Measure how long each opener stays blocked, from the lease-break block to
            // the unblock"), unless said again where the request asks ("uses SysV semaphores …
            // Show me semaphore operations per second"); a bare phrase with no sentence that
            // asks ("Semaphore operations per second") asks in each.
            let asking: Vec<usize> = (0..text.len()).filter(|&k| text.asks(k)).collect();
            let asked = asking.is_empty() || read.iter().any(|&i| asking.iter().any(|&k| text.words[k].light == text.words[i].light));
            if read.len() >= 2 && !shared && asked && !e.probes().iter().any(|p| specific.contains(p)) {
                *text = probe_text;
                return Ok(e);
            }
        }
    }
    // A tracepoint named by the parts of its name beside syscalls named by one word ("watch
    // fallocate(FALLOC_FL_ZERO_RANGE) land in ext4 … every ext4 zero-range operation", "opting
    // into KSM (via madvise …) … each time an mm enters KSM"): the phrase names the event asked,
    // the calls how it comes about.
    let phrased: Vec<&crate::ground::Grounded> = grounding.events.iter().filter(|e| matches!(&e.evidence, Evidence::Named { word } if word.contains(' '))).collect();
    if let [one] = phrased.as_slice() {
        let calls: Vec<&String> = specific.iter().filter(|p| **p != one.probe).collect();
        if !calls.is_empty() && calls.iter().all(|p| p.starts_with("tracepoint:syscalls:")) && !text.has(&["also", "too", "both"]) {
            let call_words: Vec<usize> = grounding
                .events
                .iter()
                .filter(|e| calls.contains(&&e.probe))
                .flat_map(|e| e.evidence.name().map_or(vec![], |word| (0..text.len()).filter(|&i| text.writes(i, word)).collect()))
                .collect();
            // Only calls told as the way there: in an aside, after "via"/"with"/"using", or in
            // another sentence ("count openat() calls and KVM exits" asks for both).
            let Evidence::Named { word } = &one.evidence else { unreachable!("filtered to named") };
            let phrase = phrase_at(text, word);
            let told_apart = |i: usize| {
                text.words[i].aside
                    || (i > 0 && text.is(i - 1, &["via", "with", "using", "through", "by"]))
                    || phrase.first().is_some_and(|&p| text.sentence_start(p) != text.sentence_start(i))
            };
            if !call_words.is_empty() && call_words.iter().all(|&i| told_apart(i)) {
                // With the flag it was called with ("fallocate(FALLOC_FL_ZERO_RANGE)").
                let flags: Vec<usize> = call_words.iter().map(|i| i + 1).filter(|&i| i < text.len() && constant_word(&text.words[i].raw)).collect();
                text.read(&call_words, "how the event comes about, not the event asked");
                text.read(&flags, "how the event comes about, not the event asked");
                let mut at = phrase;
                at.extend(event_own_words(text, &one.probe));
                read_event(text, &at, one.probe.clone());
                return Ok(Event::hook(one.probe.clone(), catalog));
            }
        }
    }
    if specific.len() == 1 {
        // A subsystem said by its name alone, whose one event here is about something the words
        // never say ("open netlink sockets": `netlink_extack` reports an extended ack): the
        // subsystem is not the event.
        let category = specific[0].strip_prefix("tracepoint:").and_then(|p| p.split(':').next()).unwrap_or_default();
        let by_category_name = grounding.events.iter().all(|e| matches!(&e.evidence, Evidence::Described { words, .. } if words.iter().all(|w| stem(w) == stem(category))));
        let own: Vec<&str> = specific[0]
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .split('_')
            .filter(|p| p.len() >= 3 && *p != category && !["enter", "exit", "entry", "start", "end", "begin", "done"].contains(p))
            .collect();
        // ("capability checks" say `cap_capable`: a word and a part with one beginning.)
        let begins = |w: &str, p: &str| w.starts_with(p) || w.get(..5).is_some_and(|b| p.get(..5) == Some(b));
        let says_own = (0..text.len()).any(|i| own.iter().any(|p| text.words[i].root == root(p) || begins(&text.words[i].lower, p)));
        // Only where the words go on to name another thing ("netlink sockets"); "printk
        // calls", "NMIs per CPU" are the subsystem's event.
        let object = (0..text.len()).any(|i| stem(text.lower(i)) == stem(category) && text.is(i + 1, OBJECTS));
        if by_category_name && !own.is_empty() && !says_own && object {
            return Err(format!("the request names the {category} subsystem, and its only event here ({}) is not what its words say", specific[0]).into());
        }
        // The event named by its identifier and said again in words, two of its parts together
        // ("queue_work … the most work queued"): those are the event's words too. One part alone
        // ("by workqueue", "slab caches") may be a field or another thing.
        let mut at = at;
        let parts: Vec<String> = words.iter().filter(|w| w.contains('_')).flat_map(|w| w.split('_').filter(|p| p.len() >= 3).map(root).collect::<Vec<_>>()).collect();
        let part = |i: usize| i < text.len() && !at.contains(&i) && !text.used(i) && parts.contains(&text.words[i].root);
        let again: Vec<usize> = (0..text.len()).filter(|&i| part(i) && ((part(i + 1) && !text.words[i].ends) || (i > 0 && part(i - 1) && !text.words[i - 1].ends))).collect();
        at.extend(again);
        for i in event_own_words(text, &specific[0]) {
            if !at.contains(&i) {
                at.push(i);
            }
        }
        read_event(text, &at, specific[0].clone());
        return Ok(Event::hook(specific[0].clone(), catalog));
    }
    // A span the words mark out by other events of the same subsystem ("how long does each
    // hrtimer wait from start until it expires": `hrtimer_start` to `hrtimer_expire_entry`,
    // not the expiry's own entry and exit the words found).
    if let Some((start, end, key, conditions)) = spanned(text, &specific, catalog) {
        read_event(text, &at, format!("from {start} to {end}"));
        return Ok(Event::Hooks { probes: vec![start], end: Some((end, key)), conditions, shows: vec![], latency: true, syscall: None });
    }
    // An event's start and its end ("mm_shrink_slab_start → mm_shrink_slab_end"): one event,
    // which has an end.
    if let [a, b] = specific.as_slice() {
        let pair = [(a, b), (b, a)].into_iter().find(|(s, e)| end_of(s, catalog).is_some_and(|(end, _)| end == **e));
        if let Some((start, _)) = pair {
            read_event(text, &at, start.clone());
            let mut event = Event::hook(start.clone(), catalog);
            // "… to ext4_ext_remove_space_done for the same inode".
            if let Event::Hooks { end: Some((end, key)), .. } = &mut event {
                if let Some(said) = said_key(text, start, end, catalog) {
                    *key = said;
                }
            }
            return Ok(event);
        }
    }
    // Two events of one subsystem, and the time from one to the other asked ("when the kernel
    // generates a signal, how long until the task has it delivered"): a start and its end.
    if let [a, b] = specific.as_slice() {
        if let Some((start, end, key, conditions)) = linked(text, grounding, [a, b], catalog) {
            // What both are about, said beside them or the time asked ("hrtimer latency").
            let (pa, pb) = (crate::ground::name_parts(a), crate::ground::name_parts(b));
            let both: Vec<String> = pa.intersection(&pb).cloned().collect();
            let part_of_either = |i: usize| text.words.get(i).is_some_and(|w| pa.union(&pb).any(|p| crate::ground::same_part(&stem(&w.lower), p)));
            let mut at = at;
            for i in 0..text.len() {
                let beside = text.is(i + 1, LATENCY) || part_of_either(i + 1) || at.contains(&(i + 1)) || (i > 0 && at.contains(&(i - 1)));
                if !text.used(i) && beside && both.iter().any(|p| crate::ground::same_part(&stem(&text.words[i].lower), p)) {
                    at.push(i);
                }
            }
            // A time was asked (`linked` reads a pair only then): the pair's span is it, whatever
            // word the event's name took ("time" is a prefix of `timer`).
            read_event(text, &at, format!("from {start} to {end}"));
            return Ok(Event::Hooks { probes: vec![start], end: Some((end, key)), conditions, shows: vec![], latency: true, syscall: None });
        }
    }
    if specific.len() > 1 {
        // Close names found by the words (not each named by the request) told apart by a word of
        // one's own name, said outside an aside.
        let described = grounding.events.iter().all(|e| matches!(e.evidence, Evidence::Described { .. } | Evidence::Fields { .. }));
        if let Some(one) = told_apart(text, &specific).filter(|_| described) {
            read_event(text, &at, one.clone());
            return Ok(Event::hook(one, catalog));
        }
        // Which of them, the everyday words for events may say ("lock contention").
        let mut probe_text = text.clone();
        if let Ok(Event::Hooks { probes, end, conditions, shows, latency, syscall }) = everyday_event(&mut probe_text, catalog) {
            if probes.iter().all(|p| specific.contains(p)) {
                *text = probe_text;
                text.mark(&at);
                return Ok(Event::Hooks { probes, end, conditions, shows, latency, syscall });
            }
        }
        let gap = format!("the request names several events ({}); a plan has one", specific.join(", "));
        // The rest can still be read against what the hooks' records share: what to show, key
        // by and test ("kcompactd wakeups by requested order").
        read_event(text, &at, specific.join(" or "));
        // Each named by its own name ("timer_start + hrtimer_start"): the request asks for all of
        // them, which a plan can count or show apart.
        let each_named = grounding.events.iter().all(|e| matches!(&e.evidence, Evidence::Named { word } if word.contains('_') && e.probe.ends_with(word.as_str())));
        let among = Event::Hooks { probes: specific, end: None, conditions: vec![], shows: vec![], latency: false, syscall: None };
        let apart = each_named.then(|| Box::new((vec![], among.clone())));
        return Err(Unsettled { gap, among: Some(Box::new(among)), named: vec![], apart });
    }
    // A category (a subsystem, `io_uring`): which of its events, its hooks' names may say.
    let mut categories: Vec<&str> = grounding.events.iter().filter_map(|e| e.probe.strip_prefix("tracepoint:").and_then(|c| c.strip_suffix(":*"))).collect();
    categories.dedup();
    // Only the categories whose events the most words name ("mballoc allocation" of ext4's,
    // not "extents" of jbd2's `handle_extend`).
    let scores: Vec<(usize, Option<Named>)> = categories.iter().filter_map(|c| within_category(text, c, catalog)).collect();
    let most = scores.iter().map(|(n, _)| *n).max().unwrap_or(0);
    let leading: Vec<&Option<Named>> = scores.iter().filter(|(n, _)| *n == most).map(|(_, one)| one).collect();
    if let [Some((probe, taken))] = leading[..] {
        text.mark(&at);
        let mut all = at.clone();
        all.extend(taken.iter().copied());
        read_event(text, &all, probe.clone());
        return Ok(Event::hook(probe.clone(), catalog));
    }
    if leading.is_empty() && !categories.is_empty() {
        let mut probe_text = text.clone();
        probe_text.mark(&at);
        if let Ok(Event::Hooks { probes, end, conditions, shows, latency, syscall }) = everyday_event(&mut probe_text, catalog) {
            if probes.iter().all(|p| categories.iter().any(|c| p.starts_with(&format!("tracepoint:{c}:")))) {
                *text = probe_text;
                return Ok(Event::Hooks { probes, end, conditions, shows, latency, syscall });
            }
        }
    }
    Err(format!("the request is about {}, and its words do not say which of those events", grounding.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>().join(", ")).into())
}

/// Why the words settle no one event, and the hooks or syscalls they leave it between, when
/// the rest can still be read against the fields those share.
struct Unsettled {
    gap: String,
    among: Option<Box<Event>>,
    /// Events the words name each ("after a fork, how long until … exec"): a program traces
    /// every one of them.
    named: Vec<NamedHooks>,
    /// Distinct events named side by side ("mkdir and rmdir calls", "directories created and
    /// removed"): the words' places, and the events together, which a plan may still count or
    /// show each apart, by probe.
    apart: Option<Box<(Vec<usize>, Event)>>,
}

impl From<String> for Unsettled {
    fn from(gap: String) -> Unsettled {
        Unsettled { gap, among: None, named: vec![], apart: None }
    }
}

/// Everyday verbs and nouns some hook happens to be named by (`*_print`, `kill`): never a sign
/// of another event on their own.
const ENGLISH: &[&str] = &[
    "print",
    "trace",
    "log",
    "show",
    "watch",
    "list",
    "alert",
    "record",
    "report",
    "dump",
    "kill",
    "want",
    "need",
    "tell",
    "give",
    "find",
    "monitor",
    "measure",
    "time",
    "check",
    "track",
    "catch",
    "follow",
    "notify",
    "page",
    "keep",
    "make",
    "take",
    "see",
    "look",
    "help",
    "please",
    "thank",
    "every",
    "each",
    "much",
    "many",
    "more",
    "most",
    "some",
    "all",
    "any",
    "what",
    "which",
    "when",
    "where",
    "while",
    "this",
    "that",
    "with",
    "from",
    "into",
    "over",
    "under",
    "about",
    "after",
    "before",
    "again",
    "also",
    "just",
    "only",
    "very",
    "still",
    "even",
    "ever",
    "never",
    "always",
    "often",
    "sometimes",
    "happen",
    "happens",
    "start",
    "stop",
    "begin",
    "end",
    "done",
    "call",
    "calls",
    "called",
    "calling",
    "system",
    "machine",
    "host",
    "server",
    "box",
    "kernel",
    "user",
    "users",
    "process",
    "processes",
    "program",
    "programs",
    "task",
    "tasks",
    "thread",
    "threads",
    "event",
    "events",
    "number",
    "count",
    "total",
    "rate",
    "second",
    "seconds",
    "minute",
    "minutes",
    "live",
    "real",
    "time",
    "fast",
    "slow",
    "long",
    "short",
    "big",
    "small",
    "high",
    "low",
    "full",
    "empty",
    "free",
    "used",
    "new",
    "old",
    "first",
    "last",
    "next",
    "other",
    "same",
    "different",
];

/// Words after which a list of values begins.
const LIST_WORDS: &[&str] = &["with", "including", "include", "plus"];

/// Verbs of a sentence that asks for a program, beside [`SHOW`].
/// A subsystem's everyday words, which say no more than its events do (by their light form).
const CATEGORY_WORDS: &[(&str, &[&str])] = &[("block", &["disk", "device", "block", "drive"])];

/// Where the request runs, spelled with digits: the setting, no value to match.
const PLATFORMS: &[&str] = &["k8s", "k3s", "x86", "x86_64", "x64", "amd64", "arm64", "aarch64", "i386", "ec2", "gke", "eks", "aks"];

/// Who a story says saw or did something ("users report", "customers see").
const REPORTERS: &[&str] =
    &["users", "people", "customers", "clients", "folks", "colleagues", "developers", "devs", "monitoring", "alerts", "alerting", "dashboards", "graphs", "someone", "somebody"];

const ASKING: &[&str] = &["want", "need", "see", "give", "tell", "trace", "watch", "catch", "track", "monitor", "measure", "count"];

/// Words after which a clause lists what to show.
const SHOW: &[&str] = &[
    "with",
    "show",
    "shows",
    "showing",
    "print",
    "prints",
    "printing",
    "log",
    "logs",
    "logging",
    "list",
    "listing",
    "including",
    "include",
    "display",
    "report",
    "dump",
    "record",
    "output",
    "plus",
];
/// Words that end such a list.
const CLAUSE: &[&str] = &[
    "that", "who", "when", "whenever", "where", "if", "as", "while", "whose", "which", "for", "from", "on", "in", "every", "each", "per", "by", "but", "because", "since",
    "although", "though", "so",
];
/// Words of such a list that name no value, though fields use them.
const FILLER: &[&str] = &[
    "the",
    "and",
    "its",
    "their",
    "all",
    "any",
    "each",
    "every",
    "new",
    "old",
    "one",
    "out",
    "event",
    "events",
    "call",
    "calls",
    "count",
    "time",
    "info",
    "details",
    "data",
    "values",
    "what",
    "which",
    "who",
    "how",
    "when",
    "where",
    "there",
    "this",
    "that",
    "these",
    "those",
    "into",
    "onto",
    "have",
    "has",
    "had",
    "was",
    "were",
    "are",
    "been",
    "being",
    "will",
    "would",
    "can",
    "could",
    "should",
    "may",
    "might",
    "must",
    "but",
    "yet",
    "also",
    "very",
    "some",
    "more",
    "most",
    "much",
    "many",
    "few",
    "own",
    "same",
    "other",
    "such",
    "too",
    "via",
    "about",
    "after",
    "before",
    "during",
    "again",
    "then",
    "once",
    "here",
    "both",
    "either",
    "none",
    "them",
    "they",
    "you",
    "your",
    "get",
    "gets",
    "got",
    "machine",
    "box",
    "host",
    "system",
    "server",
    "node",
    "kernel",
    "please",
    "live",
    "realtime",
    "real-time",
    "continuously",
    "everything",
    "anything",
    "something",
];

/// Words that say how to show an event, never which event it is.
const STRUCTURE: &[&str] = &[
    "count",
    "counts",
    "counted",
    "number",
    "total",
    "per",
    "time",
    "times",
    "latency",
    "histogram",
    "show",
    "print",
    "trace",
    "log",
    "list",
    "every",
    "each",
    "second",
    "seconds",
    "top",
    "most",
    "rate",
];

/// The one of several events a word of its own name picks, said outside an aside: "page faults
/// taken in kernel mode (… a user page …)" is `page_fault_kernel`, not `page_fault_user`;
/// "pages promoted to the active LRU list" is `mm_lru_activate`, not `mm_lru_insertion`. `None`
/// when no event's own words, or more than one's, are said.
fn told_apart(text: &Text, probes: &[String]) -> Option<String> {
    let parts: Vec<std::collections::BTreeSet<String>> = probes.iter().map(|p| crate::ground::name_parts(p)).collect();
    let common = parts.iter().skip(1).fold(parts[0].clone(), |all, p| all.intersection(p).cloned().collect());
    let said = |part: &str| text.words.iter().any(|w| !w.aside && crate::ground::same_part(&crate::ground::stem(&w.lower), part));
    let chosen: Vec<(&String, &std::collections::BTreeSet<String>)> = probes.iter().zip(&parts).filter(|(_, own)| own.difference(&common).any(|part| said(part))).collect();
    // Of several, the one whose own words are all said ("are bios being split": `block_split`,
    // not `block_bio_complete`).
    let whole: Vec<&String> = chosen.iter().filter(|(_, own)| own.difference(&common).all(|part| said(part))).map(|(p, _)| *p).collect();
    match (chosen.as_slice(), whole.as_slice()) {
        ([(one, _)], _) | (_, [one]) => Some((*one).clone()),
        _ => None,
    }
}

/// A hook and the words that name it.
type Named = (String, Vec<usize>);

/// The present tense of the irregular verbs events are named by ("requests sent" are
/// `fuse_request_send`'s); any other word as it is.
fn present_tense(w: &str) -> &str {
    const IRREGULAR: &[(&str, &str)] = &[
        ("sent", "send"),
        ("spent", "spend"),
        ("wrote", "write"),
        ("written", "write"),
        ("took", "take"),
        ("taken", "take"),
        ("made", "make"),
        ("began", "begin"),
        ("begun", "begin"),
        ("held", "hold"),
        ("kept", "keep"),
        ("woke", "wake"),
        ("woken", "wake"),
        ("ran", "run"),
        ("bound", "bind"),
        ("lost", "lose"),
        ("found", "find"),
    ];
    IRREGULAR.iter().find(|(past, _)| *past == w).map_or(w, |(_, now)| now)
}

/// The tracepoint of `category` whose name the request's words say best ("io_uring
/// submissions" is `io_uring_submit_req`), when one does alone; with how many words the best
/// named, so that categories can be weighed against each other. `None` when no word names one.
fn within_category(text: &Text, category: &str, catalog: &Catalog) -> Option<(usize, Option<Named>)> {
    const PHASE: &[&str] = &["enter", "exit", "entry", "start", "end", "begin", "done", "complete", "finish"];
    let prefix = |s: &str| s.chars().take(5).collect::<String>();
    // Whether word `i` says name part `p`. A part longer than the word is the word with an
    // ending or a second word ("release" of "releases", "sendmsg" of "sends"; "handle" is not
    // "hands").
    let says = |i: usize, p: &str| {
        let light = text.words[i].light.as_str();
        let ending = |w: &str| p.strip_prefix(w).is_some_and(|rest| rest.len() >= 3 || ["", "s", "es", "ed", "d", "ing", "er", "ers", "e"].contains(&rest));
        [light, present_tense(light)].iter().any(|w| prefix(p) == prefix(w) || (p.len() >= 3 && (w.starts_with(p) || (w.len() >= 4 && ending(w)))))
    };
    // Per event: how many different words name it, the event, those words, and how many of its
    // name's parts no word says.
    let mut scored: Vec<(usize, &str, Vec<usize>, usize)> = Vec::new();
    for h in catalog.hooks.iter().filter(|h| h.probe.starts_with(&format!("tracepoint:{category}:"))) {
        let name = h.probe.rsplit(':').next().unwrap_or_default();
        let parts: Vec<&str> = name.split('_').filter(|p| p.len() >= 3 && *p != category && !category.split('_').any(|c| c == *p) && !PHASE.contains(p)).collect();
        let at: Vec<usize> = (0..text.len())
            .filter(|&i| {
                !text.used(i)
                    && text.words[i].light.len() >= 3
                    && !STRUCTURE.contains(&text.words[i].lower.as_str())
                    // The category's own name ("ext4") names none of its events (ext4_ext_*).
                    && text.words[i].lower != category
                    && parts.iter().any(|p| says(i, p))
            })
            .collect();
        // A part of two letters is the initials of what the words spell out: "extent status"
        // is `es`, "preallocation" (pre-allocation) `pa`, "multiblock" `mb`.
        let mut at = at;
        for p in name.split('_').filter(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_lowercase())) {
            if let Some(k) = initials_of(text, p) {
                for i in k {
                    if !at.contains(&i) {
                        at.push(i);
                    }
                }
            }
        }
        if !at.is_empty() {
            // A word said twice ("a range … the range") says no more than once.
            let mut said: Vec<&str> = at.iter().map(|&i| text.words[i].light.as_str()).collect();
            said.sort_unstable();
            said.dedup();
            // Parts no word says: an event with fewer says less beside what was asked.
            let unsaid = parts.iter().filter(|p| !at.iter().any(|&i| says(i, p))).count();
            scored.push((said.len(), h.probe.as_str(), at, unsaid));
        }
    }
    let best = scored.iter().map(|(n, ..)| *n).max()?;
    let mut top: Vec<&(usize, &str, Vec<usize>, usize)> = scored.iter().filter(|(n, ..)| *n == best).collect();
    // Equal counts: the event whose name the words say all of ("removes … extent status" is
    // `es_remove_extent`, not `es_find_extent_range`).
    if let Some(fewest) = top.iter().map(|t| t.3).min().filter(|_| top.len() > 1) {
        top.retain(|t| t.3 == fewest);
    }
    // Equal counts: the event the clause's verb names ("ext4 removes a range from an inode's
    // extent status cache" is `es_remove_extent`: the cache is what it acts on).
    if top.len() > 1 {
        let by_verb: Vec<&(usize, &str, Vec<usize>, usize)> = top.iter().copied().filter(|t| t.2.iter().any(|&i| acts(text, i))).collect();
        if !by_verb.is_empty() && by_verb.len() < top.len() {
            top = by_verb;
        }
    }
    // Equal counts: the words fewer of the category's events are named by say more ("mballoc"
    // of four events against "allocation" of a dozen), as one word's share of them.
    if top.len() > 1 {
        let named_by = |i: usize| scored.iter().filter(|(_, _, at, _)| at.contains(&i)).count() as f64;
        let weight = |at: &[usize]| at.iter().map(|&i| 1.0 / named_by(i)).sum::<f64>();
        let heaviest = top.iter().map(|t| weight(&t.2)).fold(0.0, f64::max);
        top.retain(|t| weight(&t.2) > heaviest - 1e-9);
    }
    // Several events of one name part (`_entry`/`_exit`): the first, the start.
    let start = top.iter().find(|(_, p, ..)| !p.ends_with("_exit") && !p.ends_with("_end") && !p.ends_with("_done"));
    let one = match (top.len(), start) {
        (1, _) => Some((top[0].1.to_string(), top[0].2.clone())),
        (2, Some(s)) if end_of(s.1, catalog).is_some_and(|(e, _)| top.iter().any(|t| t.1 == e)) => Some((s.1.to_string(), s.2.clone())),
        _ => None,
    };
    Some((best, one))
}

/// Whether word `i` is a verb in the present tense acting on what follows ("ext4 removes a
/// range", "the kernel copies its state"): a word with a verb's `-s` between a word that is no
/// article and an article or possessive.
fn acts(text: &Text, i: usize) -> bool {
    const OBJECTS: &[&str] = &["a", "an", "the", "its", "their", "his", "her"];
    const NOT_SUBJECTS: &[&str] = &["a", "an", "the", "of", "to", "for", "in", "on", "its", "their", "and", "or", "with", "from", "by", "per"];
    let w = &text.words[i];
    i > 0 && w.light != w.lower && w.punct.is_none() && text.is(i + 1, OBJECTS) && !text.is(i - 1, NOT_SUBJECTS) && text.words[i - 1].punct.is_none()
}

/// Where the words spell out the two-letter initials `p` (`es`, `pa`): two words in a row, each
/// a plain word of three letters or more ("extent status"), or one word of a prefix and a stem
/// ("preallocation", "multiblock").
fn initials_of(text: &Text, p: &str) -> Option<Vec<usize>> {
    const PREFIXES: &[&str] = &["pre", "multi", "sub", "inter", "super", "over", "under"];
    const QUANTITIES: &[&str] = &["many", "much", "more", "most", "few", "fewer", "less", "least", "all", "any", "each", "every", "some", "several", "both"];
    let plain = |i: usize| {
        !text.used(i)
            && text.lower(i).len() >= 3
            && !QUANTITIES.contains(&text.lower(i))
            && text.lower(i).chars().all(|c| c.is_ascii_alphabetic())
            && !STOP.contains(&text.lower(i))
            && !STRUCTURE.contains(&text.lower(i))
    };
    let first = |i: usize| text.lower(i).chars().next();
    let (a, b) = (p.chars().next()?, p.chars().nth(1)?);
    if let Some(i) = (0..text.len().saturating_sub(1)).find(|&i| plain(i) && plain(i + 1) && !text.words[i].ends && first(i) == Some(a) && first(i + 1) == Some(b)) {
        return Some(vec![i, i + 1]);
    }
    (0..text.len())
        .find(|&i| plain(i) && PREFIXES.iter().any(|pre| text.lower(i).strip_prefix(pre).is_some_and(|rest| rest.len() >= 4 && pre.starts_with(a) && rest.starts_with(b))))
        .map(|i| vec![i])
}

/// Syscall names that are also everyday words: they name their syscall only when nothing else
/// names an event ("how many bytes does each process read"), or when called a call ("the read
/// syscall", "write calls").
const COMMON_SYSCALL_WORDS: &[&str] = &[
    "read", "write", "open", "close", "connect", "accept", "bind", "listen", "kill", "mount", "socket", "stat", "sync", "pipe", "dup", "flock", "shutdown", "sendto", "recvfrom",
    "select", "poll", "wait", "link", "exit",
];

/// Syscall names that are everyday words and almost never mean their syscall in a request.
const NOT_SYSCALL_WORDS: &[&str] = &[
    "time",
    "times",
    "pause",
    "alarm",
    "access",
    "uname",
    "creat",
    "acct",
    "personality",
    "syslog",
    "tee",
    "splice",
    "vhangup",
    "reboot",
    "capget",
    "brk",
    "umask",
    "kcmp",
    "delete",
];

/// Forms of a word that may be a syscall: itself, without `s`, `es`, `ed`, `d`, `ing`, and the
/// irregular forms of the common ones ("written" is write).
fn syscall_forms(word: &str) -> Vec<String> {
    let word = word.trim_end_matches("()");
    let mut out = vec![word.to_string()];
    for suffix in ["s", "es", "ed", "d", "ing"] {
        if let Some(r) = word.strip_suffix(suffix).filter(|r| r.len() >= 3) {
            out.push(r.to_string());
        }
    }
    match word {
        "written" | "wrote" | "writing" => out.push("write".into()),
        "reading" => out.push("read".into()),
        _ => {}
    }
    out
}

/// The syscall a word names here, if any.
fn syscall_word(w: &Word, catalog: &Catalog) -> Option<String> {
    // "readahead" is a syscall and the kernel's readahead events: the word alone says neither.
    let category = |f: &str| catalog.hooks.iter().any(|h| h.kind == crate::kernel::HookKind::Tracepoint && h.category == f);
    syscall_forms(&w.lower).into_iter().find(|f| catalog.find(&format!("tracepoint:syscalls:sys_enter_{f}")).is_some() && !NOT_SYSCALL_WORDS.contains(&f.as_str()) && !category(f))
}

/// The event by the everyday words for events, and syscall names used as words ("every
/// unlink", "reads bigger than 64KB", "the read syscall").
/// How many of the request's words name its event by the everyday words for events
/// (`dataset/specs/events.toml`) or a syscall called a call; `None` when they settle no event.
pub fn everyday_event_words(request: &str, catalog: &Catalog) -> Option<usize> {
    let mut text = Text::new(request);
    everyday_event(&mut text, catalog).ok()?;
    Some(text.words.iter().filter(|w| w.used).count())
}

fn everyday_event(text: &mut Text, catalog: &Catalog) -> Result<Event, Unsettled> {
    // A syscall called a call: "the read syscall", "write calls", "close() calls", and each of
    // a list of alternatives before the word ("unlink/unlinkat syscall time").
    fn called_at(text: &Text, i: usize) -> bool {
        text.is(i + 1, CALL_WORDS)
            || (text.is(i + 1, &["system"]) && text.is(i + 2, &["call", "calls"]))
            || (text.is(i + 1, &["or"]) && text.words[i].punct.is_none() && called_at(text, i + 2))
    }
    let called: Vec<(usize, String)> =
        (0..text.len()).filter(|&i| !text.used(i) && called_at(text, i)).filter_map(|i| syscall_word(&text.words[i], catalog).map(|s| (i, s))).collect();
    if let Some(e) = syscall_event(text, &called, catalog)? {
        return Ok(e);
    }
    let mut found: Vec<(Vec<usize>, &EventWords)> = Vec::new();
    // "it's not the oom killer": an event the words set aside.
    let negated = |text: &Text, at: &[usize]| {
        let i = at[0];
        let clause = (0..i).rev().find(|&k| text.words[k].ends).map_or(0, |k| k + 1);
        (clause.max(i.saturating_sub(4))..i).find(|&k| text.is(k, &["not", "no", "never", "t", "nothing", "without"]))
    };
    // "the TCP state of the socket": a value of another event, said among what to show.
    let a_value = |text: &Text, at: &[usize]| {
        let (i, last) = (at[0], at[at.len() - 1]);
        i > 0 && text.is(i - 1, &["the", "its", "their"]) && text.is(last + 1, &["of"]) && !text.words[last].ends
    };
    // "memory-cgroup reclaim" is not "memory reclaim": a word inside a phrase that names a
    // subsystem of its own says which of its kind the event is.
    let categories: std::collections::HashSet<&str> = catalog.hooks.iter().filter(|h| h.kind == crate::kernel::HookKind::Tracepoint).map(|h| h.category.as_str()).collect();
    // Only a word naming the thing, with nothing between ("signal a task sent" is no "task
    // signal"); not a protocol ("incoming tcp connections" are incoming connections) nor the
    // entry's own subsystem ("disk block I/O").
    let qualified = |text: &Text, at: &[usize], own: &[String]| {
        let inner: Vec<usize> = (at[0]..at[at.len() - 1]).filter(|k| !at.contains(k)).collect();
        let own_category = |w: &str| own.iter().any(|p| p.strip_prefix("tracepoint:").is_some_and(|p| p.split(':').next() == Some(w)));
        inner.iter().all(|&k| !STOP.contains(&text.lower(k)) && !FILLER.contains(&text.lower(k)))
            && inner.iter().any(|&k| categories.contains(text.lower(k)) && !PROTOCOLS.contains(&text.lower(k)) && !own_category(text.lower(k)))
    };
    let mut set_aside: Vec<usize> = Vec::new();
    for e in events() {
        let occurs: Vec<(usize, Vec<usize>)> = e.words.iter().filter_map(|w| text.find(w, 2).map(|at| (w.split_whitespace().count(), at))).collect();
        // Said of another subsystem's thing once ("each new cgroup directory"), the entry
        // names it nowhere in the request ("… that gets created").
        if occurs.iter().any(|(_, at)| qualified(text, at, &e.probes)) {
            continue;
        }
        // The longest phrase of an entry that occurs.
        let best = occurs
            .into_iter()
            .filter(|(_, at)| {
                let negator = negated(text, at);
                // A claim about what it is not ("it's not the oom killer", "isn't a fork")
                // sets the event aside; "but not OOM kills" excludes something, which stays
                // unread for the model.
                let claim = |k: usize| text.is(k, &["t", "nothing"]) || (k > 0 && text.is(k - 1, &["s", "is", "was", "it", "that", "probably", "definitely", "surely"]));
                if let Some(k) = negator.filter(|&k| claim(k)) {
                    set_aside.extend(at);
                    set_aside.push(k);
                }
                // "… for a minute, then exit": the program's end, not the process-exit event.
                let stops = at.len() == 1 && at[0] > 0 && text.is(at[0] - 1, &["then", "and"]) && text.is(at[0], &["exit", "quit", "stop"]);
                negator.is_none() && !a_value(text, at) && !stops && !text.authored(at[at.len() - 1])
            })
            .max_by_key(|(n, at)| (*n, std::cmp::Reverse(at[at.len() - 1] - at[0])));
        if let Some((_, at)) = best {
            if e.probes.iter().any(|p| catalog.find(p).is_some()) {
                found.push((at, e));
            }
        }
    }
    if !found.is_empty() && !set_aside.is_empty() {
        set_aside.retain(|i| !found.iter().any(|(at, _)| at.contains(i)));
        text.read(&set_aside, "an event the request sets aside");
    }
    // A phrase inside a longer one ("exits" inside "process exits") yields to it.
    let longest = found.iter().map(|(at, _)| at.len()).max().unwrap_or(0);
    found.retain(|(at, _)| at.len() == longest);
    let mut distinct: Vec<&Vec<String>> = Vec::new();
    for (_, e) in &found {
        if !distinct.contains(&&e.probes) {
            distinct.push(&e.probes);
        }
    }
    if distinct.len() > 1 {
        let gap = format!("the words name several events ({})", distinct.iter().map(|p| p[0].as_str()).collect::<Vec<_>>().join(", "));
        let mut named: Vec<NamedHooks> = Vec::new();
        // Phrases that share a word describe one event two ways ("new processes being
        // executed"), not two events.
        let overlap = found.iter().enumerate().any(|(k, (a, _))| found.iter().skip(k + 1).any(|(b, _)| a.iter().any(|i| b.contains(i))));
        let mut places: Vec<usize> = Vec::new();
        for (at, e) in found.iter().filter(|_| !overlap) {
            let word = at.iter().map(|&i| text.words[i].raw.as_str()).collect::<Vec<_>>().join(" ");
            let hooks: Vec<String> = e.probes.iter().filter(|p| catalog.find(p).is_some()).cloned().collect();
            if !named.iter().any(|n| n.hooks == hooks) {
                named.push(NamedHooks { word, hooks });
            }
            places.extend(at);
        }
        let together: Vec<String> = named.iter().flat_map(|n| n.hooks.clone()).collect();
        let apart = (!overlap).then(|| Box::new((places, Event::Hooks { probes: together, end: None, conditions: vec![], shows: vec![], latency: false, syscall: None })));
        return Err(Unsettled { gap, among: None, named, apart });
    }
    if let Some((at, e)) = found.first() {
        let probes: Vec<String> = e.probes.iter().filter(|p| catalog.find(p).is_some()).cloned().collect();
        let at = at.clone();
        if let Some(names) = probes.iter().map(|p| syscall_of(p).map(str::to_string)).collect::<Option<Vec<String>>>() {
            read_event(text, &at, format!("the {} syscall", names.join("/")));
            return Ok(Event::Syscalls(names));
        }
        // "kswapd wakeups", "softirq raises": another word of the request and the phrase's
        // own name one hook more precisely than the vocabulary's.
        let named = |w: &str| w.len() >= 4 && !ENGLISH.contains(&w) && !STOP.contains(&w) && !FILLER.contains(&w);
        let phrase: Vec<String> = at.iter().map(|&i| text.words[i].light.clone()).collect();
        // ("page allocations of order 9": `order` is a field of mm_page_alloc's own record, a
        // value to test, not page_cache_ra_order.)
        let own_fields: Vec<String> = probes.iter().filter_map(|p| catalog.find(p)).flat_map(|h| h.fields.iter().map(|f| f.name.clone())).collect();
        let precise: Vec<(&crate::kernel::Hook, usize)> = catalog
            .hooks
            .iter()
            .filter(|h| h.kind == crate::kernel::HookKind::Tracepoint && !probes.contains(&h.probe))
            .filter_map(|h| {
                let name = h.probe.rsplit(':').next().unwrap_or_default();
                let parts: Vec<&str> = name.split('_').collect();
                let by_phrase = phrase.iter().any(|w| parts.iter().any(|p| w.starts_with(p) && p.len() >= 4));
                let theirs: Vec<&str> = probes.iter().flat_map(|p| p.rsplit(':').next().unwrap_or_default().split('_')).collect();
                let other = (0..text.len()).find(|&i| {
                    let w = &text.words[i];
                    !at.contains(&i)
                        && !text.used(i)
                        && named(&w.light)
                        && !theirs.contains(&w.light.as_str())
                        // "page allocations per order": what they are counted by, not which event
                        // ("wakeups by kswapd" is an agent, and says which).
                        && (i == 0 || !text.is(i - 1, &["per", "each"]))
                        && !own_fields.iter().any(|f| *f == w.light || *f == w.lower)
                        && parts.iter().any(|p| p.len() >= 4 && !theirs.contains(p) && (w.light == *p || w.lower == *p))
                });
                (by_phrase && other.is_some()).then(|| (h, other.unwrap_or(0)))
            })
            .collect();
        if let [(h, other)] = precise.as_slice() {
            let mut all = at.clone();
            all.push(*other);
            read_event(text, &all, h.probe.clone());
            return Ok(Event::hook(h.probe.clone(), catalog));
        }
        read_event(text, &at, probes[0].clone());
        let end = e.ends.as_ref().filter(|end| catalog.find(&end.probe).is_some()).map(|end| (end.probe.clone(), pair_key(&end.by, &end.end_by)));
        // Hooks of one event that exist here and carry the same fields: the first, and those
        // like it (sched_wakeup and sched_wakeup_new).
        let fields = |p: &String| catalog.find(p).map(|h| h.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>());
        let first = fields(&probes[0]);
        let same: Vec<String> = probes.iter().filter(|p| fields(p) == first).cloned().collect();
        return Ok(Event::Hooks { probes: same, end, conditions: e.conditions.clone(), shows: e.shows.clone(), latency: e.latency, syscall: e.syscall.clone() });
    }
    // A syscall's name as a word: uncommon ones first ("every unlink", "mmaps"), then the
    // everyday ones ("how many bytes does each process read").
    let mut named: Vec<(usize, String)> =
        (0..text.len()).filter(|&i| !text.used(i) && !text.authored(i)).filter_map(|i| syscall_word(&text.words[i], catalog).map(|s| (i, s))).collect();
    // A request that marks its calls ("pkey_alloc()") marks each: a plain word it leaves
    // unmarked, away from them, names no call ("the initial access rights", "our mmap'd index
    // file"; also, wrongly, "… also count munmap per process", which is left to the model).
    // Not one listed beside another ("clone/clone3/fork()").
    let marked = |i: usize| text.words[i].lower.ends_with("()") || text.is(i + 1, CALL_WORDS);
    if named.iter().any(|(i, _)| marked(*i)) {
        let all = named.clone();
        named.retain(|(i, _)| marked(*i) || !text.lower(*i).chars().all(|c| c.is_ascii_alphabetic()) || all.iter().any(|(j, _)| j != i && j.abs_diff(*i) <= 2));
    }
    type Named = Vec<(usize, String)>;
    let (common, rare): (Named, Named) = named.into_iter().partition(|(_, s)| COMMON_SYSCALL_WORDS.contains(&s.as_str()));
    // "to the socket", "a read": a noun, not the call, for the everyday ones.
    // So is one a preposition's article opens, with words that describe it between ("over a
    // lossy WAN link"); not a verb after its subject ("does the daemon write").
    const ARTICLES: &[&str] = &["the", "a", "an", "its", "their", "this", "that", "our", "my"];
    const PREPOSITIONS: &[&str] = &["over", "across", "through", "via", "on", "in", "into", "onto", "from", "to", "at", "with", "under", "behind", "of", "for"];
    let noun = |i: usize| {
        (i >= 1 && text.is(i - 1, &ARTICLES[..7]))
            || (2..=3).any(|d| {
                i > d
                    && text.is(i - d, ARTICLES)
                    && text.is(i - d - 1, PREPOSITIONS)
                    && (i - d..i).all(|k| text.words[k].punct.is_none())
                    && (i - d + 1..i).all(|k| !text.used(k) && text.lower(k).chars().all(|c| c.is_ascii_alphabetic()) && !STOP.contains(&text.lower(k)))
            })
    };
    let common: Vec<(usize, String)> = common.into_iter().filter(|(i, _)| !noun(*i)).collect();
    if let Some(e) = syscall_event(text, &rare, catalog)? {
        return Ok(e);
    }
    if let Some(e) = syscall_event(text, &common, catalog)? {
        return Ok(e);
    }
    // A signal by name, and nothing else: the signal is the event.
    if let Some(i) = (0..text.len()).find(|&i| signal(&text.words[i].raw).is_some()) {
        if catalog.find("tracepoint:signal:signal_generate").is_some() {
            let _ = i;
            return Ok(Event::Hooks {
                probes: vec!["tracepoint:signal:signal_generate".into()],
                end: None,
                conditions: vec![],
                shows: vec!["sig".into(), "pid".into(), "comm".into()],
                latency: false,
                syscall: None,
            });
        }
    }
    Err(String::from(NO_EVENT).into())
}

/// The gap of a reading that found no event at all: no name, no description, no everyday word.
pub(crate) const NO_EVENT: &str = "no event: the request names no syscall, tracepoint or kernel function, and none of the everyday words for events";

/// The syscall family the words `named` name, when they name one.
fn syscall_event(text: &mut Text, named: &[(usize, String)], catalog: &Catalog) -> Result<Option<Event>, String> {
    let mut names: Vec<String> = named.iter().map(|(_, n)| n.clone()).collect();
    names.dedup();
    if names.is_empty() {
        return Ok(None);
    }
    let families: Vec<Vec<String>> = names.iter().map(|n| family_here(n, catalog)).collect();
    let all: Vec<String> = families.concat();
    if !one_family(&all) {
        return Err(format!("the words name several syscalls ({})", names.join(", ")));
    }
    let mut at: Vec<usize> = named.iter().map(|(i, _)| *i).collect();
    for &i in &at.clone() {
        // "read syscall", "write calls", "system calls" are the syscall's own words.
        for j in [i + 1, i + 2] {
            if text.is(j, &["syscall", "syscalls", "call", "calls", "system"]) {
                at.push(j);
            } else {
                break;
            }
        }
    }
    read_event(text, &at, format!("the {} syscall", families[0].join("/")));
    Ok(Some(Event::Syscalls(families[0].clone())))
}

/// A syscall and the calls libc makes for it that exist here, the `*at` ones first (`unlink`:
/// unlinkat, unlink; `chmod`: fchmodat, chmod).
fn family_here(name: &str, catalog: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    for n in [
        format!("{name}at"),
        format!("{name}at2"),
        format!("f{name}at"),
        name.to_string(),
        format!("l{name}"),
        format!("{name}2"),
        format!("{name}3"),
        format!("{name}4"),
        format!("new{name}"),
    ] {
        if catalog.find(&format!("tracepoint:syscalls:sys_enter_{n}")).is_some() && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// A family of syscalls narrowed to the members whose arguments include a field the words name
/// ("eventfd creation (eventfd2): … the flags passed": `eventfd` has no `flags`); `None` when
/// every member has every field named, or none has.
fn asked_fields_narrow(text: &Text, event: &Event, catalog: &Catalog) -> Option<Event> {
    let Event::Syscalls(names) = event else { return None };
    if names.len() < 2 {
        return None;
    }
    let fields = |n: &String| catalog.find(&format!("tracepoint:syscalls:sys_enter_{n}")).map(|h| h.fields.clone()).unwrap_or_default();
    // "How many files": an English word, not openat2's `how`.
    let named = |f: &Field| {
        !f.name.starts_with("__") && f.name.len() > 2 && (0..text.len()).any(|i| !text.used(i) && !text.only_tells(i) && text.lower(i) == f.name && !STOP.contains(&text.lower(i)))
    };
    let asked: Vec<String> = names.iter().flat_map(fields).filter(named).map(|f| f.name).collect();
    // A member the words name by its own name ("sched_setscheduler / sched_setattr") stays;
    // "eventfd" of "eventfd (eventfd2)" is the family's name.
    let said = |n: &String| (0..text.len()).any(|i| text.writes(i, n)) && !names.iter().any(|m| m != n && m.starts_with(n.as_str()));
    let keep: Vec<String> = names.iter().filter(|n| said(n) || asked.iter().all(|a| fields(n).iter().any(|f| f.name == *a))).cloned().collect();
    (!keep.is_empty() && keep.len() < names.len()).then_some(Event::Syscalls(keep))
}

/// Whether syscalls are one call as libc makes it (`open`, `openat`; `chmod`, `fchmodat`).
fn one_family(names: &[String]) -> bool {
    let root = |n: &str| -> String {
        let n = n.strip_prefix("new").unwrap_or(n);
        let n = ["at2", "at", "64", "4", "3", "2", "1"].iter().find_map(|s| n.strip_suffix(s).filter(|r| r.len() >= 3)).unwrap_or(n);
        ["f", "l"].iter().find_map(|p| n.strip_prefix(p).filter(|r| r.len() >= 4)).unwrap_or(n).to_string()
    };
    names.iter().all(|n| root(n) == root(&names[0]))
}

fn pair_key(by: &[String], end_by: &[String]) -> PairKey {
    if by.iter().any(|b| b == "tid") {
        PairKey::Tid
    } else {
        PairKey::Fields { start: by.to_vec(), end: if end_by.is_empty() { by.to_vec() } else { end_by.to_vec() } }
    }
}

/// The hook that ends a tracepoint's event: the event vocabulary's, else by the kernel's naming
/// (`_entry`/`_exit`, `_enter`/`_exit`, `_start`/`_end`, `_begin`/`_end`), matched by thread.
fn end_of(probe: &str, catalog: &Catalog) -> Option<(String, PairKey)> {
    // A library function returns in the thread that called it.
    if let (Some(function), Some(_)) = (probe.strip_prefix("uprobe:"), catalog.find(probe)) {
        return Some((format!("uretprobe:{function}"), PairKey::Tid));
    }
    for e in events() {
        if e.probes.iter().any(|p| p == probe) {
            if let Some(end) = &e.ends {
                return Some((end.probe.clone(), pair_key(&end.by, &end.end_by)));
            }
        }
    }
    // `writeback_single_inode_start` ends at `writeback_single_inode`.
    // `ext4_ext_remove_space` at `ext4_ext_remove_space_done`.
    for (a, b) in [("_entry", "_exit"), ("_enter", "_exit"), ("_start", "_end"), ("_begin", "_end"), ("_start", ""), ("_start", "_done"), ("", "_done")] {
        if let Some(root) = probe.strip_suffix(a) {
            let end = format!("{root}{b}");
            if catalog.find(&end).is_some() {
                return Some((end, PairKey::Tid));
            }
        }
    }
    // Or as a prefix of the event's name: oom's start_task_reaping and finish_task_reaping.
    let (category, name) = probe.rsplit_once(':')?;
    for (a, b) in [("start_", "finish_"), ("start_", "end_"), ("begin_", "end_")] {
        if let Some(rest) = name.strip_prefix(a) {
            let end = format!("{category}:{b}{rest}");
            if catalog.find(&end).is_some() {
                return Some((end, PairKey::Tid));
            }
        }
    }
    None
}

/// Words before an event that make it the start of a time ("from X", "after X", "between X
/// and …", "Y's time minus X's") or its end ("until X", "before X", "to X").
const STARTS_AT: &[&str] = &["from", "after", "since", "between", "minus"];
const ENDS_AT: &[&str] = &["until", "till", "to", "before"];

/// Pairs whose end happens in the thread of the task the start names, and what the start must
/// say for an end to follow: a signal generated for `pid` (`result` 0: delivered, not ignored
/// or dropped) is delivered in that task.
const TASK_PAIRS: &[(&str, &str, &str, &str)] = &[("tracepoint:signal:signal_generate", "tracepoint:signal:signal_deliver", "pid", "result")];

/// The start and end of a time asked between two events of one subsystem, each told by the
/// word before it ("from X until Y", "Y … after X"); with a key that matches one occurrence
/// of each ([`link_key`]) and what the start must say for an end to follow.
fn linked(text: &Text, grounding: &Grounding, pair: [&String; 2], catalog: &Catalog) -> Option<(String, String, PairKey, Vec<Where>)> {
    if !asks_time(text) {
        return None;
    }
    let parts = pair.map(|p| crate::ground::name_parts(p));
    // Where each event is first said: by its name where the request names it, else by a word
    // of its own name's parts.
    let first = |k: usize| -> Option<usize> {
        let names: Vec<&String> = grounding
            .events
            .iter()
            .filter(|e| e.probe == *pair[k])
            .filter_map(|e| match &e.evidence {
                Evidence::Named { word } => Some(word),
                _ => None,
            })
            .collect();
        if !names.is_empty() {
            return (0..text.len()).find(|&i| names.iter().any(|n| text.writes(i, n)));
        }
        let own: Vec<&String> = parts[k].difference(&parts[1 - k]).collect();
        (0..text.len()).find(|&i| !text.words[i].aside && own.iter().any(|p| crate::ground::same_part(&stem(&text.words[i].lower), p)))
    };
    let at = [first(0)?, first(1)?];
    if at[0] == at[1] {
        return None;
    }
    // The nearest ordering word before each, within its clause and not before the other event.
    let role = |k: usize| -> Option<bool> {
        let floor = if at[1 - k] < at[k] { at[1 - k] + 1 } else { 0 }.max(at[k].saturating_sub(6)).max(text.sentence_start(at[k]));
        (floor..at[k]).rev().find_map(|i| {
            // "relative to X" orders nothing.
            if text.is(i, ENDS_AT) && !(i > 0 && text.is(i - 1, &["relative", "compared", "close"])) {
                Some(false)
            } else if text.is(i, STARTS_AT) {
                Some(true)
            } else {
                None
            }
        })
    };
    let start = match (role(0), role(1)) {
        (Some(true), Some(false) | None) | (None, Some(false)) => 0,
        (Some(false) | None, Some(true)) | (Some(false), None) => 1,
        _ => return None,
    };
    let (start, end) = (pair[start], pair[1 - start]);
    link_key(text, start, end, catalog).map(|(key, conditions)| (start.clone(), end.clone(), key, conditions))
}

/// The start and end of a time the words mark out as "from W1 … until W2" (or to, till), where
/// W1 and W2 each say a word of the name of an event of the subsystem the request is about
/// (`found`, all of one category), with a key that matches one occurrence of each
/// ([`link_key`]). Of several events a word names, the one closest to `found` by name, and of
/// an event's entry and exit, the entry: the moment it happens.
fn spanned(text: &Text, found: &[String], catalog: &Catalog) -> Option<(String, String, PairKey, Vec<Where>)> {
    let category = |p: &str| p.split(':').nth(1).map(str::to_string);
    let first = found.first()?;
    if !asks_time(text) || !found.iter().all(|p| p.starts_with("tracepoint:") && category(p) == category(first)) {
        return None;
    }
    let tokens = |p: &str| -> Vec<String> { p.rsplit(':').next().unwrap_or(p).split('_').filter(|t| t.len() >= 3).map(stem).collect() };
    let found_parts: std::collections::BTreeSet<String> = found.iter().flat_map(|p| crate::ground::name_parts(p)).collect();
    let events: Vec<&crate::kernel::Hook> = catalog.hooks.iter().filter(|h| h.kind == crate::kernel::HookKind::Tracepoint && category(&h.probe) == category(first)).collect();
    // The event a word after an ordering word names ("from start", "until it expires").
    let named = |i: usize| -> Option<String> {
        let k = (i + 1..(i + 4).min(text.len())).find(|&k| !text.is(k, &["it", "its", "the", "a", "an", "when", "is", "was", "gets", "get", "they", "their"]))?;
        let w = stem(&text.words[k].lower);
        let phase = |p: &str| ["exit", "end", "return", "finish"].iter().any(|e| p.ends_with(e));
        events
            .iter()
            .filter(|h| tokens(&h.probe).iter().any(|t| crate::ground::same_part(&w, t)))
            .max_by_key(|h| (crate::ground::name_parts(&h.probe).intersection(&found_parts).count(), !phase(&h.probe)))
            .map(|h| h.probe.clone())
    };
    for i in 0..text.len() {
        if !text.is(i, &["from"]) {
            continue;
        }
        let Some(start) = named(i) else { continue };
        let Some(end_word) = (i + 2..=text.sentence_end(i).min(i + 10)).find(|&j| text.is(j, &["until", "till", "to"])) else { continue };
        let Some(end) = named(end_word) else { continue };
        if start == end || !(found.contains(&start) || found.contains(&end)) {
            return None;
        }
        return link_key(text, &start, &end, catalog).map(|(key, conditions)| (start, end, key, conditions));
    }
    None
}

/// A field both records carry that the words say is the same ("for the same inode").
fn said_key(text: &Text, start: &str, end: &str, catalog: &Catalog) -> Option<PairKey> {
    let (s, e) = (&catalog.find(start)?.fields, &catalog.find(end)?.fields);
    let name =
        said_same(text).iter().find_map(|&i| s.iter().find(|f| !f.name.starts_with("common_") && e.iter().any(|g| g.name == f.name) && names_field(text.lower(i), &f.name)))?;
    Some(PairKey::Fields { start: vec![name.name.clone()], end: vec![name.name.clone()] })
}

/// How a start record is matched with an end record of the same subsystem: by the one object
/// both point to that the events are named after (`hrtimer` of `hrtimer_start` and
/// `hrtimer_expire_entry`, `work` of `workqueue_queue_work`; callbacks are no object), or, for
/// the pairs of [`TASK_PAIRS`], by the task the start names. Where the words say what is the
/// same ("for the same inode", "match them on the hrtimer pointer"), a field both records carry
/// by that name.
fn link_key(text: &Text, start: &str, end: &str, catalog: &Catalog) -> Option<(PairKey, Vec<Where>)> {
    if let Some((_, _, task, delivered)) = TASK_PAIRS.iter().find(|(s, e, ..)| *s == start && *e == end) {
        return Some((PairKey::Task { start: task.to_string() }, vec![Where { field: delivered.to_string(), op: "==".into(), value: 0 }]));
    }
    let category = |p: &str| p.rsplit_once(':').map(|(c, _)| c.to_string());
    if category(start) != category(end) {
        return None;
    }
    if let Some(key) = said_key(text, start, end, catalog) {
        return Some((key, vec![]));
    }
    let (s, e) = (&catalog.find(start)?.fields, &catalog.find(end)?.fields);
    let callback = |f: &Field| ["func", "callsite", "call_site", "handler", "caller"].iter().any(|c| f.name.contains(c)) || f.name == "ip";
    let object = |f: &&Field| {
        !f.name.starts_with("common_")
            && !f.name.starts_with("__")
            && f.ty.contains('*')
            && !field_is_text(&f.ty)
            && !callback(f)
            && e.iter().any(|g| g.name == f.name && g.ty == f.ty)
    };
    let pointers: Vec<&Field> = s.iter().filter(object).collect();
    // Two shared (a queue and its packet): which one is timed, the names do not say.
    let [one] = pointers.as_slice() else { return None };
    let part = stem(&one.name);
    let named_after = crate::ground::name_parts(start).contains(&part) || crate::ground::name_parts(end).contains(&part) || category(start).is_some_and(|c| c.ends_with(&one.name));
    named_after.then(|| (PairKey::Fields { start: vec![one.name.clone()], end: vec![one.name.clone()] }, vec![]))
}

/// Whether a word names a record's field: its name, the name shortened ("inode" for `ino`,
/// "request" for `req`), or one word in two spellings ([`same_part`](crate::ground::same_part)).
fn names_field(word: &str, field: &str) -> bool {
    // A struct member's one-letter prefix (`i_ino` of an inode, `s_dev` of a superblock) is not
    // said: "the same inode" names `i_ino`.
    let member = field.split_once('_').filter(|(p, rest)| p.len() == 1 && rest.len() >= 2).map(|(_, rest)| rest);
    word == field
        || (field.len() >= 3 && word.starts_with(field) && !abbreviates_nothing(word))
        || crate::ground::same_part(&stem(word), &stem(field))
        || member.is_some_and(|m| word == m || spells(word, m))
}

/// Where the words name what a start and its end share: "the same inode", "on the same timer",
/// "match them on the hrtimer pointer", "matched by pid".
fn said_same(text: &Text) -> Vec<usize> {
    const NOT: &[&str] = &["the", "a", "its", "their", "them", "on", "by", "same", "one", "pointer", "address", "value", "field"];
    let mut out = Vec::new();
    for i in 0..text.len() {
        let from = if text.is(i, &["same"]) {
            i + 1
        } else if text.is(i, &["match", "matched", "matching", "pair", "paired", "keyed", "key"]) {
            match (i + 1..(i + 4).min(text.len())).find(|&k| text.is(k, &["on", "by"])) {
                Some(k) => k + 1,
                None => continue,
            }
        } else {
            continue;
        };
        out.extend((from..(from + 3).min(text.len())).filter(|&k| !text.is(k, NOT)).take(2));
    }
    out
}

// --- Values ------------------------------------------------------------------------------------

/// The records a plan can read: the event's (its entry, for a syscall) and its end's (a
/// syscall's exit).
struct Records<'a> {
    start: &'a [Field],
    end: &'a [Field],
    /// The end is a syscall's exit (`ret` is its result).
    syscall: bool,
    /// The syscalls whose records these are (none for another event).
    calls: Vec<String>,
}

/// Where a value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    Start,
    End,
    Anywhere,
}

impl Records<'_> {
    fn field(&self, name: &str) -> Option<(Field, At)> {
        if let Some(f) = self.start.iter().find(|f| f.name == name) {
            return Some((f.clone(), At::Start));
        }
        self.end.iter().find(|f| f.name == name).map(|f| (f.clone(), At::End))
    }

    fn names(&self) -> Vec<String> {
        self.start.iter().chain(self.end).map(|f| f.name.clone()).collect()
    }

    fn term(&self, name: &str) -> Option<(Term, At)> {
        self.field(name).map(|(f, w)| (Term::field(&f.name, &f.ty), w))
    }
}

/// Whether a program can show a field: numbers, strings, and addresses of 4 or 16 bytes; not
/// other arrays (a `sockaddr` held as 28 bytes).
fn showable(f: &Field) -> bool {
    match f.ty.rfind('[') {
        Some(_) if !field_is_text(&f.ty) => super::emit::is_address_bytes(&f.name, &f.ty),
        _ => true,
    }
}

/// The request's verbs for what to do with values: "print" is no `pri` (syslog's priority),
/// "showing" no `show`, "counting" no `count`.
fn abbreviates_nothing(w: &str) -> bool {
    ["print", "prints", "printed", "printing", "show", "shows", "showing", "shown", "list", "listing", "log", "logging", "counting", "trace", "tracing", "report", "reporting"]
        .contains(&w)
}

/// Whether word `w` spells a field name's part `p` (`address` spells `addr`).
fn spells(w: &str, p: &str) -> bool {
    w == p
        || light(w) == p
        || stem(w) == stem(p)
        // An abbreviation: `req` for "requested", `addr` for "address"; not the start of a
        // name made of two ("pidfd" is no `pid`, `PIDFD_NONBLOCK` no field at all).
        || (p.len() >= 3 && w.len() > p.len() && w.starts_with(p) && w.chars().all(|c| c.is_ascii_alphabetic()) && !["fd", "fds", "id", "ids", "nr"].contains(&&w[p.len()..]) && !abbreviates_nothing(w))
        || SYNONYMS.iter().any(|(s, long)| *s == p && (w == *long || light(w) == *long))
}

/// Whether a word spells part of a named constant after its prefix: "raw" in "a raw socket
/// (SOCK_RAW)" names the value itself, so the parenthesis is a condition, not what the words
/// before it mean.
fn spelled_by(constant: &str, w: &Word) -> bool {
    constant.split('_').skip(1).any(|part| part.len() >= 3 && part.eq_ignore_ascii_case(&w.lower))
        // "no_new_privs (PR_SET_NO_NEW_PRIVS)": the constant's name ends with the word.
        || (w.lower.contains('_') && constant.to_lowercase().ends_with(&format!("_{}", w.lower)))
}

/// A value the words at `i` name, with the words it took.
fn value_at(text: &Text, i: usize, records: &Records) -> Option<(Term, At, Vec<usize>)> {
    let (term, w, mut at) = value_words(text, i, records)?;
    // "the new root dir", "the put_old path": a noun for a path (one word of the path kind's
    // nouns) after a string field names that field again, not another value.
    let path_noun = |k: usize| {
        let light = text.words.get(k).map_or("", |w| w.light.as_str());
        KINDS.iter().find(|(nouns, _)| nouns.contains(&"path")).is_some_and(|(nouns, _)| nouns.iter().any(|n| !n.contains(' ') && *n == light))
    };
    if let (Term::Field { ty, .. }, Some(&last)) = (&term, at.last()) {
        let k = last + 1;
        // ("pathname file descriptor": the noun begins another value.)
        let begins_another = text.is(k + 1, &["descriptor", "descriptors", "fd", "fds", "size", "sizes", "mode", "offset", "number", "name", "names", "path", "paths"]);
        if field_is_text(ty) && !text.words[last].ends && text.words[last].punct.is_none() && path_noun(k) && !text.used(k) && !begins_another {
            at.push(k);
        }
    }
    Some((term, w, at))
}

/// [`value_at`] before the nouns that say a field's kind again.
fn value_words(text: &Text, i: usize, records: &Records) -> Option<(Term, At, Vec<usize>)> {
    if i >= text.len() || text.used(i) {
        return None;
    }
    // "which (non-root) programs …": a question of who, not a call's `which` argument.
    const WHO: &[&str] = &["process", "program", "task", "thread", "user", "app", "application", "command", "daemon", "service", "container", "binary", "job"];
    if text.is(i, &["which", "what"]) && (i + 1..(i + 3).min(text.len())).any(|k| WHO.contains(&text.words[k].light.as_str())) {
        return None;
    }
    // "the number of blocks", "how many pages": the count the record holds of them (`count`,
    // `nr_pages`), not one of them (`block`, a block number), where it holds both.
    let counted = i >= 2 && ((text.is(i - 2, &["number"]) && text.is(i - 1, &["of"])) || (text.is(i - 2, &["how"]) && text.is(i - 1, &["many"])));
    let (light, lower) = (&text.words[i].light, &text.words[i].lower);
    if counted && light != lower && records.field(light).is_some() {
        let names = [format!("nr_{lower}"), format!("nr_{light}"), format!("{light}_count"), format!("n{lower}"), "count".to_string(), "nr".to_string()];
        if let Some((f, w)) = names.iter().find_map(|n| records.field(n)) {
            return Some((Term::field(&f.name, &f.ty), w, vec![i]));
        }
    }
    // "the address it returns", "the line returned": what a library function returns, by its
    // noun (only a function's return has `retval`).
    if let Some((f, w)) = records.field("retval") {
        let said = if text.is(i + 1, &["it", "they"]) && text.is(i + 2, &["returns", "returned", "return", "gives", "gave"]) {
            Some(vec![i, i + 1, i + 2])
        } else if text.is(i + 1, &["returned"]) {
            Some(vec![i, i + 1])
        } else {
            None
        };
        if let Some(at) = said.filter(|at| at.iter().all(|&k| !text.used(k))) {
            return Some((Term::field(&f.name, &f.ty), w, at));
        }
    }
    // A named constant is a value of its field ("each MADV_DONTNEED or MADV_FREE"); listed in a
    // parenthesis, it says what the words before it mean ("the operation bits (LOCK_SH/LOCK_EX)").
    let describes = |w: &Word| {
        w.lower.chars().all(|c| c.is_ascii_alphabetic())
            // "command (IPC_RMID, …)" is a call's command, which elsewhere may be a process's.
            && (!STOP.contains(&w.lower.as_str()) || ["command", "commands"].contains(&w.lower.as_str()))
            && !["and", "or", "per", "by", "with", "process", "task", "thread", "pid", "comm", "name"].contains(&w.lower.as_str())
    };
    let constant = |k: usize| text.words.get(k).and_then(|w| constant_fields(&w.raw)).and_then(|names| names.iter().find_map(|n| records.field(n)));
    // A constant alone is its field's value after "per"/"each" ("per RLIMIT_NOFILE"); elsewhere ("opening a SOCK_RAW socket") it is a
    // condition, which stays unread unless a rule reads it.
    let alone_is_value = |k: usize| k > 0 && text.is(k - 1, &["per", "by", "each", "every", "which", "what"]);
    // "command (SETVAL, GETVAL, IPC_RMID and so on)": one constant of the parenthesis with a
    // known prefix says what all of them are values of.
    // Word `m` continues the parenthesis that opens at word `k`.
    let inside = |k: usize, m: usize| (m == k || (text.words[m].aside && !text.words[m].paren)) && !text.used(m);
    let in_aside = |k: usize| -> Option<usize> { text.words[k].paren.then(|| (k..text.len()).take_while(|&m| inside(k, m)).find(|&m| constant(m).is_some())).flatten() };
    let described = (i..(i + 3).min(text.len())).take_while(|&k| !text.used(k) && (k == i || !text.words[k - 1].ends)).find_map(|k| {
        let first = text.words[k].paren && (i..k).all(|d| describes(&text.words[d]) && !spelled_by(&text.words[k].raw, &text.words[d]));
        if k == i {
            (constant(k).is_some() && alone_is_value(i)).then_some((k, k))
        } else if constant(k).is_some() && first {
            Some((k, k))
        } else if first && k > i {
            in_aside(k).map(|m| (k, m))
        } else {
            None
        }
    });
    if let Some((k, m)) = described {
        let (f, w) = constant(m).expect("a constant's field");
        let mut at: Vec<usize> = (i..=k).collect();
        if m > k {
            // The whole parenthesis: the values it lists, given as examples.
            at.extend((k + 1..text.len()).take_while(|&n| inside(k, n)));
            return Some((Term::field(&f.name, &f.ty), w, at));
        }
        // The rest of the list: more constants of the same field, "or", "etc".
        let mut j = k + 1;
        while j < text.len() && !text.used(j) && text.words[j - 1].punct.is_none_or(|p| p == ',') {
            let more = constant(j).is_some_and(|(g, _)| g.name == f.name);
            let joins = text.is(j, &["or", "and"]) && constant(j + 1).is_some_and(|(g, _)| g.name == f.name);
            if !(more || joins || text.is(j, &["etc"])) {
                break;
            }
            at.push(j);
            j += 1;
        }
        return Some((Term::field(&f.name, &f.ty), w, at));
    }
    // "the last fd", "the highest pfn": the record's bound of that value (close_range's
    // `max_fd`) where it has one; otherwise the value itself.
    let bound = if text.is(i, &["last", "highest", "upper", "end", "ending"]) {
        Some(["max_", "end_", "last_", "_max", "_end"])
    } else if text.is(i, &["first", "lowest", "lower", "start", "starting"]) {
        Some(["min_", "start_", "first_", "_min", "_start"])
    } else {
        None
    };
    if let (Some(affixes), Some(noun)) = (bound, text.words.get(i + 1).filter(|_| !text.used(i + 1))) {
        let named = |a: &str| if a.starts_with('_') { format!("{}{a}", noun.light) } else { format!("{a}{}", noun.light) };
        if let Some((f, w)) = affixes.iter().find_map(|a| records.field(&named(a))) {
            return Some((Term::field(&f.name, &f.ty), w, vec![i, i + 1]));
        }
    }
    // "the source path", "the new name", a symlink's "link path": of a record with an old and
    // a new name (rename's, link's, symlink's: the link is the new one).
    let linking = records.calls.iter().any(|c| c.contains("link") && !c.contains("unlink"));
    // ("existing" is a link's old name; a rename's replaces an existing new one.)
    let side = if text.is(i, &["source", "old", "original"]) || (linking && text.is(i, &["existing"])) {
        Some("old")
    } else if text.is(i, &["destination", "dest", "new"]) || (linking && text.is(i, &["link"])) {
        Some("new")
    } else {
        None
    };
    if let (Some(side), true) = (side, text.is(i + 1, &["path", "name", "file", "filename", "pathname", "directory", "dir"]) && !text.used(i + 1)) {
        if let Some((f, w)) = ["name", "path", "pathname", "filename"].iter().find_map(|s| records.field(&format!("{side}{s}"))) {
            return Some((Term::field(&f.name, &f.ty), w, vec![i, i + 1]));
        }
    }
    // A link's target is what it points to, the old name ("the target it should point to").
    if linking && text.is(i, &["target"]) && !text.is(i + 1, &["pid", "process", "task", "thread", "program"]) {
        if let Some((f, w)) = records.field("oldname") {
            let at = if text.is(i + 1, &["path", "name", "file", "filename", "pathname"]) { vec![i, i + 1] } else { vec![i] };
            return Some((Term::field(&f.name, &f.ty), w, at));
        }
    }
    // The event's object, not the task that caused it: "the target pid", "to which process".
    let target_at = if TARGET.contains(&text.lower(i)) {
        Some((i + 1, vec![i]))
    } else if text.is(i, &["to", "for"]) && text.is(i + 1, &["which", "whom", "what"]) {
        Some((i + 2, vec![i, i + 1]))
    } else {
        None
    };
    if let Some((j, mut taken)) = target_at {
        let noun = text.words.get(j).map(|w| w.light.clone()).unwrap_or_default();
        let named = text.is(j + 1, &["name", "names"]);
        if named {
            taken.push(j + 1);
        }
        let name = match noun.as_str() {
            "process" | "task" | "thread" | "program" if named => Some("comm"),
            "pid" | "process" | "task" | "thread" | "program" => Some("pid"),
            "comm" | "name" | "command" => Some("comm"),
            _ if text.lower(i + 1) == "whom" => Some("pid"),
            _ => None,
        };
        if let Some((t, w)) = name.and_then(|n| records.term(n)) {
            if !["whom"].contains(&text.lower(i + 1)) {
                taken.push(j);
            } else {
                taken.push(i + 1);
            }
            return Some((t, w, taken));
        }
    }
    // What a syscall returned: "the returned fd", "returned value".
    if records.syscall && text.words[i].light.starts_with("return") && text.lower(i) != "return" && records.field("ret").is_some() {
        let mut at = vec![i];
        if i + 1 < text.len() && !text.used(i + 1) && (value_noun(&text.words[i + 1]) || text.is(i + 1, &["fd", "value", "code", "values"])) {
            at.push(i + 1);
        }
        return Some((Term::field("ret", "long"), At::End, at));
    }
    // "the caller uid", "the pid of the sender": the task that caused the event, whatever the
    // record calls its own fields.
    let builtin = match text.lower(i) {
        "uid" => Some(Builtin::Uid),
        "gid" => Some(Builtin::Gid),
        "pid" => Some(Builtin::Pid),
        "tid" => Some(Builtin::Tid),
        "comm" => Some(Builtin::Comm),
        _ => None,
    };
    if let Some(b) = builtin {
        let cause = |j: usize| CAUSE.contains(&text.lower(j));
        if i > 0 && cause(i - 1) && !text.used(i - 1) {
            return Some((Term::Builtin(b), At::Anywhere, vec![i - 1, i]));
        }
        if text.is(i + 1, &["of"]) {
            let at = if text.is(i + 2, &["the"]) { i + 3 } else { i + 2 };
            if let Some(last) = (!text.used(at)).then(|| cause_ends(text, at)).flatten() {
                return Some((Term::Builtin(b), At::Anywhere, (i..=last).collect()));
            }
        }
    }
    // "the new owner uid and gid": the ids a call sets are its record's (chown's `user` and
    // `group`, setuid's `uid`), not the caller's, which the builtins read.
    if let Some(ty) = match text.lower(i) {
        "uid" | "uids" => Some("uid_t"),
        "gid" | "gids" => Some("gid_t"),
        _ => None,
    } {
        let clause = (0..i).rev().take_while(|&j| !text.words[j].ends).collect::<Vec<_>>();
        let set = clause.iter().any(|&j| text.is(j, &["owner", "owners", "ownership", "new", "target", "requested"]));
        let mut fields = records.start.iter().chain(records.end).filter(|f| f.ty.replace("const ", "") == ty);
        if let (true, Some(f), None) = (set, fields.next(), fields.next()) {
            let (f, w) = records.field(&f.name).expect("a field of the records");
            return Some((Term::field(&f.name, &f.ty), w, vec![i]));
        }
    }
    // A qualifier naming one of several fields of a kind: "the old path" is oldname, "the new
    // state" newstate.
    if i + 1 < text.len() && !text.used(i + 1) && text.lower(i).chars().all(|c| c.is_ascii_alphabetic()) && text.lower(i).len() >= 3 {
        let q = text.lower(i).to_string();
        if let Some((_, names)) = KINDS.iter().find(|(nouns, _)| nouns.contains(&text.words[i + 1].light.as_str())) {
            let text_kind = names.contains(&"filename");
            let found = records.start.iter().chain(records.end).find(|f| f.name.starts_with(&q) && f.name.len() > q.len() && (!text_kind || field_is_text(&f.ty)) && showable(f));
            if let Some(f) = found {
                let (f, w) = records.field(&f.name).expect("a field of the records");
                return Some((Term::field(&f.name, &f.ty), w, vec![i, i + 1]));
            }
        }
    }
    // A field by its own name, or its parts as words ("exit reason" is exit_reason, "lock
    // address" lock_addr), the longest match.
    let mut best: Option<(Term, At, Vec<usize>)> = None;
    for f in records.start.iter().chain(records.end).filter(|f| showable(f)) {
        let parts: Vec<&str> = f.name.split('_').filter(|p| !p.is_empty()).collect();
        let mut at = Vec::new();
        let joined = format!("{}{}", text.lower(i), text.words.get(i + 1).map_or("", |w| w.light.as_str()));
        if text.lower(i) == f.name || text.words[i].light == f.name {
            at.push(i);
        } else if i + 1 < text.len()
            && !text.used(i + 1)
            && (joined == f.name || f.name.strip_prefix(text.lower(i)).is_some_and(|rest| rest.len() >= 3 && text.lower(i + 1).starts_with(rest)))
        {
            at.extend([i, i + 1]);
        } else if i + 1 < text.len()
            && !text.used(i + 1)
            && f.name.len() >= 4
            && text.lower(i).len() >= 4
            && f.name.starts_with(&text.lower(i)[..1])
            && (text.is(i, &["logical", "physical", "virtual"]) && spells(text.lower(i + 1), &f.name[1..])
                || [Some(text.lower(i + 1)), text.lower(i + 1).strip_suffix('s')].contains(&Some(&f.name[1..])))
        {
            // An initial and an abbreviation: "logical block" is `lblk`, "physical address"
            // `paddr`; an initial and the word itself: "protection key" is `pkey`.
            at.extend([i, i + 1]);
        } else {
            // "pages reclaimed" is nr_reclaimed: a count's `nr` need not be said.
            let counted = if parts.len() >= 2 && parts[0] == "nr" { &parts[1..] } else { &parts[..0] };
            for parts in [&parts[..], counted] {
                let mut j = i;
                for p in parts {
                    if j < text.len() && !text.used(j) && spells(text.lower(j), p) {
                        at.push(j);
                        j += 1;
                    } else {
                        at.clear();
                        break;
                    }
                }
                if !at.is_empty() {
                    break;
                }
            }
            // "more than 100 semaphores" is `nsems`, "entries" `nents`: a count's n, nr or num
            // before the things' abbreviation, said as a plural.
            // A unit is no thing counted (`nsec` is no count of "seconds").
            let abbreviated = ["num", "nr", "n"]
                .iter()
                .find_map(|p| f.name.strip_prefix(p))
                .map(|x| x.strip_suffix('s').unwrap_or(x))
                .filter(|x| !["sec", "usec", "msec", "byte", "page"].contains(x) && !f.ty.contains('*'));
            let word = text.lower(i);
            if let (true, Some(x)) = (at.is_empty() && parts.len() == 1, abbreviated) {
                if x.len() >= 3 && word.len() > x.len() + 1 && word.ends_with('s') && word.starts_with(x) {
                    at.push(i);
                }
            }
        }
        // A one-part name spelled by a common word ("name", "state", "type") counts; a part of
        // a longer name alone does not.
        if at.is_empty() {
            continue;
        }
        // "capability number", "opcode value": the noun after a field's name is part of it.
        // Not across a comma: "sig, errno, code and result" lists `code` apart ("the result
        // code" is still `result`'s).
        let next = at.last().copied().unwrap_or(i) + 1;
        let listed_apart = text.words[next - 1].punct.is_some();
        if text.is(next, &["number", "numbers", "value", "values", "id", "ids", "code", "codes"]) && !text.used(next) && !f.name.ends_with("id") && !listed_apart {
            at.push(next);
        }
        let (field, where_) = records.field(&f.name).expect("a field of the records");
        // Of two as long, the field the words spell whole ("workqueue", not `work`, which the
        // word only begins with).
        let whole = at.iter().map(|&k| text.lower(k)).collect::<Vec<_>>().join("_") == f.name;
        let longer = best.as_ref().is_none_or(|(t, _, b)| at.len() > b.len() || (at.len() == b.len() && whole && t.name() != f.name));
        if longer {
            best = Some((Term::field(&field.name, &field.ty), where_, at));
        }
    }
    // "the work function", "irq name", "workqueue work functions": of field names said
    // together, the last is the thing, those before it say which.
    if best.as_ref().is_some_and(|(_, _, at)| at.as_slice() == [i]) {
        let names = |w: &Word| records.start.iter().chain(records.end).find(|f| (f.name == w.lower || f.name == w.light) && showable(f)).cloned();
        let mut head = None;
        let mut j = i;
        // (Names written as code, "orig_cpu dest_cpu", are each their own field.)
        while j + 1 < text.len() && !text.words[j].ends && !text.words[j + 1].used && !text.words[j].raw.contains('_') {
            let Some(f) = names(&text.words[j + 1]) else { break };
            head = Some(f);
            j += 1;
        }
        if let Some(f) = head {
            let (f, where_) = records.field(&f.name).expect("a field of the records");
            best = Some((Term::field(&f.name, &f.ty), where_, (i..=j).collect()));
        }
    }
    // Kinds of fields by their nouns ("the path", "the byte count").
    for (nouns, names) in KINDS {
        for noun in nouns.iter() {
            let Some(at) = text.phrase_from(noun, i) else { continue };
            if best.as_ref().is_some_and(|(_, _, b)| b.len() >= at.len()) {
                continue;
            }
            if names.contains(&"ret") && records.syscall && records.field("ret").is_some() {
                best = Some((Term::field("ret", "long"), At::End, at));
                continue;
            }
            let text_kind = nouns.contains(&"path");
            // "the path" of a call with two (link: oldname and newname) says neither.
            if text_kind
                && records
                    .start
                    .iter()
                    .chain(records.end)
                    .filter(|f| field_is_text(&f.ty) && ["oldname", "newname", "oldpath", "newpath", "target", "linkpath"].contains(&f.name.as_str()))
                    .count()
                    > 1
            {
                continue;
            }
            // The kind of the sizes ("the byte count", "length"), the only one with `bytes_req`.
            let sizes = names.contains(&"bytes_req");
            if sizes && sizes_written_out(records, text) {
                continue;
            }
            // Of several sizes, the one the words name ("the requested size": `bytes_req`).
            // A syscall's too when none of its arguments has a usual size name (msgsnd's `msgsz`).
            let unusual = names.iter().all(|n| records.field(n).is_none());
            // (Not its result: msgsnd's is 0, whatever the words say was sent.)
            let named_size = if sizes && (!records.syscall || unusual) {
                size_field(records, text).filter(|(t, _)| !(unusual && t.name() == "ret")).and_then(|(t, _)| records.field(t.name()))
            } else {
                None
            };
            let found = named_size.or_else(|| names.iter().filter_map(|name| records.field(name)).find(|(f, _)| showable(f) && (!text_kind || field_is_text(&f.ty))));
            if let Some((field, where_)) = found {
                best = Some((Term::field(&field.name, &field.ty), where_, at));
            }
        }
    }
    if best.is_some() {
        return best;
    }
    // The one field whose name ends with the word: "the name" of memfd_create is `uname`.
    let w = text.lower(i);
    if w.len() >= 4 && w.chars().all(|c| c.is_ascii_alphabetic()) {
        let ends: Vec<&Field> = records.start.iter().chain(records.end).filter(|f| f.name.ends_with(w) && f.name != w && showable(f)).collect();
        if let [f] = ends.as_slice() {
            let (f, at_) = records.field(&f.name).expect("a field of the records");
            return Some((Term::field(&f.name, &f.ty), at_, vec![i]));
        }
    }
    // A name alone is the task's: the record's own `comm` where it has one (a hung task's, an
    // OOM victim's).
    if text.is(i, &["name", "names"]) {
        // "by symbol name", "the function name": the name of the record's function, which is
        // shown by its symbol.
        if i > 0 && text.is(i - 1, &["symbol", "function", "handler"]) {
            if let Some((f, w)) = ["function", "func", "handler", "action", "call_site"].iter().find_map(|n| records.field(n)) {
                return Some((Term::field(&f.name, &f.ty), w, vec![i - 1, i]));
            }
        }
        // "the waker's name", "the name of the process that does the waking": the cause's,
        // where the record's own name is the task the event is done to. (Of another cause, "the
        // caller's name" stays the record's, as before: on a held-out corpus, counted and not
        // read, reading it as the builtin's turned one confirmed program wrong.)
        const WAKER: &[&str] = &["waker", "wakers"];
        if i > 0 && text.is(i - 1, WAKER) && !text.used(i - 1) {
            return Some((Term::Builtin(Builtin::Comm), At::Anywhere, vec![i - 1, i]));
        }
        if text.is(i + 1, &["of"]) {
            let at = if text.is(i + 2, &["the"]) { i + 3 } else { i + 2 };
            let cause = !CAUSE.contains(&text.lower(at)) || text.is(at, WAKER);
            if let Some(last) = (cause && !text.used(at)).then(|| cause_ends(text, at)).flatten() {
                return Some((Term::Builtin(Builtin::Comm), At::Anywhere, (i..=last).collect()));
            }
        }
        return Some(match records.term("comm") {
            Some((t, w)) => (t, w, vec![i]),
            None => (Term::Builtin(Builtin::Comm), At::Anywhere, vec![i]),
        });
    }
    // An errno: a syscall's, on its exit ("the errno", "what error", "error code").
    let asked = i > 0 && text.is(i - 1, &["what", "which", "the", "its", "their", "with"]);
    if records.syscall && (text.is(i, &["errno", "errnos"]) || (text.is(i, &["error", "errors"]) && (text.is(i + 1, &["code", "codes", "number"]) || asked))) {
        let at = if text.is(i + 1, &["code", "codes", "number"]) { vec![i, i + 1] } else { vec![i] };
        return Some((Term::Errno, At::End, at));
    }
    for (noun, b) in BUILTINS {
        // "the cgroup path": a word before the record's field says whose, and is no value.
        let before_field = |at: &Vec<usize>| {
            let k = at[at.len() - 1] + 1;
            // A text field only: "per cpu id" is the cpu's, "process group" the process's.
            k < text.len()
                && !text.used(k)
                && !text.words[at[at.len() - 1]].ends
                && text.words[at[at.len() - 1]].punct.is_none()
                && records.field(&text.words[k].light).is_some_and(|(f, _)| field_is_text(&f.ty))
        };
        // "our container runtime", "the app server": the noun names a thing by what it is
        // part of, not a value of the task.
        let compound = |at: &Vec<usize>| {
            let last = at[at.len() - 1];
            // ("per container image", "by app server": a key asked for, which the reading must find.)
            let keyed = i > 0 && text.is(i - 1, &["per", "by", "each", "every"]);
            !keyed && !SPELLED_BUILTINS.contains(noun) && !text.words[last].ends && text.words[last].punct.is_none() && text.is(last + 1, COMPOUND_HEADS)
        };
        if let Some(at) = text.phrase_from(noun, i).filter(|at| !before_field(at) && !compound(at)) {
            // "the uid it is given", "the new owner": the record's id of that kind, not the
            // caller's.
            // So is the one a call asks for ("which group do they ask for", "the uid requested").
            let last = at[at.len() - 1];
            // And the one a call changes to ("change their group id with setgid").
            let asked = text.is(last + 1, &["requested", "asked", "wanted", "passed"])
                || (text.is(last + 1, &["do", "does", "did"]) && (last + 2..=last + 4).any(|k| text.is(k, &["ask", "request", "want", "pass", "set", "switch", "change"])))
                || (i >= 2 && text.is(i - 1, &["their", "its", "the"]) && text.is(i - 2, &["change", "changes", "changing", "switch", "switches", "switching"]));
            let given = text.is(last + 1, &["it", "given", "assigned", "set"]) || (i > 0 && text.is(i - 1, &["new", "target"])) || asked;
            if given {
                let (ty, names): (&str, &[&str]) = match b {
                    Builtin::Uid => ("uid_t", &["user", "owner", "uid"]),
                    Builtin::Gid => ("gid_t", &["group", "gid"]),
                    Builtin::Pid => ("pid_t", &["pid"]),
                    _ => ("", &[]),
                };
                let field = records.start.iter().chain(records.end).find(|f| (!ty.is_empty() && f.ty == ty) || names.contains(&f.name.as_str()));
                if let Some(f) = field {
                    let (f, w) = records.field(&f.name).expect("a field of the records");
                    let mut at = at;
                    if i > 0 && text.is(i - 1, &["new", "target"]) {
                        at.push(i - 1);
                    }
                    return Some((Term::field(&f.name, &f.ty), w, at));
                }
            }
            // "which processes are woken up most often": the task the event is about, where
            // its record names it (`sched_wakeup`'s wakee, `signal_generate`'s target,
            // `mark_victim`'s victim); the running task (the waker, the sender) is said as such
            // above. A syscall's record names no task of its own.
            let caused = i > 0 && CAUSE.contains(&text.lower(i - 1)) && !text.used(i - 1);
            if *b == Builtin::Comm && caused {
                return Some((Term::Builtin(*b), At::Anywhere, std::iter::once(i - 1).chain(at).collect()));
            }
            // ("which processes send the most signals", "the process doing the waking": the
            // task acting, which is the running one.)
            let last = at[at.len() - 1];
            let passive = |k: usize| text.is(k, &["get", "gets", "got", "are", "were", "is", "was", "be", "been", "being"]);
            let acts = (last + 1..(last + 3).min(text.len())).take_while(|&k| !passive(k)).any(|k| text.is(k, ACTING)) || cause_ends(text, i).is_some();
            if *b == Builtin::Comm && !records.syscall && !acts {
                if let Some((t, w)) = records.term("comm") {
                    return Some((t, w, at));
                }
            }
            return Some((Term::Builtin(*b), At::Anywhere, at));
        }
    }
    None
}

/// Where words naming the task that caused the event end, if they start at `j`: a word for it
/// ("the sender", "the waker"), or a task said to do the event's verb ("the process that does
/// the waking", "the task doing the killing").
fn cause_ends(text: &Text, j: usize) -> Option<usize> {
    if CAUSE.contains(&text.lower(j)) {
        return Some(j);
    }
    let task = text.is(j, &["process", "task", "thread", "program"]);
    let (verb, the) = if text.is(j + 1, &["that", "which", "who"]) && text.is(j + 2, &["does", "did", "do", "is", "was"]) {
        (j + 2, j + 3)
    } else if text.is(j + 1, &["doing"]) {
        (j + 1, j + 2)
    } else {
        return None;
    };
    // ("the process doing the receiving" is the target's.)
    let acting = text.is(the, &["the"])
        && text.words.get(the + 1).is_some_and(|w| {
            w.lower.len() > 5 && w.lower.ends_with("ing") && !TARGET.contains(&w.lower.as_str()) && !["waiting", "sleeping", "blocking"].contains(&w.lower.as_str())
        });
    (task && acting && (j..=the + 1).all(|k| !text.used(k)) && !text.words[j..verb].iter().any(|w| w.ends)).then_some(the + 1)
}

// --- The reading -------------------------------------------------------------------------------

const HIST: &[&str] = &["histogram", "histograms", "distribution", "distributions", "hist", "power-of-two", "log2"];
const LATENCY: &[&str] = &[
    "latency",
    "latencies",
    "duration",
    "durations",
    "how long",
    "time spent",
    "time taken",
    "takes",
    "took",
    "stall",
    "stalls",
    "elapsed",
    "wait time",
    "run time",
    "run times",
    "running time",
    "execution time",
    "delay",
    "delays",
    "response time",
    "spend long",
    "spends long",
    "spent long",
    "time per call",
    "time per syscall",
    "time per invocation",
    "time from",
    "time between",
];
const SUM: &[&str] = &["total", "sum", "add up", "adds up", "added up", "sum up", "summed", "how much", "how many bytes", "bytes in total", "throughput", "volume"];
const AVG: &[&str] = &["average", "avg", "mean"];
/// What "error" names before these is what a program writes ("error output"), not a failure.
const STREAMS: &[&str] = &["output", "outputs", "message", "messages", "log", "logs", "stream", "channel", "text"];
const MAX: &[&str] = &["maximum", "max", "worst", "longest", "peak", "largest", "biggest"];
const MIN: &[&str] = &["minimum", "min", "shortest", "smallest"];
const COUNT: &[&str] = &["count", "counts", "counted", "counting", "tally", "how many", "how often", "number of", "most", "busiest", "hottest", "rate", "rates", "often"];
const SIZE: &[&str] = &["size", "sizes", "bytes", "byte count", "byte counts", "length", "lengths", "amount", "memory"];

/// "the largest number of calls", "the biggest rate": a ranking by a count, not a maximum.
fn ranks(text: &Text, i: usize) -> bool {
    (text.is(i + 1, &["number", "amount", "share"]) && text.is(i + 2, &["of"])) || text.is(i + 1, &["rate", "rates"])
}

/// A failure the story reports as a symptom ("restarts keep failing", "the job failed"), not
/// the calls asked for ("Failed calls are what we are after").
fn told_failure(text: &Text, i: usize) -> bool {
    let symptom = i > 0 && text.is(i - 1, &["keep", "keeps", "kept", "is", "are", "was", "were", "been", "started", "starts", "start", "still"]);
    // "the installer fails with ENOSPC": what the story saw, an errno and all.
    let with_errno = text.is(i + 1, &["with"]) && text.words.get(i + 2).is_some_and(|w| errno(&w.raw).is_some());
    // "the kernel log shows no I/O errors": a failure the story says did not happen.
    symptom
        || with_errno
        || denied_failure(text, i).is_some()
        || (text.lower(i).ends_with("ing") || text.lower(i) == "failed") && !text.is(i + 1, &["call", "calls", "syscall", "syscalls", "request", "requests"])
}

/// Verbs a call's failure is said with, beside its errno ("refused with EACCES").
const REFUSED: &[&str] = &["refused", "rejected", "denied", "blocked", "bounced"];

/// Whether a word says something failed ("fails", "failed", "errors").
fn failure_word(w: &Word) -> bool {
    w.stem.starts_with("fail") || ["error", "errors"].contains(&w.lower.as_str())
}

/// The word that denies the failure at word `i` ("no I/O errors", "without any error"), within
/// three words before it in one clause.
fn denied_failure(text: &Text, i: usize) -> Option<usize> {
    (i.saturating_sub(3)..i).rev().take_while(|&k| text.words[k].punct.is_none()).find(|&k| text.is(k, &["no", "without", "zero"]))
}

/// A failure word that asks for no condition: one the story reports as a symptom, or "error
/// output" (what a program writes).
fn no_failure_asked(text: &Text, i: usize) -> bool {
    (text.only_tells(i) && told_failure(text, i)) || (text.is(i, &["error", "errors"]) && text.is(i + 1, STREAMS))
}

/// Whether the words ask how long something takes, outside a guess at the cause and a symptom
/// ("the box keeps stalling").
fn asks_time(text: &Text) -> bool {
    [
        "how long",
        "latency",
        "latencies",
        "duration",
        "durations",
        "time spent",
        "time taken",
        "elapsed",
        "wait time",
        "run time",
        "response time",
        "execution time",
        "delay",
        "delays",
        "time from",
        "time between",
        "how late",
    ]
    .iter()
    .filter_map(|p| text.find(p, 0))
    .any(|at| {
        let symptom = at[0] > 0 && text.is(at[0] - 1, &["is", "are", "was", "were", "keeps", "seems"]);
        // "delayed allocation", "delayed work", "delayed ACKs": a kind of thing, not a time.
        const AFTER_DELAYED: &[&str] = &[
            "by",
            "for",
            "more",
            "over",
            "beyond",
            "than",
            "until",
            "past",
            "up",
            "at",
            "in",
            "on",
            "and",
            "or",
            "longer",
            "too",
            "much",
            "because",
            "due",
            "during",
            "when",
            "while",
            "waiting",
            "again",
            "significantly",
            "badly",
            "noticeably",
        ];
        let kind = text.words[at[0]].lower == "delayed"
            && !text.words[at[0]].ends
            && text.words.get(at[0] + 1).is_some_and(|w| w.raw.chars().all(|c| c.is_ascii_alphabetic()) && !AFTER_DELAYED.contains(&w.lower.as_str()));
        !text.guessed(at[0]) && !symptom && !kind
    })
}

/// Verbs that ask for a line per event.
const SHOWING: &[&str] = &["print", "log", "show", "list", "report", "display", "dump", "emit"];

/// After "for each"/"per": things that are no event ("one line per second", "for every cpu print
/// …").
/// Words for one occurrence of an event: "each direct reclaim pass", "every invocation".
const OCCURRENCE: &[&str] =
    &["pass", "passes", "call", "calls", "event", "events", "run", "runs", "occurrence", "occurrences", "invocation", "invocations", "round", "rounds", "instance", "instances"];

const NOT_EVENTS: &[&str] = &["second", "seconds", "sec", "minute", "minutes", "interval", "s", "cpu", "cpus", "process", "processes", "each", "every"];

/// Whether the request asks for a line per event: "print each write", "log every call",
/// "show me each time".
fn per_event(text: &Text) -> bool {
    (0..text.len()).any(|i| {
        let verb = text.is(i, SHOWING);
        let j = if text.is(i + 1, &["me", "out"]) { i + 2 } else { i + 1 };
        // "for every mlock call print …", "one line per call".
        // Not "one line per second", "for every cpu print …".
        let for_each_then_show =
            text.is(i, &["for"]) && text.is(i + 1, &["each", "every"]) && !text.is(i + 2, NOT_EVENTS) && (i + 2..(i + 8).min(text.len())).any(|k| text.is(k, SHOWING));
        let line_per = text.is(i, &["line", "lines"]) && text.is(i + 1, &["per", "for"]) && !text.is(i + 2, NOT_EVENTS) && !text.is(i + 3, NOT_EVENTS)
            || text.is(i, &["line"]) && text.is(i + 1, &["whenever", "each", "every"]);
        // "print proc name, pid and nr_events per call".
        let shown_per_call = text.is(i, &["per"])
            && text.is(i + 1, &["call", "syscall", "invocation", "event"])
            && (text.sentence_start(i)..i).any(|k| text.is(k, SHOWING) && !text.is(k + 1, &["the", "a"]) || text.is(k, &["print", "log"]));
        // "Alert when any process calls setgroups()": a line for each.
        // Not "alert me if the number of forks exceeds 500", a count.
        let alert = text.is(i, &["alert", "alerts", "warn", "notify"])
            && text.is(i + 1, &["when", "whenever", "if", "on", "each", "every"])
            && !text.has(&["number", "many", "count", "exceeds", "rate"]);
        (verb && text.is(j, &["each", "every"])) || (text.is(i, &["each", "every"]) && text.is(i + 1, &["time"])) || for_each_then_show || line_per || shown_per_call || alert
    })
}

/// Reads `request` against its grounding and this host's catalog.
pub fn read(request: &str, grounding: &Grounding, catalog: &Catalog) -> Reading {
    let mut reading = read_words(request, grounding, catalog);
    reading.timed = asks_time(&Text::new(request));
    let planned: Vec<String> = reading.plan.iter().flat_map(|p| p.probes.iter().chain(p.start.iter().flat_map(|s| &s.probes))).cloned().collect();
    for named in hooks_named(&reading.unread, catalog) {
        // "count queue_work events": the word names the plan's own event.
        if named.hooks.iter().any(|h| planned.contains(h)) {
            reading.unread.retain(|w| *w != named.word);
            reading.names.retain(|w| *w != named.word);
            continue;
        }
        if !reading.hooks.iter().any(|n| n.word == named.word) {
            reading.hooks.push(named);
        }
    }
    reading
}

/// The tracepoints that unread words name by name: the whole name (`sched_switch`) or, for a
/// word of several parts, the name after its category (`queue_work` in workqueue).
fn hooks_named(unread: &[String], catalog: &Catalog) -> Vec<NamedHooks> {
    let mut out: Vec<NamedHooks> = Vec::new();
    for word in unread {
        let w = word.trim_end_matches("()").to_lowercase();
        if w.len() < 4 || !w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || !w.chars().any(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let suffix = format!("_{w}");
        let hooks: Vec<String> = catalog
            .hooks
            .iter()
            .filter(|h| {
                h.probe.strip_prefix("tracepoint:").and_then(|t| t.split_once(':')).is_some_and(|(category, name)| {
                    // A syscall's word names the syscall, which grounding reads.
                    category != "syscalls" && (name == w || (w.contains('_') && name.ends_with(&suffix)))
                })
            })
            .map(|h| h.probe.clone())
            .collect();
        if !hooks.is_empty() && !out.iter().any(|n| n.word == *word) {
            out.push(NamedHooks { word: word.clone(), hooks });
        }
    }
    out
}

/// Words that spell out the event's own name ("asking libc for the host name with
/// gethostname()"): the event, said again. Not a value asked for by them ("print the new host
/// name passed to sethostname()": a verb of showing, or new/old, just before).
fn spelled_out_name(text: &mut Text) {
    let names: Vec<String> = text.event_at.iter().map(|&e| text.lower(e).trim_end_matches("()").to_string()).filter(|n| n.len() >= 6).collect();
    let shown = |i: usize| (i.saturating_sub(3)..i).any(|k| text.is(k, SHOW) || text.is(k, &["new", "old", "previous", "value"]));
    let spelled: Vec<usize> = (0..text.len().saturating_sub(1))
        .filter(|&i| {
            let joined = format!("{}{}", text.lower(i), text.lower(i + 1));
            !text.used(i) && !text.used(i + 1) && text.words[i].punct.is_none() && joined.len() >= 6 && names.iter().any(|n| n.contains(&joined) && *n != joined) && !shown(i)
        })
        .flat_map(|i| [i, i + 1])
        .collect();
    if !spelled.is_empty() {
        text.read(&spelled, "the event's own name, in words");
    }
}

fn read_words(request: &str, grounding: &Grounding, catalog: &Catalog) -> Reading {
    let mut text = Text::new(request);
    if !matches!(grounding.servable, Servable::Here) {
        return Reading::gap(format!("this host cannot serve the request as asked: {}", grounding.servable), &text);
    }
    let event = match event(&mut text, grounding, catalog) {
        Ok(e) => e,
        Err(Unsettled { apart: Some(apart_at), gap, among, named }) => {
            let (places, together) = *apart_at;
            let mut each = text.clone();
            if !places.is_empty() {
                read_event(&mut each, &places, "the events named side by side".into());
            }
            if let Some(at) = each.find("side by side", 0).or_else(|| which_of_them(&each)) {
                each.read(&at, "each event apart");
            }
            let by_probe = !listed_as_alternatives(&text, &together, grounding);
            if let Some(reading) = apart(read_as(each, &together, catalog, true), by_probe) {
                return reading;
            }
            // As if no plan could keep them apart.
            if let Some(among) = among {
                let mut reading = read_as(text, &among, catalog, true);
                reading.gaps.insert(0, gap);
                return reading;
            }
            let mut reading = Reading::gap(gap, &text);
            reading.hooks = named;
            return reading;
        }
        Err(Unsettled { gap, among: Some(among), .. }) => {
            // Of close events the words found, the one whose record settles every word asked,
            // where only one does ("allocations per order": `mm_page_alloc` has an order,
            // `dma_alloc_pages` none). Two that both do stay the model's to choose.
            // Only among events found by the words, not named by the request: one it names it asks for.
            let described = grounding.events.iter().all(|e| matches!(e.evidence, Evidence::Described { .. } | Evidence::Fields { .. }));
            if let (Event::Hooks { probes, .. }, true) = (&*among, described) {
                let tracepoints = probes.iter().all(|p| p.starts_with("tracepoint:"));
                let mut settled = probes.iter().map(|p| read_as(text.clone(), &Event::hook(p.clone(), catalog), catalog, false)).filter(|r| r.complete().is_some());
                if let (Some(mut one), None, true) = (settled.next(), settled.next(), probes.len() > 1 && tracepoints) {
                    if let Some(plan) = one.plan.as_mut() {
                        plan.said.push(Said { words: "of those".into(), means: format!("the one of {} whose record holds every value asked", probes.join(", ")) });
                    }
                    return one;
                }
            }
            // A plan in part: which of the hooks stays the model's to choose.
            let mut reading = read_as(text, &among, catalog, true);
            reading.gaps.insert(0, gap);
            return reading;
        }
        Err(Unsettled { gap, named, .. }) => {
            let mut reading = Reading::gap(gap, &text);
            reading.hooks = named;
            return reading;
        }
    };
    asked_of_another(&mut text);
    spelled_out_name(&mut text);
    let first = read_as(text.clone(), &event, catalog, false);
    // What the hook's record lacks (a result, a failure, an exit code), the syscall behind the
    // event may have: "exec attempts that fail" are execve's.
    if first.complete().is_none() {
        if let Event::Hooks { syscall: Some(name), .. } = &event {
            let family = family_here(name, catalog);
            if !family.is_empty() {
                let second = read_as(text.clone(), &Event::Syscalls(family), catalog, false);
                if second.complete().is_some() {
                    return second;
                }
            }
        }
        // A TCP state named ("sockets that enter CLOSE_WAIT") is a state change, whose record
        // carries the state; a socket's other events do not.
        let state_change = "tracepoint:sock:inet_sock_set_state";
        let planned = first.plan.as_ref().is_some_and(|p| p.probes.iter().any(|p| p == state_change));
        if !planned && catalog.find(state_change).is_some() && text.words.iter().any(|w| tcp_state(&w.raw).is_some()) {
            let second = read_as(text, &Event::hook(state_change.to_string(), catalog), catalog, false);
            if second.complete().is_some() {
                return second;
            }
        }
    }
    first
}

/// "… then it fails with ENOENT on the next mq_open. Log every message queue removal with …":
/// the event is named only where the request tells, and where it asks, it asks for every one of
/// something the reader did not find. Those words constrain the program: unread, they leave it
/// to the model and say so.
fn asked_of_another(text: &mut Text) {
    if text.event_at.is_empty() || text.event_at.iter().any(|&e| text.asks(e)) {
        return;
    }
    for i in 0..text.len() {
        if !text.is(i, &["every", "each"]) || text.used(i) || !text.asks(i) || text.words[i].ends {
            continue;
        }
        let mut k = i + 1;
        while text.is(k, &["the", "a", "an", "single"]) {
            k += 1;
        }
        const AFTER: &[&str] = &["when", "whenever", "that", "which", "whose", "where", "of", "to", "from", "for", "with", "on", "in"];
        let thing: Vec<usize> = (k..text.len().min(k + 4)).take_while(|&j| !STOP.contains(&text.lower(j)) && !text.is(j, AFTER) && (j == k || !text.words[j - 1].ends)).collect();
        // "… talks to its workers with sigqueue(). Show each queued signal": the event again.
        let again = |j: usize| {
            let w = &text.words[j];
            text.event_at.iter().any(|&e| {
                let name = &text.words[e].lower;
                w.stem.len() >= 4 && (name.contains(w.stem.as_str()) || w.lower.contains(name.as_str()))
            })
        };
        if thing.iter().any(|&j| again(j)) {
            continue;
        }
        if thing.first().is_some_and(|&j| text.is(j, CALL_WORDS) || text.is(j, OCCURRENCE) || text.is(j, NOT_EVENTS) || text.is(j, &["time", "one"])) {
            continue;
        }
        for j in thing {
            if !text.used(j) && text.lower(j).len() > 3 && text.lower(j).chars().all(|c| c.is_ascii_alphabetic()) {
                text.inside.push(j);
            }
        }
    }
}

/// A reading over several distinct events kept apart: what each one does is counted, folded or
/// shown with `probe`, the event it came from, first. Only a reading the events' shared fields
/// settle completely, with no start event other than a syscall's entry.
fn apart(mut reading: Reading, by_probe: bool) -> Option<Reading> {
    let plan = reading.plan.as_mut()?;
    if !reading.gaps.is_empty() || !reading.unread.is_empty() || plan.start.as_ref().is_some_and(|s| s.key != PairKey::Tid) {
        return None;
    }
    // A line per event still says which call it was.
    if !by_probe && matches!(plan.output, Output::Map { .. }) {
        plan.said.push(Said { words: "listed as alternatives".into(), means: "the calls as one".into() });
        return Some(reading);
    }
    let probe = Term::Builtin(Builtin::Probe);
    match &mut plan.output {
        Output::Map { keys, .. } => keys.insert(0, probe),
        Output::Lines { values } => values.insert(0, probe),
    }
    plan.said.push(Said { words: "side by side".into(), means: "each event apart, by probe".into() });
    Some(reading)
}

/// Whether syscalls are listed as alternatives of one thing ("clone/clone3/fork/vfork", "time(),
/// utime() or utimes()"): one list with no "and" in it, and no word that asks for each apart
/// ("per syscall", "separately"). Such a list is traced as one event; "openat and close calls"
/// are two, counted apart.
fn listed_as_alternatives(text: &Text, event: &Event, grounding: &Grounding) -> bool {
    let Event::Syscalls(names) = event else { return false };
    let words: Vec<&str> = grounding.events.iter().filter(|e| syscall_of(&e.probe).is_some_and(|s| names.iter().any(|n| n == s))).filter_map(|e| e.evidence.name()).collect();
    let at: Vec<usize> = (0..text.len()).filter(|&i| words.iter().any(|w| text.writes(i, w))).collect();
    // Runs of names with only "or" between them; one run must write every name (a name the
    // story says first, "fork() is slow", is said again in the list).
    let mut runs: Vec<Vec<usize>> = Vec::new();
    for &i in &at {
        match runs.last_mut() {
            // Within one sentence: a comma goes on with the list, a full stop ends it.
            Some(run) if (run[run.len() - 1] + 1..i).all(|k| text.is(k, &["or", "nor"])) && (run[run.len() - 1]..i).all(|k| text.words[k].punct.is_none_or(|p| p == ',')) => {
                run.push(i)
            }
            _ => runs.push(vec![i]),
        }
    }
    let joined = runs.iter().any(|run| words.iter().all(|w| run.iter().any(|&i| text.writes(i, w))));
    let apart = which_of_them(text).is_some()
        || (0..text.len()).any(|i| {
            text.is(i, &["separately", "apart", "respectively", "vs", "versus", "individually"])
                || (text.is(i, &["side"]) && text.is(i + 1, &["by"]) && text.is(i + 2, &["side"]))
                || (text.is(i, &["per", "by", "each", "every", "which"]) && text.is(i + 1, &["syscall", "syscalls"]))
        });
    joined && !apart
}

/// Words that ask which of the events named each was ("by which of the two it was", "and which
/// one"): the events are kept apart.
fn which_of_them(text: &Text) -> Option<Vec<usize>> {
    const MANY: &[&str] = &["2", "two", "3", "three", "both", "them", "these", "those", "calls", "syscalls"];
    (0..text.len()).find_map(|i| {
        if !text.is(i, &["which"]) || text.used(i) {
            return None;
        }
        let mut j = i + 1;
        let one = text.is(j, &["one"]);
        if one {
            j += 1;
        } else if text.is(j, &["of"]) {
            // ("which of these", "which of the two": the article only before a number.)
            j += 1 + usize::from(text.is(j + 1, &["the", "these", "those"]) && text.is(j + 2, MANY));
            if !text.is(j, MANY) {
                return None;
            }
            j += 1;
        } else {
            return None;
        }
        let said_of = text.is(j, &["it", "one"]) && text.is(j + 1, &["was", "is"]);
        if said_of {
            j += 2;
        }
        // "we don't know which one" asks nothing of the program: "which one it was" does.
        (!one || said_of).then(|| (i..j).collect())
    })
}

fn event_conditions_of(event: &Event) -> &[Where] {
    match event {
        Event::Hooks { conditions, .. } => conditions,
        Event::Syscalls(_) => &[],
    }
}

/// The rest of the reading, once the event is chosen; `shared` (the words left it among hooks)
/// reads only the fields all of them have.
/// The values a hook's record gives: a tracepoint's fields, a function's parameters, and on a
/// library function's return what it returns (`retval`, of the type its header declares).
fn record_of(probe: &str, catalog: &Catalog) -> Vec<Field> {
    if let Some(function) = probe.strip_prefix("uretprobe:") {
        let returns = catalog.find(&format!("uprobe:{function}")).and_then(|h| h.prototype.as_deref()).and_then(|p| {
            let name = function.rsplit(':').next()?;
            let at = p.find(&format!("{name}("))?;
            Some(p[..at].trim().to_string())
        });
        return returns.filter(|ty| !ty.is_empty() && ty != "void").map(|ty| vec![Field::new("retval", ty)]).unwrap_or_default();
    }
    catalog.find(probe).map(|h| h.fields.clone()).unwrap_or_default()
}

fn read_as(mut text: Text, event: &Event, catalog: &Catalog, shared: bool) -> Reading {
    let narrowed = asked_fields_narrow(&text, event, catalog);
    let event = narrowed.as_ref().unwrap_or(event);
    // The records the event gives: a syscall's entry and exit, or a hook and its end.
    let (start_probes, end_probes, end_key, syscall) = match event {
        Event::Syscalls(names) => (
            names.iter().map(|n| format!("tracepoint:syscalls:sys_enter_{n}")).filter(|p| catalog.find(p).is_some()).collect::<Vec<_>>(),
            names.iter().map(|n| format!("tracepoint:syscalls:sys_exit_{n}")).filter(|p| catalog.find(p).is_some()).collect::<Vec<_>>(),
            Some(PairKey::Tid),
            true,
        ),
        Event::Hooks { probes, end, .. } => (probes.clone(), end.iter().map(|(p, _)| p.clone()).collect(), end.as_ref().map(|(_, k)| k.clone()), false),
    };
    let (event_conditions, shows, event_latency) = match event {
        Event::Hooks { conditions, shows, latency, .. } => (conditions.clone(), shows.clone(), *latency),
        Event::Syscalls(_) => (vec![], vec![], false),
    };
    let fields_of = |p: &String| record_of(p, catalog);
    let in_all = |probes: &[String]| -> Vec<Field> {
        let mut records = probes.iter().map(fields_of);
        let mut fields = records.next().unwrap_or_default();
        if shared {
            for other in records {
                fields.retain(|f| other.iter().any(|g| g.name == f.name));
            }
        }
        fields
    };
    let start_fields = in_all(&start_probes);
    let end_fields = in_all(&end_probes);
    // raw_syscalls' exit is every syscall's: its `ret` is a syscall's result.
    let syscall = syscall || end_probes.iter().any(|p| p == "tracepoint:raw_syscalls:sys_exit");
    let mut calls: Vec<String> = Vec::new();
    for c in start_probes.iter().chain(&end_probes).filter_map(|p| syscall_of(p)) {
        if !calls.iter().any(|k| k == c) {
            calls.push(c.to_string());
        }
    }
    let records = Records { start: &start_fields, end: &end_fields, syscall, calls };
    // A field of any of the event's hooks that a word names is asked for, even where the
    // records read keep only the fields all hooks share: unread, it leaves the reading partial.
    let every_name: Vec<String> = start_probes.iter().chain(&end_probes).flat_map(fields_of).map(|f| f.name).collect();
    let mut gaps: Vec<String> = Vec::new();
    // Two words that are one field's name ("error count", "error type": `mc_event`'s
    // `error_count`, `error_type`) name a value, not a count or a failure: kept from the
    // conditions and folds, and read with the values.
    let joined: Vec<usize> = (0..text.len().saturating_sub(1))
        .filter(|&i| !text.used(i) && !text.used(i + 1) && records.field(&format!("{}_{}", text.lower(i), text.lower(i + 1))).is_some())
        .flat_map(|i| [i, i + 1])
        .collect();
    text.mark(&joined);
    // Words of the event's phrase that name a field of its record ("idle state", "irq") are
    // also what to show or key by.
    let names = records.names();
    for i in text.event_at.clone() {
        if names.contains(&text.words[i].lower) || names.contains(&text.words[i].light) {
            text.words[i].used = false;
            text.event_nouns.push(i);
        }
    }
    // A protocol the event is about already ("tcp" of tcp_send_reset, of a TCP state change).
    let probe_text = start_probes.iter().chain(&end_probes).cloned().collect::<Vec<_>>().join(" ");
    // A TCP state named on the state change ("enters CLOSE_WAIT") says TCP too.
    let tcp_state_named = probe_text.contains("inet_sock_set_state") && text.words.iter().any(|w| tcp_state(&w.raw).is_some());
    let tcp_condition = event_conditions_of(event).iter().any(|w| w.field == "protocol" && w.value == 6) || tcp_state_named;
    for i in 0..text.len() {
        let w = text.lower(i).to_string();
        if !text.used(i) && PROTOCOLS.contains(&w.as_str()) && (probe_text.contains(&w) || (w == "tcp" && tcp_condition)) {
            text.read(&[i], format!("{w}: the event's own"));
        }
    }

    // How often, how many, in which unit.
    let stop_after = run_for(&mut text);
    let (every, rate) = match interval(&mut text) {
        Some((s, rate)) => (Some(s), rate),
        None => (None, false),
    };
    let top = top(&mut text);
    // "the top 10 processes": what is ranked is the key.
    let top_key = top.and_then(|_| {
        let number = |i: usize| text.lower(i).parse::<u32>().is_ok();
        let at =
            (0..text.len()).find(|&i| text.used(i) && (text.lower(i).starts_with("top") || (number(i) && (text.used(i + 1) || (i > 0 && text.is(i - 1, &["which", "what"]))))))?;
        let at = if text.lower(at + 1).parse::<u32>().is_ok() || (text.lower(at).parse::<u32>().is_ok() && text.used(at + 1)) { at + 1 } else { at };
        // "the top 5 busiest processes": the noun after the superlative.
        Some(if text.is(at + 1, SUPERLATIVES) { at + 2 } else { at + 1 })
    });
    let mut unit = unit(&mut text);
    // The conditions: those that make the hook the event, then those the words state.
    let mut conditions: Vec<(Condition, At)> = Vec::new();
    for w in &event_conditions {
        match (records.term(&w.field), op(&w.op)) {
            (Some((t, at)), Some(op)) => conditions.push((Condition { term: t, test: Test::Cmp { op, value: w.value }, words: "the event".into() }, at)),
            _ => gaps.push(format!("the event's condition on {} cannot be written here", w.field)),
        }
    }
    conditions_of(&mut text, &records, &mut conditions, &mut gaps);
    // "Print only the accept calls that fail with EMFILE": "only" says there is a condition, and
    // its sentence states one the reading has.
    let condition_words: Vec<String> =
        text.said.iter().filter(|s| s.means.starts_with("only ")).flat_map(|s| s.words.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>()).collect();
    for i in 0..text.len() {
        if text.used(i) || !text.is(i, &["only", "just"]) {
            continue;
        }
        let (start, end) = (text.sentence_start(i), text.sentence_end(i));
        if (start..=end).any(|j| j != i && text.used(j) && condition_words.contains(&text.lower(j).to_string())) {
            text.read(&[i], "only the records the condition keeps");
        }
    }

    // What is folded or shown.
    // Not in the story before the ask ("… labels on the data volume" asks for no sum), nor in an
    // aside's examples. Neither depends on what is read, so it is found once.
    // "meaning the task was runnable" explains; it is no mean.
    let told: Vec<usize> = (0..text.len()).filter(|&i| text.only_tells(i) || text.in_examples(i) || text.is(i, &["meaning", "means", "meant"])).collect();
    let any = |text: &Text, list: &[&str]| {
        let mut asked = text.clone();
        asked.mark(&told);
        list.iter().find_map(|w| asked.find(w, 0))
    };
    // Read or not: "calls sysinfo() to read memory totals. Show sysinfo() calls per second"
    // asks for a count; the story's "memory" is no amount to sum.
    let says = |text: &Text, list: &[&str]| (0..text.len()).any(|i| !told.contains(&i) && list.contains(&text.lower(i)));
    // "Writers are stalling", "the box keeps stalling": a symptom the ticket reports, not the
    // time it asks to measure.
    // A verb's form after a copula is the symptom; the noun itself ("is latency high on sda?")
    // still asks for the time.
    let symptom = |text: &Text, i: usize, entry: &str| {
        i > 0 && text.is(i - 1, &["is", "are", "was", "were", "keeps", "keep", "kept", "seems", "seem", "been"]) && text.lower(i) != entry && text.words[i].light != entry
    };
    let latency = if event_latency {
        // The words may still say it ("workqueue latency: … minus … time").
        Some(LATENCY.iter().filter(|w| !w.contains(' ')).flat_map(|w| (0..text.len()).filter(|&i| !text.used(i) && text.words[i].root == root(w)).collect::<Vec<_>>()).collect())
    } else {
        LATENCY
            .iter()
            .find_map(|w| {
                if w.contains(' ') {
                    return text.find(w, 0);
                }
                let r = root(w);
                // "how many interrupts does each CPU take": what is taken is counted, not timed.
                let counted =
                    |i: usize| ["takes", "took"].contains(w) && (text.sentence_start(i)..i).any(|j| text.is(j, &["many"]) || (text.is(j, &["number"]) && text.is(j + 1, &["of"])));
                // "the syscall takes a caller-supplied buffer": what it is given, not how long.
                // Not when a time follows before the clause ends ("take the longest", "take two
                // seconds or more", "took a full second").
                const TIMEISH: &[&str] = &[
                    "while",
                    "long",
                    "longer",
                    "longest",
                    "most",
                    "least",
                    "lot",
                    "second",
                    "seconds",
                    "moment",
                    "moments",
                    "minute",
                    "minutes",
                    "hour",
                    "hours",
                    "ms",
                    "msec",
                    "msecs",
                    "milliseconds",
                    "millisecond",
                    "us",
                    "usecs",
                    "microseconds",
                    "ns",
                    "nsecs",
                    "nanoseconds",
                    "time",
                    "ages",
                    "forever",
                    "few",
                    "bit",
                    "very",
                    "really",
                    "little",
                    "cpu",
                ];
                // A quantifier is a time only when nothing else is quantified: "take the most"
                // or "a lot of time", not "take the most page faults".
                const QUANTIFIERS: &[&str] = &["most", "least", "lot", "few", "bit", "little", "very", "really"];
                let timeish = |k: usize| {
                    text.is(k, TIMEISH)
                        && (!text.is(k, QUANTIFIERS)
                            || text.words[k].ends
                            || k + 1 >= text.len()
                            || text.is(k + 1, TIMEISH)
                            || (text.is(k + 1, &["of"]) && text.is(k + 2, TIMEISH)))
                };
                let timed_after = |i: usize| (i + 1..text.len()).take_while(|&k| k == i + 1 || !text.words[k - 1].ends).any(timeish);
                let given = |i: usize| ["takes", "took"].contains(w) && text.is(i + 1, &["a", "an", "the", "its", "their", "one", "two", "three"]) && !timed_after(i);
                // "startup takes 40 s now" before the ask: how long something else takes.
                let said: Vec<usize> = (0..text.len())
                    .filter(|&i| {
                        let story_time = ["takes", "took"].contains(w) && text.only_tells(i);
                        !text.used(i) && text.words[i].root == r && !symptom(&text, i, w) && !counted(i) && !given(i) && !story_time
                    })
                    .collect();
                // The ask's word, where the story says it too ("the p99 latency has doubled. …
                // a histogram of pread64 latency").
                said.iter().find(|&&i| !text.only_tells(i)).or(said.first()).map(|&i| vec![i])
            })
            // "futex() time", "fsync time": the event's time is how long it takes.
            .or_else(|| {
                (1..text.len()).find(|&i| !text.used(i) && text.is(i, &["time"]) && text.event_at.iter().any(|&e| text.words[e].lower == text.words[i - 1].lower)).map(|i| vec![i])
            })
            // "time threads spend inside recvmsg()", "how much time do workers spend in
            // fsync": the time, then who spends it.
            .or_else(|| ["time spend", "time spent"].iter().find_map(|p| text.find(p, 3)))
    };
    let spent = text.find("time spent", 0).or_else(|| text.find("time taken", 0)).is_some();
    let rate_words = any(&text, &["rate", "rates", "how many", "number of", "count", "how often"]).is_some();
    // "print each write with how many bytes": a value of each line, not a total or a count.
    let shown_amount = per_event(&text) && any(&text, &["how many", "how much", "number of"]).is_some();
    // "print comm, fd, offset and count": a field of that name, listed among the values.
    let listed_field = |text: &Text, at: &[usize]| {
        let k = at[0];
        at.len() == 1 && records.field(text.lower(k)).is_some() && k > 0 && (text.is(k - 1, &["and"]) || text.words[k - 1].punct == Some(','))
    };
    let linear = linear_buckets(&text);
    let mut fold = if let Some(at) = any(&text, HIST) {
        text.read(&at, "a histogram");
        // "a log2 histogram": said twice.
        while let Some(more) = any(&text, HIST) {
            text.mark(&more);
        }
        Some(Fold::Hist)
    } else if linear.as_ref().is_some_and(|(_, at)| at.iter().any(|&k| text.is(k, &["lhist"]))) {
        // bpftrace's own word, with its bounds and width: a linear histogram.
        Some(Fold::Hist)
    } else if let Some(at) = any(&text, AVG) {
        text.read(&at, "the average");
        Some(Fold::Avg)
    } else if let Some(at) = any(&text, MAX).filter(|at| !ranks(&text, at[0])) {
        text.read(&at, "the maximum");
        // "the largest offset …? just the max per comm": said twice.
        while let Some(more) = any(&text, MAX).filter(|at| !ranks(&text, at[0])) {
            text.mark(&more);
        }
        Some(Fold::Max)
    } else if let Some(at) = any(&text, MIN).filter(|at| !ranks(&text, at[0])) {
        text.read(&at, "the minimum");
        Some(Fold::Min)
    } else if let (Some(at), false) = (
        // "which processes read the most directory-entry bytes": the most of an amount is a sum.
        any(&text, SUM).or_else(|| {
            // Not a bound ("writes of at most 4096 bytes").
            let most = any(&text, &["most"]).filter(|m| m[0] == 0 || !text.is(m[0] - 1, &["at"]))?;
            let amount = (most[0] + 1..(most[0] + 4).min(text.len())).take_while(|&j| text.words[j - 1].punct.is_none()).find(|&j| text.is(j, AMOUNT));
            amount.map(|_| most)
        }),
        (rate_words && text.find("total", 0).is_some() && any(&text, SIZE).is_none())
            // "print each write with how many bytes": a value of each line, not a total.
            || shown_amount,
    ) {
        text.read(&at, "the sum");
        Some(Fold::Sum)
    } else if let Some(at) = any(&text, COUNT).filter(|at| !(listed_field(&text, at) || shown_amount && text.is(at[0], &["how", "number"]))) {
        text.read(&at, "a count");
        // "count reads …, and print the counts": said twice.
        while let Some(more) = any(&text, &["count", "counts", "counted", "tally"]) {
            text.mark(&more);
        }
        if let Some(t) = text.find("total", 0) {
            text.read(&t, "a count of all events");
        }
        Some(Fold::Count)
    } else {
        None
    };
    for &i in &joined {
        text.words[i].used = false;
    }
    // Linear buckets are read only as a histogram's; asked of anything else they stay unread.
    // Buckets in bytes are a size's, in a time unit a latency's (in the unit times are shown
    // in, which they set when no other words do: "lhist 0-50ms, 5ms buckets" shows msecs).
    let linear = match (linear, fold) {
        (Some((buckets, at)), Some(Fold::Hist)) => {
            let bounds = match buckets.measure {
                Measure::Plain => Some((buckets.min, buckets.max, buckets.step)),
                // KB and MB only of a size known to be in bytes (a syscall's, a record's `bytes`),
                // not of one counted in pages or sectors.
                Measure::Bytes(scale) if latency.is_none() && (scale == 1 || records.syscall || records.names().iter().any(|n| n.contains("bytes"))) => {
                    Some((buckets.min, buckets.max, buckets.step))
                }
                Measure::Bytes(_) => None,
                Measure::Nanos(_) if latency.is_some() => {
                    // The coarsest unit every bound is a whole number of ("0 to 2 ms in 100 us": usecs).
                    let shown = unit.or_else(|| [TimeUnit::Ms, TimeUnit::Us, TimeUnit::Ns].into_iter().find(|&u| buckets.in_unit(u).is_some()));
                    let bounds = shown.and_then(|u| buckets.in_unit(u));
                    if bounds.is_some() {
                        unit = shown;
                    }
                    bounds
                }
                Measure::Nanos(_) => None,
            };
            bounds.map(|(min, max, step)| {
                let shown = if matches!(buckets.measure, Measure::Nanos(_)) { format!(" {}", unit.map_or("", TimeUnit::name)) } else { String::new() };
                text.read(&at, format!("linear buckets from {min} to {max}{shown}, {step} wide"));
                (min, max, step)
            })
        }
        _ => None,
    };
    // "average and worst-case run time", "min, avg and max": more folds of the same value, each
    // its own map.
    let mut also: Vec<Fold> = Vec::new();
    if matches!(fold, Some(Fold::Hist | Fold::Avg | Fold::Max | Fold::Min)) {
        for (list, more, means) in [(AVG, Fold::Avg, "the average"), (MAX, Fold::Max, "the maximum"), (MIN, Fold::Min, "the minimum")] {
            if fold != Some(more) {
                if let Some(at) = any(&text, list) {
                    text.read(&at, means);
                    also.push(more);
                }
            }
        }
        // "count OOM kills per uid, and keep the largest oom_score_adj", "the longest run …,
        // together with how many times it ran": a count of the same events, its own map. The
        // verb or a noun of its own, not a value's ("overrun count", "byte counts", a record's
        // `count`).
        let verb = (0..text.len()).find(|&i| {
            !text.used(i)
                && !told.contains(&i)
                && text.is(i, &["count", "counts"])
                && records.field("count").is_none()
                && (i == 0 || text.words[i - 1].ends || text.is(i - 1, &["and", "a", "plus", "also", "with", "its", "their"]))
        });
        if let Some(at) = verb.map(|i| vec![i]).or_else(|| any(&text, &["how many times", "number of times"])) {
            text.read(&at, "a count");
            also.push(Fold::Count);
        }
    }
    // The value a histogram, sum, average or extreme folds: a latency, a size, or what "of"
    // names.
    let mut of: Option<(Term, At)> = None;
    if let Some(at) = &latency {
        text.read(at, "the time from the start of the event to its end");
        // "from entry to return", "entry to exit": the span the time is, said again.
        const FROM: &[&str] = &["entry", "enter", "start", "begin", "beginning", "issue", "submission"];
        const TO: &[&str] = &["return", "returns", "exit", "end", "completion", "finish", "done"];
        let spans: Vec<usize> = (0..text.len())
            .filter(|&i| text.is(i, FROM) && !text.used(i) && text.is(i + 1, &["to", "until", "till"]) && text.is(i + 2, TO) && !text.used(i + 2))
            .flat_map(|i| if i > 0 && text.is(i - 1, &["from"]) && !text.used(i - 1) { vec![i - 1, i, i + 1, i + 2] } else { vec![i, i + 1, i + 2] })
            .collect();
        if !spans.is_empty() {
            text.read(&spans, "the time from the start of the event to its end");
        }
        of = Some((Term::Elapsed, At::End));
        // "time spent in softirqs": the time, summed.
        if spent && fold.is_none() {
            fold = Some(Fold::Sum);
        }
    }
    // "show me the 5 hottest", "the top 10 files": a ranking folds (a count, unless the words
    // say what else); lines printed one by one rank nothing.
    // "the 5 largest allocations" rank by a size, which a count is not.
    let by_size = top.is_some()
        && (1..text.len())
            .any(|i| text.is(i, &["largest", "biggest", "heaviest", "slowest", "worst", "longest", "smallest", "shortest"]) && text.lower(i - 1).parse::<u32>().is_ok());
    let folding = fold.is_some() || rate || of.is_some() || (top.is_some() && !by_size);
    let (mut keys, each_keys) = keys(&mut text, &records, folding, &mut gaps);
    // "for each hrtimer, time from hrtimer_start to hrtimer_cancel": the object a start and its
    // end are matched by is what each time is of, and a key of it would hold one time each.
    if let Some(PairKey::Fields { start: by, .. }) = &end_key {
        // Fewer than all of them ("per device" of a block request's device and sector) still
        // folds many requests into one key.
        keys.retain(|(t, _)| !matches!(t, Term::Field { name, .. } if by.len() == 1 && by.contains(name)));
        // "of the same pfn", "match them on the hrtimer pointer": the key, said.
        let said: Vec<usize> = said_same(&text).into_iter().filter(|&i| !text.used(i) && by.iter().any(|f| names_field(text.lower(i), f))).collect();
        if !said.is_empty() {
            text.read(&said, format!("matched by {}", by.join(", ")));
        }
    }
    if let Some(mut j) = top_key {
        // Past the event's own words ("top kmalloc call sites").
        while j < text.len() && text.used(j) && text.event_at.contains(&j) {
            j += 1;
        }
        // A list of them ("top 10 (cpu, comm)"): each ranked together, in its order.
        let mut place = 0;
        while let Some((t, w, at)) = value_at(&text, j, &records).filter(|(t, _, _)| !matches!(t, Term::Elapsed)) {
            text.read(&at, format!("keyed by {}", t.name()));
            if !keys.iter().any(|(k, _)| *k == t) {
                keys.insert(place, (t, w));
                place += 1;
            }
            // The list goes on after a comma, a slash or "and" within the clause or aside.
            let last = at.iter().copied().max().unwrap_or(j);
            let separated = matches!(text.words[last].punct, Some(',' | '/'));
            j = if separated {
                last + 1
            } else if text.is(last + 1, &["and", "&"]) && !text.words[last].ends {
                last + 2
            } else {
                break;
            };
            if j >= text.len() || text.words[j].aside != text.words[last].aside {
                break;
            }
        }
    }
    // "context switches per second": a rate is a count; "bytes written per second", a sum.
    if fold.is_none() && rate && of.is_none() {
        fold = Some(if says(&text, AMOUNT) { Fold::Sum } else { Fold::Count });
    }
    if fold.is_none() && !keys.is_empty() {
        // Keys and no fold named: an amount is summed, a size is a histogram, else a count.
        fold = Some(if of.is_some() {
            Fold::Hist
        } else if says(&text, AMOUNT) {
            Fold::Sum
        } else if says(&text, SIZES) {
            Fold::Hist
        } else {
            Fold::Count
        });
    }
    if by_size && of.is_none() {
        gaps.push("the largest are ranked by a value the words do not say".into());
    } else if fold.is_none() && top.is_some() && of.is_none() {
        fold = Some(Fold::Count);
    }
    if fold.is_some() && keys.is_empty() {
        for (t, w, at) in each_keys {
            text.read(&at, format!("keyed by {}", t.name()));
            if !keys.iter().any(|(k, _)| *k == t) {
                keys.push((t, w));
            }
        }
    }
    if of.is_none() && fold.is_some_and(|f| f != Fold::Count) {
        if let Some(at) = any(&text, SIZE).or_else(|| any(&text, AMOUNT)) {
            match value_at(&text, at[0], &records).filter(|(t, _, _)| matches!(t, Term::Field { .. })) {
                Some((t, where_, taken)) => {
                    // Bytes a syscall read or wrote are its result, not the size it asked for.
                    let (t, where_) = if records.syscall && KINDS[1].1.contains(&t.name()) { size_field(&records, &text).unwrap_or((t, where_)) } else { (t, where_) };
                    text.read(&taken, format!("the value: {}", t.name()));
                    of = Some((t, where_));
                }
                None => match size_field(&records, &text) {
                    Some((t, where_)) => {
                        text.read(&at, format!("the value: {}", t.name()));
                        of = Some((t, where_));
                    }
                    None => gaps.push(no_size(&records, &text)),
                },
            }
        }
    }
    if of.is_none() && fold.is_some_and(|f| f != Fold::Count) && (says(&text, AMOUNT) || says(&text, SIZES)) {
        // "how many bytes": the phrase that asked for the sum named the value.
        match size_field(&records, &text) {
            Some(v) => of = Some(v),
            None => {
                // The branch above may have said it already.
                let gap = no_size(&records, &text);
                if !gaps.contains(&gap) {
                    gaps.push(gap);
                }
            }
        }
    }
    if of.is_none() && fold.is_some_and(|f| f != Fold::Count) {
        // "a histogram of the prev_state", "average of len".
        let named = (0..text.len()).filter(|&i| text.is(i, &["of"])).find_map(|i| {
            let j = if text.is(i + 1, &["the", "a", "each"]) { i + 2 } else { i + 1 };
            // A pointer is no quantity to fold.
            value_at(&text, j, &records).filter(|(t, _, _)| !matches!(t, Term::Field { ty, .. } if ty.contains('*'))).map(|(t, w, at)| (t, w, at, i))
        });
        match named {
            Some((t, where_, at, of_at)) => {
                let mut taken = at;
                taken.push(of_at);
                text.read(&taken, format!("the value: {}", t.name()));
                of = Some((t, where_));
            }
            None => {
                // "pages reclaimed …, summed per node": the one number of the record the words
                // name, wherever they name it.
                let keyed: Vec<&Term> = keys.iter().map(|(k, _)| k).collect();
                let mut named: Vec<(Term, At, Vec<usize>)> = Vec::new();
                for i in 0..text.len() {
                    if let Some((t, w, at)) = value_at(&text, i, &records) {
                        let number = matches!(&t, Term::Field { ty, .. } if !ty.contains('*') && !field_is_text(ty) && !ty.contains('['));
                        if number && !keyed.contains(&&t) && !named.iter().any(|(n, _, _)| *n == t) {
                            named.push((t, w, at));
                        }
                    }
                }
                // In the sentence that asks for the fold ("Average number of packets handled per
                // poll. Also how many used up their budget": not the budget).
                let fold_at = (0..text.len()).find(|&i| text.used(i) && [HIST, AVG, MAX, MIN, SUM].iter().any(|l| l.iter().any(|w| root(w) == text.words[i].root)));
                if let Some(f) = fold_at {
                    let (from, to) =
                        (text.sentence_start(f), (f..text.len()).find(|&k| text.words[k].ends && matches!(text.words[k].punct, Some('.' | '?' | '!'))).unwrap_or(text.len()));
                    named.retain(|(_, _, at)| at.iter().all(|&k| k >= from && k <= to));
                }
                match <[_; 1]>::try_from(named) {
                    Ok([(t, where_, at)]) => {
                        text.read(&at, format!("the value: {}", t.name()));
                        of = Some((t, where_));
                    }
                    Err(_) => gaps.push("what to fold: the words name no value the event's record holds".into()),
                }
            }
        }
    }
    // Bytes a call moved are its result, when it did not fail.
    if let (Some((Term::Field { name, .. }, At::End)), true) = (&of, syscall) {
        if name == "ret" {
            conditions.push((Condition { term: Term::field("ret", "long"), test: Test::Cmp { op: CmpOp::Gt, value: 0 }, words: "bytes moved".into() }, At::End));
        }
    }
    // "a histogram …, and tell me which processes hit it": by process.
    // Only the processes that do it ("hit it", "cause", "make"), not those it is done to
    // ("which tasks get woken", "receive signals").
    const DOING: &[&str] = &[
        "hit",
        "hits",
        "cause",
        "causes",
        "trigger",
        "triggers",
        "make",
        "makes",
        "call",
        "calls",
        "issue",
        "issues",
        "incur",
        "incurs",
        "do",
        "does",
        "perform",
        "performs",
        "generate",
        "generates",
        "spend",
        "spends",
    ];
    let done_to = |i: usize| (i + 2..(i + 4).min(text.len())).any(|k| text.is(k, &["get", "gets", "got", "are", "were", "is", "was", "receive", "receives", "be", "been"]));
    let doing = |i: usize| (i + 2..(i + 4).min(text.len())).any(|k| text.is(k, DOING)) && !done_to(i);
    if fold.is_some() && keys.is_empty() {
        if let Some(w) = (0..text.len().saturating_sub(1)).find(|&i| {
            text.is(i, &["which", "what"])
                && text.is(i + 1, &["process", "processes", "program", "programs", "task", "tasks", "command", "commands"])
                && !text.used(i + 1)
                && !text.only_tells(i)
                && doing(i)
        }) {
            text.read(&[w, w + 1], "keyed by comm");
            keys.push((Term::Builtin(Builtin::Comm), At::Anywhere));
        }
    }
    // "which timers fire most": counted by what each event is about.
    if fold == Some(Fold::Count) && keys.is_empty() {
        if let Some(w) = (0..text.len()).find(|&i| text.is(i, &["which", "what", "who"])) {
            match (1..=3).find_map(|d| value_at(&text, w + d, &records).map(|v| (d, v))) {
                Some((_, (t, at_, taken))) if !matches!(t, Term::Elapsed) => {
                    let mut all = taken;
                    all.push(w);
                    text.read(&all, format!("keyed by {}", t.name()));
                    keys.push((t, at_));
                }
                _ if text.is(w, &["who"]) => {
                    text.read(&[w], "keyed by comm");
                    keys.push((Term::Builtin(Builtin::Comm), At::Anywhere));
                }
                _ => {
                    if let Some((t, at_)) = IDENTITY.iter().find_map(|n| records.term(n)) {
                        text.read(&[w], format!("keyed by {}", t.name()));
                        keys.push((t, at_));
                    }
                }
            }
        }
    }

    // Values to show, for a line per event.
    let mut shown: Vec<(Term, At)> = Vec::new();
    let mut radix: Vec<(String, Radix)> = Vec::new();
    let mut only = false;
    if fold.is_none() {
        let mut i = 0;
        while i < text.len() {
            if text.used(i) || text.only_tells(i) || text.explains(i) {
                i += 1;
                continue;
            }
            // "source and destination ports": the first word with the second's noun.
            if text.is(i + 1, &["and", "or", "&", "/"]) && !text.used(i) {
                let (q1, q2) = (text.words[i].raw.clone(), text.words[i + 2].raw.clone());
                if let Some((t2, w2, at)) = value_at(&text, i + 2, &records) {
                    let rest: Vec<String> = at.iter().skip(1).map(|&k| text.words[k].raw.clone()).collect();
                    let phrase = format!("{} {}", text.words[i].raw, rest.join(" "));
                    if !rest.is_empty() {
                        if let Some((t1, w1, _)) = value_at(&Text::new(&phrase), 0, &records).filter(|(t1, _, _)| *t1 != t2) {
                            // "the real, effective and saved uid": each qualifier of the list
                            // before, with the same noun (`ruid`).
                            let mut k = i;
                            while k > 0 && text.words[k - 1].punct == Some(',') && !text.used(k - 1) {
                                let phrase = format!("{} {}", text.words[k - 1].raw, rest.join(" "));
                                let Some((t0, w0, _)) = value_at(&Text::new(&phrase), 0, &records).filter(|(t0, _, _)| *t0 != t1 && *t0 != t2) else { break };
                                text.read(&[k - 1], format!("show {}", t0.name()));
                                if !shown.iter().any(|(s, _)| *s == t0) {
                                    shown.push((t0, w0));
                                }
                                k -= 1;
                            }
                            show_both(&mut text, &mut shown, &at, i, (t1, w1), (t2, w2));
                            i = at.last().copied().unwrap_or(i) + 1;
                            // "source and destination address and port": both qualifiers go
                            // with the next noun too.
                            if text.is(i, &["and", "&"]) && i + 1 < text.len() && !text.used(i + 1) {
                                let noun = text.words[i + 1].raw.clone();
                                let of = |q: &str| value_at(&Text::new(&format!("{q} {noun}")), 0, &records).filter(|(_, _, at)| at.len() == 2);
                                if let (Some((a, wa, _)), Some((b, wb, _))) = (of(&q1), of(&q2)) {
                                    if a != b {
                                        text.read(&[i, i + 1], format!("show {} and {}", a.name(), b.name()));
                                        for v in [(a, wa), (b, wb)] {
                                            if !shown.iter().any(|(s, _)| *s == v.0) {
                                                shown.push(v);
                                            }
                                        }
                                        i += 2;
                                    }
                                }
                            }
                            continue;
                        }
                    }
                }
            }
            // "parent and child pid": parent_pid and child_pid; "old and new names".
            if text.is(i + 1, &["and", "or", "&", "/"]) {
                if let Some((Term::Field { name, .. }, _, at)) = value_at(&text, i + 2, &records) {
                    if let Some(rest) = name.strip_prefix(text.lower(i + 2)) {
                        let first = text.lower(i).to_string();
                        if let Some((t, w)) = records.term(&format!("{first}{rest}")) {
                            let (t2, w2) = records.term(&name).expect("found above");
                            show_both(&mut text, &mut shown, &at, i, (t, w), (t2, w2));
                            i = at.last().copied().unwrap_or(i) + 1;
                            continue;
                        }
                    }
                }
            }
            // A word describing the value after it ("the attribute name").
            let plain = |w: &Word| {
                w.lower.chars().all(|c| c.is_ascii_alphabetic())
                    && !w.lower.ends_with("ed")
                    && !w.lower.ends_with("ing")
                    && !FILLER.contains(&w.lower.as_str())
                    && !STOP.contains(&w.lower.as_str())
                    && !CLAUSE.contains(&w.lower.as_str())
            };
            if value_at(&text, i, &records).is_none() && plain(&text.words[i]) && !text.words[i].ends {
                if let Some((t, where_, mut at)) = value_at(&text, i + 1, &records).filter(|(t, _, _)| matches!(t, Term::Field { .. })) {
                    at.push(i);
                    text.read(&at, format!("show {}", t.name()));
                    if !shown.iter().any(|(s, _)| *s == t) {
                        shown.push((t, where_));
                    }
                    i = at.iter().max().copied().unwrap_or(i) + 1;
                    continue;
                }
            }
            if let Some((t, where_, at)) = value_at(&text, i, &records) {
                text.read(&at, format!("show {}", t.name()));
                let mut after = at.last().copied().unwrap_or(i) + 1;
                // "the new mask in octal", "flags as hex": a number printed in that base.
                let base = text.is(after, &["in", "as"]).then(|| Radix::named(text.lower(after + 1))).flatten();
                if let (Some(r), false) = (base, t.is_text()) {
                    text.read(&[after, after + 1], format!("{} in {}", t.name(), r.name()));
                    radix.push((t.name().to_string(), r));
                    after += 2;
                }
                // "how many iovecs it passed on each side", "with addresses and ports": a plural
                // of a kind the record holds more than one of is each of them (process_vm_readv's
                // `liovcnt` and `riovcnt`).
                // (Said so: "both", "each side", or beside another such plural "X and Y"; a
                // plural alone is often only many events' one value: "the ports nginx connects to".)
                let cue = |k: usize| text.has(&["both"]) || text.find("each side", 0).is_some() || text.is(k + 1, &["and"]) || (k > 0 && text.is(k - 1, &["and"]));
                let more = match (&t, at.as_slice()) {
                    (Term::Field { .. }, [k]) if text.words[*k].light != text.words[*k].lower && cue(*k) => same_kind(&records, &text.words[*k], t.name()),
                    _ => vec![],
                };
                for (m, w) in std::iter::once((t, where_)).chain(more) {
                    if !shown.iter().any(|(s, _)| *s == m) {
                        shown.push((m, w));
                    }
                }
                // "path only": nothing else.
                if text.is(after, &["only"]) && !matches!(shown.last(), Some((Term::Builtin(Builtin::Comm), _))) {
                    text.read(&[after], "nothing else");
                    only = true;
                }
                i = after;
                continue;
            }
            i += 1;
        }
        // Who caused the event, first; then, when the words name nothing of the record, what it
        // holds: the event's own defaults, a syscall's arguments, else its fields.
        // (The record's own task, "a process gets SIGSEGV", is a who, like the builtins.)
        let named_record = shown.iter().any(|(t, _)| !(matches!(t, Term::Builtin(_)) || (t.name() == "comm" && t.is_text())));
        if !only {
            shown.retain(|(t, _)| !matches!(t, Term::Builtin(Builtin::Comm | Builtin::Pid)));
            shown.splice(0..0, [(Term::Builtin(Builtin::Comm), At::Anywhere), (Term::Builtin(Builtin::Pid), At::Anywhere)]);
        }
        if !named_record && !only {
            let defaults: Vec<(Term, At)> = if !shows.is_empty() {
                shows.iter().filter_map(|n| records.term(n)).collect()
            } else {
                records
                    .start
                    .iter()
                    .filter(|f| start_probes.iter().all(|p| catalog.find(p).is_some_and(|h| h.fields.iter().any(|g| g.name == f.name))))
                    .filter(|f| (field_is_text(&f.ty) || !f.ty.contains('*')) && !f.ty.starts_with("__data_loc") || field_is_text(&f.ty))
                    .filter(|f| !(f.name.starts_with("__") || syscall && ["buf", "ubuf"].contains(&f.name.as_str())))
                    .take(6)
                    .map(|f| (Term::field(&f.name, &f.ty), At::Start))
                    .collect()
            };
            for d in defaults {
                if !shown.iter().any(|(s, _)| *s == d.0) {
                    shown.push(d);
                }
            }
        }
        if of.as_ref().is_some_and(|(t, _)| *t == Term::Elapsed) || conditions.iter().any(|(c, _)| c.term == Term::Elapsed) {
            shown.push((Term::Elapsed, At::End));
        }
        // A call that failed is shown with its error.
        let failing = conditions.iter().any(|(c, _)| c.term.name() == "ret" && matches!(c.test, Test::Cmp { op: CmpOp::Lt, value: 0 } | Test::Cmp { op: CmpOp::Eq, .. }));
        if failing && syscall && !shown.iter().any(|(t, _)| matches!(t, Term::Errno) || t.name() == "ret") {
            shown.push((Term::Errno, At::End));
        }
    }
    // An errno shown is a failed call's.
    if shown.iter().any(|(t, _)| *t == Term::Errno) && !conditions.iter().any(|(c, _)| c.term.name() == "ret") {
        conditions.push((Condition { term: Term::field("ret", "long"), test: Test::Cmp { op: CmpOp::Lt, value: 0 }, words: "errno".into() }, At::End));
    }

    // Where each value and condition is read decides the probes: a syscall's entry holds its
    // arguments, its exit its result; a latency needs both.
    let mut all: Vec<At> = conditions.iter().map(|(_, w)| *w).chain(keys.iter().map(|(_, w)| *w)).chain(shown.iter().map(|(_, w)| *w)).collect();
    if let Some((_, w)) = &of {
        all.push(*w);
    }
    let elapsed = of.as_ref().is_some_and(|(t, _)| *t == Term::Elapsed) || conditions.iter().any(|(c, _)| c.term == Term::Elapsed);
    // A field both records carry is read at the end when the end is read anyway
    // (raw_syscalls' `id`): no pair for it.
    if all.contains(&At::End) && !elapsed {
        let at_end = |t: &Term| matches!(t, Term::Field { name, .. } if end_fields.iter().any(|f| f.name == *name));
        let move_end = |(t, w): &mut (Term, At)| {
            if *w == At::Start && at_end(t) {
                *w = At::End;
            }
        };
        conditions.iter_mut().for_each(|(c, w)| {
            if *w == At::Start && at_end(&c.term) {
                *w = At::End;
            }
        });
        keys.iter_mut().for_each(move_end);
        shown.iter_mut().for_each(move_end);
        if let Some(o) = of.as_mut() {
            move_end(o);
        }
        all = conditions.iter().map(|(_, w)| *w).chain(keys.iter().map(|(_, w)| *w)).chain(shown.iter().map(|(_, w)| *w)).chain(of.iter().map(|(_, w)| *w)).collect();
    }
    let needs_end = all.contains(&At::End);
    let needs_start = all.contains(&At::Start) || elapsed;
    if needs_end && end_probes.is_empty() {
        gaps.push(match event {
            Event::Syscalls(_) => "the syscall's exit is not a tracepoint here".into(),
            Event::Hooks { probes, .. } => format!("a latency or result is asked for, and {} has no end event the reader knows", probes[0]),
        });
        return Reading { plan: None, gaps, unread: text.unread(&every_name), names: text.unread_names(&every_name), events: vec![], hooks: vec![], timed: false };
    }
    let paired = needs_end && needs_start;
    // Every probe of a family must carry the fields it reads (`args->` must exist in each), as
    // a pointer where the first has a pointer and a number where it has a number: epoll_pwait's
    // `timeout` is milliseconds, epoll_pwait2's a pointer to a timespec.
    let used: Vec<(String, bool, At)> = conditions
        .iter()
        .map(|(c, w)| (c.term.clone(), *w))
        .chain(keys.iter().cloned())
        .chain(shown.iter().cloned())
        .chain(of.iter().cloned())
        .filter_map(|(t, w)| match t {
            Term::Field { name, ty, .. } => Some((name, ty.contains('*'), w)),
            _ => None,
        })
        .collect();
    let carries = |probe: &String, side: At| {
        used.iter().filter(|(_, _, w)| *w == side).all(|(n, pointer, _)| record_of(probe, catalog).iter().any(|f| f.name == *n && f.ty.contains('*') == *pointer))
    };
    let (start, probes) = if paired {
        let starts: Vec<String> = start_probes.iter().filter(|p| carries(p, At::Start)).cloned().collect();
        let ends: Vec<String> = end_probes.iter().filter(|p| carries(p, At::End)).cloned().collect();
        // A syscall's entry and exit pair up by name: keep the syscalls both sides have.
        let (starts, ends) = match event {
            Event::Syscalls(_) => {
                let both: Vec<String> =
                    starts.iter().filter_map(|s| syscall_of(s).map(str::to_string)).filter(|n| ends.iter().any(|p| syscall_of(p) == Some(n.as_str()))).collect();
                (
                    both.iter().map(|n| format!("tracepoint:syscalls:sys_enter_{n}")).collect::<Vec<_>>(),
                    both.iter().map(|n| format!("tracepoint:syscalls:sys_exit_{n}")).collect::<Vec<_>>(),
                )
            }
            _ => (starts, ends),
        };
        (Some(Start { probes: starts, key: end_key.clone().unwrap_or(PairKey::Tid) }), ends)
    } else if needs_end {
        (None, end_probes.iter().filter(|p| carries(p, At::End)).cloned().collect::<Vec<_>>())
    } else {
        (None, start_probes.iter().filter(|p| carries(p, At::Start)).cloned().collect::<Vec<_>>())
    };
    if probes.is_empty() || start.as_ref().is_some_and(|s| s.probes.is_empty()) {
        gaps.push("no hook of the event carries every field asked for".into());
        return Reading { plan: None, gaps, unread: text.unread(&every_name), names: text.unread_names(&every_name), events: vec![], hooks: vec![], timed: false };
    }
    if let Some(Start { key: PairKey::Fields { start: s, end: e }, .. }) = &start {
        let has = |fields: &[Field], names: &[String]| names.iter().all(|n| fields.iter().any(|f| f.name == *n));
        if !has(&start_fields, s) || !has(&end_fields, e) {
            gaps.push(format!("the start and end records do not carry {} and {}", s.join(", "), e.join(", ")));
        }
    }
    let fix = |(t, w): (Term, At)| match t {
        Term::Field { name, ty, .. } => Term::Field { name, ty, at_start: paired && w == At::Start },
        other => other,
    };
    let output = match fold {
        None => Output::Lines { values: shown.into_iter().map(fix).collect() },
        Some(fold) => Output::Map { fold, also, of: of.map(fix), keys: keys.into_iter().map(fix).collect() },
    };
    let mut conds: Vec<Condition> = Vec::new();
    for (c, w) in conditions {
        let c = Condition { term: fix((c.term, w)), ..c };
        if !conds.iter().any(|d| d.term == c.term && d.test == c.test) {
            conds.push(c);
        }
    }
    // A list of strings (argv) is printed by join(), once, at the end of a line: never a key,
    // a folded value or a test, and one per line.
    let misused = match &output {
        Output::Lines { values } => values.iter().filter(|t| t.is_strings()).count() > 1,
        Output::Map { of, keys, .. } => of.iter().chain(keys).any(Term::is_strings),
    } || conds.iter().any(|c| c.term.is_strings());
    if misused {
        gaps.push("a list of strings (argv) can only be printed whole with join(), once per line".into());
    }
    // A library function's parameters, read by position (the start's, with a return). One
    // block reads them all alike: functions that take them in other places (dlopen's `file`
    // is dlmopen's second), or a function beside a tracepoint, are no plan.
    let entries: Vec<&String> = start.as_ref().map_or(&probes, |s| &s.probes).iter().collect();
    let lists: Vec<Option<Vec<String>>> =
        entries.iter().map(|p| p.starts_with("uprobe:").then(|| catalog.find(p).map(|h| h.fields.iter().map(|f| f.name.clone()).collect()).unwrap_or_default())).collect();
    if lists.iter().any(Option::is_some) && lists.windows(2).any(|w| w[0] != w[1]) {
        gaps.push(format!("{} take their parameters in different places, and one block reads them alike", entries.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")));
        return Reading { plan: None, gaps, unread: text.unread(&every_name), names: text.unread_names(&every_name), events: vec![], hooks: vec![], timed: false };
    }
    let params = lists.into_iter().next().flatten().unwrap_or_default();
    let plan = Plan { probes, start, conditions: conds, output, unit: unit.unwrap_or(TimeUnit::Us), every, linear, stop_after, top, radix, said: text.said.clone(), params };
    let nouns = text.event_nouns.clone();
    text.mark(&nouns);
    // A second name for a value the plan reads ("sizes in bytes"): said already.
    let in_plan = |t: &Term| plan.terms().any(|p| p == t);
    // The event's own name said again ("… asks sync_file_range to flush").
    let own_names: Vec<&str> = plan.probes.iter().chain(plan.start.iter().flat_map(|s| &s.probes)).filter_map(|p| syscall_of(p).or_else(|| p.rsplit(':').next())).collect();
    // A part of its name ("oom kill victims": `mark_victim`; "from wakeup": `sched_wakeup`), or
    // its subsystem's everyday word ("disk" for `block:*`), unless it keys ("per device").
    let categories: Vec<&str> = plan.probes.iter().chain(plan.start.iter().flat_map(|s| &s.probes)).filter_map(|p| p.strip_prefix("tracepoint:")?.split(':').next()).collect();
    // "how many files does each uid open": what a call on a path acts on.
    let on_paths = plan.probes.iter().filter_map(|p| catalog.find(p)).any(|h| h.fields.iter().any(|f| ["filename", "pathname", "oldname", "oldpath"].contains(&f.name.as_str())));
    let own_part = |text: &Text, i: usize| {
        let w = &text.words[i];
        let part = own_names.iter().flat_map(|n| n.split('_')).any(|p| p.len() >= 4 && !["enter", "exit", "entry"].contains(&p) && (w.light == light(p) || w.root == root(p)));
        let everyday = CATEGORY_WORDS.iter().any(|(c, words)| categories.contains(c) && words.contains(&w.light.as_str()));
        let everyday = everyday || (on_paths && w.light == "file" && i > 0 && text.is(i - 1, &["many", "which", "what"]));
        // ("for each block device": the subsystem's word two back.)
        let keyed = |back: usize| (i.saturating_sub(back)..i).any(|k| text.is(k, &["by", "per", "each", "every"]));
        (part && !keyed(1)) || (everyday && !keyed(2))
    };
    for i in 0..text.len() {
        // A field the plan reads, spelled out ("the average byte range (nbytes)").
        let field = plan.terms().any(|t| matches!(t, Term::Field { name, .. } if *name == text.words[i].raw));
        if !text.used(i) && (field || own_names.contains(&text.lower(i)) || own_part(&text, i)) {
            text.mark(&[i]);
            continue;
        }
        if !text.used(i) && value_noun(&text.words[i]) {
            let mut probe = text.clone();
            probe.words[i].used = false;
            if value_at(&probe, i, &records).is_some_and(|(t, _, _)| in_plan(&t)) {
                text.mark(&[i]);
            }
        }
    }
    let mut unread = text.unread(&every_name);
    // "split into voluntary ones and involuntary ones": a breakdown no key read.
    for i in 0..text.len() {
        if !text.used(i) && text.is(i, &["split", "divided", "separated"]) && text.is(i + 1, &["into", "between"]) {
            unread.push(text.words[i].raw.clone());
        }
    }
    // Another event's name ("listen" beside socket states): the plan would trace only one.
    // What the request asks to show, a word the catalog's fields use that no part read ("print
    // its pid and name"): the program would leave it out.
    let vocabulary: std::collections::HashSet<&str> = catalog.hooks.iter().flat_map(|h| h.fields.iter().map(|f| f.name.as_str())).filter(|p| p.len() >= 3).collect();
    // Lists start after "with", "including", a colon, or a verb of showing whose first word
    // names a value ("print its pid and name"; not "log SysV segments being created").
    let starts: Vec<usize> = (0..text.len())
        .filter(|&i| {
            let first = (i + 1..text.len()).find(|&k| !FILLER.contains(&text.lower(k)) && !STOP.contains(&text.lower(k)));
            let values_follow = first.is_some_and(|k| text.used(k) && value_noun(&text.words[k]));
            // ("serves GETs with small positional reads": the story lists nothing to show.)
            // (Nor does a suspicion: "is something spinning on poll() with a timeout …?")
            (LIST_WORDS.contains(&text.lower(i)) || ((text.words[i].punct == Some(':') || SHOW.contains(&text.lower(i))) && values_follow))
                && !text.only_tells(i)
                && !text.wonders(text.sentence_start(i))
        })
        .collect();
    for s in starts {
        for j in s + 1..text.len() {
            if j > s + 1 && text.words[j - 1].ends || CLAUSE.contains(&text.lower(j)) {
                break;
            }
            let w = &text.words[j];
            // "the path it tried": a clause of its own.
            if ["it", "they", "he", "she", "we", "i", "you"].contains(&w.lower.as_str()) {
                break;
            }
            // Verbs are what happened, not what to show ("the path removed", "calls made").
            let verb = (w.lower.ends_with("ed") && !value_noun(w))
                || w.lower.ends_with("ing")
                || ["made", "done", "sent", "run", "seen", "taken", "given", "gone", "written", "read", "begun", "chosen", "hit"].contains(&w.lower.as_str());
            let names_value =
                !verb && (vocabulary.contains(w.lower.as_str()) || vocabulary.contains(w.light.as_str()) || value_noun(w) || w.lower.chars().all(|c| c.is_ascii_alphabetic()));
            if !w.used && names_value && !FILLER.contains(&w.lower.as_str()) && !CAUSE.contains(&w.lower.as_str()) && !STOP.contains(&w.lower.as_str()) && !unread.contains(&w.raw)
            {
                unread.push(w.raw.clone());
            }
        }
    }
    // "created and destroyed", "opened or closed": two events, and a plan has one.
    let mut events: Vec<String> = Vec::new();
    for i in 1..text.len().saturating_sub(1) {
        let done = |w: &Word| w.lower.len() >= 5 && w.lower.ends_with("ed") && !value_noun(w);
        // The noun may be said again after the connector ("inodes allocated vs inodes freed").
        let again = i >= 2 && i + 2 < text.len() && text.words[i + 1].light == text.words[i - 2].light;
        let second = if again { i + 2 } else { i + 1 };
        // Both read as the event's own words already: the events named, kept apart.
        let read = text.event_at.contains(&(i - 1)) && text.event_at.contains(&second);
        if text.is(i, &["and", "or", "vs", "versus"]) && done(&text.words[i - 1]) && done(&text.words[second]) && text.words[i - 1].root != text.words[second].root && !read {
            let said = (i - 1..=second).map(|k| text.words[k].raw.as_str()).collect::<Vec<_>>().join(" ");
            gaps.push(format!("\"{said}\": two events, and a plan has one"));
            for w in [&text.words[i - 1], &text.words[second]] {
                if !events.contains(&w.raw) {
                    events.push(w.raw.clone());
                }
            }
        }
    }
    let own: Vec<String> = start_probes.iter().chain(&end_probes).filter_map(|p| syscall_of(p).map(str::to_string)).collect();
    for w in text.words.iter().filter(|w| !w.used && !value_noun(w)) {
        if let Some(other) = syscall_word(w, catalog).filter(|o| !COMMON_SYSCALL_WORDS.contains(&o.as_str())) {
            let theirs = !own.is_empty() && one_family(&[own[0].clone(), other.clone()]);
            if !theirs && !unread.contains(&w.raw) {
                unread.push(w.raw.clone());
            }
        }
    }
    // A value named in two words of which the event took one ("exit code" beside "exiting").
    for (kind, _) in KINDS {
        for noun in kind.iter().filter(|n| n.contains(' ')) {
            let parts: Vec<&str> = noun.split_whitespace().collect();
            for i in 0..text.len() {
                let hit = parts.iter().enumerate().all(|(k, p)| text.words.get(i + k).is_some_and(|w| w.light == light(p)));
                // Not in the story before the ask ("An old daemon leaks file descriptors."); asked
                // last, as it reads the whole sentence.
                if hit && !text.used(i + parts.len() - 1) && !unread.iter().any(|u| u == noun) && !text.only_tells(i) && !text.guessed(i) {
                    unread.push(noun.to_string());
                }
            }
        }
    }
    let names = text.unread_names(&every_name);
    Reading { plan: Some(plan), gaps, unread, names, events, hooks: vec![], timed: false }
}

/// The size a record holds: the field named like the words' noun, else its first size field.
fn size_field(records: &Records, text: &Text) -> Option<(Term, At)> {
    let (_, names) = KINDS[1];
    // Bytes read or written are a syscall's result; bytes asked for, its argument.
    let result =
        text.words.iter().any(|w| ["read", "written", "transferred", "received", "sent", "copied", "got", "moved"].contains(&w.lower.as_str()) || w.light.starts_with("return"));
    if records.syscall && result && !text.has(&["requested", "asked", "passed"]) {
        return Some((Term::field("ret", "long"), At::End));
    }
    // Of several sizes, the one the words name: "the requested size" is `bytes_req`, "bytes
    // allocated" `bytes_alloc`.
    // Fields whose names say a size (`nbytes`, `addrlen`, `msg_size`) count beside the usual
    // names, and one the words spell out ("(nbytes)") is the one asked.
    let fields = records.names();
    let shaped = |n: &str| size_shaped(records, n) && !names.contains(&n);
    // Spelled out as an identifier: "(nbytes)", "bytes_alloc"; not the everyday "size".
    let spelled = |n: &str| (shaped(n) || n.contains('_')) && text.words.iter().any(|w| w.raw == n);
    if let Some(said) = fields.iter().filter(|_| !sizes_written_out(records, text)).find(|n| (names.contains(&n.as_str()) || shaped(n)) && spelled(n)) {
        return records.term(said);
    }
    let present: Vec<&str> = names.iter().copied().filter(|n| records.field(n).is_some()).chain(fields.iter().map(String::as_str).filter(|n| shaped(n))).collect();
    let named = |n: &str| {
        n.split('_')
            .filter(|p| p.len() >= 3 && !["bytes", "size", "count"].contains(p))
            .any(|p| text.words.iter().any(|w| spells(&w.lower, p) || (p == "req" && ["asked", "asking", "asks", "ask"].contains(&w.lower.as_str()))))
    };
    if present.len() > 1 {
        if sizes_written_out(records, text) {
            return None;
        }
        if let [one] = present.iter().copied().filter(|n| named(n)).collect::<Vec<_>>().as_slice() {
            return records.term(one);
        }
    }
    // A field only its name's shape says is a size is taken alone, never picked from several
    // (mremap's `old_len` and `new_len`, mballoc's `orig_len` and `result_len`).
    let only_shaped = || match fields.iter().filter(|n| shaped(n)).collect::<Vec<_>>().as_slice() {
        [one] => records.term(one),
        _ => None,
    };
    names.iter().find_map(|n| records.term(n)).or_else(only_shaped)
}

/// Whether a field's name says it is a size (`nbytes`, `addrlen`, `msg_size`, `msgsz`, `bufsiz`): not a
/// pointer to one (getsockopt's `int *optlen`), nor a count of vectors (`vlen`, `iovcnt`).
fn size_shaped(records: &Records, name: &str) -> bool {
    const ENDS: &[&str] = &["bytes", "len", "size", "sz", "siz"];
    let vectors = KINDS.iter().find(|(nouns, _)| nouns.contains(&"iovec")).map_or(&[][..], |(_, names)| *names);
    // A length as passed in (madvise's `len_in`): the bytes a request for "bytes" means.
    (ENDS.iter().any(|e| name.ends_with(e)) || name.starts_with("len_")) && !vectors.contains(&name) && records.field(name).is_some_and(|(f, _)| !f.ty.contains('*'))
}

/// Why no size could be folded.
fn no_size(records: &Records, text: &Text) -> String {
    let shaped: Vec<String> = records.names().into_iter().filter(|n| size_shaped(records, n)).collect();
    if sizes_written_out(records, text) {
        "a size is asked for as a value of two fields (a difference or a sum), which no one field holds".into()
    } else if shaped.len() > 1 {
        format!("a size is asked for, and the words do not say which of {} it is", shaped.join(", "))
    } else {
        "a size is asked for, and the event's record has none".into()
    }
}

/// Two size fields written out ("bytes_alloc minus bytes_req") say a value of both, which no
/// one field is.
fn sizes_written_out(records: &Records, text: &Text) -> bool {
    KINDS[1].1.iter().filter(|n| records.field(n).is_some() && text.words.iter().any(|w| w.raw == **n)).count() > 1
}

/// "every 5 seconds", "each second", "per second", "once a second", "every 5s": the seconds, and
/// whether the words ask for a rate ("per second"), which is a count.
fn interval(text: &mut Text) -> Option<(u64, bool)> {
    let unit_of = |w: &str| -> Option<u64> {
        match w {
            "s" | "sec" | "secs" | "second" | "seconds" => Some(1),
            "m" | "min" | "mins" | "minute" | "minutes" => Some(60),
            _ => None,
        }
    };
    // The asking sentences first: "`ps … | wc -l` every second didn't catch it. Can we get
    // forks per second?" asks for the second one.
    let order: Vec<usize> = (0..text.len()).filter(|&i| text.asks(i)).chain((0..text.len()).filter(|&i| !text.asks(i))).collect();
    for i in order {
        if text.used(i) || text.only_tells(i) {
            continue;
        }
        if text.is(i, &["every", "each", "once"]) {
            let j = if text.is(i, &["once"]) && text.is(i + 1, &["a", "per", "every", "each"]) { i + 2 } else { i + 1 };
            if let (Ok(n), Some(u)) = (text.lower(j).parse::<u64>(), unit_of(text.lower(j + 1))) {
                let mut at: Vec<usize> = (i..=j + 1).collect();
                at.dedup();
                text.read(&at, format!("print every {} s", n * u));
                return Some((n * u, false));
            }
            if let Some(u) = unit_of(text.lower(j)) {
                text.read(&(i..=j).collect::<Vec<_>>(), format!("print every {u} s"));
                return Some((u, false));
            }
            // "every 5s"
            let w = text.lower(j).to_string();
            let split = w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len());
            if let (Ok(n), Some(u)) = (w[..split].parse::<u64>(), unit_of(&w[split..])) {
                text.read(&(i..=j).collect::<Vec<_>>(), format!("print every {} s", n * u));
                return Some((n * u, false));
            }
        }
        if text.is(i, &["per", "a"]) {
            if let Some(u) = unit_of(text.lower(i + 1)).filter(|_| text.lower(i + 1).len() > 1 || text.is(i, &["per"])) {
                text.read(&[i, i + 1], format!("a rate: print and clear every {u} s"));
                return Some((u, true));
            }
        }
    }
    None
}

/// Linear histogram buckets said with their bounds and width: "a linear histogram from 0 to
/// 4096 in 512 byte steps", "… from 0 to 1000, step 100", "64-byte buckets from 0 to 1024",
/// "0 to 128 KiB in 4 KiB buckets", "lhist 0-50ms, 5ms buckets" ("lhist" alone names no
/// histogram: it stays unread).
/// "linear" without its numbers stays unread: a power-of-two histogram does not answer it.
fn linear_buckets(text: &Text) -> Option<(Buckets, Vec<usize>)> {
    let at = (0..text.len()).find(|&i| !text.used(i) && (text.is(i, &["linear", "lhist"]) || (text.is(i, &["equal"]) && text.is(i + 1, &["width", "sized"]))))?;
    let end = text.sentence_end(at);
    let start = text.sentence_start(at);
    let mut read = vec![at];
    // A number in a unit nothing converts ("0 to 64 pages"), or one another reading took ("print
    // every 5 seconds"), is not the buckets'.
    let number = |k: usize| if text.used(k) || other_unit(text, k) { None } else { amount(text, k) };
    // The bounds: "from A to B", "between A and B", "A to B", "A-B" (one word: "0-50ms", "32-64")
    // beside the histogram's word or after "from" ("pids 1000-5000" bounds nothing).
    let mut bounds = None;
    for k in start..=end {
        let placed = (k > at && k <= at + 4) || (k > 0 && text.is(k - 1, &["from", "range", "between", "over"]));
        if let Some((min, max, taken)) = dashed_range(text, k).filter(|_| placed && !text.used(k)) {
            bounds = Some((min, max));
            read.extend(taken);
            break;
        }
        let from = text.is(k, &["from", "between"]);
        let a = if from { k + 1 } else { k };
        let Some((min, mut taken)) = number(a) else { continue };
        let to = taken.iter().max().copied().unwrap_or(a) + 1;
        if text.is(to, &["to", "and", "through"]) {
            if let Some((max, more)) = number(to + 1) {
                bounds = Some((min, max));
                if from {
                    read.push(k);
                }
                taken.push(to);
                read.extend(taken.into_iter().chain(more));
                break;
            }
        }
    }
    // The width: "in 512 byte steps", "step 100", "steps of 64", "buckets of 64 bytes", "64-byte
    // buckets", "every 512" (not "every 5 seconds", an interval).
    let mut step = None;
    for k in start..=end {
        if read.contains(&k) {
            continue;
        }
        let Some((n, taken)) = number(k) else { continue };
        let after = taken.iter().max().copied().unwrap_or(k) + 1;
        if text.is(after, &["step", "steps", "bucket", "buckets", "increment", "increments", "wide"]) {
            step = Some(n);
            read.extend(taken.into_iter().chain([after]));
            if k > 0 && text.is(k - 1, &["in", "of"]) {
                read.push(k - 1);
            }
            break;
        }
        let every = k > 0 && text.is(k - 1, &["every"]) && !matches!(n.1, Measure::Nanos(_));
        if k > 0
            && (text.is(k - 1, &["step", "steps", "width"]) || every || (k > 1 && text.is(k - 1, &["of"]) && text.is(k - 2, &["step", "steps", "buckets", "increments", "width"])))
        {
            step = Some(n);
            let from = if text.is(k - 1, &["of"]) { k - 2 } else { k - 1 };
            read.extend((from..k).chain(taken));
            break;
        }
    }
    let ((min, max), step) = (bounds?, step?);
    let buckets = Buckets::of([min, max, step])?;
    read.retain(|&k| !text.used(k));
    read.sort_unstable();
    read.dedup();
    Some((buckets, read))
}

/// Linear buckets' bounds and width, in bytes, in nanoseconds, or in the value's own unit.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Buckets {
    measure: Measure,
    min: i64,
    max: i64,
    step: i64,
}

/// A number in bytes, in nanoseconds, or as said.
type Amount = (f64, Measure);

/// What a number counts, with the scale of the unit it was written in (bytes or nanoseconds in
/// one), which unit-less numbers beside it share ("from 0 to 100 in 10 ms steps", "from 32 to
/// 512 KB"). A number said without a unit, or in one nothing converts, is `Plain`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Measure {
    Plain,
    Bytes(i64),
    Nanos(i64),
}

impl Measure {
    fn scale(self) -> i64 {
        match self {
            Measure::Plain => 1,
            Measure::Bytes(s) | Measure::Nanos(s) => s,
        }
    }

    fn same_kind(self, other: Measure) -> bool {
        std::mem::discriminant(&self) == std::mem::discriminant(&other)
    }
}

impl Buckets {
    /// From three amounts: those without a unit take the one the others share; bytes and times
    /// together, numbers without a unit beside two different units ("5 to 1 s in 10 ms"), or a
    /// bound that is no whole number of bytes or nanoseconds ("1.2 KB") are no buckets.
    fn of(amounts: [Amount; 3]) -> Option<Buckets> {
        let units: Vec<Measure> = amounts.iter().map(|a| a.1).filter(|m| *m != Measure::Plain).collect();
        let measure = match units.first() {
            None => Measure::Plain,
            Some(first) if units.iter().all(|m| m.same_kind(*first)) => {
                if amounts.iter().any(|a| a.1 == Measure::Plain && a.0 != 0.0) && units.iter().any(|m| m != first) {
                    return None;
                }
                *first
            }
            _ => return None,
        };
        let value = |(n, m): Amount| -> Option<i64> {
            let v = if m == Measure::Plain { n * measure.scale() as f64 } else { n };
            ((v - v.round()).abs() < 1e-6).then_some(v.round() as i64)
        };
        let [min, max, step] = [value(amounts[0])?, value(amounts[1])?, value(amounts[2])?];
        // bpftrace takes at most 1000 buckets, a step no wider than the range.
        if step <= 0 || max <= min || step > max - min || (max - min) / step > 1000 {
            return None;
        }
        Some(Buckets { measure, min, max, step })
    }

    /// In the unit times are shown in: none when a bound falls between two of its ticks.
    fn in_unit(self, unit: TimeUnit) -> Option<(i64, i64, i64)> {
        let d = unit.divisor() as i64;
        let all = [self.min, self.max, self.step];
        all.iter().all(|n| n % d == 0).then(|| (self.min / d, self.max / d, self.step / d))
    }
}

/// Bytes or nanoseconds in one of `unit`.
fn scale_of(unit: &str) -> Option<Measure> {
    Some(match unit {
        "b" | "byte" | "bytes" => Measure::Bytes(1),
        "k" | "kb" | "kib" | "kbytes" | "kilobytes" | "kilobyte" => Measure::Bytes(1 << 10),
        "m" | "mb" | "mib" | "megabytes" | "megabyte" => Measure::Bytes(1 << 20),
        "g" | "gb" | "gib" | "gigabytes" | "gigabyte" => Measure::Bytes(1 << 30),
        "ns" | "nsec" | "nsecs" | "nanosecond" | "nanoseconds" => Measure::Nanos(1),
        "us" | "usec" | "usecs" | "µs" | "microsecond" | "microseconds" | "micros" => Measure::Nanos(1_000),
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" | "millis" => Measure::Nanos(1_000_000),
        "s" | "sec" | "secs" | "second" | "seconds" => Measure::Nanos(1_000_000_000),
        _ => return None,
    })
}

/// Units no plan converts: a number in one is no amount in bytes or time, nor a plain one.
const OTHER_UNITS: &[&str] = &[
    "min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours", "day", "days", "page", "pages", "sector", "sectors", "block", "blocks", "%", "percent", "hz", "khz",
    "mhz", "ghz", "kbps", "mbps", "gbps",
];

/// `word`'s leading number and the rest of it: "50ms" is 50 and "ms".
fn split_number(word: &str) -> Option<(f64, &str)> {
    let digits = word.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(word.len());
    let n = &word[..digits];
    (n.starts_with(|c: char| c.is_ascii_digit())).then_some(())?;
    Some((n.parse().ok()?, &word[digits..]))
}

/// The number at `k` with its unit ("4 KiB", "10 ms", "50ms", "512 byte"), in bytes or
/// nanoseconds, and the words it took.
fn amount(text: &Text, k: usize) -> Option<(Amount, Vec<usize>)> {
    let (amount, next) = amount_of(&text.lower(k).replace(',', ""), text.lower(k + 1))?;
    Some((amount, if next { vec![k, k + 1] } else { vec![k] }))
}

/// `word`'s number in bytes or nanoseconds (its unit glued on, else `next`), and whether it
/// took `next`; `Plain` without a unit or in one nothing converts ("10 pages"), and none for a
/// unit glued on that nothing knows ("10x").
fn amount_of(word: &str, next: &str) -> Option<(Amount, bool)> {
    let (n, glued) = split_number(word)?;
    let unit = if glued.is_empty() { next } else { glued };
    match scale_of(unit) {
        Some(measure) => Some(((n * measure.scale() as f64, measure), glued.is_empty())),
        None if glued.is_empty() || OTHER_UNITS.contains(&glued) => Some(((n, Measure::Plain), false)),
        None => None,
    }
}

/// Whether the number at `k` is said in a unit no plan converts ("10 pages", "2 minutes").
fn other_unit(text: &Text, k: usize) -> bool {
    let word = text.lower(k);
    split_number(word).is_some_and(|(_, glued)| if glued.is_empty() { text.is(k + 1, OTHER_UNITS) } else { OTHER_UNITS.contains(&glued) })
}

/// "0-50ms", "32-64 KiB", "0-1000": a range in one word, its unit after the second number
/// (glued on or the next word) and shared by both.
fn dashed_range(text: &Text, k: usize) -> Option<(Amount, Amount, Vec<usize>)> {
    let (a, b) = text.lower(k).split_once('-')?;
    let (a, rest) = split_number(a)?;
    if !rest.is_empty() {
        return None;
    }
    let ((max, measure), next) = amount_of(b, text.lower(k + 1))?;
    Some(((a * measure.scale() as f64, measure), (max, measure), if next { vec![k, k + 1] } else { vec![k] }))
}

/// How long to trace: "for 10 seconds", "for 30s", "for a minute", "over the next 5 minutes".
/// Not how long something lasts ("sleeps for 10 seconds", "blocked for more than 2 s"): those
/// are the event's, said after its verb or with a bound.
fn run_for(text: &mut Text) -> Option<u64> {
    const LASTS: &[&str] = &[
        "sleep",
        "sleeps",
        "slept",
        "sleeping",
        "block",
        "blocks",
        "blocked",
        "blocking",
        "wait",
        "waits",
        "waited",
        "waiting",
        "stall",
        "stalls",
        "stalled",
        "hang",
        "hangs",
        "hung",
        "run",
        "runs",
        "ran",
        "running",
        "live",
        "lives",
        "lived",
        "last",
        "lasts",
        "lasted",
        "held",
        "hold",
        "holds",
        "spend",
        "spends",
        "spent",
        "take",
        "takes",
        "took",
        "stuck",
        "idle",
        "pause",
        "paused",
        "delayed",
        "off",
        "on",
        "cpu",
        "alive",
        "open",
        "opened",
        "locked",
        "sit",
        "sits",
        "state",
        "spiked",
        "spike",
        "spikes",
        "went",
        "was",
        "were",
        "been",
        "slow",
        "busy",
        "pegged",
        "down",
        "up",
        "unresponsive",
        "frozen",
    ];
    let unit_of = |w: &str| -> Option<u64> {
        match w {
            "s" | "sec" | "secs" | "second" | "seconds" => Some(1),
            "min" | "mins" | "minute" | "minutes" => Some(60),
            "hour" | "hours" | "hr" | "hrs" => Some(3600),
            _ => None,
        }
    };
    for i in 0..text.len() {
        let lead = if text.is(i, &["for", "during"]) {
            1
        } else if text.is(i, &["over"]) && text.is(i + 1, &["the"]) && text.is(i + 2, &["next"]) {
            3
        } else {
            continue;
        };
        // What lasts is said within the clause before ("stuck in D state for 5 seconds"); a
        // time in the story ("latency spiked for 10 minutes last night") is no run time.
        let clause = (0..i).rev().find(|&k| text.words[k].ends).map_or(0, |k| k + 1);
        if text.used(i) || text.only_tells(i) || (clause.max(i.saturating_sub(5))..i).any(|k| text.is(k, LASTS)) {
            continue;
        }
        let j = i + lead;
        let w = text.lower(j).to_string();
        let split = w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len());
        let (seconds, last) = if let (Ok(n), Some(u)) = (w.parse::<u64>(), unit_of(text.lower(j + 1))) {
            (n * u, j + 1)
        } else if let (Ok(n), Some(u)) = (w[..split].parse::<u64>(), unit_of(&w[split..])) {
            (n * u, j)
        } else if let (true, Some(u)) = (text.is(j, &["a", "an", "one"]), unit_of(text.lower(j + 1))) {
            (u, j + 1)
        } else {
            continue;
        };
        // "for 10 seconds or more": a bound on how long something lasts.
        let bound = text.is(last + 1, &["or"]) || (text.is(last + 1, &["and"]) && text.is(last + 2, &["more", "longer", "up", "above", "over", "beyond"]));
        if bound || (i..=last).any(|k| text.used(k)) {
            continue;
        }
        let at: Vec<usize> = (i..=last).collect();
        text.read(&at, format!("stop after {seconds} s"));
        // "… then exit", "and stop": said with it.
        let then: Vec<usize> = (last + 1..(last + 4).min(text.len())).take_while(|&k| text.is(k, &["then", "and", "exit", "stop", "quit"])).collect();
        if then.iter().any(|&k| text.is(k, &["exit", "stop", "quit"])) {
            text.read(&then, format!("stop after {seconds} s"));
        }
        return Some(seconds);
    }
    None
}

/// "top 10", "top-5"; said again later ("Which 10 processes …? Show the top 10 when I stop
/// it."), the same ranking.
fn top(text: &mut Text) -> Option<u32> {
    let n = top_once(text)?;
    // Not a second ranking of other things ("… and the top 10 files"): the number ends its
    // clause or a clause word follows.
    let alone = |text: &Text, k: usize| text.words.get(k).is_none_or(|w| w.ends) || k + 1 >= text.len() || text.is(k + 1, CLAUSE) || STOP.contains(&text.lower(k + 1));
    for i in 0..text.len() {
        let again = (text.is(i, &["top"]) && text.lower(i + 1).parse::<u32>() == Ok(n) && !text.used(i + 1) && alone(text, i + 1)).then(|| vec![i, i + 1]).or_else(|| {
            let w = text.lower(i);
            (w.strip_prefix("top-").or_else(|| w.strip_prefix("top")).and_then(|d| d.parse::<u32>().ok()) == Some(n)).then(|| vec![i])
        });
        if let Some(at) = again.filter(|at| !text.used(at[0])) {
            text.mark(&at);
        }
    }
    Some(n)
}

fn top_once(text: &mut Text) -> Option<u32> {
    for i in 0..text.len() {
        let w = text.lower(i).to_string();
        if let Some(n) = w.strip_prefix("top-").or_else(|| w.strip_prefix("top")).and_then(|n| n.parse::<u32>().ok()) {
            text.read(&[i], format!("the top {n}"));
            ranked_noun(text, i + 1);
            return Some(n);
        }
        // "which 10 call sites waste the most": a ranking of the things named.
        if let (Ok(n), true) = (w.parse::<u32>(), i > 0 && text.is(i - 1, &["which", "what"])) {
            // Not "which 4 KB reads", "which 32 bit processes": a number with its unit.
            const UNITS: &[&str] = &[
                "kb", "kib", "mb", "mib", "gb", "gib", "k", "m", "bit", "bits", "byte", "bytes", "ms", "us", "ns", "s", "sec", "secs", "second", "seconds", "minutes", "page",
                "pages",
            ];
            if text.words.get(i + 1).is_some_and(|w| w.lower.chars().all(|c| c.is_ascii_alphabetic()) && !UNITS.contains(&w.lower.as_str())) {
                text.read(&[i - 1, i], format!("the top {n}"));
                ranked_noun(text, i + 1);
                return Some(n);
            }
        }
        // "the 10 busiest processes", "the 5 largest".
        if let (Ok(n), true) = (w.parse::<u32>(), text.is(i + 1, SUPERLATIVES)) {
            text.read(&[i, i + 1], format!("the top {n}"));
            return Some(n);
        }
        if w == "top" {
            if let Ok(n) = text.lower(i + 1).parse::<u32>() {
                text.read(&[i, i + 1], format!("the top {n}"));
                ranked_noun(text, i + 2);
                return Some(n);
            }
            // "top call sites": the ten largest; not "confuses top." (the program).
            let noun_follows = !text.words[i].ends
                && text
                    .words
                    .get(i + 1)
                    .is_some_and(|w| w.lower.chars().all(|c| c.is_ascii_alphabetic()) && !STOP.contains(&w.lower.as_str()) && !CLAUSE.contains(&w.lower.as_str()));
            // Nor "top shows nothing obvious", the tool in the story.
            let tool = text.only_tells(i) || text.tool_says(i) || text.is(i + 1, &["is", "was", "doesn", "didn"]);
            if noun_follows && !tool {
                text.read(&[i], "the top 10");
                ranked_noun(text, i + 1);
                return Some(10);
            }
        }
    }
    None
}

/// Words that rank: "the 10 busiest", "top 5 noisiest processes".
const SUPERLATIVES: &[&str] = &["busiest", "most", "largest", "biggest", "hottest", "slowest", "heaviest", "noisiest", "chattiest", "worst"];

/// "top 10 inodes": what is ranked is a key the reading must find, so the noun constrains the
/// program (it stays unread when no key reads it).
fn ranked_noun(text: &mut Text, i: usize) {
    // "top 5 busiest processes": the noun after the superlative.
    let i = if text.is(i, SUPERLATIVES) { i + 1 } else { i };
    if text.words.get(i).is_some_and(|w| !w.used && w.lower.len() > 2 && w.lower.chars().all(|c| c.is_ascii_alphabetic()) && !STOP.contains(&w.lower.as_str())) {
        text.inside.push(i);
    }
}

/// "in microseconds", "usecs", "nanosecond histogram".
fn unit(text: &mut Text) -> Option<TimeUnit> {
    const UNITS: &[(&[&str], TimeUnit)] = &[
        (&["ns", "nsec", "nsecs", "nanosecond", "nanoseconds"], TimeUnit::Ns),
        (&["us", "usec", "usecs", "µs", "microsecond", "microseconds", "micros"], TimeUnit::Us),
        (&["ms", "msec", "msecs", "millisecond", "milliseconds", "millis"], TimeUnit::Ms),
    ];
    for i in 0..text.len() {
        // A unit after a number is a threshold's ("slower than 10 ms").
        if text.used(i) || (i > 0 && text.lower(i - 1).parse::<f64>().is_ok()) {
            continue;
        }
        // "us" is a pronoun unless "in us".
        if text.is(i, &["us"]) && !(i > 0 && text.is(i - 1, &["in"])) {
            continue;
        }
        for (words, unit) in UNITS {
            if text.is(i, words) {
                let mut at = vec![i];
                if i > 0 && text.is(i - 1, &["in"]) {
                    at.push(i - 1);
                }
                text.read(&at, format!("times in {}", unit.name()));
                return Some(*unit);
            }
        }
    }
    None
}

/// The number at `i` (with its unit in it or in the next word) in bytes or nanoseconds, and
/// the words it took; a unit-less number, or one in a unit nothing converts, is `Plain`.
fn quantity(text: &Text, i: usize) -> Option<((i64, Measure), Vec<usize>)> {
    let ((n, measure), taken) = amount(text, i)?;
    Some(((n as i64, measure), taken))
}

/// Comparisons: "bigger than", "over", "at least", ">".
fn comparison(text: &Text, i: usize) -> Option<(CmpOp, Vec<usize>)> {
    let than = text.is(i + 1, &["than"]);
    Some(match text.lower(i) {
        "bigger" | "larger" | "greater" | "more" | "longer" | "slower" | "higher" if than => (CmpOp::Gt, vec![i, i + 1]),
        "smaller" | "less" | "fewer" | "shorter" | "faster" | "lower" if than => (CmpOp::Lt, vec![i, i + 1]),
        "over" | "above" | "exceeding" | "exceeds" | "exceed" | ">" => (CmpOp::Gt, vec![i]),
        "under" | "below" | "<" => (CmpOp::Lt, vec![i]),
        ">=" => (CmpOp::Ge, vec![i]),
        "<=" => (CmpOp::Le, vec![i]),
        "at" if text.is(i + 1, &["least"]) => (CmpOp::Ge, vec![i, i + 1]),
        "at" if text.is(i + 1, &["most"]) => (CmpOp::Le, vec![i, i + 1]),
        _ => return None,
    })
}

/// Words that are not a process's name.
const STOP: &[&str] = &[
    "the",
    "a",
    "an",
    "all",
    "any",
    "each",
    "every",
    "this",
    "that",
    "these",
    "those",
    "it",
    "them",
    "processes",
    "process",
    "programs",
    "program",
    "me",
    "us",
    "my",
    "our",
    "its",
    "their",
    "which",
    "what",
    "who",
    "how",
    "and",
    "or",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "as",
    "is",
    "are",
    "be",
    "not",
    "only",
    "just",
    "one",
    "calls",
    "call",
    "root",
    "user",
    "users",
    "pid",
    "uid",
    "now",
    "files",
    "file",
    "reads",
    "writes",
    "pids",
    "you",
    "they",
    "we",
    "i",
    "he",
    "she",
    "someone",
    "anyone",
    "things",
    "tasks",
    "task",
    "commands",
    "command",
    "binaries",
    "binary",
    "apps",
    "app",
    "services",
    "service",
    "jobs",
    "job",
    "threads",
    "thread",
    "it's",
    "get",
    "make",
    "use",
];

/// A process name the words give: "named dd", "called nginx", "for dd only", "only by
/// postgres", a quoted word, "does python open".
fn process_name(text: &Text) -> Option<(String, Vec<usize>, Whose)> {
    // "out of another process", "the parent process": which process, not its name.
    const WHICH: &[&str] = &[
        "another",
        "other",
        "others",
        "some",
        "same",
        "different",
        "parent",
        "child",
        "target",
        "calling",
        "current",
        "remote",
        "foreign",
        "new",
        "old",
        "many",
        "most",
        "few",
        "several",
        "both",
        "either",
        "neither",
        "whose",
        "your",
        "his",
        "her",
    ];
    let candidate = |j: usize| -> bool {
        text.words.get(j).is_some_and(|w| {
            !w.used
                && !WHICH.contains(&w.lower.as_str())
                && w.raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
                && w.raw.chars().any(|c| c.is_ascii_alphabetic())
                && !STOP.contains(&w.lower.as_str())
                && errno(&w.raw).is_none()
                && signal(&w.raw).is_none()
                && tcp_state(&w.raw).is_none()
                && !PROTOCOLS.contains(&w.lower.as_str())
        })
    };
    // "only", "just" and "processes" before a name belong to it.
    let with_lead = |mut at: Vec<usize>| {
        let mut s = at[0];
        while s > 0 && text.is(s - 1, &["only", "just", "processes", "process", "programs", "program", "commands", "command", "named", "called", "for", "by"]) && !text.used(s - 1)
        {
            s -= 1;
            at.push(s);
        }
        at
    };
    let device = |w: &Word| {
        static DEVICE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        DEVICE
            .get_or_init(|| regex::Regex::new(r"^(sd[a-z]+|vd[a-z]+|nvme\d.*|eth\d+|en[a-z0-9]+|wl[a-z0-9]+|lo|dm-\d+|md\d+|loop\d+|br\d+)$").expect("a valid regex"))
            .is_match(&w.raw)
    };
    let owner = |w: &Word| w.owns && w.raw.starts_with(|c: char| c.is_ascii_lowercase()) && !everyday(w) && !device(w);
    for i in 0..text.len() {
        // "comm nginx"; not "comm, path, mode", a list of what to show.
        // ("count by comm errno" keys by both.)
        // ("… where uid is 1000 and comm nginx" still names nginx: no key before the "and".)
        let clause = clause_start(text, i);
        let keyed =
            text.is(i, &["comm"]) && i > 0 && (text.is(i - 1, &["by", "per", "each", "every"]) || (text.is(i - 1, &["and"]) && (clause..i).any(|k| text.is(k, &["by", "per"]))));
        if text.is(i, &["named", "called", "comm"]) && !keyed && text.words[i].punct != Some(',') && candidate(i + 1) {
            return Some((text.words[i + 1].raw.clone(), with_lead(vec![i, i + 1]), Whose::Caller));
        }
        // "just rsyslogd: print its getpeername calls": the program, said before the ask.
        // Not a kind of thing ("Just failures:", "Only ext4:").
        if text.is(i, &["only", "just"])
            && i == text.sentence_start(i)
            && candidate(i + 1)
            && text.words[i + 1].punct == Some(':')
            && text.words[i + 1].light == text.words[i + 1].lower
            && !text.event_at.contains(&(i + 1))
            && (installed(&text.words[i + 1]) || !crate::ground::names_a_subsystem(&text.words[i + 1].lower))
            && !everyday(&text.words[i + 1])
            && !value_noun(&text.words[i + 1])
        {
            return Some((text.words[i + 1].raw.clone(), vec![i, i + 1], Whose::Caller));
        }
        // "getpeername calls from rsyslogd": a program this host has, where the calls come from.
        if text.is(i, &["from"])
            && i > 0
            && (text.event_at.contains(&(i - 1)) || text.is(i - 1, CALL_WORDS))
            && candidate(i + 1)
            && installed(&text.words[i + 1])
            && !everyday(&text.words[i + 1])
        {
            return Some((text.words[i + 1].raw.clone(), vec![i, i + 1], Whose::Caller));
        }
        // "only rsync's fadvise64 calls": the program whose events they are.
        if text.is(i, &["only", "just"]) && candidate(i + 1) && owner(&text.words[i + 1]) && text.event_at.contains(&(i + 2)) {
            return Some((text.words[i + 1].raw.clone(), vec![i, i + 1], Whose::Caller));
        }
        if text.is(i, &["only", "just"]) && text.is(i + 1, &["for", "by", "from", "in"]) && candidate(i + 2) {
            return Some((text.words[i + 2].raw.clone(), vec![i, i + 1, i + 2], Whose::Caller));
        }
        if text.is(i, &["for", "by", "from", "in"]) && candidate(i + 1) && text.is(i + 2, &["only"]) {
            return Some((text.words[i + 1].raw.clone(), vec![i, i + 1, i + 2], Whose::Caller));
        }
        // "bash processes only", "by postgres processes", "only nginx workers".
        let group = |j: usize| text.is(j, &["process", "processes", "program", "programs", "workers", "worker", "instances", "threads"]);
        // "epoll instances" are what epoll_create makes, not processes named epoll.
        let names_event = text.event_at.iter().any(|&e| text.words[e].lower.split('_').next() == Some(text.lower(i)));
        // After "of", "by" or "from" an everyday word is what is measured, not a program
        // ("histogram of time threads spend inside recvmsg()").
        let led = i > 0 && (text.is(i - 1, &["only", "just"]) || (text.is(i - 1, &["by", "from", "of"]) && !everyday(&text.words[i])));
        // ("top only shows a sea of python processes": the story's, not the ask's.)
        if candidate(i) && group(i + 1) && !names_event && (text.is(i + 2, &["only"]) || led) && !text.only_tells(i) {
            let mut at = vec![i, i + 1];
            if text.is(i + 2, &["only"]) {
                at.push(i + 2);
            }
            if i > 0 && text.is(i - 1, &["only", "just", "by", "from", "of"]) {
                at.push(i - 1);
            }
            return Some((text.words[i].raw.clone(), at, Whose::Caller));
        }
        // "sshd only.", "…, only nginx": a program this host has, alone beside "only" at the end
        // of a clause ("failures only", "ext4 only" are no programs).
        let ends = |j: usize| text.words.get(j).is_some_and(|w| w.ends) || j + 1 >= text.len();
        // Or one the request names elsewhere too ("mysqld spends its life in futex waits …,
        // mysqld only"): a name said twice is the subject.
        let twice = |j: usize| !everyday(&text.words[j]) && !value_noun(&text.words[j]) && text.words.iter().enumerate().any(|(k, o)| k != j && o.lower == text.words[j].lower);
        if candidate(i) && (installed(&text.words[i]) || twice(i)) && ((text.is(i + 1, &["only"]) && ends(i + 1)) || (i > 0 && text.is(i - 1, &["only"]) && ends(i))) {
            let at = if text.is(i + 1, &["only"]) { vec![i, i + 1] } else { vec![i - 1, i] };
            return Some((text.words[i].raw.clone(), at, Whose::Caller));
        }
        // "histogram of read sizes for nginx": a program's name ending the clause after "for",
        // installed here or not (not a device, a subsystem, a protocol or a word for things).
        // Only a program this host has, or one said with its processes ("for nginx workers"):
        // a file, a host, a user or a product ("for mysql": mysqld) is no process's name.
        if i > 0
            && text.is(i - 1, &["for"])
            && !text.used(i - 1)
            && candidate(i)
            && looks_like_program(text, i)
            && ((ends(i) && installed(&text.words[i])) || group(i + 1))
            && !device(&text.words[i])
            && !text.only_tells(i)
            && !crate::ground::names_a_subsystem(&text.words[i].lower)
            && !text.event_at.contains(&i)
            && !names_event
        {
            let mut at = vec![i - 1, i];
            if group(i + 1) {
                at.push(i + 1);
            }
            return Some((text.words[i].raw.clone(), at, Whose::Caller));
        }
        // "does postgres spend long in pwrite", "does nginx wait": the subject of the time asked.
        // "what does cron run": the programs it starts ("how often does logrotate run" asks of
        // logrotate itself, not what it starts).
        let starts = text.is(i + 2, &["run", "start", "launch", "spawn", "exec", "execute"]) && (1..=2).any(|d| i >= d && text.is(i - d, &["what", "which"]));
        let waits = (text.is(i + 2, &["spend", "take", "wait", "block", "stall", "sleep"]) || starts) && !everyday(&text.words[i + 1]) && !value_noun(&text.words[i + 1]);
        if text.is(i, &["does", "do", "did"])
            && candidate(i + 1)
            && i + 2 < text.len()
            && ((text.used(i + 2) && text.words[i + 2].light == text.words[i + 2].lower) || waits)
            && !crate::ground::names_a_subsystem(&text.words[i + 1].lower)
        {
            return Some((text.words[i + 1].raw.clone(), vec![i + 1], Whose::Caller));
        }
        // "opened by bash", "sent by systemd": a program this host has, not an everyday word, as
        // the one that did it ("latency by mount" is per mount point).
        let done = i > 0 && ["ed", "en", "ent"].iter().any(|e| text.lower(i - 1).ends_with(e));
        // Not one of alternatives that are no programs ("dropped by truncate or hole punching":
        // what does it, not who).
        let among_acts = text.is(i + 2, &["or"])
            && text.words.get(i + 3).is_some_and(|w| !installed(w))
            && (i + 3..(i + 5).min(text.len())).any(|k| text.lower(k).len() > 5 && text.lower(k).ends_with("ing"));
        if text.is(i, &["by"]) && done && candidate(i + 1) && installed(&text.words[i + 1]) && !among_acts {
            return Some((text.words[i + 1].raw.clone(), vec![i, i + 1], Whose::Caller));
        }
        // Whose events they are: "nginx's openat calls", "wakeups of tickd", "faults of the
        // postgres process", "switches of process tickd". A name nothing else makes a program
        // ("calls of read", "latency of ext4", "wakeups of the kernel" are none), said in the
        // ask; installed here, or said as a process's, or ending its clause.
        let program = |j: usize| {
            candidate(j)
                && looks_like_program(text, j)
                && !device(&text.words[j])
                && !text.event_at.contains(&j)
                && !crate::ground::names_a_subsystem(&text.words[j].lower)
                && !text.only_tells(j)
                && !value_noun(&text.words[j])
        };
        let of_event = |k: usize| text.names_the_event(k);
        let determined = i > 0 && text.is(i - 1, DETERMINERS);
        if owner(&text.words[i]) && program(i) && !determined && (of_event(i + 1) || (of_event(i + 2) && !text.words[i + 1].ends)) {
            return Some((text.words[i].raw.clone(), vec![i], Whose::Owner));
        }
        const PROCESS: &[&str] = &["process", "daemon", "program", "service", "binary", "command"];
        if i > 1 && text.is(i - 1, &["of"]) && !text.used(i - 1) && of_event(i - 2) {
            // "of tickd", "of the postgres process", "of process tickd".
            let (name, mut at) = if text.is(i, PROCESS) && program(i + 1) && !group(i + 2) {
                (i + 1, vec![i - 1, i, i + 1])
            } else if text.is(i, &["the"]) && program(i + 1) && group(i + 2) {
                (i + 1, vec![i - 1, i, i + 1, i + 2])
            } else {
                (i, vec![i - 1, i])
            };
            if name == i && group(i + 1) {
                at.push(i + 1);
            }
            // A bare name ("wakeups of tickd") is a program's when it is spelled like one
            // (`payments-api`, `kgent7`), or said elsewhere as a process's ("our daemon
            // tickd"); a noun ("removals of inode") is none.
            let raw = &text.words[name].raw;
            let spelled = raw.chars().any(|c| c.is_ascii_digit() || c == '-');
            let called = (0..text.len()).any(|k| k != name && text.words[k].raw == *raw && ((k > 0 && text.is(k - 1, PROCESS)) || group(k + 1) || text.is(k + 1, PROCESS)));
            let said_so = name != i || group(i + 1) || installed(&text.words[name]) || ((spelled || called) && ends(name));
            if program(name) && said_so {
                return Some((text.words[name].raw.clone(), at, Whose::Owner));
            }
        }
        // "for the nginx process", "by the postgres workers": the article before a program's
        // processes.
        if i > 1 && text.is(i - 1, &["the"]) && text.is(i - 2, &["for", "by", "from"]) && !text.used(i - 2) && program(i) && group(i + 1) {
            return Some((text.words[i].raw.clone(), vec![i - 2, i - 1, i, i + 1], Whose::Caller));
        }
        // A quoted word, as commands are named: lowercase, not a message's first word.
        let command_like = text.words[i].raw.chars().next().is_some_and(|c| !c.is_uppercase()) && text.words[i].punct != Some(':');
        // Not the name of something else ("the old 'shocker' exploit", "the 'noatime' option"),
        // nor one said in an aside without a word that makes it a process's.
        let names_other = text.words[i].punct.is_none() && text.words.get(i + 1).is_some_and(|w| NAMED_THINGS.contains(&w.lower.as_str()));
        // A lead word may stand before an article ("from the 'pytest' runner").
        const LEADS: &[&str] = &["by", "named", "called", "process", "program", "command", "from", "only", "just"];
        let led = (i > 0 && text.is(i - 1, LEADS)) || (i > 1 && text.is(i - 1, &["the", "a", "an"]) && text.is(i - 2, LEADS));
        let aside = text.words[i].aside && !led;
        // "`mv` between our two volumes is slow because rename() fails … Count the renames that
        // fail, per command": a program the story tells of, with no word that makes it whose
        // events are asked; left unread, not a filter.
        let told = text.only_tells(i) && !led && !group(i + 1);
        if text.words[i].quoted
            && !told
            && command_like
            && candidate(i)
            && !names_other
            && !aside
            && !text.words.get(i + 1).is_some_and(|w| w.quoted)
            && !(i > 0 && text.words[i - 1].quoted)
        {
            return Some((text.words[i].raw.clone(), with_lead(vec![i]), Whose::Caller));
        }
    }
    None
}

/// Tools a story says something is seen in ("sits at 100% CPU in top").
const MONITORS: &[&str] =
    &["top", "htop", "atop", "perf", "iostat", "vmstat", "mpstat", "pidstat", "sar", "iotop", "dmesg", "ps", "strace", "ltrace", "netstat", "ss", "tcpdump", "journalctl"];

/// Words that make the next noun a thing's, not a name ("an inode's", "the socket's").
const DETERMINERS: &[&str] = &["a", "an", "the", "each", "every", "its", "their", "our", "this", "that", "these", "those", "any", "some", "one"];

/// Whose name a request's program name is: the task that caused the event (the builtin `comm`,
/// "calls by nginx"), or the one the events are of ("wakeups of tickd", "tickd's wakeups"): the
/// record's own `comm` where it has one (a woken, migrated or signalled task's), else the same.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Whose {
    Caller,
    Owner,
}

/// Nouns a quoted name before them is the name of ("the old 'shocker' exploit", "the 'noatime'
/// option"): no process, and in the story no value to filter by.
const NAMED_THINGS: &[&str] = &[
    "exploit",
    "exploits",
    "bug",
    "bugs",
    "attack",
    "cve",
    "vulnerability",
    "issue",
    "option",
    "flag",
    "setting",
    "technique",
    "incident",
    "ticket",
    "alert",
    "rule",
    "feature",
    "policy",
    "directory",
    "label",
    "tag",
    "trick",
    "pattern",
    "problem",
];

/// Words that name nothing a program could be held to: articles, auxiliaries, the everyday verbs
/// hooks are named by, and value nouns (read as values elsewhere).
fn everyday(w: &Word) -> bool {
    const COMMON: &[&str] = &[
        "does",
        "do",
        "did",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "get",
        "gets",
        "got",
        "has",
        "have",
        "had",
        "can",
        "will",
        "would",
        "should",
        "whom",
        "whoever",
        "anyone",
        "someone",
        "everyone",
        "anybody",
        "somebody",
        "everybody",
        "somewhere",
        "anywhere",
        "everywhere",
        "here",
        "there",
        "now",
        "then",
    ];
    STOP.contains(&w.lower.as_str())
        || ENGLISH.contains(&w.lower.as_str())
        || FILLER.contains(&w.lower.as_str())
        || COMMON.contains(&w.lower.as_str())
        || SYNONYMS.iter().any(|(short, _)| *short == w.lower)
        || value_noun(w)
}

/// Two values named together ("parent and child pid"): the words at `i`, `i + 1` and `at`.
fn show_both(text: &mut Text, shown: &mut Vec<(Term, At)>, at: &[usize], i: usize, first: (Term, At), second: (Term, At)) {
    let mut all = at.to_vec();
    all.extend([i, i + 1]);
    text.read(&all, format!("show {} and {}", first.0.name(), second.0.name()));
    for v in [first, second] {
        if !shown.iter().any(|(s, _)| *s == v.0) {
            shown.push(v);
        }
    }
}

/// Whether the word at `i` after "for" may be a program's name ("for nginx", "for
/// php-fpm"): lower case, one thing (no plural, no verb's or abstract noun's ending), not an
/// everyday word, and not said after a verb that takes "for" ("waiting for", "asks for").
fn looks_like_program(text: &Text, i: usize) -> bool {
    const TAKES_FOR: &[&str] = &[
        "wait",
        "waits",
        "waiting",
        "waited",
        "ask",
        "asks",
        "asking",
        "asked",
        "look",
        "looking",
        "search",
        "searching",
        "poll",
        "polling",
        "check",
        "checking",
        "account",
        "accounts",
        "responsible",
        "key",
        "room",
        "space",
        "time",
        "used",
        "needed",
        "reserved",
        "allocated",
        "queued",
        "scheduled",
        "ready",
        "asking",
    ];
    let w = &text.words[i];
    let ending = ["ing", "ion", "ions", "ment", "ness", "ity", "ance", "ence", "ed", "ly", "al"].iter().any(|e| w.lower.ends_with(e));
    w.raw.starts_with(|c: char| c.is_ascii_lowercase())
        && !w.quoted
        && !w.raw.contains('.')
        && !PLATFORMS.contains(&w.lower.as_str())
        && !PROTOCOLS.contains(&w.lower.as_str())
        && w.light == w.lower
        && !ending
        && w.lower.len() >= 2
        && !everyday(w)
        && !value_noun(w)
        && [STOP, ENGLISH, FILLER, GENERIC].iter().all(|list| !list.contains(&w.lower.as_str()))
        && !crate::ground::names_a_subsystem(&w.lower)
        && !(i >= 2 && text.is(i - 2, TAKES_FOR))
}

/// Whether `w` is the name of a program installed on this host, and not an everyday word.
fn installed(w: &Word) -> bool {
    let name = w.raw.as_str();
    !everyday(w)
        && name.len() >= 2
        && !name.contains('/')
        && ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].iter().any(|d| std::path::Path::new(d).join(name).is_file())
}

fn words_at(text: &Text, at: &[usize]) -> String {
    at.iter().map(|&j| text.words[j].raw.clone()).collect::<Vec<_>>().join(" ")
}

/// Numbers named by `parse` at `i` and after it joined by "or"/","/"and" ("SIGSEGV or SIGKILL").
fn alternatives(text: &Text, i: usize, parse: &dyn Fn(&str) -> Option<i64>) -> (Vec<i64>, Vec<usize>) {
    let mut values = vec![];
    let mut at = vec![];
    let mut j = i;
    while let Some(n) = text.words.get(j).and_then(|w| parse(&w.raw)) {
        values.push(n);
        at.push(j);
        if text.is(j + 1, &["or", "and", "/"]) && text.words.get(j + 2).and_then(|w| parse(&w.raw)).is_some() {
            at.push(j + 1);
            j += 2;
        } else {
            break;
        }
    }
    (values, at)
}

/// The values the words at `i` name by the names a field's format prints for them, with that
/// field and the words read, alternatives included ("NO_SOCKET or TCP_CSUM"). An identifier
/// (`NO_SOCKET`, also as `SKB_DROP_REASON_NO_SOCKET`) or a phrase ("remote shootdown") is
/// enough; one everyday word ("periodic") only beside the field's name or quoted. A name in
/// the tables of two fields says neither.
fn named_values(text: &Text, i: usize, records: &Records) -> Option<(String, Vec<i64>, Vec<usize>)> {
    let one = |i: usize| -> Option<(String, i64, usize)> {
        let mut found: Vec<(String, i64, usize)> = Vec::new();
        for f in records.start.iter().chain(records.end) {
            for s in &f.symbols {
                if let Some(n) = names_symbol(text, i, &f.name, &s.name) {
                    if !found.iter().any(|(name, _, _)| *name == f.name) {
                        found.push((f.name.clone(), s.value, n));
                    }
                }
            }
        }
        (found.len() == 1).then(|| found.remove(0))
    };
    let (field, value, n) = one(i)?;
    let mut values = vec![value];
    let mut at: Vec<usize> = (i..i + n).collect();
    // The field said beside its value: "reason periodic", "action XDP_ABORTED" (`act`).
    let names_field = |k: usize| text.words.get(k).is_some_and(|w| !w.used && w.lower.len() >= 3 && (w.lower == field || w.light == field || w.lower.starts_with(&field)));
    if i > 0 && names_field(i - 1) {
        at.push(i - 1);
    }
    let mut j = i + n;
    while text.is(j, &["or", "and", "/"]) || text.words.get(j - 1).is_some_and(|w| w.punct == Some(',')) {
        let k = if text.is(j, &["or", "and", "/"]) { j + 1 } else { j };
        match one(k) {
            Some((f, v, m)) if f == field => {
                values.push(v);
                at.extend(j..k + m);
                j = k + m;
            }
            _ => break,
        }
    }
    Some((field, values, at))
}

/// How many words at `i` name the value `symbol` of field `field`, if they do.
fn names_symbol(text: &Text, i: usize, field: &str, symbol: &str) -> Option<usize> {
    let parts: Vec<&str> = symbol.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|p| !p.is_empty()).collect();
    if parts.is_empty() || parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let word = text.words.get(i)?;
    if word.used {
        return None;
    }
    if let [part] = parts.as_slice() {
        let identifier = part.contains('_') || (part.len() >= 3 && part.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        if identifier {
            let raw = word.raw.as_str();
            let named = if part.contains('_') { raw.eq_ignore_ascii_case(part) } else { raw == *part };
            let prefixed = raw.len() > part.len() + 1 && raw.ends_with(part) && raw.as_bytes()[raw.len() - part.len() - 1] == b'_' && raw.chars().all(|c| !c.is_ascii_lowercase());
            return (named || prefixed).then_some(1);
        }
        let beside = [i + 1, i.wrapping_sub(1)].iter().any(|&k| text.words.get(k).is_some_and(|w| w.lower.len() >= 3 && (w.lower == field || w.lower.starts_with(field))));
        return (part.len() >= 3 && word.lower == part.to_lowercase() && (word.quoted || beside)).then_some(1);
    }
    let all = parts.iter().enumerate().all(|(k, p)| text.words.get(i + k).is_some_and(|w| !w.used && w.lower == p.to_lowercase()));
    all.then_some(parts.len())
}

/// The letter `ps` (and a task-state field's format) shows for the state the words at `i` name,
/// with how many words say it: "uninterruptible (D) sleep" is D, "interruptible" S, "D-state"
/// and "D state" D. (Only these two: the other letters, "stopped", "zombie", "idle", are
/// everyday words more often than states.)
fn task_state(text: &Text, i: usize) -> Option<(&'static str, usize)> {
    if i >= text.len() {
        return None;
    }
    let letter = match text.lower(i) {
        "uninterruptible" => "D",
        "interruptible" => "S",
        // "D-state" is split at its hyphen.
        "d" if text.is(i + 1, &["state", "states"]) => "D",
        _ => return None,
    };
    // The words after it that say the same: "sleep", "state", "(D)".
    let same = |k: usize| text.is(k, &["sleep", "sleeping", "state", "states", "wait", "waits"]) || text.words.get(k).is_some_and(|w| w.raw == letter && w.paren);
    let n = 1 + (i + 1..(i + 4).min(text.len())).take_while(|&k| same(k) && !text.used(k)).count();
    Some((letter, n))
}

/// Where the clause holding word `i` begins: after the last word that ends one, within its
/// sentence.
fn clause_start(text: &Text, i: usize) -> usize {
    (0..i).rev().find(|&k| text.words[k].ends).map_or(text.sentence_start(i), |k| k + 1)
}

/// Whether a word before `i` in its clause sets what follows aside ("not in D state", "no
/// O_DIRECT", "anything but MADV_FREE"): a value said there is no condition to keep.
fn clause_negates(text: &Text, i: usize) -> bool {
    const NEGATORS: &[&str] = &[
        "not",
        "t",
        "never",
        "neither",
        "nor",
        "without",
        "missing",
        "lacking",
        "except",
        "excluding",
        "exclude",
        "other",
        "but",
        "no",
        "non",
        "ignore",
        "ignoring",
        "skip",
        "forgot",
        "forget",
        "instead",
        "unless",
        "besides",
    ];
    let negates = |k: usize| text.is(k, NEGATORS) && (!text.is(k, &["but"]) || (k > 0 && text.is(k - 1, &["anything", "everything", "all", "any"])));
    (clause_start(text, i)..i).any(negates)
}

fn one_or_any(term: Term, values: Vec<i64>, words: String) -> Condition {
    let test = if values.len() == 1 { Test::Cmp { op: CmpOp::Eq, value: values[0] } } else { Test::OneOf { values } };
    Condition { term, test, words }
}

/// The conditions the words state, over the records' fields and the builtins.
fn conditions_of(text: &mut Text, records: &Records, out: &mut Vec<(Condition, At)>, gaps: &mut Vec<String>) {
    // A process name.
    if let Some((name, at, whose)) = process_name(text) {
        // An interpreter runs under its versioned name (`python` as python3, python3.11): a
        // prefix. Any other name is the command's name exactly.
        let versioned = ["python", "perl", "ruby", "php", "lua", "pypy", "node", "java"].contains(&name.to_lowercase().as_str());
        // The kernel keeps 15 bytes of a command's name ("systemd-journal" of systemd-journald).
        let test = if versioned { Test::Prefix { value: name.clone() } } else { Test::Str { equal: true, value: name.chars().take(15).collect() } };
        let words = words_at(text, &at);
        let (term, at_) = match (whose, records.term("comm")) {
            (Whose::Owner, Some((t, w))) => (t, w),
            _ => (Term::Builtin(Builtin::Comm), At::Anywhere),
        };
        text.read(&at, format!("only processes named {name}"));
        // The same name said again ("our daemon tickd … wakeups of tickd") is the same filter.
        let said_as_process =
            |k: usize| (k > 0 && text.is(k - 1, &["process", "daemon", "program", "service", "binary"])) || text.is(k + 1, &["process", "processes", "daemon", "workers"]);
        let again: Vec<usize> = (0..text.len()).filter(|&k| !text.used(k) && text.words[k].raw == name && (text.only_tells(k) || said_as_process(k))).collect();
        text.mark(&again);
        out.push((Condition { term, test, words }, at_));
    }
    // The message of an errno, quoted from a log ("No such file or directory").
    if let Some((n, at)) = errno_by_message(text) {
        // "dies with 'cannot allocate memory' … print each mmap() that asks for more than
        // 256 MB": a message the story quotes says which failures only where the ask asks for
        // failures.
        let failure = |k: usize| failure_word(&text.words[k]) || text.is(k, &["unsuccessful"]);
        // ("… Count the mmap() calls that return it": the ask points back at the message.)
        let points_back = (1..text.len()).any(|k| {
            !text.only_tells(k)
                && text.is(k, &["it", "that", "this", "those", "them"])
                && text.is(k - 1, &["return", "returns", "returned", "with", "get", "gets", "hit", "hits", "give", "gives"])
        });
        let told = text.only_tells(at[0]) && !points_back && !(0..text.len()).any(|k| failure(k) && !text.only_tells(k));
        if told {
            text.mark(&at);
        } else if records.syscall {
            let words = words_at(text, &at);
            text.read(&at, format!("only calls that fail with errno {n} (ret == -{n})"));
            out.push((Condition { term: Term::field("ret", "long"), test: Test::Cmp { op: CmpOp::Eq, value: -n }, words }, At::End));
        } else {
            text.mark(&at);
        }
    }
    // "calls that return NULL": a library function's pointer result, 0.
    if let Some((f, w)) = records.field("retval").filter(|(f, _)| f.ty.contains('*')) {
        let at: Option<Vec<usize>> = (1..text.len()).find_map(|i| {
            let null = !text.used(i) && text.is(i, &["null"]) && text.is(i - 1, &["return", "returns", "returned", "returning"]) && !text.used(i - 1);
            null.then(|| vec![i - 1, i])
        });
        if let Some(at) = at {
            let words = words_at(text, &at);
            text.read(&at, "only calls that return NULL (retval == 0)");
            out.push((Condition { term: Term::field(&f.name, &f.ty), test: Test::Cmp { op: CmpOp::Eq, value: 0 }, words }, w));
        }
    }
    // "calls that return 0", "poll() returning 0 (timed out)": a syscall's result, on its exit.
    if records.syscall && records.field("ret").is_some() {
        let at: Option<(Vec<usize>, i64)> = (1..text.len()).find_map(|i| {
            let said = !text.used(i) && !text.used(i - 1) && text.is(i - 1, &["return", "returns", "returned", "returning"]) && !text.only_tells(i) && !text.in_examples(i);
            // (A negative result is -errno at the exit: "return -1" is the failure rule's.)
            let n = text.lower(i).parse::<i64>().ok().filter(|&n| said && n >= 0 && !text.words[i - 1].ends)?;
            // "(timed out)": what the number means, said in an aside that names no value or
            // key ("(per process name)" is read by the keys).
            let aside: Vec<usize> = (i + 1 < text.len() && text.words[i + 1].paren)
                .then(|| text.aside_of(i + 1))
                .flatten()
                .map(|(first, end)| (first..=end).collect::<Vec<usize>>())
                .filter(|ks| ks.iter().all(|&k| !text.used(k) && !value_noun(&text.words[k]) && !text.is(k, &["per", "by", "each", "every"])))
                .unwrap_or_default();
            Some(([vec![i - 1, i], aside].concat(), n))
        });
        if let Some((at, n)) = at {
            let words = words_at(text, &at);
            text.read(&at, format!("only calls that return {n} (ret == {n})"));
            out.push((Condition { term: Term::field("ret", "long"), test: Test::Cmp { op: CmpOp::Eq, value: n }, words }, At::End));
        }
    }
    let mut i = 0;
    while i < text.len() {
        // Examples illustrate what to show; they keep nothing out.
        if text.used(i) || text.in_examples(i) {
            i += 1;
            continue;
        }
        let w = text.lower(i).to_string();
        let raw = text.words[i].raw.clone();
        let negated = i > 0 && text.is(i - 1, &["not", "except", "excluding", "non", "never", "without", "no"]);
        // "pid 1234", "uid 1000", "by uid 0", "user 1000".
        let builtin = match w.as_str() {
            "pid" | "tgid" => Some(Builtin::Pid),
            "tid" => Some(Builtin::Tid),
            "uid" | "user" => Some(Builtin::Uid),
            "gid" => Some(Builtin::Gid),
            "cpu" => Some(Builtin::Cpu),
            _ => None,
        };
        // "cpu 0" filters only as "on cpu 0", "only cpu 0" ("pinning threads to cpu 0" is not).
        let cpu_filter = builtin != Some(Builtin::Cpu) || (i > 0 && text.is(i - 1, &["on", "only", "for", "just"]));
        if let (Some(b), Ok(n), true) = (builtin, text.lower(i + 1).parse::<i64>(), cpu_filter) {
            let mut at = vec![i, i + 1];
            if negated {
                at.push(i - 1);
            }
            text.read(&at, format!("only {} {} {n}", b.name(), if negated { "!=" } else { "==" }));
            out.push((
                Condition { term: Term::Builtin(b), test: Test::Cmp { op: if negated { CmpOp::Ne } else { CmpOp::Eq }, value: n }, words: format!("{w} {n}") },
                At::Anywhere,
            ));
            i += 2;
            continue;
        }
        // "CPU 2 sits at 100% sys. Sample … on that CPU only": the CPU the story named.
        // ("this CPU" is the current one; "from that CPU" a migration's origin.)
        let on_it = i > 1 && text.is(i - 2, &["on"]) || text.is(i + 1, &["only"]);
        if (builtin == Some(Builtin::Cpu) || w == "core") && i > 0 && text.is(i - 1, &["that"]) && on_it {
            let named =
                (0..i - 1).rev().find_map(|k| (text.is(k, &["cpu", "core"]) && text.only_tells(k)).then(|| text.lower(k + 1).parse::<i64>().ok().map(|n| (k, n))).flatten());
            if let Some((k, n)) = named {
                let mut at = vec![i - 1, i, k, k + 1];
                at.extend([i - 2, i + 1].into_iter().filter(|&j| j < text.len() && text.is(j, &["on", "only", "the"])));
                at.retain(|&j| !text.used(j));
                text.read(&at, format!("only cpu == {n}"));
                out.push((Condition { term: Term::Builtin(Builtin::Cpu), test: Test::Cmp { op: CmpOp::Eq, value: n }, words: format!("{w} {n}") }, At::Anywhere));
                i += 1;
                continue;
            }
        }
        // "write() to fd 2", "irq 19": a number field of the record, by its own name.
        if let (None, Some((f, where_)), Ok(n)) = (builtin, records.field(&w), text.lower(i + 1).parse::<i64>()) {
            if !field_is_text(&f.ty) && !f.ty.contains('*') && !text.used(i + 1) {
                let (name, ty) = (f.name.clone(), f.ty.clone());
                let mut at = vec![i, i + 1];
                if negated {
                    at.push(i - 1);
                }
                text.read(&at, format!("only {name} {} {n}", if negated { "!=" } else { "==" }));
                out.push((
                    Condition { term: Term::field(&name, &ty), test: Test::Cmp { op: if negated { CmpOp::Ne } else { CmpOp::Eq }, value: n }, words: format!("{w} {n}") },
                    where_,
                ));
                i += 2;
                continue;
            }
        }
        // Under a directory: "files under /tmp", "opens in /etc". Not a path in a sentence of the
        // story, away from the event's words ("the /data bind mount disappeared. … show every
        // umount"): that stays unread.
        let placed = i > 0 && text.is(i - 1, &["under", "in", "inside", "below", "beneath", "within", "from", "of"]);
        if raw.starts_with('/') && raw.len() > 1 && !placed && text.in_story(i) {
            i += 1;
            continue;
        }
        if raw.starts_with('/') && raw.len() > 1 {
            let path_field = ["filename", "pathname", "path", "name", "newname"].iter().find_map(|n| records.field(n).filter(|(f, _)| field_is_text(&f.ty)));
            match path_field {
                Some((f, where_)) => {
                    let mut at = vec![i];
                    if i > 0 && text.is(i - 1, &["under", "in", "inside", "below", "beneath", "within", "from", "of"]) {
                        at.push(i - 1);
                    }
                    // "out of /tmp or /dev/shm": either.
                    let mut values = vec![raw.clone()];
                    let mut k = i + 1;
                    // "/dev/mem, /dev/kmem or /dev/port": the comma goes on with the list.
                    let path = |k: usize| text.words.get(k).is_some_and(|w| w.raw.starts_with('/') && w.raw.len() > 1);
                    loop {
                        // Not a path the next clause is about ("under /tmp, /var/tmp is excluded").
                        if text.words[k - 1].punct == Some(',') && path(k) && (text.words[k].punct == Some(',') || text.is(k + 1, &["or", "and"])) {
                            values.push(text.words[k].raw.clone());
                            at.push(k);
                            k += 1;
                        } else if text.is(k, &["or", "and"]) && path(k + 1) {
                            values.push(text.words[k + 1].raw.clone());
                            at.extend([k, k + 1]);
                            k += 2;
                        } else {
                            break;
                        }
                    }
                    text.read(&at, format!("only paths under {}", values.join(" or ")));
                    let test = if values.len() == 1 { Test::Prefix { value: raw.clone() } } else { Test::AnyPrefix { values } };
                    out.push((Condition { term: Term::field(&f.name, &f.ty), test, words: raw.clone() }, where_));
                    i = k;
                    continue;
                }
                // A path the labelled story names, where the record has none, is the story's.
                None if text.story_until().is_some_and(|label| i < label) => text.mark(&[i]),
                None => {
                    gaps.push(format!("{raw} is a path, and the event's record has none"));
                    text.mark(&[i]);
                }
            }
            i += 1;
            continue;
        }
        // "to port 443", "from port 8080", "port 53".
        if (w == "port" || w == "ports") && text.lower(i + 1).parse::<i64>().is_ok() {
            let n: i64 = text.lower(i + 1).parse().unwrap_or(0);
            let from = i > 0 && text.is(i - 1, &["from", "source", "local"]);
            let names: &[&str] = if from { &["sport", "lport"] } else { &["dport", "rport", "port"] };
            match names.iter().find_map(|f| records.term(f)) {
                Some((t, where_)) => {
                    let mut at = vec![i, i + 1];
                    if i > 0 && text.is(i - 1, &["to", "from", "on", "source", "local", "destination", "remote"]) {
                        at.push(i - 1);
                    }
                    text.read(&at, format!("only {} == {n}", t.name()));
                    out.push((Condition { term: t, test: Test::Cmp { op: CmpOp::Eq, value: n }, words: format!("port {n}") }, where_));
                }
                None => {
                    gaps.push(format!("port {n} is asked for, and the event's record has no port"));
                    text.mark(&[i, i + 1]);
                }
            }
            i += 2;
            continue;
        }
        // Root, and everyone but root.
        // "the root filesystem", "root cgroup" are no user.
        let not_a_user = (text.is(i + 1, &["file"]) && text.is(i + 2, &["system", "systems"]))
        // "our ext4 root is mounted with discard": a filesystem.
        || (i > 0 && text.is(i - 1, &["ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "zfs", "nfs", "tmpfs", "overlay", "overlayfs"]))
        || text.is(i + 1, &["mounted", "mountpoint"])
        || (text.is(i + 1, &["is", "was", "gets", "got"]) && text.is(i + 2, &["mounted", "remounted", "full"]))
            || text.is(
                i + 1,
                &[
                    "filesystem",
                    "filesystems",
                    "fs",
                    "partition",
                    "directory",
                    "dir",
                    "cgroup",
                    "namespace",
                    "disk",
                    "volume",
                    "device",
                    "mount",
                    "inode",
                    "dentry",
                    "cause",
                    "causes",
                    "complex",
                ],
            );
        // "we don't care about root", "ignore root's": set aside, as "not root" is.
        let set_aside = w == "root"
            && !negated
            && (text.sentence_start(i)..i).rev().take(5).take_while(|&j| !text.words[j].ends).any(|j| {
                text.is(j, SETS_ASIDE)
                    || (text.is(j, &["other"]) && text.is(j + 1, &["than"]))
                    // "leaving out root", "filter out root".
                    || (text.is(j, &["out"]) && j > 0 && text.is(j - 1, TAKES_OUT))
            })
            && !(text.sentence_start(i)..i).rev().take(5).any(|j| text.is(j, &["only", "just"]));
        if (w == "root" || w == "non-root" || w == "unprivileged") && !not_a_user {
            let not_root = w != "root" || negated || set_aside;
            let mut at = vec![i];
            if negated {
                at.push(i - 1);
            }
            if text.is(i + 1, &["user", "users", "uid"]) {
                at.push(i + 1);
                if text.is(i + 2, &["0"]) {
                    at.push(i + 2);
                }
            }
            // "root (uid 0)".
            if text.is(i + 1, &["uid"]) || text.is(i + 2, &["0"]) && text.is(i + 1, &["uid"]) {
                at.extend([i + 1, i + 2]);
            }
            text.read(&at, if not_root { "only processes not run by root (uid != 0)" } else { "only processes run by root (uid == 0)" });
            out.push((
                Condition { term: Term::Builtin(Builtin::Uid), test: Test::Cmp { op: if not_root { CmpOp::Ne } else { CmpOp::Eq }, value: 0 }, words: w.clone() },
                At::Anywhere,
            ));
            i += 1;
            continue;
        }
        // "… our installer fails with ENOSPC from semget() … Report each semget() call that asks
        // for more than 100 semaphores": the story's symptom, which the ask may or may not mean.
        if errno(&raw).is_some() && text.only_tells(i) {
            text.mark(&[i]);
            i += 1;
            continue;
        }
        // Errnos by name ("ENOENT or EACCES"); a guess ("ENOMEM?") or examples ("EPERM, ESRCH,
        // whatever") are failures of any kind.
        if errno(&raw).is_some() {
            let (values, mut at) = alternatives(text, i, &errno);
            let last = at.last().copied().unwrap_or(i);
            // (Not the mark of a question that asks which: "which programs … fail with EEXIST?")
            let start = text.sentence_start(last);
            let asks_which = (start..(start + 3).min(last)).any(|k| text.is(k, &["which", "what", "who", "how", "where", "when"]));
            let guess = text.words[last].punct == Some('?') && !asks_which;
            let examples = guess || (last + 1..(last + 3).min(text.len())).any(|k| text.is(k, &["whatever", "etc", "e.g", "eg", "like", "anything"]));
            if examples && records.syscall {
                at.extend((last + 1..(last + 3).min(text.len())).filter(|&k| text.is(k, &["whatever", "etc", "e.g", "eg", "anything"]) || errno(&text.words[k].raw).is_some()));
                let words = words_at(text, &at);
                text.read(&at, "only calls that fail (the errnos named are examples)");
                out.push((Condition { term: Term::field("ret", "long"), test: Test::Cmp { op: CmpOp::Lt, value: 0 }, words }, At::End));
                i = at.iter().max().copied().unwrap_or(i) + 1;
                continue;
            }
            // Several errnos named one by one ("EPERM, ESRCH") are any of them.
            let mut k = last + 1;
            let mut values = values;
            while k < text.len() && k <= last + 6 {
                match errno(&text.words[k].raw) {
                    Some(n) if !text.used(k) => {
                        values.push(n);
                        at.push(k);
                        k += 1;
                    }
                    _ if text.is(k, &["or", "and"]) => k += 1,
                    _ => break,
                }
            }
            if !records.syscall {
                gaps.push(format!("{raw} is a syscall's error, and the event is not a syscall"));
                text.mark(&at);
            } else {
                // "get refused with EACCES", "denied with EPERM": the failure said with its errno.
                let first = at.iter().min().copied().unwrap_or(i);
                let refused = first >= 2 && text.is(first - 1, &["with", "by"]) && text.is(first - 2, REFUSED) && !text.used(first - 2);
                let words = words_at(text, &at);
                text.read(&at, format!("only calls that fail with {words}"));
                if refused {
                    text.read(&[first - 2], format!("only calls that fail with {words}"));
                }
                out.push((one_or_any(Term::field("ret", "long"), values.iter().map(|n| -n).collect(), words), At::End));
            }
            i = at.last().copied().unwrap_or(i) + 1;
            continue;
        }
        // Signals by name or number ("SIGSEGV or SIGKILL", "signal 15").
        let by_name = signal(&raw).is_some();
        let by_number = (w == "signal" || w == "sig") && text.lower(i + 1).parse::<i64>().is_ok();
        // "… and we get random SIGALRM kills." before the ask: the story's symptom.
        if (by_name || by_number) && text.only_tells(i) {
            text.mark(&[i]);
            i += 1;
            continue;
        }
        if by_name || by_number {
            let (values, at) = if by_name { alternatives(text, i, &signal) } else { (vec![text.lower(i + 1).parse().unwrap_or(0)], vec![i, i + 1]) };
            match ["sig", "signr", "signo"].iter().find_map(|f| records.term(f)) {
                Some((t, where_)) => {
                    let words = words_at(text, &at);
                    text.read(&at, format!("only signal {words}"));
                    out.push((one_or_any(t, values, words), where_));
                }
                None => {
                    gaps.push(format!("a signal ({raw}) is asked for, and the event's record has none"));
                    text.mark(&at);
                }
            }
            i = at.last().copied().unwrap_or(i) + 1;
            continue;
        }
        // A named constant (`SEEK_DATA or SEEK_HOLE`, `MS_REMOUNT|MS_RDONLY`): a bit set in its
        // field, or one of its field's values, in the record of a call that takes it. Bits
        // joined by "or" are any of them, by "and" (or `|`) all; values of one field are any of
        // them. Left unread, for no test here says it: a constant negated anywhere in its
        // clause ("don't set O_CLOEXEC", "neither MS_BIND nor MS_REC"), one given as an example
        // or beside other things ("SCHED_FIFO or some other policy", "like SEEK_HOLE"), several
        // with no word joining them, and constants of two fields joined by "or" ("a raw socket
        // (SOCK_RAW) or an AF_PACKET socket"). The story's constant is not the ask's, and in an
        // aside after the name of a value they say what that value is ("the advice value
        // (MADV_FREE, …)", "the operation bits (LOCK_SH/LOCK_EX)"), which the values' reader
        // takes; after a thing's name they say which things ("a non-blocking pidfd
        // (PIDFD_NONBLOCK)").
        if let Some(c) = constants::named(&raw) {
            const VALUE_NOUNS: &[&str] = &[
                "value",
                "values",
                "bit",
                "bits",
                "flag",
                "flags",
                "operation",
                "operations",
                "op",
                "type",
                "types",
                "mode",
                "command",
                "commands",
                "cmd",
                "advice",
                "option",
                "options",
                "kind",
                "kinds",
                "argument",
                "arg",
                "number",
                "code",
                "codes",
                "policy",
                "policies",
                "resource",
                "request",
                "clock",
                "which",
                "what",
            ];
            const EXAMPLES_BEFORE: &[&str] = &["like", "e.g", "eg", "including", "such", "say"];
            const EXAMPLES_AFTER: &[&str] = &["whatever", "etc", "e.g", "eg", "anything", "similar"];
            let clause_start = clause_start(text, i);
            let value_noun = |k: usize| text.is(k, VALUE_NOUNS) || records.field(text.lower(k)).is_some();
            // ("the flags it passes (MCL_CURRENT / MCL_FUTURE)": the value's noun a few words back.)
            let names_value = text.aside_of(i).is_some_and(|(first, _)| (first.saturating_sub(3)..first).any(|k| value_noun(k) && (k..first).all(|m| !text.words[m].ends)));
            let same = |k: usize| text.words.get(k).and_then(|w| constants::named(&w.raw)).is_some_and(|n| n.family == c.family) && !text.used(k);
            // The run of the family's constants from here, and the word that joins them.
            let mut at = vec![i];
            let mut joined: Option<bool> = None;
            loop {
                let last = at[at.len() - 1];
                if text.words[last].ends && text.words[last].punct != Some(',') {
                    break;
                }
                let (next, word) = if text.is(last + 1, &["or", "nor", "and", "with", "plus"]) { (last + 2, Some(text.is(last + 1, &["or"]))) } else { (last + 1, None) };
                if !same(next) {
                    break;
                }
                // The last word that joins says it ("O_CREAT, O_EXCL and O_TRUNC": all).
                joined = word.or(joined);
                at.extend(last + 1..=next);
            }
            let last = at[at.len() - 1];
            // "anything but SEEK_SET" sets it aside; "but only with O_CREAT" does not.
            let negated = negated || clause_negates(text, i);
            let beside_others = (text.is(last + 1, &["or", "/"]) && !same(last + 2)) || (last + 1..(last + 3).min(text.len())).any(|k| text.is(k, EXAMPLES_AFTER));
            let example = (i.saturating_sub(2)..i).any(|k| text.is(k, EXAMPLES_BEFORE));
            let other_family = |k: usize| text.words.get(k).and_then(|w| constants::named(&w.raw)).is_some_and(|n| n.family != c.family);
            let either = (clause_start..(last + 5).min(text.len())).any(|k| text.is(k, &["or", "nor"]) && (k.saturating_sub(3)..(k + 4).min(text.len())).any(&other_family));
            let unjoined = at.len() > 1 && joined.is_none();
            // An aside that says more than the constants ("locks (fcntl F_SETLK / lockf)")
            // describes the thing by its ways, which the constant is one of.
            // ("O_CREAT in the flags" only says where it is.)
            // ("(prctl PR_SET_NO_NEW_PRIVS)": the event's own name says whose argument it is.)
            let says_where = |k: usize| {
                text.is(k, &["or", "and", "nor", "in", "the", "a", "an", "of", "is", "set", "on", "its", "their", "passed", "given"]) || value_noun(k) || text.event_at.contains(&k)
            };
            let describes =
                text.aside_of(i).is_some_and(|(first, end)| (first..=end).any(|k| !at.contains(&k) && !says_where(k) && constants::named(&text.words[k].raw).is_none()));
            if names_value {
                // Left for the values' reader.
            } else if text.only_tells(i) {
                text.mark(&[i]);
            } else if negated || beside_others || example || either || unjoined || describes {
                // Unread: the plan stays in part.
            } else if !c.of_call(&records.calls) {
                let takes = if c.calls.is_empty() { "a syscall".to_string() } else { c.calls.join("/") };
                gaps.push(format!("{raw} is an argument of {takes}, and the event is not that call"));
                text.mark(&at);
            } else {
                // The run's constants, looked up once (all of one family, so of one kind).
                let found: Vec<(String, constants::Named)> = at.iter().filter_map(|&k| constants::named(&text.words[k].raw).map(|n| (text.words[k].raw.clone(), n))).collect();
                let names: Vec<String> = found.iter().map(|(name, _)| name.clone()).collect();
                // "a raw socket (SOCK_RAW)": the words the aside spells out say the same.
                if let Some((first, _)) = text.aside_of(i) {
                    let before: Vec<usize> = (first.saturating_sub(3)..first).filter(|&k| !text.used(k) && names.iter().any(|n| spelled_by(n, &text.words[k]))).collect();
                    at.extend(before);
                    at.sort_unstable();
                }
                let words = words_at(text, &at);
                match c.fields.iter().find_map(|f| records.term(f)) {
                    Some((t, where_)) => {
                        let field = t.name().to_string();
                        match c.kind {
                            constants::Kind::Bit(_) => {
                                let bits: Vec<i64> = found.iter().filter_map(|(_, n)| n.bit()).collect();
                                if joined == Some(true) {
                                    text.read(&at, format!("only with any of {} set in {field}", names.join(", ")));
                                    out.push((Condition { term: t, test: Test::Bits { mask: bits.iter().fold(0, |m, b| m | b) }, words }, where_));
                                } else {
                                    text.read(&at, format!("only with {} set in {field}", names.join(" and ")));
                                    for (b, name) in bits.iter().zip(&names) {
                                        out.push((Condition { term: t.clone(), test: Test::Bits { mask: *b }, words: name.clone() }, where_));
                                    }
                                }
                            }
                            constants::Kind::Value { .. } => {
                                let values: Vec<i64> = found.iter().flat_map(|(_, n)| n.values().unwrap_or_default()).collect();
                                text.read(&at, format!("only {field} {}", names.join(" or ")));
                                out.push((one_or_any(t, values, words), where_));
                            }
                        }
                    }
                    None => {
                        gaps.push(format!("{raw} is a value of {}, which the event's record does not have", c.fields.join(" or ")));
                        text.mark(&at);
                    }
                }
            }
            i = at.iter().max().map_or(i, |&k| k.max(i)) + 1;
            continue;
        }
        // A TCP state: the state entered ("to ESTABLISHED", "into listen state"), or left
        // ("from SYN_SENT").
        let named_state = text.is(i + 1, &["state", "states"]).then(|| tcp_state(&format!("TCP_{}", w.to_uppercase().replace('-', "_")))).flatten();
        if let Some(n) = tcp_state(&raw).or(named_state).filter(|_| records.field("newstate").is_some() || tcp_state(&raw).is_some()) {
            if named_state.is_some() {
                text.mark(&[i + 1]);
            }
            let left = i > 0 && text.is(i - 1, &["from", "leaving", "leaves", "left"]);
            let field = if left { "oldstate" } else { "newstate" };
            match records.term(field) {
                Some((t, where_)) => {
                    let mut at = vec![i];
                    if i > 0 && text.is(i - 1, &["from", "to", "into", "entering", "enter", "enters", "leaving", "leaves", "left", "in"]) {
                        at.push(i - 1);
                    }
                    text.read(&at, format!("only {field} {raw}"));
                    out.push((Condition { term: t, test: Test::Cmp { op: CmpOp::Eq, value: n }, words: raw.clone() }, where_));
                }
                None => {
                    gaps.push(format!("{raw} is a TCP state, and the event's record has none"));
                    text.mark(&[i]);
                }
            }
            i += 1;
            continue;
        }
        // A task state in the words `ps` uses for the letter the format prints for its bit
        // ("in uninterruptible (D) state", "D-state", "interruptible sleep"): that bit of the
        // field (`sched_switch`'s `prev_state` 0x2 is "D").
        // States joined by "or" ("interruptible or uninterruptible sleep") are any of their
        // bits. A state the clause negates ("tasks that weren't in D state") is left unread:
        // no rule here reads a bit that must be clear.
        if let Some((letter, n)) = task_state(text, i) {
            let bit_of = |letter: &str| -> Vec<(String, i64)> {
                records.start.iter().chain(records.end).filter_map(|f| f.flags.iter().find(|s| s.name == letter).map(|s| (f.name.clone(), s.value))).collect()
            };
            if let ([(field, bit)], false) = (bit_of(letter).as_slice(), clause_negates(text, i)) {
                if let Some((t, where_)) = records.term(field) {
                    let (mut mask, mut at, mut letters) = (*bit, (i..i + n).collect::<Vec<usize>>(), letter.to_string());
                    let mut j = i + n;
                    while let (true, Some((other, m))) = (text.is(j, &["or"]), task_state(text, j + 1)) {
                        match bit_of(other).as_slice() {
                            [(f, b)] if f == field => {
                                mask |= b;
                                at.extend(j..j + 1 + m);
                                letters = format!("{letters} or {other}");
                                j += 1 + m;
                            }
                            _ => break,
                        }
                    }
                    let words = words_at(text, &at);
                    text.read(&at, format!("only {field} with its {letters} bit ({mask:#x}) set"));
                    out.push((Condition { term: t, test: Test::Bits { mask }, words }, where_));
                    i = j;
                    continue;
                }
            }
        }
        // A value by the name the event's own format prints for it ("remote shootdown",
        // "NO_SOCKET", "drop reason SOCKET_FILTER").
        if let Some((field, values, mut at)) = named_values(text, i, records) {
            // "the reason (like NO_SOCKET or TCP_CSUM)": examples of what to show.
            let example = i > 0
                && (text.is(i - 1, &["like", "e.g", "eg", "including", "as"])
                    || (text.words[i].paren && (text.is(i - 1, &[field.as_str()]) || text.words[i - 1].lower.starts_with(&field))));
            if example {
                let last = at.iter().max().copied().unwrap_or(i);
                text.read(&at, format!("examples of {field}"));
                i = last + 1;
                continue;
            }
            // "remote shootdowns vs local ones" compares values: a key, which no rule here reads.
            let last = at.iter().max().copied().unwrap_or(i);
            let compared = (i.saturating_sub(6).max(text.sentence_start(i))..(last + 7).min(text.sentence_end(i) + 1)).any(|k| text.is(k, &["vs", "versus", "compared"]));
            if compared {
                gaps.push(format!("\"{}\" is compared with other values of {field}", words_at(text, &at)));
                text.mark(&at);
                i = last + 1;
                continue;
            }
            if let Some((t, where_)) = records.term(&field) {
                if negated {
                    at.push(i - 1);
                }
                let words = words_at(text, &at);
                text.read(&at, format!("only {field} {} {words}", if negated { "!=" } else { "==" }));
                let condition = match (negated, values.as_slice()) {
                    (true, [one]) => Condition { term: t, test: Test::Cmp { op: CmpOp::Ne, value: *one }, words },
                    (true, _) => {
                        gaps.push(format!("\"{words}\": a field that is none of several values is not a condition a plan states"));
                        i = at.iter().max().copied().unwrap_or(i) + 1;
                        continue;
                    }
                    (false, _) => one_or_any(t, values, words),
                };
                out.push((condition, where_));
                i = at.iter().max().copied().unwrap_or(i) + 1;
                continue;
            }
        }
        // A threshold: "bigger than 64KB", "slower than 10ms", "over 1 MiB".
        if let Some((op, cmp_at)) = comparison(text, i) {
            let next = cmp_at.last().copied().unwrap_or(i) + 1;
            if let Some((q, q_at)) = quantity(text, next) {
                let mut at = cmp_at.clone();
                at.extend(&q_at);
                let words = words_at(text, &at);
                // The number field named right before ("offset > 4GiB", "pos over 1 MiB").
                let named_before = i.checked_sub(1).and_then(|k| {
                    value_at(text, k, records).filter(|(t, _, at)| matches!(t, Term::Field { ty, .. } if !ty.contains('*') && !ty.contains("char")) && at.iter().max() == Some(&k))
                });
                match q {
                    (n, Measure::Bytes(_)) if named_before.is_some() => {
                        let (t, where_, field_at) = named_before.expect("checked");
                        at.extend(field_at);
                        let words = words_at(text, &at);
                        text.read(&at, format!("only when {} {op} {n}", t.name()));
                        out.push((Condition { term: t, test: Test::Cmp { op, value: n }, words }, where_));
                    }
                    (n, Measure::Bytes(_)) => match size_field(records, text) {
                        Some((t, where_)) => {
                            text.read(&at, format!("only when {} {op} {n}", t.name()));
                            out.push((Condition { term: t, test: Test::Cmp { op, value: n }, words }, where_));
                        }
                        None => {
                            gaps.push(no_size(records, text).replace("a size is asked for", "a size threshold is given"));
                            text.mark(&at);
                        }
                    },
                    (n, Measure::Nanos(_)) => {
                        text.read(&at, format!("only when the latency {op} {n} ns"));
                        out.push((Condition { term: Term::Elapsed, test: Test::Cmp { op, value: n }, words }, At::End));
                    }
                    (_, Measure::Plain) => {
                        // A plain number compares a count the record holds, named after it
                        // ("more than 100 semaphores": `nsems`) or before ("vlen over 30").
                        // Not a rate ("more than 100 opens per second"), which no field holds.
                        let last = *q_at.last().unwrap_or(&next);
                        // Within the clause: the next sentence's "A histogram …" is no rate.
                        let clause = |k: usize| (last..k).all(|m| text.words.get(m).is_none_or(|w| w.punct.is_none()));
                        let rate = (1..=2).any(|d| clause(last + d) && text.is(last + d, &["per", "a", "each", "every"]));
                        let number = |t: &Term| matches!(t, Term::Field { ty, .. } if !ty.contains('*') && !ty.contains("char") && !ty.contains("__data_loc"));
                        let after = value_at(text, last + 1, records).filter(|(t, _, at)| number(t) && at[0] == last + 1);
                        let before = || {
                            let (k, linking) = if i >= 2 && text.is(i - 1, &["is", "was", "of"]) { (i - 2, Some(i - 1)) } else { (i.checked_sub(1)?, None) };
                            value_at(text, k, records).filter(|(t, _, at)| number(t) && at.iter().max() == Some(&k)).map(|(t, w, mut at)| {
                                at.extend(linking);
                                (t, w, at)
                            })
                        };
                        let found = if rate { None } else { after.or_else(before) };
                        if let (Some((t, where_, field_at)), Ok(n)) = (found, text.lower(next).parse::<i64>()) {
                            at.extend(field_at);
                            let words = words_at(text, &at);
                            text.read(&at, format!("only when {} {op} {n}", t.name()));
                            out.push((Condition { term: t, test: Test::Cmp { op, value: n }, words }, where_));
                        }
                    }
                }
                i = at.iter().max().copied().unwrap_or(i) + 1;
                continue;
            }
        }
        // Failures: a syscall's negative return; a record's nonzero error or status. "what
        // error" and "the error" ask to see it, which value_at reads.
        let asks_which = i > 0 && text.is(i - 1, &["what", "which", "the", "its", "their", "with"]);
        // "error output", "error messages": what a program writes, not a call failing; a
        // failure in the story before the ask ("our backups fail at night") is no condition.
        // "whether it succeeded", "whether or not it failed": the outcome, to be shown, not a
        // condition (read as one, a program printing only the successes passed confirmed).
        let outcome = (i.saturating_sub(4)..i).any(|k| text.is(k, &["whether"]) && (k..i).all(|m| !text.words[m].ends));
        if outcome
            && (text.words[i].stem.starts_with("fail")
                || ["successful", "succeeded", "succeed", "succeeds", "successfully", "unsuccessful", "worked", "works"].contains(&w.as_str()))
        {
            i += 1;
            continue;
        }
        let fail =
            (text.words[i].stem.starts_with("fail") || w == "unsuccessful" || ((w == "errors" || w == "error") && !text.is(i + 1, &["code", "codes", "number"]) && !asks_which))
                && !no_failure_asked(text, i);
        if fail {
            if records.syscall {
                let mut at = vec![i];
                if negated {
                    at.push(i - 1);
                }
                // "that return an error", "returning errors".
                for back in [1, 2] {
                    if i >= back && text.words[i - back].light.starts_with("return") && !text.used(i - back) {
                        at.push(i - back);
                    }
                }
                text.read(&at, if negated { "only calls that succeed (ret >= 0)" } else { "only calls that fail (ret < 0)" });
                out.push((
                    Condition { term: Term::field("ret", "long"), test: Test::Cmp { op: if negated { CmpOp::Ge } else { CmpOp::Lt }, value: 0 }, words: "fail".into() },
                    At::End,
                ));
            } else if let Some((t, where_)) = records.term("success").filter(|_| !["rc", "ret", "err", "error", "status", "result"].iter().any(|f| records.field(f).is_some())) {
                // A record that says whether it succeeded (`tick_stop`'s `success`).
                text.read(&[i], format!("only when {} {} 0", t.name(), if negated { "!=" } else { "==" }));
                out.push((Condition { term: t, test: Test::Cmp { op: if negated { CmpOp::Ne } else { CmpOp::Eq }, value: 0 }, words: "fail".into() }, where_));
            } else if let Some((t, where_)) = ["rc", "ret", "err", "error", "status", "result"].iter().find_map(|f| records.term(f)) {
                text.read(&[i], format!("only when {} != 0", t.name()));
                out.push((Condition { term: t, test: Test::Cmp { op: if negated { CmpOp::Eq } else { CmpOp::Ne }, value: 0 }, words: "fail".into() }, where_));
            } else {
                gaps.push(format!("\"{raw}\": the event's record says nothing of failure"));
                text.mark(&[i]);
            }
            i += 1;
            continue;
        }
        if ["successful", "succeeded", "succeed", "succeeds", "successfully"].contains(&w.as_str()) && records.syscall {
            text.read(&[i], "only calls that succeed (ret >= 0)");
            out.push((Condition { term: Term::field("ret", "long"), test: Test::Cmp { op: CmpOp::Ge, value: 0 }, words: w.clone() }, At::End));
            i += 1;
            continue;
        }
        // "non-zero status", "nonzero return".
        if w == "non-zero" || w == "nonzero" || (w == "non" && text.is(i + 1, &["zero"])) {
            let from = if w == "non" { i + 2 } else { i + 1 };
            let found = (from..(from + 3).min(text.len())).find_map(|j| value_at(text, j, records));
            match found {
                Some((t @ Term::Field { .. }, where_, vat)) => {
                    let mut at = vec![i];
                    if w == "non" {
                        at.push(i + 1);
                    }
                    at.extend(vat);
                    text.read(&at, format!("only when {} != 0", t.name()));
                    out.push((Condition { term: t, test: Test::Cmp { op: CmpOp::Ne, value: 0 }, words: "non-zero".into() }, where_));
                }
                _ => {
                    gaps.push("\"non-zero\": of which value, the words do not say".into());
                    text.mark(&[i]);
                }
            }
            i += 1;
            continue;
        }
        i += 1;
    }
    // "failures only", "errors only": the condition just read, said again.
    for i in 1..text.len() {
        let prev = text.words[i - 1].raw.clone();
        let a_condition = out.iter().any(|(c, _)| c.words.split_whitespace().any(|w| w == prev))
            || text.said.iter().any(|s| s.means.starts_with("only ") && s.words.split_whitespace().any(|w| w == prev));
        if text.is(i, &["only"]) && !text.used(i) && text.used(i - 1) && a_condition {
            text.mark(&[i]);
        }
    }
    // Equalities on one value are alternatives, never all at once.
    let mut merged: Vec<(Condition, At)> = Vec::new();
    for (c, w) in out.drain(..) {
        let value = |t: &Test| match t {
            Test::Cmp { op: CmpOp::Eq, value } => Some(vec![*value]),
            Test::OneOf { values } => Some(values.clone()),
            _ => None,
        };
        match merged.iter_mut().find(|(m, _)| m.term == c.term && value(&m.test).is_some() && value(&c.test).is_some()) {
            Some((m, _)) => {
                let mut all = value(&m.test).unwrap_or_default();
                all.extend(value(&c.test).unwrap_or_default().into_iter().filter(|v| !value(&m.test).unwrap_or_default().contains(v)));
                // The same value said twice is one equality.
                m.test = if all.len() == 1 { Test::Cmp { op: CmpOp::Eq, value: all[0] } } else { Test::OneOf { values: all } };
            }
            None => merged.push((c, w)),
        }
    }
    *out = merged;
    // Failing calls narrowed to an errno are that errno's.
    if out.iter().any(|(c, _)| c.term.name() == "ret" && matches!(c.test, Test::Cmp { op: CmpOp::Eq, .. } | Test::OneOf { .. })) {
        out.retain(|(c, _)| !(c.term.name() == "ret" && matches!(c.test, Test::Cmp { op: CmpOp::Lt, value: 0 })));
    }
}

/// The other fields of the record of the kind `word` names, beside `found` (one of them).
fn same_kind(records: &Records, word: &Word, found: &str) -> Vec<(Term, At)> {
    let Some((_, names)) = KINDS.iter().find(|(nouns, _)| nouns.contains(&word.light.as_str())) else { return vec![] };
    if !names.contains(&found) || names.contains(&"bytes_req") || names.contains(&"ret") {
        return vec![];
    }
    let Some((found_field, _)) = records.field(found) else { return vec![] };
    names
        .iter()
        .filter(|n| **n != found)
        .filter_map(|n| records.field(n))
        .filter(|(f, _)| showable(f) && f.ty == found_field.ty)
        .map(|(f, w)| (Term::field(&f.name, &f.ty), w))
        .collect()
}

/// Whether "per-X" at `i` is a compound adjective of the noun after it ("POSIX per-process
/// timers", "the per-cpu page lists": a kind of thing) rather than a grouping ("per-process
/// counts", "per-cpu openat rate", "count them per-cpu"). A grouping names a result in its noun
/// phrase or ends the clause.
fn describes_a_noun(text: &Text, i: usize) -> bool {
    const RESULTS: &[&str] =
        &["breakdown", "breakdowns", "totals", "stats", "statistics", "numbers", "figures", "summary", "table", "usage", "view", "split", "latency", "latencies", "time", "times"];
    const BREAKS: &[&str] = &["of", "for", "in", "on", "by", "with", "that", "which", "and", "or", "to", "from", "per", "when", "while", "every", "each", "so", "but"];
    if text.words[i].ends || i + 1 >= text.len() || text.is(i + 1, BREAKS) {
        return false;
    }
    let phrase_end = (i + 1..text.len()).find(|&k| text.words[k].ends || text.is(k + 1, BREAKS)).unwrap_or(text.len() - 1);
    // What is measured per X is a grouping too ("per-disk I/O sizes", "per-cpu openat calls").
    let results = |k: usize| {
        [COUNT, HIST, AVG, MAX, MIN, SUM, RESULTS, CALL_WORDS, AMOUNT, SIZES, SIZE].iter().any(|l| text.is(k, l)) || text.event_at.contains(&k) || value_noun(&text.words[k])
    };
    !(i + 1..=phrase_end.min(i + 4)).any(results)
}

/// The keys: "per process", "by opcode", "for each cpu", "broken down by disk"; and apart,
/// what "each X" names, which keys a fold only ("how many syscalls is each program making").
#[allow(clippy::type_complexity)]
fn keys(text: &mut Text, records: &Records, folding: bool, gaps: &mut Vec<String>) -> (Vec<(Term, At)>, Vec<(Term, At, Vec<usize>)>) {
    let mut out: Vec<(Term, At)> = Vec::new();
    let mut each: Vec<(Term, At, Vec<usize>)> = Vec::new();
    const COUNTS: &[&str] = &["count", "counts", "counting", "tally"];
    const SAMPLES: &[&str] = &["sample", "samples", "sampling"];
    // A ranking of nothing else ("… and show me the 5 hottest."): of what was sampled.
    let ranked_bare = (1..text.len()).any(|k| text.is(k, SUPERLATIVES) && text.lower(k - 1).parse::<u32>().is_ok() && (k + 1 >= text.len() || text.words[k].ends));
    let mut i = 0;
    while i < text.len() {
        // "count the kernel stacks at which …", "sample user stacks at 99 Hz … and count them":
        // stacks counted are counted by stack, each its own. (Other things counted, "count the
        // files", may be how many there are: left to the words that key them.)
        // Sampled stacks are counted so only where "count them" says it of them: "sample user
        // stacks … and show the top 5 processes" ranks processes.
        let counted_back = || (i + 1..text.len()).any(|k| text.is(k, &["count", "counts", "tally"]) && text.is(k + 1, &["them", "these", "those", "it"]));
        if folding && (text.is(i, COUNTS) || (text.is(i, SAMPLES) && (counted_back() || ranked_bare))) {
            let j = (i + 1..(i + 3).min(text.len())).find(|&k| !text.is(k, &["the", "their", "its", "all"])).unwrap_or(i + 1);
            let stack = value_at(text, j, records).filter(|(t, _, at)| matches!(t, Term::Builtin(Builtin::Kstack | Builtin::Ustack)) && at.iter().all(|&k| !text.used(k)));
            if let Some((t, w, at)) = stack {
                text.read(&at, format!("keyed by {}", t.name()));
                if !out.iter().any(|(o, _)| *o == t) {
                    out.push((t, w));
                }
                i = at.iter().copied().max().unwrap_or(j) + 1;
                continue;
            }
        }
        if text.used(i) {
            i += 1;
            continue;
        }
        let lower = text.lower(i).to_string();
        // "per call", "per event": each of the events, which is no key.
        if text.is(i, &["per"]) && text.is(i + 1, &["call", "syscall", "invocation", "event", "occurrence"]) && !text.used(i + 1) {
            text.read(&[i, i + 1], "each event");
            i += 2;
            continue;
        }
        // "per readv() call": the event's own name between.
        if text.is(i, &["per", "each"]) && text.event_at.contains(&(i + 1)) && text.is(i + 2, &["call", "calls", "syscall", "invocation", "event"]) {
            text.read(&[i, i + 2], "each event");
            i += 3;
            continue;
        }
        if lower.starts_with("per-") && describes_a_noun(text, i) {
            text.mark(&[i]);
            i += 1;
            continue;
        }
        if let Some(noun) = lower.strip_prefix("per-") {
            // "per-queue", "per-cpu": the noun is inside the word.
            let inner = Text::new(noun);
            match value_at(&inner, 0, records) {
                Some((t, w, _)) => {
                    text.read(&[i], format!("keyed by {}", t.name()));
                    out.push((t, w));
                }
                None => {
                    gaps.push(format!("\"{}\": the event's record holds no {noun}", text.words[i].raw));
                    text.mark(&[i]);
                }
            }
            i += 1;
            continue;
        }
        // "deleted by", "started by uid 1000", "by which process": an agent, not a key.
        // "broken down by op" keys by op.
        let participle = i > 0 && !text.is(i - 1, &["down", "up"]) && (text.lower(i - 1).ends_with("ed") || text.lower(i - 1).ends_with("en") || text.lower(i - 1).ends_with("wn"));
        // In an aside ("folios ext4 invalidates (dropped by truncate or hole punching)"), what
        // brings the event about.
        // Not a grouping said in an aside ("(grouped by comm)").
        const GROUPING: &[&str] = &[
            "grouped",
            "keyed",
            "bucketed",
            "aggregated",
            "sorted",
            "split",
            "ordered",
            "indexed",
            "broken",
            "organized",
            "organised",
            "summed",
            "counted",
            "totalled",
            "totaled",
        ];
        let aside_agent = text.words[i].aside && !text.is(i.saturating_sub(1), GROUPING);
        let agent = text.is(i, &["by"]) && (text.is(i + 1, &["which", "what", "whom", "who"]) || (participle && (!folding || aside_agent)));
        // "top 10 inodes by number of pages written": what ranks them, not a key.
        const RANKED: &[&str] = &["number", "count", "amount", "total", "sum"];
        if text.is(i, &["by"]) && (text.is(i + 1, RANKED) || (text.is(i + 1, &["the"]) && text.is(i + 2, RANKED))) {
            text.mark(&[i]);
            i += 1;
            continue;
        }
        let (mut j, lead, into_each) = if text.is(i, &["per"]) || (text.is(i, &["by"]) && !agent) {
            (i + 1, vec![i], false)
        } else if text.is(i, &["for", "of"]) && text.is(i + 1, &["each", "every"]) {
            // "For every signal that gets delivered, print …": each event, shown; no key.
            if !folding && text.is(i, &["for"]) && !text.is(i + 2, NOT_EVENTS) && (i + 2..(i + 8).min(text.len())).any(|k| text.is(k, SHOWING)) {
                text.read(&[i, i + 1], "each event");
                i += 2;
                continue;
            }
            // "parent -> child for every fork, names and pids": the event itself, each one.
            if text.is(i, &["for"]) && text.event_at.contains(&(i + 2)) && !text.event_at.contains(&(i + 3)) && text.words[i + 2].ends {
                text.read(&[i, i + 1], "each event");
                i += 3;
                continue;
            }
            (i + 2, vec![i, i + 1], false)
        } else if text.is(i, &["each", "every"]) {
            (i + 1, vec![i], true)
        } else {
            i += 1;
            continue;
        };
        while text.is(j, &["the", "a", "each", "every"]) {
            j += 1;
        }
        // "a histogram of each direct reclaim pass": the event's words said again, each
        // event, no key.
        let again = |k: usize| !text.event_at.contains(&k) && text.event_at.iter().any(|&e| text.words[e].lower == text.lower(k)) && !text.used(k);
        if again(j) && lead.iter().any(|&k| text.is(k, &["each", "every"])) {
            let mut at: Vec<usize> = lead.clone();
            at.extend(j..j + (j..text.len()).take_while(|&k| again(k)).count());
            let next = at[at.len() - 1] + 1;
            // Only with a word for one occurrence after ("each direct reclaim pass"); "for each
            // disk" keys by disk.
            if text.is(next, OCCURRENCE) {
                at.push(next);
                text.read(&at, "each event");
                i = next + 1;
                continue;
            }
        }
        // "enter each congestion state": words the event was found by may also name its field
        // (tcp_cong_state_set's cong_state). Only a field of two words or more, so that one word
        // of the event's name ("per wakeup") is never a key.
        if text.used(j) && text.event_at.contains(&j) {
            let mut freed = text.clone();
            for k in (j..).take_while(|k| text.event_at.contains(k)) {
                freed.words[k].used = false;
            }
            if let Some((t, w, mut at)) = value_at(&freed, j, records).filter(|(t, _, at)| matches!(t, Term::Field { .. }) && at.len() >= 2 && at[0] == j) {
                at.extend(&lead);
                if into_each {
                    if !each.iter().any(|(o, _, _)| *o == t) {
                        each.push((t, w, at));
                    }
                } else {
                    text.read(&at, format!("keyed by {}", t.name()));
                    if !out.iter().any(|(o, _)| *o == t) {
                        out.push((t, w));
                    }
                }
                i += 1;
                continue;
            }
        }
        // "split by whether the flush was forced": what is said of the subject is the key
        // (`force`), not the subject, which is the event itself.
        if text.is(j, &["whether"]) {
            let verb = (j + 2..(j + 6).min(text.len())).find(|&k| text.is(k, &["was", "is", "were", "are", "got", "gets", "get"]) && text.words[k - 1].punct.is_none());
            if let Some((t, w, at)) = verb.and_then(|k| value_at(text, k + 1, records).filter(|(t, _, at)| matches!(t, Term::Field { .. }) && at[0] == k + 1)) {
                let all: Vec<usize> = lead.iter().copied().chain(j..at[0]).chain(at).filter(|&k| !text.used(k)).collect();
                let end = all.iter().max().copied().unwrap_or(j);
                text.read(&all, format!("keyed by {}", t.name()));
                if !out.iter().any(|(o, _)| *o == t) {
                    out.push((t, w));
                }
                i = end + 1;
                continue;
            }
        }
        // A list: "by process and capability number"; one word of description may come first
        // ("per network interface").
        let mut taken_any = false;
        // The list went on with "and" ("by process name and action number"); after a comma
        // what follows may be the sentence's next clause ("by comm, busiest first").
        let mut after_and = false;
        loop {
            let found = (j..(j + 3).min(text.len())).find_map(|k| value_at(text, k, records).map(|v| (k, v)));
            let Some((at_j, (t, w, at))) = found.filter(|(_, (t, _, _))| !matches!(t, Term::Elapsed)) else {
                // "by process name and action number": a key the list goes on to, which the
                // record has no field for, must not fall silently out of it.
                if taken_any && after_and && j < text.len() && !text.used(j) {
                    // Not what comes after the list ("…, printed every second", "…, so I know").
                    let verb = |k: usize| ["ed", "ing"].iter().any(|e| text.lower(k).ends_with(e));
                    let noun = |k: usize| {
                        text.words[k].lower.chars().all(|c| c.is_ascii_alphabetic())
                            && !verb(k)
                            && ![STOP, ENGLISH, FILLER, SHOWING, ASKING, CLAUSE].iter().any(|l| l.contains(&text.lower(k)))
                    };
                    let item: Vec<usize> = (j..(j + 2).min(text.len())).take_while(|&k| noun(k) && (k == j || text.words[k - 1].punct.is_none())).collect();
                    text.inside.extend(item);
                }
                break;
            };
            // "per receiving process": a process as a key is its name, as "per process" is the
            // task's comm; the record's own comm where it has one.
            let process = at.iter().any(|&k| text.is(k, &["process", "processes", "task", "tasks", "program", "programs"]));
            let (t, w) = match records.term("comm") {
                Some(comm) if process && t.name() == "pid" && matches!(t, Term::Field { .. }) => comm,
                _ => (t, w),
            };
            // "top 10 processes by bytes written": the bytes are what is summed, not a key.
            if at.iter().any(|&k| AMOUNT.contains(&text.lower(k)) || SIZES.contains(&text.lower(k))) && text.is(i, &["by"]) {
                text.mark(&[i]);
                taken_any = true;
                break;
            }
            let mut taken = at.clone();
            taken.extend(&lead);
            taken.extend((j..at_j).filter(|&k| !text.used(k)));
            if into_each {
                // Read only if a fold takes it: "log every file" shows the file.
                if !each.iter().any(|(o, _, _)| *o == t) {
                    each.push((t, w, taken));
                }
                break;
            }
            text.read(&taken, format!("keyed by {}", t.name()));
            if !out.iter().any(|(o, _)| *o == t) {
                out.push((t, w));
            }
            taken_any = true;
            let after = at.last().copied().unwrap_or(j) + 1;
            // "per (process, cmd number)": a comma goes on with the list.
            if text.words[after - 1].punct == Some(',') && after < text.len() && !text.used(after) {
                after_and = false;
                j = after;
                while text.is(j, &["the", "a", "its", "their"]) {
                    j += 1;
                }
                continue;
            }
            if text.is(after, &["and", "then", "&"]) && !text.used(after) {
                after_and = text.is(after, &["and", "&"]);
                text.mark(&[after]);
                j = after + 1;
                while text.is(j, &["the", "a", "its", "their"]) {
                    j += 1;
                }
                continue;
            }
            break;
        }
        if !taken_any && (text.is(i, &["per"]) || (folding && text.is(i, &["by"]) && !agent)) && !text.used(j) && j < text.len() {
            let noun = text.words[j].raw.clone();
            // ("… logs 'rmdir failed' a few hundred times per run. Ask: …": the story's rate.)
            if text.story_until().is_none_or(|label| i >= label) {
                gaps.push(format!("\"{} {noun}\": the event's record holds no {noun}", text.words[i].raw));
            }
            text.mark(&[i, j]);
        }
        i += 1;
    }
    (out, each)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Attach, Hook, HookKind, KernelKey};

    #[test]
    fn the_event_words_parse() {
        assert!(events().len() > 20);
        for e in events() {
            assert!(!e.words.is_empty() && !e.probes.is_empty());
            for p in &e.probes {
                assert!(p.parse::<crate::obj::Probe>().is_ok(), "{p}");
            }
        }
    }

    fn tp(probe: &str, fields: &[(&str, &str)]) -> Hook {
        Hook {
            probe: probe.into(),
            kind: HookKind::Tracepoint,
            category: probe.split(':').nth(1).unwrap_or_default().into(),
            fields: fields.iter().map(|(t, n)| Field::new(n.to_string(), t.to_string())).collect(),
            prototype: None,
            about: String::new(),
            attach: Attach::Yes,
        }
    }

    fn catalog() -> Catalog {
        let sys = |name: &str, fields: &[(&str, &str)]| {
            vec![tp(&format!("tracepoint:syscalls:sys_enter_{name}"), fields), tp(&format!("tracepoint:syscalls:sys_exit_{name}"), &[("long", "ret")])]
        };
        let mut hooks = vec![];
        hooks.extend(sys("openat", &[("int", "dfd"), ("const char *", "filename"), ("int", "flags"), ("umode_t", "mode")]));
        hooks.extend(sys("open", &[("const char *", "filename"), ("int", "flags"), ("umode_t", "mode")]));
        hooks.extend(sys("write", &[("unsigned int", "fd"), ("const char *", "buf"), ("size_t", "count")]));
        hooks.extend(sys("read", &[("unsigned int", "fd"), ("char *", "buf"), ("size_t", "count")]));
        hooks.extend(sys("close", &[("unsigned int", "fd")]));
        hooks.extend(sys("lseek", &[("unsigned int", "fd"), ("off_t", "offset"), ("unsigned int", "whence")]));
        hooks.extend(sys("fcntl", &[("unsigned int", "fd"), ("unsigned int", "cmd"), ("unsigned long", "arg")]));
        hooks.extend(sys("mount", &[("char *", "dev_name"), ("char *", "dir_name"), ("char *", "type"), ("unsigned long", "flags"), ("void *", "data")]));
        hooks.extend(sys("poll", &[("struct pollfd *", "ufds"), ("unsigned int", "nfds"), ("int", "timeout_msecs")]));
        hooks.extend(sys("sethostname", &[("char *", "name"), ("int", "len")]));
        hooks.extend(sys("ppoll", &[("struct pollfd *", "ufds"), ("unsigned int", "nfds"), ("struct __kernel_timespec *", "tsp")]));
        hooks.push(tp("tracepoint:sched:sched_migrate_task", &[("char[16]", "comm"), ("pid_t", "pid"), ("int", "prio"), ("int", "orig_cpu"), ("int", "dest_cpu")]));
        hooks.extend(sys("pivot_root", &[("const char *", "new_root"), ("const char *", "put_old")]));
        hooks.extend(sys("sysfs", &[("int", "option"), ("unsigned long", "arg1"), ("unsigned long", "arg2")]));
        hooks.extend(sys("ustat", &[("unsigned", "dev"), ("struct ustat *", "ubuf")]));
        hooks.extend(sys("prctl", &[("int", "option"), ("unsigned long", "arg2"), ("unsigned long", "arg3"), ("unsigned long", "arg4"), ("unsigned long", "arg5")]));
        hooks.extend(sys("unlinkat", &[("int", "dfd"), ("const char *", "pathname"), ("int", "flag")]));
        hooks.extend(sys("unlink", &[("const char *", "pathname")]));
        hooks.extend(sys("mmap", &[("unsigned long", "addr"), ("unsigned long", "len"), ("unsigned long", "prot"), ("unsigned long", "flags")]));
        hooks.extend(sys("execve", &[("const char *", "filename")]));
        hooks.extend(sys("fchown", &[("unsigned int", "fd"), ("uid_t", "user"), ("gid_t", "group")]));
        hooks.extend(sys("setuid", &[("uid_t", "uid")]));
        hooks.extend(sys("symlink", &[("const char *", "oldname"), ("const char *", "newname")]));
        hooks.extend(sys("rename", &[("const char *", "oldname"), ("const char *", "newname")]));
        hooks.extend(sys("setpriority", &[("int", "which"), ("int", "who"), ("int", "niceval")]));
        hooks.extend(sys("setresuid", &[("uid_t", "ruid"), ("uid_t", "euid"), ("uid_t", "suid")]));
        hooks.extend(sys("madvise", &[("unsigned long", "start"), ("size_t", "len_in"), ("int", "behavior")]));
        hooks.extend(sys("flock", &[("unsigned int", "fd"), ("unsigned int", "cmd")]));
        hooks.extend(sys("pwrite64", &[("unsigned int", "fd"), ("const char *", "buf"), ("size_t", "count"), ("loff_t", "pos")]));
        hooks.extend(sys("semctl", &[("int", "semid"), ("int", "semnum"), ("int", "cmd"), ("unsigned long", "arg")]));
        hooks.extend(sys("pkey_mprotect", &[("unsigned long", "start"), ("size_t", "len"), ("unsigned long", "prot"), ("int", "pkey")]));
        hooks.extend(sys("sysinfo", &[("struct sysinfo *", "info")]));
        hooks.extend(sys("futex_wait", &[("void *", "uaddr"), ("unsigned long", "val"), ("unsigned long", "mask"), ("unsigned int", "flags")]));
        hooks.extend(sys("futex", &[("u32 *", "uaddr"), ("int", "op"), ("u32", "val")]));
        hooks.extend(sys("syslog", &[("int", "type"), ("char *", "buf"), ("int", "len")]));
        hooks.extend(sys("readlinkat", &[("int", "dfd"), ("const char *", "pathname"), ("char *", "buf"), ("int", "bufsiz")]));
        hooks.extend(sys("getdents64", &[("unsigned int", "fd"), ("struct linux_dirent64 *", "dirent"), ("unsigned int", "count")]));
        for dup in ["dup", "dup2", "dup3"] {
            hooks.extend(sys(dup, &[("unsigned int", "fildes")]));
        }
        hooks.extend(sys("recvmsg", &[("int", "fd"), ("struct user_msghdr *", "msg"), ("unsigned int", "flags")]));
        hooks.extend(sys("semget", &[("key_t", "key"), ("int", "nsems"), ("int", "semflg")]));
        hooks.extend(sys("epoll_pwait", &[("int", "epfd"), ("struct epoll_event *", "events"), ("int", "maxevents"), ("int", "timeout")]));
        hooks.extend(sys("epoll_pwait2", &[("int", "epfd"), ("struct epoll_event *", "events"), ("int", "maxevents"), ("const struct __kernel_timespec *", "timeout")]));
        hooks.extend(sys("pidfd_open", &[("pid_t", "pid"), ("unsigned int", "flags")]));
        hooks.extend(sys("futex_requeue", &[("struct futex_waitv *", "waiters"), ("unsigned int", "flags"), ("int", "nr_wake"), ("int", "nr_requeue")]));
        hooks.extend(sys("link", &[("const char *", "oldname"), ("const char *", "newname")]));
        hooks.extend(sys("chmod", &[("const char *", "filename"), ("umode_t", "mode")]));
        hooks.extend(sys("fchmodat", &[("int", "dfd"), ("const char *", "filename"), ("umode_t", "mode")]));
        hooks.push(tp("tracepoint:syscalls:sys_enter_execveat", &[("int", "fd"), ("const char *", "filename"), ("const char *const *", "argv"), ("int", "flags")]));
        hooks.push(tp("tracepoint:oom:mark_victim", &[("int", "pid"), ("__data_loc char[]", "comm"), ("unsigned long", "total_vm")]));
        hooks.push(tp(
            "tracepoint:tcp:tcp_retransmit_skb",
            &[("const void *", "skbaddr"), ("const void *", "skaddr"), ("__u16", "sport"), ("__u16", "dport"), ("__u8[4]", "saddr"), ("__u8[4]", "daddr"), ("int", "state")],
        ));
        hooks.push(tp("tracepoint:ext4:ext4_mb_release_inode_pa", &[("dev_t", "dev"), ("ino_t", "ino"), ("__u64", "block"), ("__u32", "count")]));
        hooks.push(tp("tracepoint:memcg:memcg_flush_stats", &[("u64", "id"), ("s64", "stats_updates"), ("bool", "force"), ("bool", "needs_flush")]));
        hooks.push(tp("tracepoint:fuse:fuse_request_send", &[("dev_t", "connection"), ("uint64_t", "unique"), ("enum fuse_opcode", "opcode"), ("uint32_t", "len")]));
        hooks.push(tp("tracepoint:fuse:fuse_request_end", &[("dev_t", "connection"), ("uint64_t", "unique"), ("uint32_t", "len"), ("int32_t", "error")]));
        hooks.push(tp("tracepoint:alarmtimer:alarmtimer_cancel", &[("void *", "alarm"), ("unsigned char", "alarm_type"), ("s64", "expires"), ("s64", "now")]));
        hooks.push(tp(
            "tracepoint:vmscan:mm_vmscan_lru_shrink_inactive",
            &[("int", "nid"), ("unsigned long", "nr_scanned"), ("unsigned long", "nr_reclaimed"), ("int", "priority")],
        ));
        hooks.push(tp("tracepoint:workqueue:workqueue_execute_start", &[("void *", "work"), ("void *", "function")]));
        hooks.push(tp("tracepoint:kmem:mm_page_alloc", &[("unsigned long", "pfn"), ("unsigned int", "order"), ("unsigned long", "gfp_flags"), ("int", "migratetype")]));
        hooks.push(tp("tracepoint:kmem:mm_page_alloc_zone_locked", &[("unsigned long", "pfn"), ("unsigned int", "order"), ("int", "migratetype"), ("int", "percpu_refill")]));
        hooks.push(tp("tracepoint:dma:dma_alloc_pages", &[("__data_loc char[]", "device"), ("u64", "phys_addr"), ("size_t", "size"), ("int", "dir")]));
        hooks.push(tp("tracepoint:oom:start_task_reaping", &[("int", "pid")]));
        for t in ["hrtimer_start", "timer_start", "hrtimer_expire_entry", "hrtimer_expire_exit", "timer_expire_entry", "timer_cancel"] {
            let object = if t.starts_with("hr") { "hrtimer" } else { "timer" };
            hooks.push(tp(&format!("tracepoint:timer:{t}"), &[("void *", object), ("void *", "function")]));
        }
        hooks.push(tp("tracepoint:oom:finish_task_reaping", &[("int", "pid")]));
        hooks.push(tp("tracepoint:compaction:mm_compaction_begin", &[("unsigned long", "zone_start"), ("bool", "sync")]));
        hooks.push(tp("tracepoint:compaction:mm_compaction_end", &[("unsigned long", "zone_start"), ("int", "status")]));
        hooks.push(tp("tracepoint:workqueue:workqueue_execute_end", &[("void *", "work"), ("void *", "function")]));
        hooks.push(tp("tracepoint:sched:sched_process_exec", &[("__data_loc char[]", "filename"), ("pid_t", "pid"), ("pid_t", "old_pid")]));
        hooks.push(tp("tracepoint:sched:sched_wakeup", &[("char[16]", "comm"), ("pid_t", "pid"), ("int", "prio"), ("int", "target_cpu")]));
        let mut switch =
            tp("tracepoint:sched:sched_switch", &[("char[16]", "prev_comm"), ("pid_t", "prev_pid"), ("long", "prev_state"), ("char[16]", "next_comm"), ("pid_t", "next_pid")]);
        // Its format prints the state's bits by the letters ps shows.
        switch.fields[2].flags = [(1, "S"), (2, "D")].iter().map(|(value, name)| crate::kernel::Symbol { value: *value, name: name.to_string() }).collect();
        hooks.push(switch);
        hooks.push(tp("tracepoint:timer:tick_stop", &[("int", "success"), ("int", "dependency")]));
        hooks.push(tp(
            "tracepoint:signal:signal_generate",
            &[("int", "sig"), ("int", "errno"), ("int", "code"), ("char[16]", "comm"), ("pid_t", "pid"), ("int", "group"), ("int", "result")],
        ));
        hooks.push(tp(
            "tracepoint:ras:mc_event",
            &[("unsigned int", "error_type"), ("__data_loc char[]", "msg"), ("__data_loc char[]", "label"), ("u16", "error_count"), ("long", "address")],
        ));
        hooks.push(tp("tracepoint:signal:signal_deliver", &[("int", "sig"), ("int", "errno"), ("int", "code"), ("unsigned long", "sa_handler"), ("unsigned long", "sa_flags")]));
        hooks.push(tp("tracepoint:block:block_rq_issue", &[("dev_t", "dev"), ("sector_t", "sector"), ("unsigned int", "nr_sector"), ("unsigned int", "bytes")]));
        hooks.push(tp("tracepoint:block:block_rq_complete", &[("dev_t", "dev"), ("sector_t", "sector"), ("unsigned int", "nr_sector"), ("int", "error")]));
        hooks.push(tp("tracepoint:sched:sched_process_fork", &[("char[16]", "parent_comm"), ("pid_t", "parent_pid"), ("char[16]", "child_comm"), ("pid_t", "child_pid")]));
        hooks.push(tp(
            "tracepoint:workqueue:workqueue_queue_work",
            &[("void *", "work"), ("void *", "function"), ("__data_loc char[]", "workqueue"), ("int", "req_cpu"), ("int", "cpu")],
        ));
        hooks.push(tp("tracepoint:io_uring:io_uring_submit_req", &[("void *", "ctx"), ("u8", "opcode"), ("u64", "user_data")]));
        for kc in ["mm_compaction_wakeup_kcompactd", "mm_compaction_kcompactd_wake"] {
            hooks.push(tp(&format!("tracepoint:compaction:{kc}"), &[("int", "nid"), ("int", "order"), ("enum zone_type", "highest_zoneidx")]));
        }
        hooks.push(tp("tracepoint:tcp:tcp_destroy_sock", &[("const void *", "skaddr"), ("__u16", "sport"), ("__u16", "dport")]));
        hooks.push(tp(
            "tracepoint:sock:inet_sock_set_state",
            &[("const void *", "skaddr"), ("int", "oldstate"), ("int", "newstate"), ("__u16", "sport"), ("__u16", "dport"), ("__u16", "protocol")],
        ));
        hooks.push(tp("tracepoint:tcp:tcp_cong_state_set", &[("const void *", "skaddr"), ("__u16", "sport"), ("__u16", "dport"), ("__u8", "cong_state")]));
        // Fields whose values the format names (`__print_symbolic`).
        let named_values = |mut hook: Hook, field: &str, names: &[(i64, &str)]| {
            let f = hook.fields.iter_mut().find(|f| f.name == field).expect("the field");
            f.symbols = names.iter().map(|(value, name)| crate::kernel::Symbol { value: *value, name: name.to_string() }).collect();
            hook
        };
        hooks.push(named_values(
            tp("tracepoint:tlb:tlb_flush", &[("int", "reason"), ("unsigned long", "pages")]),
            "reason",
            &[(0, "flush on task switch"), (1, "remote shootdown"), (2, "local shootdown")],
        ));
        hooks.push(named_values(
            tp("tracepoint:skb:kfree_skb", &[("void *", "skbaddr"), ("unsigned short", "protocol"), ("enum skb_drop_reason", "reason")]),
            "reason",
            &[(2, "NOT_SPECIFIED"), (3, "NO_SOCKET"), (10, "TCP_CSUM")],
        ));
        hooks.push(named_values(
            tp("tracepoint:writeback:writeback_start", &[("char[32]", "name"), ("long", "nr_pages"), ("int", "reason")]),
            "reason",
            &[(0, "background"), (1, "vmscan"), (2, "sync"), (3, "periodic")],
        ));
        hooks.push(tp("tracepoint:exceptions:page_fault_user", &[("unsigned long", "address"), ("unsigned long", "ip"), ("unsigned long", "error_code")]));
        hooks.push(tp("tracepoint:exceptions:page_fault_kernel", &[("unsigned long", "address"), ("unsigned long", "ip"), ("unsigned long", "error_code")]));
        hooks.push(tp("tracepoint:pagemap:mm_lru_activate", &[("struct folio *", "folio"), ("unsigned long", "pfn")]));
        hooks.push(tp("tracepoint:pagemap:mm_lru_insertion", &[("struct folio *", "folio"), ("unsigned long", "pfn"), ("int", "lru")]));
        hooks.push(tp("tracepoint:writeback:writeback_single_inode_start", &[("char[32]", "name"), ("ino_t", "ino")]));
        hooks.push(tp("tracepoint:writeback:writeback_single_inode", &[("char[32]", "name"), ("ino_t", "ino"), ("unsigned long", "wrote")]));
        hooks.push(tp("tracepoint:writeback:writeback_pages_written", &[("long", "pages")]));
        hooks.extend(sys("socket", &[("int", "family"), ("int", "type"), ("int", "protocol")]));
        hooks.extend(sys("accept4", &[("int", "fd"), ("int", "flags")]));
        hooks.push(tp("tracepoint:kmem:kmalloc", &[("unsigned long", "call_site"), ("const void *", "ptr"), ("size_t", "bytes_req"), ("size_t", "bytes_alloc")]));
        hooks.extend(sys("mknodat", &[("int", "dfd"), ("const char *", "filename"), ("umode_t", "mode"), ("unsigned int", "dev")]));
        hooks.extend(sys(
            "mremap",
            &[("unsigned long", "addr"), ("unsigned long", "old_len"), ("unsigned long", "new_len"), ("unsigned long", "flags"), ("unsigned long", "new_addr")],
        ));
        hooks.extend(sys("msgsnd", &[("int", "msqid"), ("struct msgbuf *", "msgp"), ("size_t", "msgsz"), ("int", "msgflg")]));
        hooks.extend(sys("pidfd_getfd", &[("int", "pidfd"), ("int", "fd"), ("unsigned int", "flags")]));
        hooks.extend(sys("sync_file_range", &[("int", "fd"), ("loff_t", "offset"), ("loff_t", "nbytes"), ("unsigned int", "flags")]));
        // The C library's functions, with the parameters its headers declare.
        let libc = std::path::Path::new("/lib/x86_64-linux-gnu/libc.so.6");
        for (function, params) in [
            ("system", &[("const char *", "command")][..]),
            ("fopen", &[("const char *", "filename"), ("const char *", "modes")][..]),
            ("getpwnam", &[("const char *", "name")][..]),
            ("pthread_create", &[("pthread_t *", "newthread"), ("const pthread_attr_t *", "attr"), ("void *(*)(void *)", "start_routine"), ("void *", "arg")][..]),
            ("syslog", &[("int", "pri"), ("const char *", "fmt")][..]),
            ("dlopen", &[("const char *", "file"), ("int", "mode")][..]),
            ("dlmopen", &[("Lmid_t", "nsid"), ("const char *", "file"), ("int", "mode")][..]),
            ("malloc", &[("size_t", "size")][..]),
        ] {
            let mut hook = Hook::uprobe(libc, function, Attach::Yes);
            hook.fields = params.iter().map(|(t, n)| Field::new(n.to_string(), t.to_string())).collect();
            let returns = if function == "malloc" { "void *" } else { "int" };
            hook.prototype = Some(format!("{returns} {function}({})", params.iter().map(|(t, n)| format!("{t} __{n}")).collect::<Vec<_>>().join(", ")));
            hooks.push(hook);
        }
        Catalog { key: KernelKey::current(), hooks, capabilities: Default::default(), tools: Default::default(), warnings: vec![] }
    }

    #[test]
    fn a_library_function_is_read_by_its_parameters_and_written_with_argn() {
        use crate::comprehend::Field as Field_;
        let libc = |f: &str| named(&format!("uprobe:/lib/x86_64-linux-gnu/libc.so.6:{f}"), f);
        let r = read("Which programs shell out through libc's system()? Print the process and the command string it passes.", &libc("system"), &catalog());
        let p = r.complete().unwrap_or_else(|| panic!("{r:?}"));
        assert_eq!(p.to_string(), "on uprobe:/lib/x86_64-linux-gnu/libc.so.6:system: print comm, pid, command");
        let program = super::super::emit::bpftrace(p);
        assert!(program.contains("printf(\"%-16s %-8ld %s\\n\", comm, pid, str(arg0));"), "{program}");
        // The symbolic verifier sees a parameter as its register.
        assert_eq!(p.properties().emits, [Field_::Comm, Field_::Pid, Field_::Arg(0)]);
        // "Print" is no abbreviation of syslog's `pri`; "format" is its `fmt`.
        let r = read("print every syslog(3) call through glibc: comm, the priority and the format string", &libc("syslog"), &catalog());
        assert_eq!(r.complete().map(|p| p.to_string()).as_deref(), Some("on uprobe:/lib/x86_64-linux-gnu/libc.so.6:syslog: print comm, pid, pri, fmt"), "{r:?}");
        // How long it takes: from its entry to its return, in the same thread.
        let r = read("Histogram in microseconds of how long getpwnam() takes inside libc", &libc("getpwnam"), &catalog());
        let p = r.complete().unwrap_or_else(|| panic!("{r:?}"));
        assert_eq!(
            p.to_string(),
            "on uretprobe:/lib/x86_64-linux-gnu/libc.so.6:getpwnam (started at uprobe:/lib/x86_64-linux-gnu/libc.so.6:getpwnam, matched by thread): hist of latency (in usecs)"
        );
        assert!(super::super::emit::bpftrace(p).contains("uretprobe:/lib/x86_64-linux-gnu/libc.so.6:getpwnam\n/@start[tid]/"));
        // What it returns, on its return, with what it was given kept from its entry.
        let r = read("print each malloc() call: the requested size and the address it returns", &libc("malloc"), &catalog());
        let p = r.complete().unwrap_or_else(|| panic!("{r:?}"));
        let program = super::super::emit::bpftrace(p);
        assert!(program.contains("@size[tid] = arg0;") && program.contains("uretprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc\n/@start[tid]/"), "{program}");
        assert!(program.contains("@size[tid], retval);"), "{program}");
        assert!(p.properties().emits.contains(&Field_::Retval), "{:?}", p.properties());
        // "that return NULL" keeps only those; said of a call with no pointer result, it is unread.
        let r = read("print each malloc() call that returns NULL, with the requested size", &libc("malloc"), &catalog());
        let p = r.complete().unwrap_or_else(|| panic!("{r:?}"));
        assert!(p.to_string().contains("where retval == 0"), "{p}");
        let r = read("print each system() call that returns NULL, with the command", &libc("system"), &catalog());
        assert!(r.complete().is_none() && r.unread.contains(&"NULL".to_string()), "{r:?}");
        // Functions that take a value in different places are no one block.
        let both = named_each(&[("uprobe:/lib/x86_64-linux-gnu/libc.so.6:dlopen", "dlopen"), ("uprobe:/lib/x86_64-linux-gnu/libc.so.6:dlmopen", "dlmopen")]);
        let r = read("count dlopen() and dlmopen() calls by library path", &both, &catalog());
        assert!(r.complete().is_none() && r.gaps.iter().any(|g| g.contains("different places")), "{r:?}");
        // A function the library is handed is shown as the program's symbol.
        let r = read("count pthread_create() calls by program and by start_routine", &libc("pthread_create"), &catalog());
        let p = r.complete().unwrap_or_else(|| panic!("{r:?}"));
        assert!(super::super::emit::bpftrace(p).contains("@count[comm, usym(arg2)] = count();"), "{}", super::super::emit::bpftrace(p));
    }

    /// Found by the words, each event with the words it shares with the request.
    fn described(probes: &[&str], words: &[&str]) -> Grounding {
        let events = vec![crate::ground::Grounded {
            probe: probes[0].to_string(),
            attach: Attach::Yes,
            evidence: Evidence::Described { words: words.iter().map(|w| w.to_string()).collect(), hooks: probes.iter().map(|p| p.to_string()).collect() },
        }];
        Grounding { events, servable: Servable::Here, told: vec![] }
    }

    fn here() -> Grounding {
        Grounding { events: vec![], servable: Servable::Here, told: vec![] }
    }

    /// Grounded on these syscalls, each named by its name.
    fn syscalls(names: &[&str]) -> Grounding {
        let named =
            |s: &&str| crate::ground::Grounded { probe: format!("tracepoint:syscalls:sys_enter_{s}"), attach: Attach::Yes, evidence: Evidence::Named { word: s.to_string() } };
        Grounding { events: names.iter().map(named).collect(), servable: Servable::Here, told: vec![] }
    }

    fn named(probe: &str, word: &str) -> Grounding {
        named_each(&[(probe, word)])
    }

    #[test]
    fn everyday_phrasing_stories_short_forms_and_program_names() {
        let faults = described(&["tracepoint:exceptions:page_fault_user"], &["page", "faults"]);
        // "take the most X" counts X; it asks for no time.
        assert_eq!(
            plan("Which processes take the most page faults? Count user-space page faults per process name.", &faults),
            "on tracepoint:exceptions:page_fault_user: count by comm"
        );
        assert!(plan("which processes take the most time in page faults?", &faults).starts_with("incomplete"));
        // What others report is the story; the ask follows it.
        let block = named("tracepoint:block:block_rq_issue", "block");
        assert!(!plan("Users report the database stalls a few times an hour and iostat averages hide it. Give me a histogram of block I/O request sizes.", &block).contains("avg"));
        // "procs" is processes; "How many files does each uid open?" is no test of openat2's `how`.
        let reads = syscalls(&["read"]);
        assert_eq!(plan("top 10 procs by bytes read", &reads), "on tracepoint:syscalls:sys_exit_read where ret > 0: sum of ret by comm, top 10");
        let mut with_openat2 = catalog();
        with_openat2.hooks.push(tp("tracepoint:syscalls:sys_enter_openat2", &[("int", "dfd"), ("const char *", "filename"), ("struct open_how *", "how"), ("size_t", "usize")]));
        with_openat2.hooks.push(tp("tracepoint:syscalls:sys_exit_openat2", &[("long", "ret")]));
        let opens = read("Shared build host, a few users complain it's slow. How many files does each uid open? Just a count per uid is fine.", &here(), &with_openat2);
        let opens = opens.complete().expect("complete").to_string();
        assert!(opens.contains("sys_enter_openat, ") && opens.contains("sys_enter_openat2") && opens.ends_with("count by uid"), "{opens}");
        // A message the story quotes is no name to match; a platform is the setting.
        let openat = syscalls(&["openat"]);
        assert!(!plan("App won't start and just says 'config error'. Print every openat() that fails, with the process name and the path.", &openat).starts_with("incomplete"));
        assert_eq!(plan("k8s node, I want read() syscall counts broken down by cgroup id", &reads), "on tracepoint:syscalls:sys_enter_read: count by cgroup");
        // A program's name after "for", hyphenated or not; a plural, a gerund or what one waits
        // for is none.
        let write = syscalls(&["write"]);
        assert!(plan("histogram of write() sizes for redis-server only", &write).contains("comm == \"redis-server\""));
        // A name after "for" is a program's only when this host has it, or said with its
        // processes; else it stays unread, and the model's program must say it.
        let nginx = read("histogram of write() sizes for nginx", &write, &catalog());
        assert!(installed(&Word::verbatim("nginx", false)) || nginx.names == ["nginx"], "{:?}", nginx.names);
        assert!(plan("histogram of write() sizes for nginx workers", &write).contains("comm == \"nginx\""));
        assert!(plan("count write() calls for nginx.conf", &write).starts_with("incomplete"));
        assert!(!plan("count write() calls for alice", &write).contains("comm =="));
        assert!(plan("only systemd-journald: count write() calls", &write).contains("comm == \"systemd-journal\""));
        assert!(plan("only php-fpm workers: count write() calls", &write).contains("comm == \"php-fpm\""));
        assert!(!plan("count write() calls waiting for completions", &write).contains("comm =="));
        assert!(!plan("histogram of write() sizes for large buffers", &write).contains("comm =="));
        // "for run-queue latency" stays a phrase.
        assert!(!Text::new("histogram for run-queue latency").words.iter().any(|w| w.raw.contains('-')));
    }

    #[test]
    fn a_tickets_header_and_what_was_tried_say_nothing() {
        // Times, people, @handles, #channels, a chat's speakers, "Already checked: …" and the
        // "Ask:" label are no values to filter by.
        let mmap = syscalls(&["mmap"]);
        let chat = "[10:41] kofi: startup takes 40 s now, perf top shows page zeroing [10:42] kofi: I bet some lib maps its arena with MAP_POPULATE [10:44] you: can we print every mmap() that passes MAP_POPULATE, with process name, pid and length?";
        assert_eq!(plan(chat, &mmap), "on tracepoint:syscalls:sys_enter_mmap where flags & 0x8000 != 0: print comm, pid, len");
        let close = syscalls(&["close"]);
        let ticket = "HTTP-7712, from Wen at 22:48: a worker logs 'close() failed'. Already tried: error_log at debug (too noisy). Ask: print every close() that fails with EBADF, with the process name and the fd.";
        let r = read(ticket, &close, &catalog());
        assert!(r.unread.is_empty(), "{:?}", r.unread);
        let r = read("OPS-1 (reported by Oleg, Mon 04:50 UTC, @raj): count close() calls per process", &close, &catalog());
        assert!(r.complete().is_some(), "{:?}", r.unread);
        // A time in the ask is not a header: "10:30" of a range of values stays a number to read.
        assert!(!header_tokens(&["at", "least", "10", "ms"]).contains(&true));
        assert_eq!(header_tokens(&["#sre", "09:14", "tom:", "can", "we"]), [true, true, true, false, false]);
        // A key or a program after "by" or "from" is no person, and a time the ask bounds is
        // no header.
        assert!(!header_tokens(&["count", "page", "faults", "by", "CPU,", "every", "second"]).contains(&true));
        assert!(!header_tokens(&["count", "fsync", "calls", "from", "Postgres,", "per", "second"]).contains(&true));
        assert!(!header_tokens(&["count", "opens", "made", "between", "09:00", "and", "17:00"]).contains(&true));
        // What was tried stops at the ask's label, and a sentence that asks is not what was tried.
        let r = read("Already checked dmesg, so count close() calls per process.", &close, &catalog());
        assert!(r.complete().is_some_and(|p| p.to_string().contains("count by comm")), "{r:?}");
    }

    #[test]
    fn whose_events_a_program_name_says() {
        // Whose events: a possessive, "of" after the event, "the … process". Before, these names
        // were neither read nor left unread, and the plan counted every process's calls.
        let openat = syscalls(&["openat"]);
        let of = read("Count openat calls of nginx", &openat, &catalog());
        assert!(installed(&Word::verbatim("nginx", false)) || of.names == ["nginx"], "{of:?}");
        for request in ["Count nginx's openat calls", "Count openat calls of kgent7", "Count openat calls for the nginx process", "Count openat calls of the nginx process"] {
            assert!(plan(request, &openat).contains("where comm == \""), "{request}: {}", plan(request, &openat));
        }
        // The events of a task the record names are that task's: the woken one's name.
        assert_eq!(plan("count wakeups of process tickd", &here()), "on tracepoint:sched:sched_wakeup where args->comm == \"tickd\": count");
        assert_eq!(plan("Count wakeups of kgent7", &here()), "on tracepoint:sched:sched_wakeup where args->comm == \"kgent7\": count");
        // A bare word is a program's when the request calls it one elsewhere; else it is left
        // unread, never dropped ("removals of inode" names no program).
        assert_eq!(read("Count wakeups of tickd", &here(), &catalog()).names, ["tickd"]);
        assert!(plan("Our daemon tickd wakes up too often. Count wakeups of tickd.", &here()).contains("where args->comm == \"tickd\""));
        // An object's possessive names no program.
        let r = read("Every time ext4 removes a range from an inode's extent status cache, print the task name", &here(), &catalog());
        assert!(!format!("{r:?}").contains("only processes named"), "{r:?}");
        assert!(!r.names.contains(&"inode".to_string()), "{r:?}");
        // The task that does the event's verb is the cause, which the builtins read.
        assert_eq!(
            plan("Count wakeups of process tickd, broken down by the name of the process that does the waking", &here()),
            "on tracepoint:sched:sched_wakeup where args->comm == \"tickd\": count by comm"
        );
        assert_eq!(plan("count wakeups by waker comm", &here()), "on tracepoint:sched:sched_wakeup: count by comm");
        // The task the event is done to is the record's.
        assert!(!plan("count signals by the name of the process doing the receiving", &here()).contains("count by comm"));
        assert_eq!(plan("count wakeups by the waker's name", &here()), "on tracepoint:sched:sched_wakeup: count by comm");
        assert_eq!(plan("count wakeups by name", &here()), "on tracepoint:sched:sched_wakeup: count by args->comm");
        // A name that looks like a plural is not taken for a program, but never dropped.
        let r = read("Count page faults of postgres", &here(), &catalog());
        assert_eq!(r.unread, ["postgres"], "{r:?}");
        // A verb or an adjective after "process" names none.
        assert!(!plan("any process opening a raw socket (SOCK_RAW): name, pid, family, type", &syscalls(&["socket"])).starts_with("incomplete"));
    }

    #[test]
    fn a_subsystem_or_a_ticket_header_is_not_the_event() {
        // A subsystem's one event, whose own words the request never says, is not it.
        let mut c = catalog();
        c.hooks.push(tp("tracepoint:netlink:netlink_extack", &[("__data_loc char[]", "msg")]));
        c.hooks.push(tp("tracepoint:capability:cap_capable", &[("int", "cap")]));
        let netlink = described(&["tracepoint:netlink:netlink_extack"], &["netlink"]);
        let sockets = read("which processes open netlink sockets?", &netlink, &c);
        assert!(sockets.plan.is_none() && sockets.gaps.iter().any(|g| g.contains("netlink subsystem")), "{:?}", sockets.gaps);
        let capable = read("count capability checks per process", &described(&["tracepoint:capability:cap_capable"], &["capability"]), &c);
        assert!(capable.complete().is_some(), "{:?} {:?}", capable.gaps, capable.unread);
        // "memory-cgroup reclaim" is no "memory reclaim".
        c.hooks.push(tp("tracepoint:vmscan:mm_vmscan_direct_reclaim_begin", &[("int", "order")]));
        c.hooks.push(tp("tracepoint:vmscan:mm_vmscan_direct_reclaim_end", &[("unsigned long", "nr_reclaimed")]));
        c.hooks.push(tp("tracepoint:cgroup:cgroup_mkdir", &[("int", "root")]));
        let none = Grounding { events: vec![], servable: Servable::Here, told: vec![] };
        let direct = |r: Reading| r.plan.is_some_and(|p| p.probes.iter().chain(p.start.iter().flat_map(|s| &s.probes)).any(|p| p.contains("direct_reclaim")));
        assert!(!direct(read("how long does each memory-cgroup reclaim pass take, in usecs", &none, &c)));
        assert!(direct(read("how long does each memory reclaim pass take, in usecs", &none, &c)));
        // Who filed the ticket opened no file.
        let filed = read("NET-2290 (opened by Sam, 09:41): count refused connections per port", &none, &c);
        assert!(!filed.plan.as_ref().is_some_and(|p| p.probes.iter().any(|p| p.contains("open"))), "{:?}", filed.plan.map(|p| p.probes));
        assert!(read("count files opened by nginx per second", &none, &c).plan.is_some_and(|p| p.probes.iter().any(|p| p.contains("openat"))));
    }

    #[test]
    fn the_events_own_words_negated_events_and_values_of_another_event() {
        // A part of the event's name ("victims": mark_victim) is the event's.
        let oom = named("tracepoint:oom:mark_victim", "oom");
        assert!(!plan("print oom kill victims as they happen: pid and total_vm", &oom).starts_with("incomplete"));
        // "each direct reclaim pass" is each event, not a key; "which processes hit it" keys.
        let mut reclaim = catalog();
        reclaim.hooks.push(tp("tracepoint:vmscan:mm_vmscan_direct_reclaim_begin", &[("int", "order"), ("unsigned long", "gfp_flags")]));
        reclaim.hooks.push(tp("tracepoint:vmscan:mm_vmscan_direct_reclaim_end", &[("unsigned long", "nr_reclaimed")]));
        let direct = described(&["tracepoint:vmscan:mm_vmscan_direct_reclaim_begin", "tracepoint:vmscan:mm_vmscan_direct_reclaim_end"], &["direct", "reclaim"]);
        let each = read(
            "how long do processes get stuck in direct reclaim? Histogram of each direct reclaim pass in microseconds, and tell me which processes hit it.",
            &direct,
            &reclaim,
        );
        let each = each.complete().map(|p| p.to_string()).unwrap_or_else(|| format!("{:?} {:?}", each.gaps, each.unread));
        assert!(each.ends_with("hist of latency by comm (in usecs)"), "{each}");
        // "the TCP state of the socket" is a value to show, "retransmits" the event; both
        // qualifiers go with "port".
        let lines =
            read("print a line every time the kernel retransmits a TCP segment, with source and destination address and port and the TCP state of the socket", &here(), &catalog());
        let lines = lines.plan.expect("a plan").to_string();
        assert!(lines.starts_with("on tracepoint:tcp:tcp_retransmit_skb") && lines.contains("sport") && lines.contains("dport") && lines.contains("state"), "{lines}");
        // An event the words set aside is not the event.
        let signals = plan("something keeps killing our java worker and it's not the oom killer. show me every signal generated: sender comm, target pid, signal number", &here());
        assert!(signals.starts_with("on tracepoint:signal:signal_generate"), "{signals}");
        // An exclusion ("but not …") is no claim: it stays for the model.
        assert!(plan("show me every signal generated, but not OOM kills", &here()).starts_with("incomplete"));
        // A list of qualifiers with one noun: each qualifier's field.
        assert_eq!(
            plan("Print every setresuid() call with the process name and the real, effective and saved uid it asks for.", &syscalls(&["setresuid"])),
            "on tracepoint:syscalls:sys_enter_setresuid: print comm, pid, ruid, euid, suid"
        );
        // "execs per process": the key, not the event's description.
        let execs = described(&["tracepoint:sched:sched_process_exec"], &["execs", "process"]);
        assert_eq!(plan("count execs per process", &execs), "on tracepoint:sched:sched_process_exec: count by comm");
    }

    #[test]
    fn a_suspicion_asked_as_a_question_and_calls_listed_with_a_slash() {
        // The yes-or-no question before the ask tells; its field word asks for nothing.
        let polls = syscalls(&["poll", "ppoll"]);
        let r = plan("is something spinning on poll() with a timeout that keeps running out? how many poll/ppoll calls return 0 (timed out), per process name?", &polls);
        assert_eq!(r, "on tracepoint:syscalls:sys_exit_poll, tracepoint:syscalls:sys_exit_ppoll where ret == 0: count by comm");
        // "unlink/unlinkat syscall": alternatives of one call, both traced.
        assert_eq!(
            plan("Could I get a histogram of unlink/unlinkat syscall time, in microseconds?", &here()),
            "on tracepoint:syscalls:sys_exit_unlinkat, tracepoint:syscalls:sys_exit_unlink (started at tracepoint:syscalls:sys_enter_unlinkat, tracepoint:syscalls:sys_enter_unlink, matched by thread): hist of latency (in usecs)"
        );
        // A path the story names is where it happened, when the ask takes every event.
        let mount = syscalls(&["mount"]);
        let r = read("at 03:12 the /data filesystem went read-only, so we think something remounted it. Catch any mount() that has MS_REMOUNT set.", &mount, &catalog());
        assert!(r.complete().is_some(), "{r:?}");
        let r = read("the /data filesystem went read-only. Catch the mount() calls that have MS_REMOUNT set.", &mount, &catalog());
        assert_eq!(r.unread, ["/data"], "{r:?}");
        // A task state by the words ps uses for its letter: a bit of the field whose format
        // prints that letter.
        let switches = described(&["tracepoint:sched:sched_switch"], &["switched"]);
        assert_eq!(
            plan("every 5 seconds, per process name, how many times a task was switched out in uninterruptible (D) state", &switches),
            "on tracepoint:sched:sched_switch where prev_state & 0x2 != 0: count by comm, every 5 s"
        );
        assert!(plan("how many times a task was switched out not in uninterruptible state", &switches).starts_with("incomplete"));
        // The span of a time said again ("from entry to return"), and the event's own name
        // spelled out ("the host name" of gethostname) are read.
        assert_eq!(
            plan("how long does each unlinkat() call take from entry to return? histogram in microseconds", &syscalls(&["unlinkat"])),
            "on tracepoint:syscalls:sys_exit_unlinkat (started at tracepoint:syscalls:sys_enter_unlinkat, matched by thread): hist of latency (in usecs)"
        );
        assert_eq!(
            plan("which programs keep changing the host name with sethostname()? count per process", &syscalls(&["sethostname"])),
            "on tracepoint:syscalls:sys_enter_sethostname: count by comm"
        );
        // The id a call asks for is its argument, not the caller's.
        let r = plan("which processes call setuid(), and which user do they ask for?", &syscalls(&["setuid"]));
        assert_eq!(r, "on tracepoint:syscalls:sys_enter_setuid: print comm, pid, args->uid");
        // "what does cron run": the programs cron starts, with the argument list of the exec.
        assert_eq!(
            plan("what does cron run? print each execveat with its full argument list", &here()),
            "on tracepoint:syscalls:sys_enter_execveat where comm == \"cron\": print comm, pid, argv"
        );
    }

    #[test]
    fn linear_buckets_a_run_time_mode_bits_and_argv() {
        let write = syscalls(&["write"]);
        assert_eq!(
            plan("linear histogram of write() sizes from 0 to 4096 bytes in 512 byte steps", &write),
            "on tracepoint:syscalls:sys_enter_write: hist of count in linear buckets 0..4096 by 512"
        );
        // "linear" without its numbers is left for the model, not answered by a log2 histogram.
        assert!(plan("linear histogram of write() sizes", &write).starts_with("incomplete"));
        assert_eq!(plan("count write() calls per process for 10 seconds", &write), "on tracepoint:syscalls:sys_enter_write: count by comm, for 10 s");
        // The event named only in the story, and every one of something else asked for: left
        // to the model. The event's own word again, or its calls, are the event.
        let closes = syscalls(&["close"]);
        assert!(plan("Our runner dies after a close(). Log every socket shutdown with the process name.", &closes).starts_with("incomplete"));
        assert_eq!(plan("Our runner dies after a close(). Log every close call with the process name.", &closes), "on tracepoint:syscalls:sys_enter_close: print comm, pid, fd");
        // A count beside another fold is its own map; a value's "count" is no fold.
        let closes_ = syscalls(&["close"]);
        let both = plan("per process, the longest close() latency, and how many times it ran", &closes_);
        assert!(both.ends_with("max and count of latency by comm (in usecs)"), "{both}");
        assert!(!plan("histogram of the byte counts that write() returns", &write).contains("and count"));
        // "just" softening the asking verb restricts nothing.
        assert_eq!(plan("I just want a count of write() calls per process", &write), "on tracepoint:syscalls:sys_enter_write: count by comm");
        assert_eq!(plan("count write() calls per process for a minute", &write), "on tracepoint:syscalls:sys_enter_write: count by comm, for 60 s");
        let execs = described(&["tracepoint:sched:sched_process_exec"], &["exec"]);
        assert_eq!(plan("count exec per process for a minute then exit", &execs), "on tracepoint:sched:sched_process_exec: count by comm, for 60 s");
        assert_eq!(plan("count exec per process for 30 seconds and then stop", &execs), "on tracepoint:sched:sched_process_exec: count by comm, for 30 s");
        assert!(!plan("write() calls that block for 2 seconds and longer", &write).contains("for 2 s"));
        // How long something lasts is no run time.
        let slow = plan("write() calls that block for 2 seconds or more", &write);
        assert!(!slow.contains("for 2 s"), "{slow}");
        let story = plan("Write latency spiked for 10 minutes last night. Count write() calls per process.", &write);
        assert!(!story.contains("for 600 s"), "{story}");
        // Sizes in KB are bytes; times in the unit the times are shown in.
        assert_eq!(
            plan("linear histogram of write() sizes from 0 to 64 KB in steps of 4 KB", &write),
            "on tracepoint:syscalls:sys_enter_write: hist of count in linear buckets 0..65536 by 4096"
        );
        let read_ = syscalls(&["read"]);
        assert_eq!(
            plan("read() latency as a linear histogram from 0 to 2 ms in 100 us steps", &read_),
            "on tracepoint:syscalls:sys_exit_read (started at tracepoint:syscalls:sys_enter_read, matched by thread): hist of latency in linear buckets 0..2000 by 100 (in usecs)"
        );
        assert_eq!(
            plan("read() latency, a linear histogram in milliseconds from 0 to 100 in 10 ms steps", &read_),
            "on tracepoint:syscalls:sys_exit_read (started at tracepoint:syscalls:sys_enter_read, matched by thread): hist of latency in linear buckets 0..100 by 10 (in msecs)"
        );
        // bpftrace's word, and a range in one word: "lhist 0-50ms, 5ms buckets".
        assert_eq!(
            plan("read() lat lhist, 0-50ms, 5ms buckets", &read_),
            "on tracepoint:syscalls:sys_exit_read (started at tracepoint:syscalls:sys_enter_read, matched by thread): hist of latency in linear buckets 0..50 by 5 (in msecs)"
        );
        // Times for a size, sizes for a time, a bound between two ticks of the unit asked for,
        // or more buckets than bpftrace's 1000: left unread.
        assert!(plan("linear histogram of write() sizes from 0 to 10 ms in 1 ms steps", &write).starts_with("incomplete"));
        assert!(plan("read() latency as a linear histogram from 0 to 64 KB in 4 KB steps", &read_).starts_with("incomplete"));
        assert!(plan("read() latency in milliseconds as a linear histogram from 0 to 2 ms in 100 us steps", &read_).starts_with("incomplete"));
        assert!(plan("linear histogram of write() sizes from 0 to 1048576 in 512 byte steps", &write).starts_with("incomplete"));
        assert!(plan("linear histogram of write() sizes from 0 to 100 pages in 10 page steps", &write).starts_with("incomplete"));
        // A number without a unit beside KB is in KB; a bound no whole number of bytes is none.
        assert!(plan("linear histogram of write() sizes from 32 to 512 KB in 32 KB steps", &write).ends_with("linear buckets 32768..524288 by 32768"));
        assert!(plan("linear histogram of write() sizes from 0 to 1.2 KB in 0.1 KB steps", &write).starts_with("incomplete"));
        // An interval is no width; a unit nothing converts, or a range elsewhere, bounds nothing.
        let every = plan("read() latency as a linear histogram from 0 to 100, printed every 5 seconds", &read_);
        assert!(every.starts_with("incomplete") && !every.contains("linear buckets"), "{every}");
        assert!(plan("read() latency as a linear histogram from 0 to 2 mins in 1 s steps", &read_).starts_with("incomplete"));
        assert!(plan("read() latency as a linear histogram from 0 to 900 millis in 100 millis steps", &read_).ends_with("linear buckets 0..900 by 100 (in msecs)"));
        assert!(plan("linear histogram of write() sizes for pids 1000-5000, 512 byte buckets", &write).starts_with("incomplete"));
        // The setuid bit is S_ISUID in chmod's mode, not the setuid syscall.
        let chmod = syscalls(&["chmod", "fchmodat"]);
        let setuid = plan("alert whenever anything chmods a file to set the setuid bit: comm, pid, path and mode in octal", &chmod);
        assert!(setuid.contains("mode & 0x800"), "{setuid}");
        assert_eq!(constants::mode_bits_named("the setuid or setgid bit"), "the S_ISUID or S_ISGID bits");
        // argv is a list of strings, printed with join() at the end of the line.
        let exec = named("tracepoint:syscalls:sys_enter_execveat", "execveat");
        let r = read("for every execveat print pid, comm and argv", &exec, &catalog());
        let program = crate::plan::emit::bpftrace(r.complete().expect("complete"));
        assert!(program.contains("printf(\"%-16s %-8ld \", comm, pid);\n  join(args->argv);"), "{program}");
    }

    #[test]
    fn two_letter_name_parts_are_initials() {
        let at = |r: &str, p: &str| initials_of(&Text::new(r), p);
        assert_eq!(at("removes a range from the extent status cache", "es"), Some(vec![5, 6]));
        assert_eq!(at("when it releases an inode preallocation", "pa"), Some(vec![5]));
        assert_eq!(at("multiblock allocations", "mb"), Some(vec![0]));
        // Not across a clause, not of short or structural words.
        assert_eq!(at("the extent. Status is fine", "es"), None);
        assert_eq!(at("ext4 is slow", "es"), None);
    }

    #[test]
    fn a_verb_acting_on_what_follows_is_told_from_the_nouns() {
        let verbs = |r: &str| {
            let t = Text::new(r);
            (0..t.len()).filter(|&i| acts(&t, i)).map(|i| t.words[i].lower.clone()).collect::<Vec<_>>()
        };
        assert_eq!(verbs("every time ext4 removes a range from an inode's extent status cache"), ["removes"]);
        assert_eq!(verbs("the kernel copies its state into the new task"), ["copies"]);
        // Plural nouns before an article's noun are not verbs: after a preposition, or at a
        // clause's end.
        assert!(verbs("count the copies of the state per process, in caches. The entries").is_empty());
        // A plural before a relative clause is the thing counted.
        assert!(verbs("how many writes that fail").is_empty());
    }

    #[test]
    fn the_number_of_things_is_the_count_the_record_holds_of_them() {
        let release = named("tracepoint:ext4:ext4_mb_release_inode_pa", "ext4_mb_release_inode_pa");
        assert_eq!(
            plan("average number of blocks ext4_mb_release_inode_pa hands back, per process", &release),
            "on tracepoint:ext4:ext4_mb_release_inode_pa: avg of count by comm"
        );
        // One of them is still the field of its name.
        assert_eq!(plan("print each ext4_mb_release_inode_pa with the block", &release), "on tracepoint:ext4:ext4_mb_release_inode_pa: print comm, pid, block");
    }

    #[test]
    fn what_a_call_takes_the_program_a_request_opens_with_a_ranking_said_twice_and_story_negations() {
        let write = syscalls(&["write"]);
        // "takes a buffer": what the call is given, not how long it takes.
        assert_eq!(plan("The write() syscall takes a caller-supplied buffer. Histogram of the count argument.", &write), "on tracepoint:syscalls:sys_enter_write: hist of count");
        assert!(plan("how long does write() take? histogram in usecs", &write).contains("latency"));
        assert!(plan("which write() calls take the longest? histogram in usecs", &write).contains("latency"));
        // "Just failures:" is a kind of call, not a program.
        assert!(!plan("Just failures: print each write call with pid and fd", &write).contains("comm =="));
        // A purpose before the ask ends at its clause: the ask's words still count.
        assert!(plan("In order to find the leak, count write calls per process, only for fd 3", &write).contains("fd == 3"));
        // "just bash: …": the program, before the ask.
        assert_eq!(plan("just bash: print its write calls, pid and fd", &write), "on tracepoint:syscalls:sys_enter_write where comm == \"bash\": print comm, pid, fd");
        // "Which 10 …? Show the top 10 …": one ranking.
        assert_eq!(plan("Which 10 processes call write the most? Show the top 10 when I stop it.", &write), "on tracepoint:syscalls:sys_enter_write: count by comm, top 10");
        // A negation in the story asks nothing; one in the ask still does.
        assert_eq!(plan("Most write() calls never reach the disk here. Count write calls per process.", &write), "on tracepoint:syscalls:sys_enter_write: count by comm");
        assert!(plan("Count write calls per process, never for fd 1.", &write).starts_with("incomplete"));
        assert!(!plan("No bash. Count write calls per process.", &write).ends_with("count by comm"));
    }

    #[test]
    fn a_per_word_before_a_plain_noun_describes_it_and_a_purpose_clause_asks_nothing() {
        let openat = syscalls(&["openat"]);
        // "per-process sandboxes": a kind of thing; "Print every …" asks for lines.
        assert_eq!(
            plan("Which daemons run in per-process sandboxes? Print every openat() with comm, pid and the flags, so I can tell relative from absolute opens.", &openat),
            "on tracepoint:syscalls:sys_enter_openat: print comm, pid, flags"
        );
        // Still a grouping where a result is named in its phrase, or the clause ends.
        assert_eq!(plan("per-process openat counts", &openat), "on tracepoint:syscalls:sys_enter_openat: count by comm");
        assert_eq!(plan("count openat calls per-process", &openat), "on tracepoint:syscalls:sys_enter_openat: count by comm");
        // What a purpose clause names precisely still constrains.
        assert!(plan("print each openat with comm and flags, so I can see the opens of /etc/passwd", &openat).contains("/etc/passwd"));
    }

    #[test]
    fn which_process_which_size_and_what_an_aside_explains() {
        // "another process" is which process, not one named "another".
        assert_eq!(
            plan(
                "Alert whenever a process pulls a file descriptor out of another process with pidfd_getfd(2). Show the caller's comm and pid, the pidfd and the target fd.",
                &syscalls(&["pidfd_getfd"])
            ),
            "on tracepoint:syscalls:sys_enter_pidfd_getfd: print comm, pid, fd, pidfd"
        );
        // A size field by the shape of its name; the one the words spell out.
        assert_eq!(
            plan("log msgsnd() calls that send more than 1 KiB: process name and the message size", &syscalls(&["msgsnd"])),
            "on tracepoint:syscalls:sys_enter_msgsnd where msgsz > 1024: print comm, pid, msgsz"
        );
        assert_eq!(
            plan("What is the average byte range (nbytes) each process asks sync_file_range to flush?", &syscalls(&["sync_file_range"])),
            "on tracepoint:syscalls:sys_enter_sync_file_range: avg of nbytes by comm"
        );
        // Of two sizes the words do not tell apart, neither.
        let r = read("mremap calls that grow a mapping to more than 64 MB: who does them, and the old and new sizes", &syscalls(&["mremap"]), &catalog());
        assert!(r.complete().is_none() && r.gaps.iter().any(|g| g.contains("old_len, new_len")), "{r:?}");
        // A legend of values asks nothing; "for every signal …, print" is a line per event.
        assert_eq!(
            plan(
                "For every signal that actually gets delivered, print the receiving process, the signal number and the sa_handler it is going to run (0 = default action, 1 = ignored, anything else is a user handler).",
                &named("tracepoint:signal:signal_deliver", "signal_deliver")
            ),
            "on tracepoint:signal:signal_deliver: print comm, pid, sig, sa_handler"
        );
        // What a partial reading settled holds the model: a line per event asks no count.
        let r = read("Print each msgsnd call with its msqid and the mtype of the message", &syscalls(&["msgsnd"]), &catalog());
        let settled = r.plan.as_ref().expect("a plan in part").settled_properties();
        assert!(r.complete().is_none() && settled.aggregate.is_none(), "{r:?} {settled:?}");
    }

    #[test]
    fn cpu_samples_are_read_with_the_builtins_their_keys_and_filters_name() {
        let p = |r: &str| plan(r, &crate::ground::ground(r, &catalog(), false, &crate::ground::Retrieval::default()));
        // What is ranked, a list in an aside.
        assert_eq!(p("99Hz on-cpu samples, top 10 (cpu, comm) every 5s"), "on profile:hz:99: count by cpu, comm, top 10, every 5 s");
        // Stacks sampled and counted are counted by stack.
        assert_eq!(p("sample kernel stacks at 49 Hz, only for the process named blobcopy, and count them."), "on profile:hz:49 where comm == \"blobcopy\": count by kstack");
        assert_eq!(p("sample what runs on the CPUs at 99 Hz and count the samples per user id, leaving out root"), "on profile:hz:99 where uid != 0: count by uid");
        // The CPU the story named, and a ranking of lines is a count.
        assert_eq!(p("core 3 is pegged. Sample user stacks at 49 Hz on that core only and show the 10 hottest."), "on profile:hz:49 where cpu == 3: count by ustack, top 10");
        // A split the reading cannot make stays unread.
        assert!(p("sample all CPUs at 99 Hz and count, per CPU, the samples in the idle task versus anything else").starts_with("incomplete"));
        assert_eq!(plan("count openat calls, top 5 (pid, comm)", &syscalls(&["openat"])), "on tracepoint:syscalls:sys_enter_openat: count by pid, comm, top 5");
        // Stacks counted are a key, never dropped.
        assert_eq!(plan("count the kernel stacks of openat calls", &syscalls(&["openat"])), "on tracepoint:syscalls:sys_enter_openat: count by kstack");
        assert!(plan("count openat calls, and the user stacks", &syscalls(&["openat"])).starts_with("incomplete"));
        assert_eq!(plan("count openat calls by user stack", &syscalls(&["openat"])), "on tracepoint:syscalls:sys_enter_openat: count by ustack");
        // Conditions set side by side ask for a split; a ranking by size is no count.
        assert!(plan("count openat calls of pid 100 vs pid 200", &syscalls(&["openat"])).starts_with("incomplete"));
        assert!(plan("show the 5 largest openat calls by flags", &syscalls(&["openat"])).starts_with("incomplete"));
        // A purpose that ranks leaves what else it says to be read.
        let failing = plan("count openat calls by filename so the most frequently failing files float to the top", &syscalls(&["openat"]));
        assert!(failing.starts_with("incomplete") || failing.contains("ret <"), "{failing}");
        // The names of two tasks, and a state, never fall out of a plan.
        assert!(plan("count openat calls keyed by the name of the task and the name of its parent", &syscalls(&["openat"])).starts_with("incomplete"));
        // A tool the story could not use asks nothing.
        assert_eq!(
            plan("Our box is slow. 'perf top' is not allowed on those boxes. Count openat calls per process name.", &syscalls(&["openat"])),
            "on tracepoint:syscalls:sys_enter_openat: count by comm"
        );
        assert!(plan("Count openat calls that are not allowed, per process name.", &syscalls(&["openat"])).starts_with("incomplete"));
        // A comparison written as code, of the field named before it.
        assert_eq!(
            plan("lseek calls with offset > 4096", &syscalls(&["lseek"])),
            "on tracepoint:syscalls:sys_enter_lseek where offset > 4096: print comm, pid, fd, offset, whence"
        );
        assert_eq!(
            plan("lseek calls at an offset over 4GiB", &syscalls(&["lseek"])),
            "on tracepoint:syscalls:sys_enter_lseek where offset > 4294967296: print comm, pid, fd, offset, whence"
        );
        assert!(plan("lseek calls with offset != 4096", &syscalls(&["lseek"])).starts_with("incomplete"));
        // A record that says whether it succeeded.
        assert_eq!(
            plan("count failed tick_stop attempts by dependency", &named("tracepoint:timer:tick_stop", "tick_stop")),
            "on tracepoint:timer:tick_stop where success == 0: count by dependency"
        );
        // Two values set side by side, both read, leave no split to find.
        assert_eq!(plan("print each openat call's filename vs its flags", &syscalls(&["openat"])), "on tracepoint:syscalls:sys_enter_openat: print comm, pid, filename, flags");
    }

    fn plan(request: &str, g: &Grounding) -> String {
        let r = read(request, g, &catalog());
        match r.complete() {
            Some(p) => p.to_string(),
            None => format!("incomplete: gaps {:?}, unread {:?}, plan {:?}", r.gaps, r.unread, r.plan.map(|p| p.to_string())),
        }
    }

    /// Events each named by a word of the request: `(probe, word)`.
    fn named_each(events: &[(&str, &str)]) -> Grounding {
        let events = events.iter().map(|(p, w)| crate::ground::Grounded { probe: p.to_string(), attach: Attach::Yes, evidence: Evidence::Named { word: w.to_string() } }).collect();
        Grounding { events, servable: Servable::Here, told: vec![] }
    }

    #[test]
    fn the_story_sums_nothing_constants_in_an_aside_name_a_field_and_a_call_not_meant_is_read() {
        // "memory totals" is what the call reads, told; the ask is a rate of calls.
        let sysinfo = named("tracepoint:syscalls:sys_enter_sysinfo", "sysinfo");
        assert_eq!(
            plan("The JVM's container support calls sysinfo() to read memory totals. Show sysinfo() calls per second for each process name.", &sysinfo),
            "on tracepoint:syscalls:sys_enter_sysinfo: count by comm, every 1 s"
        );
        // One constant of the parenthesis with a known prefix (IPC_RMID) says what "command" is.
        let semctl = named("tracepoint:syscalls:sys_enter_semctl", "semctl");
        assert_eq!(
            plan("Break down semctl() calls by process and command (SETVAL, GETVAL, IPC_RMID and so on), just the counts.", &semctl),
            "on tracepoint:syscalls:sys_enter_semctl: count by comm, cmd"
        );
        assert_eq!(plan("Count semctl() calls by command.", &semctl), "on tracepoint:syscalls:sys_enter_semctl: count by comm");
        // An initial and the word itself: "protection key" is `pkey`, beside "protection bits".
        let pkey = named("tracepoint:syscalls:sys_enter_pkey_mprotect", "pkey_mprotect");
        assert_eq!(
            plan("Log pkey_mprotect() calls: start address, length, protection bits and the protection key, plus the process name.", &pkey),
            "on tracepoint:syscalls:sys_enter_pkey_mprotect: print comm, pid, start, len, prot, pkey"
        );
        // The call said to be not what is meant, and the family by its version, are read.
        let wait = named("tracepoint:syscalls:sys_enter_futex_wait", "futex_wait");
        assert!(plan("We moved to the new futex2 futex_wait() syscall (not the old futex()). Histogram of how long threads block in it, in milliseconds.", &wait)
            .starts_with("on tracepoint:syscalls:sys_exit_futex_wait (started at tracepoint:syscalls:sys_enter_futex_wait"));
    }

    #[test]
    fn what_the_words_leave_out_is_unread_and_what_they_say_in_passing_is_not() {
        // A key the list goes on to that the record has no field for.
        let syslog = named("tracepoint:syscalls:sys_enter_syslog", "syslog");
        assert!(plan("Count syslog() calls by process name and action number.", &syslog).contains("unread [\"action\"]"));
        assert_eq!(plan("Count syslog() calls by process name, printed every second.", &syslog), "on tracepoint:syscalls:sys_enter_syslog: count by comm, every 1 s");
        // A verb's form of a field's name nothing read ("when it would have expired": `expires`).
        let alarm = described(&["tracepoint:alarmtimer:alarmtimer_cancel"], &["alarm", "cancelled"]);
        assert!(plan("print each alarm timer that gets cancelled: which task, the alarm type, when it would have expired and the time now", &alarm).contains("\"expired\""));
        // What is counted, when the event was read from everyday words.
        assert!(
            plan("Show how many inotify instances each process creates per second.", &Grounding { events: vec![], servable: Servable::Here, told: vec![] }).contains("\"inotify\"")
        );
        // The most of an amount is a sum; a size field by its name's shape (`bufsiz`).
        let getdents = named("tracepoint:syscalls:sys_enter_getdents64", "getdents64");
        assert_eq!(plan("Which 5 processes read the most bytes via getdents64?", &getdents), "on tracepoint:syscalls:sys_exit_getdents64 where ret > 0: sum of ret by comm, top 5");
        let write = named("tracepoint:syscalls:sys_enter_write", "write");
        assert!(!plan("Count write() calls of at most 4096 bytes per process", &write).contains("sum"), "a bound, not a sum");
        let readlinkat = named("tracepoint:syscalls:sys_enter_readlinkat", "readlinkat");
        assert_eq!(plan("average buffer size passed to readlinkat(), per process", &readlinkat), "on tracepoint:syscalls:sys_enter_readlinkat: avg of bufsiz by comm");
        // "plain dup()" is dup alone; the story's "file descriptors" ask for nothing.
        let dup = named("tracepoint:syscalls:sys_enter_dup", "dup");
        assert_eq!(
            plan("An old daemon leaks file descriptors and we think it is from plain dup() calls. Count dup() per process.", &dup),
            "on tracepoint:syscalls:sys_enter_dup: count by comm"
        );
        assert_eq!(
            plan("Count dup() calls per process.", &dup),
            "on tracepoint:syscalls:sys_enter_dup, tracepoint:syscalls:sys_enter_dup2, tracepoint:syscalls:sys_enter_dup3: count by comm"
        );
    }

    #[test]
    fn a_value_asked_in_a_base_and_a_story_that_names_the_event_too() {
        // "showing up" appears, it shows nothing; the story names flock before the ask does.
        let flock = named("tracepoint:syscalls:sys_enter_flock", "flock");
        assert_eq!(
            plan("Files keep showing up locked on the export and I suspect a batch job calls flock. Log each flock() call: process name, pid, and the cmd in hex.", &flock),
            "on tracepoint:syscalls:sys_enter_flock: print comm, pid, cmd in hex"
        );
        let program = crate::plan::emit::bpftrace(read("log each flock call with the fd and the cmd in octal", &flock, &catalog()).complete().expect("complete"));
        assert!(program.contains("0%-7o") && program.contains("args->cmd"), "{program}");
    }

    #[test]
    fn story_folds_and_listed_fields_ask_nothing() {
        let g = Grounding { events: vec![], servable: Servable::Here, told: vec![] };
        // A fold's word in the story before the ask.
        assert_eq!(
            plan("We hit the max connection limit on the proxy last week. Log each openat call with the filename.", &g),
            "on tracepoint:syscalls:sys_enter_openat: print comm, pid, filename"
        );
        // "count" listed among the values is the record's field, not a count.
        assert_eq!(plan("for each read call print comm, fd and count", &g), "on tracepoint:syscalls:sys_enter_read: print comm, pid, fd, count");
        // The story's tool ("top shows …") and how the story looked ("… every second") ask for
        // no ranking and no interval.
        let told = plan("Load is high but top shows nothing obvious. We ran ps every second and saw nothing. Count reads per process name.", &g);
        assert!(!told.contains("top 10") && !told.contains("every"), "{told}");
        assert!(plan("Count reads per process name every second, top 5", &g).contains("every 1 s"));
        // What failed in the story ("… every second didn't catch it") asks for nothing; the
        // ask's "per second" is the rate.
        let rate = plan("ps every second didn't catch anything either. Can we get the number of reads per second?", &g);
        assert!(rate.contains("every 1 s") && !rate.contains("incomplete"), "{rate}");
        // "latency-sensitive" says what a thing is; "lat" is jargon for latency.
        let sensitive = read("Our latency-sensitive daemon reads a lot. Can I get a count of reads per process name?", &g, &catalog());
        assert!(sensitive.complete().is_some(), "{:?} {:?}", sensitive.gaps, sensitive.unread);
        // A breakdown no key reads is left to the model.
        let split = read("Count reads per process name, split into small ones and big ones", &g, &catalog());
        assert!(split.unread.contains(&"split".to_string()), "{:?}", split.unread);
        // A daemon named in the question is whose reads, which nothing else read: left unread,
        // not dropped.
        let daemon = read("Who keeps reading so much in our tickd daemon? Count reads per process name.", &g, &catalog());
        assert!(daemon.unread.contains(&"tickd".to_string()), "{:?}", daemon.unread);
        assert!(plan("avg read lat per comm, usecs", &g).contains("avg of latency"), "{}", plan("avg read lat per comm, usecs", &g));
    }

    #[test]
    fn an_event_named_with_its_end_is_one_event() {
        let both = named_each(&[("tracepoint:compaction:mm_compaction_begin", "mm_compaction_begin"), ("tracepoint:compaction:mm_compaction_end", "mm_compaction_end")]);
        assert_eq!(
            plan("compaction passes: time from mm_compaction_begin to mm_compaction_end, log2 histogram in usecs", &both),
            "on tracepoint:compaction:mm_compaction_end (started at tracepoint:compaction:mm_compaction_begin, matched by thread): hist of latency (in usecs)"
        );
        // The start and the end as prefixes of the name.
        let reaping = named_each(&[("tracepoint:oom:start_task_reaping", "start_task_reaping"), ("tracepoint:oom:finish_task_reaping", "finish_task_reaping")]);
        assert_eq!(
            plan("how long does the reaper take (start_task_reaping -> finish_task_reaping)? histogram in ms", &reaping),
            "on tracepoint:oom:finish_task_reaping (started at tracepoint:oom:start_task_reaping, matched by thread): hist of latency (in msecs)"
        );
        let execute = named_each(&[("tracepoint:workqueue:workqueue_execute_start", "execute_start"), ("tracepoint:workqueue:workqueue_execute_end", "execute_end")]);
        assert_eq!(
            plan("top 10 workqueue work functions by total execution time (execute_start to execute_end), symbolized, in microseconds", &execute),
            "on tracepoint:workqueue:workqueue_execute_end (started at tracepoint:workqueue:workqueue_execute_start, matched by thread): sum of latency by function (in usecs), top 10"
        );
    }

    #[test]
    fn events_each_named_by_name_are_kept_apart() {
        let both = named_each(&[("tracepoint:block:block_rq_issue", "block_rq_issue"), ("tracepoint:sched:sched_process_fork", "sched_process_fork")]);
        assert_eq!(
            plan("which tasks cause the most block_rq_issue + sched_process_fork events, count by comm", &both),
            "on tracepoint:block:block_rq_issue, tracepoint:sched:sched_process_fork: count by probe, comm"
        );
    }

    #[test]
    fn values_people_say_in_their_own_words() {
        // A count's `nr` goes unsaid, a node is a NUMA node's id, and the one number the sentence
        // names is what is summed.
        let lru = named("tracepoint:vmscan:mm_vmscan_lru_shrink_inactive", "mm_vmscan_lru_shrink_inactive");
        assert_eq!(
            plan("pages reclaimed from the inactive LRU (mm_vmscan_lru_shrink_inactive), summed per NUMA node, every second", &lru),
            "on tracepoint:vmscan:mm_vmscan_lru_shrink_inactive: sum of nr_reclaimed by nid, every 1 s"
        );
        // Where in the kernel it happened is the record's call site.
        let kmalloc = named("tracepoint:kmem:kmalloc", "kmalloc");
        assert!(plan("kmalloc calls: print the process, the requested size and the kernel function that asked", &kmalloc).contains("call_site"));
        // Not a number another sentence names.
        let got = plan("the average per NUMA node of mm_vmscan_lru_shrink_inactive. Also how many pages were reclaimed.", &lru);
        assert!(got.starts_with("incomplete"), "{got}");
        // The time per call is the call's latency; who spends it is the process asked about.
        let pwrite = named("tracepoint:syscalls:sys_enter_pwrite64", "pwrite64");
        assert_eq!(
            plan("does postgres spend long in pwrite64? average time per call, in us, per thread", &pwrite),
            "on tracepoint:syscalls:sys_exit_pwrite64 (started at tracepoint:syscalls:sys_enter_pwrite64, matched by thread) where comm == \"postgres\": avg of latency by tid (in usecs)"
        );
        // Of two field names said together, the second is the thing.
        let execute = named("tracepoint:workqueue:workqueue_execute_start", "workqueue_execute_start");
        assert_eq!(plan("count workqueue_execute_start events per work function", &execute), "on tracepoint:workqueue:workqueue_execute_start: count by function");
    }

    #[test]
    fn the_average_and_the_worst_case_are_two_folds() {
        let write = named("tracepoint:syscalls:sys_enter_write", "write");
        assert_eq!(
            plan("average and worst-case write latency per process, in microseconds", &write),
            "on tracepoint:syscalls:sys_exit_write (started at tracepoint:syscalls:sys_enter_write, matched by thread): avg and max of latency by comm (in usecs)"
        );
        assert_eq!(
            plan("min, avg and max write latency", &write),
            "on tracepoint:syscalls:sys_exit_write (started at tracepoint:syscalls:sys_enter_write, matched by thread): avg and max and min of latency (in usecs)"
        );
        // A count stays one fold.
        assert_eq!(plan("count write calls per process", &write), "on tracepoint:syscalls:sys_enter_write: count by comm");
    }

    #[test]
    fn named_constants_say_which_field_they_are_values_of() {
        let madvise = named("tracepoint:syscalls:sys_enter_madvise", "madvise");
        // Listed as examples, the constants say what "advice value" is: madvise's behavior.
        assert_eq!(
            plan("count madvise() calls per process and advice value (MADV_DONTNEED, MADV_FREE, ...)", &madvise),
            "on tracepoint:syscalls:sys_enter_madvise: count by comm, behavior"
        );
        // Alternatives in a parenthesis, and the syscall named again after a story.
        let flock = named("tracepoint:syscalls:sys_enter_flock", "flock");
        assert_eq!(
            plan("jobs wrapped in flock(1) pile up. print each flock() syscall: command, pid, fd and the operation bits (LOCK_SH/LOCK_EX/LOCK_UN)", &flock),
            "on tracepoint:syscalls:sys_enter_flock: print comm, pid, fd, cmd"
        );
        // A constant of a field the record does not have is not read as another one.
        assert!(plan("count madvise() calls per process and lock kind (LOCK_SH, LOCK_EX)", &madvise).starts_with("incomplete"));
    }

    #[test]
    fn a_guess_at_the_cause_asks_nothing_and_a_count_said_twice_is_one() {
        let read_syscall = named("tracepoint:syscalls:sys_enter_read", "read");
        // The guess's field (fd) is the story; the ask is the next sentence.
        assert_eq!(
            plan("I suspect a poller spins on one fd. Tally read calls per process and show the counts every 2 seconds.", &read_syscall),
            "on tracepoint:syscalls:sys_enter_read: count by comm, every 2 s"
        );
        // A guess that is the whole request still asks.
        assert!(plan("I think one fd is read over and over, count read calls per process", &read_syscall).starts_with("incomplete"));
        // What a guess names precisely still constrains.
        assert!(plan("Maybe it is /etc/hosts. Count read calls per process.", &read_syscall).starts_with("incomplete"));
    }

    #[test]
    fn what_a_noun_names_again_and_what_the_story_denies() {
        let pivot = named("tracepoint:syscalls:sys_enter_pivot_root", "pivot_root");
        // "the new root dir": the path's noun says the field again; "our container runtime"
        // is a thing, not the cgroup.
        assert_eq!(
            plan("Pls log pivot_root calls, with the new root dir and the put_old dir. Our container runtime does something strange at start and I want to see it.", &pivot),
            "on tracepoint:syscalls:sys_enter_pivot_root: print comm, pid, new_root, put_old"
        );
        // "by which of the two it was": the calls counted apart.
        let both = named_each(&[("tracepoint:syscalls:sys_enter_sysfs", "sysfs"), ("tracepoint:syscalls:sys_enter_ustat", "ustat")]);
        assert_eq!(
            plan("Is any process still calling the obsolete sysfs(2) or ustat(2) system calls? Count by process name and by which of the two it was.", &both),
            "on tracepoint:syscalls:sys_enter_sysfs, tracepoint:syscalls:sys_enter_ustat: count by probe, comm"
        );
        // A constant in an aside with the call's name, spelling the word before it.
        let prctl = named("tracepoint:syscalls:sys_enter_prctl", "prctl");
        assert!(plan("who turns on no_new_privs? (prctl PR_SET_NO_NEW_PRIVS) comm + pid", &prctl).contains("where option == 38"));
        // The story's "went read-only" and "the log shows no I/O errors" ask nothing.
        let mount = named("tracepoint:syscalls:sys_enter_mount", "mount");
        let remount = plan(
            "INC-8812: at 03:12 the filesystem went read-only, and the kernel log shows no I/O errors, so we think something remounted it. Catch any mount() that has both MS_REMOUNT and MS_RDONLY set, and print the caller and the mount point.",
            &mount,
        );
        assert!(remount.starts_with("on tracepoint:syscalls:sys_enter_mount where flags & 0x20 != 0 and flags & 0x1 != 0: print"), "{remount}");
        // A result said as a number, with what it means in an aside.
        let poll = named("tracepoint:syscalls:sys_enter_poll", "poll");
        assert_eq!(plan("how many poll calls return 0 (timed out), per process name?", &poll), "on tracepoint:syscalls:sys_exit_poll where ret == 0: count by comm");
        // A negative result is the failure rule's; an aside with a key is the keys'.
        assert!(!plan("how many poll calls return -1, per process name?", &poll).contains("ret == -1"));
        assert_eq!(plan("count poll calls that return 0 (per process name)", &poll), "on tracepoint:syscalls:sys_exit_poll where ret == 0: count by comm");
        // "we don't know which one" asks nothing of the program.
        let both = named_each(&[("tracepoint:syscalls:sys_enter_sysfs", "sysfs"), ("tracepoint:syscalls:sys_enter_ustat", "ustat")]);
        assert!(!plan("Something calls sysfs or ustat; we don't know which one. Count them per comm.", &both).contains("by probe"));
        // Field names written as code are each a field, whatever their order.
        let migrate = named("tracepoint:sched:sched_migrate_task", "sched_migrate_task");
        assert!(plan("sched_migrate_task, one line per event: comm, pid, orig_cpu -> dest_cpu", &migrate).ends_with("orig_cpu, dest_cpu"));
        // A message the story quotes names no failure the ask does not ask for.
        let mmap = named("tracepoint:syscalls:sys_enter_mmap", "mmap");
        let big = plan("Our service dies with 'cannot allocate memory' even though free shows plenty of RAM. Print each mmap() call that asks for more than 256 MB, with the process name and the length", &mmap);
        assert!(big.starts_with("on tracepoint:syscalls:sys_enter_mmap where len > 268435456: print"), "{big}");
        // The story's latency and what it says of its calls ask for nothing; the ask's latency is the one read.
        let write = named("tracepoint:syscalls:sys_enter_write", "write");
        assert_eq!(
            plan("Our store serves GETs with small positional writes (write), and the p99 GET latency has doubled. I'd like a histogram of write latency in microseconds per process name.", &write),
            "on tracepoint:syscalls:sys_exit_write (started at tracepoint:syscalls:sys_enter_write, matched by thread): hist of latency by comm (in usecs)"
        );
        // Asked for, an access mode in words is left unread (no rule reads it), never dropped.
        let openat = named("tracepoint:syscalls:sys_enter_openat", "openat");
        assert!(plan("count openat calls that open files read-only, per process", &openat).starts_with("incomplete"));
    }

    #[test]
    fn numbers_fields_and_alternatives_the_words_give() {
        let write = named("tracepoint:syscalls:sys_enter_write", "write");
        // "broken down by" keys.
        assert!(plan("flock calls per process broken down by cmd", &named("tracepoint:syscalls:sys_enter_flock", "flock")).ends_with("count by comm, cmd"));
        // A record's number field by its name, then a number: a condition.
        assert!(plan("log each write to fd 1 with comm and pid", &write).starts_with("on tracepoint:syscalls:sys_enter_write where fd == 1: print comm, pid"));
        // "how many bytes" of each line is shown, not summed.
        assert_eq!(
            plan("only for cat processes: print every write() with how many bytes", &write),
            "on tracepoint:syscalls:sys_enter_write where comm == \"cat\": print comm, pid, count"
        );
        assert!(plan("how many bytes does each process write?", &write).contains("sum of count by comm"));
        // Slash-joined names are alternatives; "bytes/sec" a rate.
        assert_eq!(
            plan("count open/openat calls by process", &syscalls(&["openat", "open"])),
            "on tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_open: count by comm"
        );
        // A field the words spell whole wins over one they only begin with.
        let queue = named("tracepoint:workqueue:workqueue_queue_work", "workqueue_queue_work");
        assert_eq!(plan("count workqueue_queue_work events by workqueue", &queue), "on tracepoint:workqueue:workqueue_queue_work: count by workqueue");
    }

    #[test]
    fn events_named_side_by_side_are_kept_apart_by_probe() {
        assert_eq!(
            plan("count openat and close calls per process", &syscalls(&["openat", "close"])),
            "on tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_close: count by probe, comm"
        );
        assert_eq!(
            plan("how many forks and execs per second, side by side", &here()),
            "on tracepoint:sched:sched_process_exec, tracepoint:sched:sched_process_fork: count by probe, every 1 s"
        );
        // What one of them cannot say keeps the plan open: a latency from one to the other.
        assert!(plan("after a fork, how long until the child calls exec?", &here()).starts_with("incomplete"));
    }

    #[test]
    fn paths_listed_with_commas_are_one_list_and_a_quoted_name_of_another_thing_is_no_process() {
        let close = syscalls(&["close"]);
        let p = plan("print every openat of /tmp/a, /tmp/b or /tmp/c with comm", &syscalls(&["openat"]));
        assert!(p.contains(r#"starts with "/tmp/a" or "/tmp/b" or "/tmp/c""#), "{p}");
        let p = plan("Breakout check (the old 'shocker' exploit): print every close with comm and pid", &close);
        assert!(!p.contains("shocker") && !p.starts_with("incomplete"), "{p}");
        assert!(plan("print every close by 'nginx' with its pid", &close).contains(r#"comm == "nginx""#));
        assert!(plan("print every close (only from the 'pytest' test runner) with its pid", &close).contains(r#"comm == "pytest""#));
    }

    #[test]
    fn calls_listed_as_alternatives_fold_as_one() {
        let both = syscalls(&["openat", "close"]);
        assert_eq!(plan("count openat or close calls per process", &both), "on tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_close: count by comm");
        // Asked each apart, or listed with "and": by probe.
        assert_eq!(
            plan("count openat() or close() syscalls per process and per syscall", &both),
            "on tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_close: count by probe, comm"
        );
        assert_eq!(plan("count openat and close calls per process", &both), "on tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_close: count by probe, comm");
        // A line per event says which call it was; a full stop ends a list.
        assert!(plan("print each openat or close call with its comm and pid", &both).contains("print probe, comm, pid"));
        assert!(plan("count openat calls. or close calls. per process", &both).contains("by probe"));
    }

    #[test]
    fn a_value_is_read_where_it_is_written() {
        // "Processes" first, unread, does not hide "per process" from its key.
        assert_eq!(plan("Processes keep closing files. Count close calls per process.", &syscalls(&["close"])), "on tracepoint:syscalls:sys_enter_close: count by comm");
    }

    #[test]
    fn a_number_the_story_tells_filters_nothing_but_an_id_does() {
        let close = syscalls(&["close"]);
        assert_eq!(plan("We are auditing for 2038 problems. Count close calls per process.", &close), "on tracepoint:syscalls:sys_enter_close: count by comm");
        // An id, and a bound, are read as the filters they are.
        assert!(plan("Our service runs as pid 4242. Count close calls per process.", &close).contains("pid == 4242"));
        assert!(plan("Some of them take over 50 ms. Count close calls per process.", &close).contains("latency > 50"));
        // Only a plain numeral is the story's: an address, a program's name, an id's number are not.
        let plain = "on tracepoint:syscalls:sys_enter_close: count by comm";
        for told in [
            "Our database at 10.0.0.5 times out.",
            "Our python3 workers are slow.",
            "Process 4242 is leaking fds.",
            "Our logger writes to file descriptor 3.",
            "The jobs run as user: 1000.",
        ] {
            assert_ne!(plan(&format!("{told} Count close calls per process."), &close), plain, "{told}");
        }
    }

    #[test]
    fn the_ids_a_call_sets_are_its_records_and_the_callers_are_the_builtins() {
        let fchown = named("tracepoint:syscalls:sys_enter_fchown", "fchown");
        assert_eq!(plan("print each fchown with the program name and the new owner uid and gid", &fchown), "on tracepoint:syscalls:sys_enter_fchown: print comm, pid, user, group");
        let setuid = named("tracepoint:syscalls:sys_enter_setuid", "setuid");
        assert_eq!(plan("log setuid calls: process name, caller uid and the new uid", &setuid), "on tracepoint:syscalls:sys_enter_setuid: print comm, pid, uid, args->uid");
    }

    #[test]
    fn a_tcp_state_named_is_read_on_the_state_change() {
        let destroy = named("tracepoint:tcp:tcp_destroy_sock", "tcp_destroy_sock");
        // Grounded on another socket event, the words' state moves the plan to the record that
        // carries it; the state said twice is one value; "never did" is the story.
        assert_eq!(
            plan("sockets pile up in CLOSE_WAIT (our app never did). print each socket entering CLOSE_WAIT with its local and remote port", &destroy),
            "on tracepoint:sock:inet_sock_set_state where newstate == 8: print comm, pid, sport, dport"
        );
    }

    #[test]
    fn the_words_ask_for_a_time_or_do_not() {
        assert!(read("only for sleep: how long did each sleep really block?", &here(), &catalog()).timed);
        assert!(read("exec latency histogram", &here(), &catalog()).timed);
        assert!(!read("I think the latency is from the disk. Count writes per process.", &here(), &catalog()).timed, "a guess");
        assert!(!read("count writes per process every second", &here(), &catalog()).timed);
        assert!(!read("sum ext4's delayed-allocation extent lengths per process", &here(), &catalog()).timed, "a kind of allocation");
        assert!(read("show block writes delayed by more than 10ms", &here(), &catalog()).timed);
    }

    #[test]
    fn errnos_ending_in_an_ellipsis_are_examples_and_only_repeats_the_condition() {
        let openat = named("tracepoint:syscalls:sys_enter_openat", "openat");
        let p = plan("openat failures only (ENOENT, EACCES, ...): show the path and the process", &openat);
        assert!(p.contains("where ret < 0") && !p.starts_with("incomplete"), "{p}");
    }

    #[test]
    fn counts_and_their_keys() {
        assert_eq!(
            plan("count openat calls per process every second", &named("tracepoint:syscalls:sys_enter_openat", "openat")),
            "on tracepoint:syscalls:sys_enter_openat: count by comm, every 1 s"
        );
        // The woken task's pid is the record's, not the waker's.
        assert_eq!(plan("wakeups per pid, printed every 5 seconds", &here()), "on tracepoint:sched:sched_wakeup: count by args->pid, every 5 s");
        assert_eq!(plan("io_uring submissions by opcode", &named("tracepoint:io_uring:*", "io_uring")), "on tracepoint:io_uring:io_uring_submit_req: count by opcode");
        assert_eq!(plan("context switches per second", &here()), "on tracepoint:sched:sched_switch: count, every 1 s");
        assert!(!plan("how many system calls is each program making", &here()).contains("count by comm"), "no raw_syscalls in this catalog");
        // The words the event was described by name its field too.
        let described = Grounding {
            events: vec![crate::ground::Grounded {
                probe: "tracepoint:tcp:tcp_cong_state_set".into(),
                attach: Attach::Yes,
                evidence: Evidence::Described { words: vec!["congestion".into(), "state".into(), "tcp".into()], hooks: vec!["tracepoint:tcp:tcp_cong_state_set".into()] },
            }],
            servable: Servable::Here,
            told: vec![],
        };
        assert!(plan("mysqld is slow. count openat calls per process, mysqld only.", &here()).contains("comm == \"mysqld\""), "a name said twice");
        assert!(plan("histogram of openat() time in us", &here()).contains("hist of latency"), "{}", plan("histogram of openat() time in us", &here()));
        assert_eq!(plan("count SIGCHLD per receiving process", &here()), "on tracepoint:signal:signal_generate where sig == 17: count by args->comm");
        assert_eq!(plan("how often do tcp sockets enter each congestion state?", &described), "on tracepoint:tcp:tcp_cong_state_set: count by cong_state");
        // Two hooks of one record: the event stays open, the key does not.
        let both = ["tracepoint:compaction:mm_compaction_wakeup_kcompactd", "tracepoint:compaction:mm_compaction_kcompactd_wake"];
        let two = Grounding {
            events: both
                .iter()
                .map(|p| crate::ground::Grounded {
                    probe: p.to_string(),
                    attach: Attach::Yes,
                    evidence: Evidence::Described { words: vec!["kcompactd".into(), "wakeups".into()], hooks: vec![p.to_string()] },
                })
                .collect(),
            servable: Servable::Here,
            told: vec![],
        };
        let r = read("count kcompactd wakeups by requested order", &two, &catalog());
        assert!(r.complete().is_none() && r.gaps[0].contains("several events"), "{r:?}");
        assert_eq!(r.plan.map(|p| p.to_string()).as_deref(), Some(format!("on {}, {}: count by order", both[0], both[1]).as_str()));
        assert_eq!(plan("count tcp congestion state changes", &described), "on tracepoint:tcp:tcp_cong_state_set: count");
        assert_eq!(plan("top 10 processes by bytes written per second", &here()), "on tracepoint:syscalls:sys_exit_write where ret > 0: sum of ret by comm, top 10, every 1 s");
    }

    #[test]
    fn conditions_over_real_fields() {
        assert_eq!(
            plan("histogram of the byte counts passed to write(2), only for processes named dd", &named("tracepoint:syscalls:sys_enter_write", "write")),
            "on tracepoint:syscalls:sys_enter_write where comm == \"dd\": hist of count"
        );
        assert_eq!(
            plan("every open that fails with ENOENT, with the process name and the path", &here()),
            "on tracepoint:syscalls:sys_exit_openat, tracepoint:syscalls:sys_exit_open (started at tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_open, matched by thread) where ret == -2: print comm, pid, filename, errno"
        );
        assert_eq!(
            plan("mmaps with PROT_EXEC, by process", &named("tracepoint:syscalls:sys_enter_mmap", "mmaps")),
            "on tracepoint:syscalls:sys_enter_mmap where prot & 0x4 != 0: count by comm"
        );
        assert_eq!(plan("reads bigger than 64KB: print the process and the size", &here()), "on tracepoint:syscalls:sys_enter_read where count > 65536: print comm, pid, count");
        assert_eq!(plan("show who sends SIGTERM, with the target pid", &here()), "on tracepoint:signal:signal_generate where sig == 15: print comm, pid, args->pid");
        // A list item is not the noun of the field before it: "errno, code" is two values.
        assert_eq!(plan("print every signal sent: sig, errno, code and result", &here()), "on tracepoint:signal:signal_generate: print comm, pid, sig, errno, code, result");
        assert_eq!(
            plan("alert when a process gets SIGSEGV or SIGKILL", &here()),
            "on tracepoint:signal:signal_generate where sig in 11|9: print comm, pid, args->comm, sig, args->pid"
        );
        // Code written without spaces: a comparison, a list; "+" joins a list.
        assert_eq!(plan("reads with count>=65536 by comm", &here()), "on tracepoint:syscalls:sys_enter_read where count >= 65536: count by comm");
        assert_eq!(plan("openat errs (ret<0) count by comm,errno", &here()), "on tracepoint:syscalls:sys_exit_openat where ret < 0: count by comm, errno");
        assert_eq!(plan("reads: count by comm + fd", &here()), "on tracepoint:syscalls:sys_enter_read: count by comm, fd");
        assert_eq!(plan("reads: count by comm,pid,fd", &here()), "on tracepoint:syscalls:sys_enter_read: count by comm, pid, fd");
        // Before a ticket's "Ask:" label, the story: its rate and its path ask for no key and no
        // filter. Any errno Linux has is one.
        assert_eq!(
            plan("OPS-12 (Mon 09:10, Ana): the agent logs 'read failed' a few hundred times per run while it reads /srv/x. Ask: count each read() that fails with EBADMSG, per process name", &syscalls(&["read"])),
            "on tracepoint:syscalls:sys_exit_read where ret == -74: count by comm"
        );
        // A question's mark after an errno is no guess; the refusal is said with its errno.
        assert_eq!(
            plan("which programs get refused with EACCES by setpriority()?", &syscalls(&["setpriority"])),
            "on tracepoint:syscalls:sys_exit_setpriority (started at tracepoint:syscalls:sys_enter_setpriority, matched by thread) where ret == -13: print comm, pid, which, who, niceval, errno"
        );
        // The old and the new name of a record that has both; a link's target is its old name.
        assert_eq!(
            plan("print each symlink() that fails with EEXIST: the link path and the target", &syscalls(&["symlink"])),
            "on tracepoint:syscalls:sys_exit_symlink (started at tracepoint:syscalls:sys_enter_symlink, matched by thread) where ret == -17: print comm, pid, newname, oldname, errno"
        );
        assert_eq!(
            plan("count failed rename() calls by source path", &syscalls(&["rename"])),
            "on tracepoint:syscalls:sys_exit_rename (started at tracepoint:syscalls:sys_enter_rename, matched by thread) where ret < 0: count by oldname"
        );
        // The task an event is done to, where its record names it; the sender said as such.
        assert_eq!(plan("which processes are woken up most often? top 10", &here()), "on tracepoint:sched:sched_wakeup: count by args->comm, top 10");
        assert_eq!(plan("count signals per sender process and signal number", &here()), "on tracepoint:signal:signal_generate: count by comm, sig");
        assert_eq!(plan("which processes send the most signals? top 5", &here()), "on tracepoint:signal:signal_generate: count by comm, top 5");
        assert_eq!(plan("files opened by root", &here()), "on tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_open where uid == 0: print comm, pid, filename");
        // The subject of a question, and a program this host has after "by", are process names;
        // a name the reader cannot place keeps the reading incomplete.
        assert_eq!(
            plan("what files does bash open", &here()),
            "on tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_open where comm == \"bash\": print comm, pid, filename"
        );
        assert_eq!(
            plan("files opened by sh", &here()),
            "on tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_open where comm == \"sh\": print comm, pid, filename"
        );
        assert!(plan("files opened by frobnicator", &here()).contains("unread [\"frobnicator\"]"));
        assert_eq!(
            plan("files unlinked under /tmp", &named("tracepoint:syscalls:sys_enter_unlink", "unlinked")),
            "on tracepoint:syscalls:sys_enter_unlink, tracepoint:syscalls:sys_enter_unlinkat where pathname starts with \"/tmp\": print comm, pid, pathname"
        );
    }

    #[test]
    fn values_by_the_names_the_format_prints() {
        let tlb = named("tracepoint:tlb:tlb_flush", "tlb");
        assert_eq!(plan("count TLB flushes caused by remote shootdown per process", &tlb), "on tracepoint:tlb:tlb_flush where reason == 1: count by comm");
        let drops = named("tracepoint:skb:kfree_skb", "drops");
        assert_eq!(
            plan("log packet drops with reason NO_SOCKET or TCP_CSUM: comm and protocol", &drops),
            "on tracepoint:skb:kfree_skb where reason in 3|10: print comm, pid, protocol"
        );
        // The kernel's whole enum name, and a negation.
        assert_eq!(plan("count drops that are not SKB_DROP_REASON_NOT_SPECIFIED by reason", &drops), "on tracepoint:skb:kfree_skb where reason != 2: count by reason");
        // An everyday word names a value only beside its field's name.
        let wb = named("tracepoint:writeback:writeback_start", "writeback");
        assert_eq!(plan("count writeback starts for reason periodic", &wb), "on tracepoint:writeback:writeback_start where reason == 3: count");
        assert_eq!(plan("count writeback starts during sync", &wb), "on tracepoint:writeback:writeback_start: count");
        // Values given as examples of what to show are not a condition.
        assert_eq!(plan("log every drop: the reason (like NO_SOCKET or TCP_CSUM) and the protocol", &drops), "on tracepoint:skb:kfree_skb: print comm, pid, reason, protocol");
        // Values compared are not a condition.
        assert!(plan("how often is a TLB flush a remote shootdown vs a local one", &tlb).contains("compared with other values of reason"));
    }

    #[test]
    fn close_events_are_told_apart_by_their_own_words() {
        let faults = described(&["tracepoint:exceptions:page_fault_kernel", "tracepoint:exceptions:page_fault_user"], &["page", "faults", "kernel", "user"]);
        // The aside's "user page" does not decide; the main clause's "kernel" does.
        let r = plan("Count the page faults taken in kernel mode (copy_to_user landing on a user page that isn't populated yet), per process", &faults);
        assert!(r.contains("plan Some(\"on tracepoint:exceptions:page_fault_kernel: count by comm\")"), "{r}");
        assert!(plan("count page faults in user space by process", &faults).starts_with("on tracepoint:exceptions:page_fault_user"));
        let lru = described(&["tracepoint:pagemap:mm_lru_activate", "tracepoint:pagemap:mm_lru_insertion"], &["lru", "pages"]);
        assert_eq!(plan("pages promoted to the active LRU list, per second", &lru), "on tracepoint:pagemap:mm_lru_activate: count, every 1 s");
        // Neither's own words said: still several.
        assert!(plan("LRU list pages per second", &lru).contains("several events"));
        // An event that ends at the event of its name without `_start`.
        let inode = named_each(&[
            ("tracepoint:writeback:writeback_single_inode_start", "writeback_single_inode_start"),
            ("tracepoint:writeback:writeback_single_inode", "writeback_single_inode"),
        ]);
        assert!(plan("time from writeback_single_inode_start to writeback_single_inode, histogram in us", &inode)
            .starts_with("on tracepoint:writeback:writeback_single_inode (started at tracepoint:writeback:writeback_single_inode_start"));
    }

    #[test]
    fn a_listed_value_nothing_read_leaves_the_reading_partial() {
        let sys = |name: &str, fields: &[(&str, &str)]| {
            vec![tp(&format!("tracepoint:syscalls:sys_enter_{name}"), fields), tp(&format!("tracepoint:syscalls:sys_exit_{name}"), &[("long", "ret")])]
        };
        let mut hooks = sys("tee", &[("int", "fdin"), ("int", "fdout"), ("size_t", "len"), ("unsigned int", "flags")]);
        hooks.extend(sys("process_madvise", &[("int", "pidfd"), ("const struct iovec *", "vec"), ("size_t", "vlen"), ("int", "behavior"), ("unsigned int", "flags")]));
        hooks.extend(sys("io_uring_enter", &[("unsigned int", "fd"), ("u32", "to_submit"), ("u32", "min_complete"), ("u32", "flags")]));
        hooks.push(tp("tracepoint:ext4:ext4_ext_map_blocks_enter", &[("ino_t", "ino"), ("ext4_lblk_t", "lblk"), ("unsigned int", "len"), ("unsigned int", "flags")]));
        let c = Catalog { key: KernelKey::current(), hooks, capabilities: Default::default(), tools: Default::default(), warnings: vec![] };
        let unread = |request: &str, g: &Grounding| {
            let r = read(request, g, &c);
            assert!(r.complete().is_none(), "{r:?}");
            r.unread
        };
        // "both fds", "the advice value", "the ring (ctx)" and "how many completions": values
        // the plan would leave out, though no word of them is one the reader knows.
        assert_eq!(unread("Only show tee() calls that duplicate more than 32 KiB: comm, both fds and the requested length.", &syscalls(&["tee"])), ["fds"]);
        assert_eq!(unread("Log each process_madvise call: who makes it, the pidfd, how many iovecs, and the advice value.", &syscalls(&["process_madvise"])), ["advice"]);
        assert_eq!(
            unread(
                "print every time a task blocks in io_uring_enter waiting for completions — the ring (ctx), how many completions it asked to wait for, and comm",
                &syscalls(&["io_uring_enter"])
            ),
            ["ring", "ctx", "completions"]
        );
        // Read, every item: a complete reading; the item that names the event, or says when or
        // why, is no value.
        let r = read("Only show tee() calls that duplicate more than 32 KiB: comm, the pipe fds (fdin, fdout) and the requested length.", &syscalls(&["tee"]), &c);
        assert!(r.complete().is_some(), "{r:?}");
        let r = read("log each tee call: comm and length, so we can find the culprit", &syscalls(&["tee"]), &c);
        assert!(r.complete().is_some(), "{r:?}");
        // "(dropped by truncate or hole punching)": what brings the event about, not who, and
        // no key.
        let write = syscalls(&["write"]);
        let r = read("Count write calls (issued by truncate or hole punching), per process name.", &write, &catalog());
        let p = r.plan.as_ref().expect("a plan").to_string();
        assert!(!p.contains("comm ==") && !r.gaps.iter().any(|g| g.contains("truncate")), "{r:?}");
        // A grouping said in an aside is a key; "opened by bash and …" still names bash.
        assert_eq!(plan("count write calls (grouped by comm)", &write), "on tracepoint:syscalls:sys_enter_write: count by comm");
        assert!(plan("trace write calls issued by bash and print the fd", &write).contains("comm == \"bash\""));
        // A negative number keeps its sign.
        let r = read("show write calls where ret == -1: comm, fd", &write, &catalog());
        let p = r.plan.as_ref().expect("a plan").to_string();
        assert!(p.contains("ret == -1"), "{r:?}");
        // An initial and an abbreviation name a field: "logical block" is `lblk`.
        let r = read("Log each ext4_ext_map_blocks_enter: inode, logical block, length", &named("tracepoint:ext4:ext4_ext_map_blocks_enter", "ext4_ext_map_blocks_enter"), &c);
        assert!(r.complete().is_some_and(|p| p.to_string().ends_with("print comm, pid, ino, lblk, len")), "{r:?}");
    }

    #[test]
    fn a_pair_described_in_the_ask_beats_an_everyday_phrase_of_the_story() {
        let lease = |name: &str| {
            tp(
                &format!("tracepoint:filelock:{name}"),
                &[("struct file_lease *", "fl"), ("unsigned long", "i_ino"), ("dev_t", "s_dev"), ("struct file_lock_core *", "blocker"), ("unsigned int", "flags")],
            )
        };
        let mut c = catalog();
        c.hooks.extend([lease("break_lease_block"), lease("break_lease_unblock")]);
        let g = described(&["tracepoint:filelock:break_lease_unblock", "tracepoint:filelock:break_lease_block"], &["break", "lease", "unblock", "blocked"]);
        let request = "Opens on our file server sometimes hang because another process holds a lease and the kernel has to break it first. Measure how long each opener stays blocked, from the lease-break block to the unblock for the same inode, as a histogram in milliseconds.";
        let r = read(request, &g, &c);
        // "the same inode" names `i_ino`, a member's prefix unsaid.
        assert_eq!(
            r.complete().map(|p| p.to_string()).as_deref(),
            Some("on tracepoint:filelock:break_lease_unblock (started at tracepoint:filelock:break_lease_block, matched by i_ino): hist of latency (in msecs)"),
            "{r:?}"
        );
    }

    #[test]
    fn story_words_and_lists_are_not_conditions() {
        let mknod = named("tracepoint:syscalls:sys_enter_mknodat", "mknodat");
        assert_eq!(plan("mknodat watch -> comm, path, mode and dev number", &mknod), "on tracepoint:syscalls:sys_enter_mknodat: print comm, pid, filename, mode, dev");
        // "comm: nginx" names the process; "the root file system" is no user.
        assert!(plan("mknodat calls with comm: nginx", &mknod).contains("where comm == \"nginx\""));
        assert!(!plan("the root file system fills up; show every mknodat: comm and path", &mknod).contains("uid"));
        // A path with a place word in its own sentence is still a condition.
        assert!(plan("Only files under /tmp matter. Show every mknodat with comm and path", &mknod).contains("filename starts with \"/tmp\""));
        // A failure the story tells of, and "error output", are no condition.
        let write = syscalls(&["write"]);
        assert!(!plan("Our nightly backups keep failing. Show every write with comm and count", &write).contains("ret"));
        assert!(!plan("Something is swallowing error output: show every write with comm and count", &write).contains("ret"));
        assert!(plan("show every write that fails, with comm", &write).contains("ret < 0"));
        assert!(plan("Failed calls are what we are after. Show every write with comm", &write).contains("ret < 0"));
        // An errno the story reports is no condition of the ask, as a signal it reports is not.
        assert_eq!(
            plan("Our installer fails with ENOSPC from semget(). Report each semget() call that asks for more than 100 semaphores, with comm.", &syscalls(&["semget"])),
            "on tracepoint:syscalls:sys_enter_semget where nsems > 100: print comm, pid, key, nsems, semflg"
        );
        assert!(plan("Report each semget() call that fails with ENOSPC, with comm.", &syscalls(&["semget"])).contains("ret == -28"));
        // "the largest number of": a ranking by a count, not a maximum.
        assert!(!plan("which processes make the largest number of write calls?", &write).contains("max"));
        // "the last fd" is the record's upper bound of fds.
        let close_range = Catalog {
            key: KernelKey::current(),
            hooks: vec![
                tp("tracepoint:syscalls:sys_enter_close_range", &[("unsigned int", "fd"), ("unsigned int", "max_fd"), ("unsigned int", "flags")]),
                tp("tracepoint:syscalls:sys_exit_close_range", &[("long", "ret")]),
            ],
            capabilities: Default::default(),
            tools: Default::default(),
            warnings: vec![],
        };
        let g = syscalls(&["close_range"]);
        let r = read("Log every close_range() call: the process, the first fd, the last fd and the flags.", &g, &close_range);
        assert!(r.plan.as_ref().is_some_and(|p| p.to_string().contains("fd, max_fd, flags")), "{r:?}");
        // Numbered revisions of one call are one call.
        assert!(one_family(&["dup2".to_string(), "dup3".to_string()]) && one_family(&["epoll_create".to_string(), "epoll_create1".to_string()]));
        // "For every call print … how many bytes": a value of each line, not a total.
        assert!(plan("For every write call print the process, its pid and how many bytes it writes.", &write).starts_with("on tracepoint:syscalls:sys_enter_write: print"));
        // "only rsync's writes": the program whose events they are.
        let p = plan("print only rsync's write calls with their fd", &write);
        assert!(p.contains("comm == \"rsync\""), "{p}");
        // "largest" is a maximum.
        assert!(plan("for each process, what is the largest count a write asks for?", &write).contains("max of count"));
        // Root set aside in other words than "not root".
        assert!(plan("we do not care about root; show every mknodat: comm and path", &mknod).contains("uid != 0"));
        assert!(plan("show every mknodat with comm and path, ignoring root", &mknod).contains("uid != 0"));
        assert!(plan("show every mknodat with comm and path, only root", &mknod).contains("uid == 0"));
        // "the root filesystem" is no user.
        assert!(!plan("the app wrote onto the root filesystem; show every mknodat: comm and path", &mknod).contains("uid"));
        // A constant that names the thing the words before say ("a raw socket (SOCK_RAW)") is a
        // condition, with the flags its field carries beside it; never a value shown instead.
        let socket = named("tracepoint:syscalls:sys_enter_socket", "socket");
        let r = plan("any process opening a raw socket (SOCK_RAW): name, pid, family, type", &socket);
        assert_eq!(r, "on tracepoint:syscalls:sys_enter_socket where type in 3|2051|524291|526339: print comm, pid, family, type");
        // What "top N" ranks is a key; "by number of" is the ranking, not a key.
        let pages = named("tracepoint:writeback:writeback_pages_written", "writeback_pages_written");
        let r = plan("top 10 inodes by number of pages from writeback_pages_written", &pages);
        assert!(r.contains("unread [\"inodes\"") && !r.contains("by pages"), "{r}");
        // Of two sizes, the one the words name.
        let kmalloc = named("tracepoint:kmem:kmalloc", "kmalloc");
        assert!(
            plan("kmalloc calls asking for more than 32 KB: print the process and the requested size", &kmalloc).contains("where bytes_req > 32768: print comm, pid, bytes_req")
        );
        assert!(plan("kmallocs of more than 4096 bytes allocated: print the size", &kmalloc).contains("where bytes_alloc > 4096: print"));
        let r = plan("kmalloc waste per call site: bytes_alloc minus bytes_req, summed", &kmalloc);
        assert!(r.contains("what to fold") && !r.contains("sum of bytes"), "{r}");
        // Two words that are one field's name are a value, not a count or a failure.
        let mc = named("tracepoint:ras:mc_event", "mc_event");
        assert_eq!(plan("print each mc_event with its error type, error count and label", &mc), "on tracepoint:ras:mc_event: print comm, pid, error_type, error_count, label");
        // A syscall named only in a sentence that asks for nothing is the story's, not the event.
        let r = plan("Our loader maps files with mmap, so my mmap tracing never sees the writes. Show every pwrite64 call: comm and fd", &syscalls(&["mmap", "pwrite64"]));
        assert!(r.starts_with("on tracepoint:syscalls:sys_enter_pwrite64: print comm, pid, fd"), "{r}");
        // A sentence of the story that asks for nothing names nothing to show.
        let r = plan("Yesterday one of our containers lost its device nodes. I want to see every mknodat: comm and path", &mknod);
        assert!(!r.contains("cgroup") && r.contains("print comm, pid, filename"), "{r}");
        // A path in the story, away from the event's words, is no condition; where the ask
        // takes them wherever they happen, it is where it happened.
        let unlink = named("tracepoint:syscalls:sys_enter_unlink", "unlink");
        let r = plan("Last night the /data volume went missing. Show every unlink on the box with the process and the path", &unlink);
        assert!(!r.contains("starts with") && !r.contains("incomplete"), "{r}");
        let r = plan("Last night the /data volume went missing. Show every unlink with the process and the path", &unlink);
        assert!(!r.contains("starts with") && r.contains("\"/data\""), "{r}");
        // "only" with a condition its sentence states, and the errno's number quoted with its
        // message, are read.
        assert_eq!(
            plan(
                "log says 'accept4() failed (24: Too many open files)'. Print only the accept4 calls that fail with EMFILE, with the process name",
                &named("tracepoint:syscalls:sys_enter_accept4", "accept4")
            ),
            "on tracepoint:syscalls:sys_exit_accept4 (started at tracepoint:syscalls:sys_enter_accept4, matched by thread) where ret == -24: print comm, pid, fd, flags, errno"
        );
        assert!(plan("which 4 KB reads take longer than 10 ms?", &here()).contains("unread [\"4\"]"));
        assert!(plan("top 5 busiest processes by number of reads", &here()).contains("count by comm, top 5"));
        assert_eq!(plan("which 5 processes open the most files", &here()), "on tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_open: count by comm, top 5");
    }

    #[test]
    fn latencies_pair_a_start_with_its_end() {
        assert_eq!(
            plan("latency of write(2) for dd only, histogram in usecs", &named("tracepoint:syscalls:sys_enter_write", "write")),
            "on tracepoint:syscalls:sys_exit_write (started at tracepoint:syscalls:sys_enter_write, matched by thread) where comm == \"dd\": hist of latency (in usecs)"
        );
        assert_eq!(
            plan("disk I/O latency as a histogram", &here()),
            "on tracepoint:block:block_rq_complete (started at tracepoint:block:block_rq_issue, matched by dev, sector): hist of latency (in usecs)"
        );
        // One of the fields a start is matched by is a key all the same: many requests per device.
        let per_device = plan("blk io latency histogram per dev", &here());
        assert!(per_device.ends_with("hist of latency by dev (in usecs)"), "{per_device}");
    }

    #[test]
    fn who_spends_the_time_what_is_said_of_a_subject_and_counts_by_their_things() {
        // "of time threads spend": what is measured, and no program named "time".
        assert_eq!(
            plan("histogram of time threads spend inside recvmsg(), in microseconds", &syscalls(&["recvmsg"])),
            "on tracepoint:syscalls:sys_exit_recvmsg (started at tracepoint:syscalls:sys_enter_recvmsg, matched by thread): hist of latency (in usecs)"
        );
        // "split by whether the flush was forced": the key is what is said of the flush.
        assert_eq!(
            plan(
                "Count memory cgroup statistics flushes per process name, split by whether the flush was forced.",
                &named("tracepoint:memcg:memcg_flush_stats", "memcg_flush_stats")
            ),
            "on tracepoint:memcg:memcg_flush_stats: count by comm, force"
        );
        // A plain number compares the count named before it, the linking word read too.
        assert_eq!(
            plan("print semget() calls whose nsems is over 30, with comm", &syscalls(&["semget"])),
            "on tracepoint:syscalls:sys_enter_semget where nsems > 30: print comm, pid, key, nsems, semflg"
        );
        // Not across a sentence's end: the next one's "A" is no rate.
        assert!(plan("log semget() calls asking for more than 64 semaphores. A line each, with comm and key", &syscalls(&["semget"])).contains("nsems > 64"));
        // "more than 64 semaphores": a count field's n before the things' abbreviation.
        assert_eq!(
            plan("print semget() calls asking for more than 64 semaphores, with comm and key", &syscalls(&["semget"])),
            "on tracepoint:syscalls:sys_enter_semget where nsems > 64: print comm, pid, key"
        );
    }

    #[test]
    fn of_close_events_the_one_whose_record_settles_the_words_is_read() {
        let described_each = |probes: &[&str], words: &[&str]| Grounding {
            events: probes
                .iter()
                .map(|p| crate::ground::Grounded {
                    probe: p.to_string(),
                    attach: Attach::Yes,
                    evidence: Evidence::Described { words: words.iter().map(|w| w.to_string()).collect(), hooks: vec![p.to_string()] },
                })
                .collect(),
            servable: Servable::Here,
            told: vec![],
        };
        // (Words the everyday vocabulary does not know, which would decide by itself.)
        let allocs = described_each(&["tracepoint:kmem:mm_page_alloc", "tracepoint:dma:dma_alloc_pages"], &["pages", "handed"]);
        assert_eq!(plan("pages handed out per order, every 5 seconds", &allocs), "on tracepoint:kmem:mm_page_alloc: count by order, every 5 s");
        // Both records settle "per order": which one stays open.
        let zone = described_each(&["tracepoint:kmem:mm_page_alloc", "tracepoint:kmem:mm_page_alloc_zone_locked"], &["pages", "handed"]);
        let both = plan("pages handed out per order, every 5 seconds", &zone);
        assert!(both.contains("several events"), "{both}");
    }

    #[test]
    fn the_kernels_name_for_the_thing_in_an_aside_is_the_events_word() {
        let cancel = described(&["tracepoint:timer:timer_cancel"], &["cancel", "timers"]);
        assert_eq!(plan("which 10 processes cancel the most kernel timers (timer_list)?", &cancel), "on tracepoint:timer:timer_cancel: count by comm, top 10");
        // Out of an aside, or of another subsystem, it is a word to read.
        assert!(plan("which 10 processes cancel the most kernel timers of the page_cache (vm_area)?", &cancel).contains("incomplete"));
    }

    #[test]
    fn constants_by_name_are_tests_of_their_field() {
        let lseek = syscalls(&["lseek"]);
        assert_eq!(plan("which programs call lseek with SEEK_END? comm and fd", &lseek), "on tracepoint:syscalls:sys_enter_lseek where whence == 2: print comm, pid, fd");
        // Values of one field are any of them, however they are joined.
        assert!(plan("count lseek calls with SEEK_CUR or SEEK_END per process", &lseek).contains("where whence in 1|2: count by comm"));
        assert!(plan("count SEEK_CUR/SEEK_END lseeks per process", &lseek).contains("whence in 1|2"));
        // Bits joined by "or" are any of them; otherwise all.
        let mount = syscalls(&["mount"]);
        let both = plan("log mount calls with MS_BIND|MS_REC: comm and dir_name", &mount);
        assert!(both.contains("flags & 0x1000 != 0 and flags & 0x4000 != 0"), "{both}");
        let any = plan("log mount calls with MS_BIND or MS_MOVE: comm and dir_name", &mount);
        assert!(any.contains("flags & 0x3000 != 0"), "{any}");
        // A value whose field carries flags beside it: every combination.
        let futex = syscalls(&["futex"]);
        let wait = plan("count FUTEX_WAIT futex calls per thread", &futex);
        assert!(wait.contains("op in 0|128|256|384"), "{wait}");
        let prctl = syscalls(&["prctl"]);
        assert!(plan("show prctl(PR_SET_NAME) calls: comm and pid", &prctl).contains("option == 15"));
        // Listed after the value's name, they say what it is: shown, not tested.
        let shown = plan("log mount calls: comm and the flags it passes (MS_BIND, MS_REC)", &mount);
        assert!(!shown.contains("where") && shown.contains("flags"), "{shown}");
        // Constants of two fields joined by "or": either, which no one test says.
        let socket = named("tracepoint:syscalls:sys_enter_socket", "socket");
        let r = plan("any process opening a raw socket (SOCK_RAW) or an AF_PACKET socket: name, pid", &socket);
        assert!(r.contains("incomplete") && r.contains("\"AF_PACKET\""), "{r}");
        // Negated, it stays unread: no test says "not".
        let r = plan("count openat calls without O_CLOEXEC per process", &syscalls(&["openat"]));
        assert!(r.contains("\"O_CLOEXEC\"]") && r.contains("incomplete"), "{r}");
        // Negated anywhere in its clause, or beside other things: unread.
        let openat = syscalls(&["openat"]);
        for r in [
            "count openat calls that don't use O_CLOEXEC, per process",
            "count openat calls with neither O_CREAT nor O_EXCL, per process",
            "count openat calls with O_CREAT or some other flag, per process",
        ] {
            assert!(plan(r, &openat).starts_with("incomplete"), "{r}: {}", plan(r, &openat));
        }
        // The last word that joins a list says it.
        let all = plan("count openat calls with O_CREAT, O_EXCL and O_TRUNC per process", &openat);
        assert!(all.contains("flags & 0x40 != 0 and flags & 0x80 != 0 and flags & 0x200 != 0"), "{all}");
        // Another call's argument: the open's flag said of an mmap.
        let r = plan("count mmap calls of files opened with O_DIRECT, per process", &syscalls(&["mmap"]));
        assert!(r.contains("O_DIRECT is an argument of"), "{r}");
        // An aside that says more than the constant describes the thing: F_SETLK is one way.
        let r = plan("POSIX record locks (fcntl F_SETLK / lockf) taken, per process", &syscalls(&["fcntl"]));
        assert!(r.contains("incomplete") && !r.contains("cmd =="), "{r}");
        let creat = plan("opens that can create a file (O_CREAT in the flags): the path", &openat);
        assert!(creat.contains("flags & 0x40 != 0"), "{creat}");
        // Of a field the record lacks: said, not guessed.
        let r = plan("count close calls with SEEK_SET per process", &syscalls(&["close"]));
        assert!(r.contains("SEEK_SET is an argument of lseek"), "{r}");
    }

    #[test]
    fn a_family_shares_a_field_only_as_the_same_kind_and_flags_by_their_own_names() {
        // epoll_pwait2's `timeout` is a pointer to a timespec, epoll_pwait's milliseconds.
        assert_eq!(
            plan("What timeouts do event loops pass to epoll_pwait()? Histogram of the timeout argument (ms).", &syscalls(&["epoll_pwait"])),
            "on tracepoint:syscalls:sys_enter_epoll_pwait: hist of timeout"
        );
        // pidfd_open's flag by its own name; "pidfd" is no `pid`.
        assert_eq!(
            plan("Print the pidfd_open() calls that ask for a non-blocking pidfd (PIDFD_NONBLOCK): caller comm, pid and the pid being opened.", &syscalls(&["pidfd_open"])),
            "on tracepoint:syscalls:sys_enter_pidfd_open where flags & 0x800 != 0: print comm, pid, args->pid"
        );
        // A constant of a field the event does not have names another call, not meant.
        assert_eq!(
            plan("count futex_requeue calls (the futex2 syscall, not FUTEX_CMP_REQUEUE) by comm", &syscalls(&["futex_requeue"])),
            "on tracepoint:syscalls:sys_enter_futex_requeue: count by comm"
        );
    }

    #[test]
    fn an_everyday_call_word_after_an_article_and_its_description_is_a_noun() {
        let r = read("count connections made over a lossy WAN link, per process", &here(), &catalog());
        assert!(r.complete().is_none() && !r.plan.as_ref().is_some_and(|p| p.to_string().contains("sys_enter_link")), "{r:?}");
        assert_eq!(plan("count link calls per process", &here()), "on tracepoint:syscalls:sys_enter_link: count by comm");
        // A verb after its subject is still the call.
        assert!(plan("how many link calls does the daemon make per second", &here()).contains("sys_enter_link"));
        assert!(plan("how often does the daemon link files? count per process", &here()).contains("sys_enter_link"));
    }

    #[test]
    fn a_subsystems_event_by_an_irregular_verb() {
        let fuse = Grounding {
            events: vec![crate::ground::Grounded {
                probe: "tracepoint:fuse:*".into(),
                attach: Attach::Yes,
                evidence: Evidence::Subsystem { word: "fuse".into(), what: "FUSE".into(), functions: vec![] },
            }],
            servable: Servable::Here,
            told: vec![],
        };
        assert_eq!(plan("count FUSE requests sent, by opcode", &fuse), "on tracepoint:fuse:fuse_request_send: count by opcode");
    }

    #[test]
    fn two_events_of_one_subsystem_are_a_start_and_its_end() {
        // Matched by the object both records point to, the one said first starting.
        let wq = named_each(&[("tracepoint:workqueue:workqueue_execute_start", "workqueue_execute_start"), ("tracepoint:workqueue:workqueue_queue_work", "workqueue_queue_work")]);
        assert_eq!(
            plan("time from workqueue_queue_work until workqueue_execute_start, histogram in usecs", &wq),
            "on tracepoint:workqueue:workqueue_execute_start (started at tracepoint:workqueue:workqueue_queue_work, matched by work): hist of latency (in usecs)"
        );
        // Or by the task the start names, in whose thread the end happens (no object shared).
        let signals = described(&["tracepoint:signal:signal_deliver", "tracepoint:signal:signal_generate"], &["delivered", "generates", "signal"]);
        assert_eq!(
            plan("when the kernel generates a signal for a task, how long until that task has it delivered? histogram in microseconds", &signals),
            "on tracepoint:signal:signal_deliver (started at tracepoint:signal:signal_generate, matched by pid = the thread of the end) where result == 0: hist of latency (in usecs)"
        );
        // Which starts, the words before each say ("Y … after X").
        assert!(plan("how long until workqueue_execute_start runs after workqueue_queue_work? histogram", &wq).contains("started at tracepoint:workqueue:workqueue_queue_work"));
        // "Y's time minus X's": X starts.
        let short = named_each(&[("tracepoint:workqueue:workqueue_execute_start", "execute_start"), ("tracepoint:workqueue:workqueue_queue_work", "queue_work")]);
        let got = plan("workqueue latency: execute_start time minus queue_work time, histogram", &short);
        assert!(got.starts_with("on tracepoint:workqueue:workqueue_execute_start (started at tracepoint:workqueue:workqueue_queue_work, matched by work)"), "{got}");
        // A span marked out by other events of the subsystem than the words found.
        let expiry = described(&["tracepoint:timer:hrtimer_expire_exit", "tracepoint:timer:hrtimer_expire_entry"], &["expires", "hrtimer"]);
        assert!(plan("how long does each hrtimer wait from start until it expires? histogram in microseconds", &expiry)
            .starts_with("on tracepoint:timer:hrtimer_expire_entry (started at tracepoint:timer:hrtimer_start, matched by hrtimer)"));
        assert!(plan("how long do hrtimer callbacks run when they expire? histogram", &expiry)
            .starts_with("on tracepoint:timer:hrtimer_expire_exit (started at tracepoint:timer:hrtimer_expire_entry"));
        // No time asked, or no word that orders them: two events, not a pair.
        assert!(!plan("delay of workqueue_execute_start relative to workqueue_queue_work, histogram", &wq).contains("started at"));
        assert!(!plan("count workqueue_queue_work and workqueue_execute_start per second", &wq).contains("started at"));
        assert!(!plan("latency of workqueue_queue_work and workqueue_execute_start", &wq).contains("started at"));
    }

    #[test]
    fn what_the_reader_cannot_settle_is_said() {
        for request in [
            "count opens except those by systemd",
            "log unlinks and mmaps",
            "show failed reads with the name of the file",
            "count writes bigger than 4096",
            "tcp reads per process",
            "print every open with its inode",
        ] {
            let r = read(request, &here(), &catalog());
            assert!(r.complete().is_none(), "{request}: {r:?}");
        }
        let r = read("frobnicate the widgets", &here(), &catalog());
        assert!(r.plan.is_none() && !r.gaps.is_empty(), "{r:?}");
        let r = read("latency of signals", &here(), &catalog());
        assert!(r.complete().is_none(), "signal_generate has no end event: {r:?}");
        // What the model's program is then held to: the name nothing read, the events named
        // side by side.
        let r = read("how many bytes does nginx push out via write? sum it every 10 s", &named("tracepoint:syscalls:sys_enter_write", "write"), &catalog());
        assert_eq!(r.names, ["nginx"], "{r:?}");
        let r = read("files opened and unlinked", &here(), &catalog());
        assert_eq!(r.events, ["opened", "unlinked"], "{r:?}");
        // Events the words name each are each traced; a slash joins two values of one noun; two
        // events may be set apart by "vs".
        let r = read("after a fork, how long until the child calls exec?", &here(), &catalog());
        assert_eq!(r.hooks.iter().map(|n| n.hooks[0].as_str()).collect::<Vec<_>>(), ["tracepoint:sched:sched_process_exec", "tracepoint:sched:sched_process_fork"], "{r:?}");
        let r = read("trace new processes being executed with their command line arguments", &here(), &catalog());
        assert!(r.hooks.is_empty(), "one event, described twice: {r:?}");
        let r = read("print each wakeup with the waker/wakee pids", &here(), &catalog());
        assert!(r.unread.iter().filter(|w| *w == "pids").count() <= 2, "{r:?}");
        let r = read("files opened vs files unlinked", &here(), &catalog());
        assert_eq!(r.events, ["opened", "unlinked"], "{r:?}");
        // An acronym, or a subject followed by a noun, names no program.
        let r = read("how long do DNS lookups take", &here(), &catalog());
        assert!(r.names.is_empty(), "{r:?}");
        let r = read("how long do dns lookups take", &here(), &catalog());
        assert!(r.names.is_empty(), "{r:?}");
        // "do" asks of a plural subject, a gerund is no program, and a program's processes
        // after it still name it.
        let w = named("tracepoint:syscalls:sys_enter_write", "write");
        for request in ["what count do callers pass to write?", "how long does writing back a page take in write?", "how many bytes do packets carry in write calls?"] {
            assert!(read(request, &w, &catalog()).names.is_empty(), "{request}");
        }
        assert_eq!(read("how many bytes do nginx workers write?", &w, &catalog()).names, ["nginx"]);
        assert_eq!(read("how many bytes do nginx and haproxy write?", &w, &catalog()).names, ["nginx"]);
        let r = read("how long do work items wait between queue_work and execution? histogram", &here(), &catalog());
        assert_eq!(r.hooks, [NamedHooks { word: "queue_work".into(), hooks: vec!["tracepoint:workqueue:workqueue_queue_work".into()] }], "{r:?}");
        let r = read("count opens of \"/etc/passwd\" by 'cron'", &here(), &catalog());
        assert!(r.names.iter().all(|n| n != "count"), "{r:?}");
    }
}
