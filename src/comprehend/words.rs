//! The request's properties read from its own words, without the model: the fields it asks to
//! see ("with the pid and the path"), and the aggregation it names ("count … per process", "a
//! histogram of latency"). It costs nothing, so `gen` and `eval` check every program against it
//! by default; the model's comprehension (`--check-properties`) reads more, at seconds a request.
//!
//! Only what a phrase says outright is read. Filters are not: a filter on the entry of a latency
//! pair holds the exit only through a map the executor cannot follow, and a correct program
//! would be sent back.
//!
//! ```
//! use kgent::comprehend::{from_words, Aggregate, Field};
//! let p = from_words("show me which files processes open, with the pid and the path");
//! assert_eq!(p.emits, [Field::Filename, Field::Comm, Field::Pid]);
//! assert_eq!(from_words("count openat calls per process every second").aggregate, Some(Aggregate::Count { by: vec![Field::Comm] }));
//! ```

use super::language::{Aggregate, Field, Properties};

/// Words after which a clause lists what to show.
const SHOW: &[&str] = &["with", "show", "shows", "showing", "print", "prints", "printing", "log", "logs", "logging", "list", "listing", "including", "display", "report"];

/// Names of fields, longest first within a field so "file name" is not read as a process "name".
const NOUNS: &[(&str, Field)] = &[
    ("process id", Field::Pid),
    ("pids", Field::Pid),
    ("pid", Field::Pid),
    ("thread id", Field::Tid),
    ("tid", Field::Tid),
    ("file name", Field::Filename),
    ("filename", Field::Filename),
    ("pathname", Field::Filename),
    ("paths", Field::Filename),
    ("path", Field::Filename),
    ("files", Field::Filename),
    ("file", Field::Filename),
    ("directory", Field::Filename),
    ("directories", Field::Filename),
    ("process name", Field::Comm),
    ("command name", Field::Comm),
    ("program name", Field::Comm),
    ("comm", Field::Comm),
    ("command", Field::Comm),
    ("processes", Field::Comm),
    ("process", Field::Comm),
    ("program", Field::Comm),
    ("name", Field::Comm),
    ("user id", Field::Uid),
    ("uid", Field::Uid),
    ("signal number", Field::Signal),
    ("signal", Field::Signal),
    ("ports", Field::Port),
    ("port", Field::Port),
    ("addresses", Field::Addr),
    ("address", Field::Addr),
    ("byte count", Field::Size),
    ("bytes", Field::Size),
    ("sizes", Field::Size),
    ("size", Field::Size),
    ("errno", Field::Errno),
    ("error code", Field::Errno),
    ("return value", Field::Retval),
    ("return code", Field::Retval),
    ("stack trace", Field::Stack),
    ("backtrace", Field::Stack),
    ("stack", Field::Stack),
];

/// Keys of an aggregation: "per process", "by user", "for each cpu".
const KEYS: &[(&str, Field)] = &[
    ("process", Field::Comm),
    ("processes", Field::Comm),
    ("program", Field::Comm),
    ("programs", Field::Comm),
    ("command", Field::Comm),
    ("comm", Field::Comm),
    ("pid", Field::Pid),
    ("thread", Field::Tid),
    ("tid", Field::Tid),
    ("cpu", Field::Cpu),
    ("user", Field::Uid),
    ("uid", Field::Uid),
];

/// A sum of bytes: "how many bytes", "total bytes", "how much data".
const SUM: &[&str] = &["how many bytes", "number of bytes", "total bytes", "bytes in total", "sum of", "how much data"];
const HIST: &[&str] = &["histogram", "histograms", "distribution"];
const LATENCY: &[&str] = &["latency", "latencies", "how long", "duration", "durations", "time spent", "took", "stall"];
const SIZE: &[&str] = &["size", "sizes", "bytes", "byte counts", "length"];

/// Whether `phrase` occurs in `text` as whole words.
fn has_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + phrase.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric()) && !after.is_some_and(|c| c.is_alphanumeric())
    })
}

/// Words after a field's name that make it a filter's or an event's, not something to show:
/// "with uid 0", "with size over 1MB", "the name of each file".
const NOT_SHOWN_AFTER: &[&str] = &["over", "above", "under", "below", "less", "greater", "more", "larger", "bigger", "smaller", "than", "of", "equal", "is", "not"];

/// Words that end the list of what to show: "list processes that get a signal" shows the
/// processes; the signal is the event.
const CLAUSE_ENDS: &[&str] = &["that", "who", "when", "whenever", "where", "if", "as", "being", "while", "whose"];

/// The fields a clause's list names, each once.
fn nouns(list: &[&str], into: &mut Vec<Field>) {
    let end = list.iter().position(|w| CLAUSE_ENDS.contains(w)).unwrap_or(list.len());
    // A command line is the arguments, not the command's name.
    let mut rest = format!(" {} ", list[..end].join(" ")).replace(" command line ", " _ ");
    // Mark what a longer name took, so "file name" does not also read as a process "name".
    for (noun, field) in NOUNS {
        let pattern = format!(" {noun} ");
        while let Some(i) = rest.find(&pattern) {
            let after = rest[i + pattern.len()..].split_whitespace().next().unwrap_or_default();
            let filtered = after.starts_with(|c: char| c.is_ascii_digit()) || NOT_SHOWN_AFTER.contains(&after);
            if !filtered && !into.contains(field) {
                into.push(*field);
            }
            rest.replace_range(i + 1..i + pattern.len() - 1, &"_".repeat(noun.len()));
        }
    }
}

/// Whether the request asks for a count: a count word that is not a quantity's name ("byte
/// counts", "the page count").
fn asks_count(text: &str) -> bool {
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let quantity = |i: usize| i > 0 && ["byte", "page", "ref", "reference", "word", "line", "element"].contains(&words[i - 1]);
    words.iter().enumerate().any(|(i, w)| ["count", "counts", "counted", "tally"].contains(w) && !quantity(i))
        || ["how many", "number of", "how often"].iter().any(|p| has_phrase(text, p))
}

/// The properties the request's words state outright.
pub fn from_words(request: &str) -> Properties {
    let text: String = request
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() || c == ' ' || c == ',' || c == '.' || c == ';' || c == ':' || c == '?' || c == '!' { c } else { ' ' })
        .collect();
    let mut p = Properties::default();
    // The fields named after a word that asks to show them, to the end of the clause.
    for clause in text.split([',', '.', ';', ':', '?', '!']) {
        let words: Vec<&str> = clause.split_whitespace().collect();
        if let Some(at) = words.iter().position(|w| SHOW.contains(w)) {
            nouns(&words[at + 1..], &mut p.emits);
        }
    }
    let keys: Vec<Field> = {
        let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let mut keys = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let key_word = |j: usize| words.get(j).and_then(|k| KEYS.iter().find(|(n, _)| n == k)).map(|(_, f)| *f);
            let key = match *w {
                "per" | "by" | "each" => key_word(i + 1),
                "for" if words.get(i + 1) == Some(&"each") => key_word(i + 2),
                _ => None,
            };
            if let Some(k) = key.filter(|k| !keys.contains(k)) {
                keys.push(k);
            }
        }
        keys
    };
    let any = |list: &[&str]| list.iter().any(|w| has_phrase(&text, w));
    p.aggregate = if any(HIST) {
        if any(LATENCY) {
            Some(Aggregate::Hist { of: Field::Latency, by: keys })
        } else if any(SIZE) {
            Some(Aggregate::Hist { of: Field::Size, by: keys })
        } else {
            None
        }
    } else if any(SUM) {
        Some(Aggregate::Sum { of: Field::Bytes, by: keys })
    } else if asks_count(&text) {
        Some(Aggregate::Count { by: keys })
    } else {
        None
    };
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_a_request_asks_to_see() {
        assert_eq!(from_words("trace rmdir, showing the directory").emits, [Field::Filename]);
        assert_eq!(from_words("each fchmodat call with its path and the caller's uid").emits, [Field::Filename, Field::Uid]);
        assert_eq!(from_words("on every segfault, print the pid and name").emits, [Field::Pid, Field::Comm]);
        assert_eq!(from_words("print the file name").emits, [Field::Filename], "a file's name is not a process name");
        assert_eq!(from_words("log execs with the command line").emits, [], "a command line is not the command's name");
        assert_eq!(from_words("show sockets being bound, with the port and the process").emits, [Field::Comm, Field::Port]);
        assert!(from_words("trace new processes being executed").emits.is_empty(), "nothing asks to show anything");
        assert!(from_words("who is changing file permissions").emits.is_empty());
        // Filters and events are not something to show.
        assert!(from_words("count opens by processes with uid 0").emits.is_empty());
        assert!(from_words("reads with size over 1MB").emits.is_empty());
        assert_eq!(from_words("print the name of each file").emits, [Field::Filename]);
        assert_eq!(from_words("list processes that get a signal").emits, [Field::Comm]);
    }

    #[test]
    fn the_aggregation_a_request_names() {
        assert_eq!(from_words("count page faults by process").aggregate, Some(Aggregate::Count { by: vec![Field::Comm] }));
        assert_eq!(from_words("how many system calls is each program making").aggregate, Some(Aggregate::Count { by: vec![Field::Comm] }));
        assert_eq!(from_words("tally unlinks per process").aggregate, Some(Aggregate::Count { by: vec![Field::Comm] }));
        assert_eq!(from_words("how many bytes does each process read").aggregate, Some(Aggregate::Sum { of: Field::Bytes, by: vec![Field::Comm] }));
        assert_eq!(from_words("measure run queue latency as a histogram").aggregate, Some(Aggregate::Hist { of: Field::Latency, by: vec![] }));
        assert_eq!(from_words("a histogram of recvfrom sizes per cpu").aggregate, Some(Aggregate::Hist { of: Field::Size, by: vec![Field::Cpu] }));
        assert_eq!(from_words("histogram of things").aggregate, None, "a histogram of what the words do not say");
        assert_eq!(from_words("count it for each cpu").aggregate, Some(Aggregate::Count { by: vec![Field::Cpu] }));
        assert_eq!(from_words("show tcp connections").aggregate, None);
        assert_eq!(from_words("the byte counts passed to write(2)").aggregate, None, "a byte count is a quantity, not a count");
    }
}
