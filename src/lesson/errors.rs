//! One-line errors for lesson files: "FILE:LINE: FIELD: what is wrong". toml's error has the byte span of the
//! offending value; the field's path (`pages[2].check`) is read back from the table headers above that line and
//! the key on it. A check that serde cannot make (an unknown preset) names its path; its line is found the other
//! way round.

use crate::format::echo;

/// The longest field path a message names, in characters (a header line can be any length).
const MAX_PATH_CHARS: usize = 80;
/// The longest reason a message gives (toml's messages quote the offending text).
const MAX_WHY_CHARS: usize = 300;

/// toml's error as one line.
pub fn one_line(file: &str, text: &str, e: &toml::de::Error) -> String {
    let message = e.message().lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ");
    let (file, message) = (echo(file, MAX_PATH_CHARS), echo(&message, MAX_WHY_CHARS));
    match e.span() {
        Some(span) => {
            let line = line_of_offset(text, span.start);
            // A missing field's span is its whole table: an inline table's key, never the first key inside it.
            let on_value = message.starts_with("missing field");
            let path = path_at(text, line, (column_of_offset(text, span.start), on_value));
            let field = if path.is_empty() { String::new() } else { format!("{}: ", echo(&path, MAX_PATH_CHARS)) };
            format!("{file}:{}: {field}{message}", line + 1)
        }
        None => format!("{file}: {message}"),
    }
}

/// A validation error at `path` as one line, with the line the field is on.
pub fn at_path(file: &str, text: &str, path: &str, why: &str) -> String {
    let line = line_of_path(text, path) + 1;
    format!("{}:{line}: {}: {}", echo(file, MAX_PATH_CHARS), echo(path, MAX_PATH_CHARS), echo(why, MAX_WHY_CHARS))
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count()
}

fn column_of_offset(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    offset - start
}

/// A table header line's name: `[[pages]]` → ("pages", true), `[pages.setup]` → ("pages.setup", false).
fn header(line: &str) -> Option<(&str, bool)> {
    let l = line.trim();
    if let Some(inner) = l.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
        return Some((inner.trim(), true));
    }
    l.strip_prefix('[').and_then(|r| r.split(']').next()).map(|inner| (inner.trim(), false))
}

/// The key a `key = value` line sets, when the error's column is on that key or its value (`on_value`: only on its
/// value).
fn key_of(line: &str, (column, on_value): (usize, bool)) -> Option<&str> {
    let eq = line.find('=')?;
    let key = line[..eq].trim();
    let indent = line.len() - line.trim_start().len();
    let plain = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"'));
    let from = if on_value { eq + 1 } else { indent };
    (plain && column >= from).then_some(key)
}

/// The dotted path of the field at (`line`, `column`): the headers above it, numbered, and the key on it.
fn path_at(text: &str, line: usize, column: (usize, bool)) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut current = String::new();
    let lines: Vec<&str> = text.lines().collect();
    for l in lines.iter().take(line + 1) {
        let Some((name, array)) = header(l) else { continue };
        if array {
            match counts.iter_mut().find(|(n, _)| n == name) {
                Some((_, k)) => *k += 1,
                None => counts.push((name.to_string(), 0)),
            }
            // A new array element resets the counts of the arrays inside it.
            counts.retain(|(n, _)| !n.starts_with(&format!("{name}.")));
        }
        current = numbered(name, &counts);
    }
    let key = lines.get(line).and_then(|l| key_of(l, column));
    match (current.is_empty(), key) {
        (_, None) => current,
        (true, Some(k)) => k.to_string(),
        (false, Some(k)) => format!("{current}.{k}"),
    }
}

/// `pages.setup.runs` with the arrays' current indices: `pages[1].setup.runs[0]`.
fn numbered(name: &str, counts: &[(String, usize)]) -> String {
    let mut out = String::new();
    let mut prefix = String::new();
    for part in name.split('.') {
        if !prefix.is_empty() {
            prefix.push('.');
            out.push('.');
        }
        prefix.push_str(part);
        out.push_str(part);
        if let Some((_, k)) = counts.iter().find(|(n, _)| *n == prefix) {
            out.push_str(&format!("[{k}]"));
        }
    }
    out
}

/// The line (from 0) of the field at `path` (`pages[2].setup.tab`): within its page, the first line setting its
/// last key; the page's header when none does.
fn line_of_path(text: &str, path: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0;
    let mut to = lines.len();
    if let Some(k) = path.strip_prefix("pages[").and_then(|r| r.split(']').next()).and_then(|k| k.parse().ok()) {
        let starts: Vec<usize> = (0..lines.len()).filter(|&i| header(lines[i]) == Some(("pages", true))).collect();
        let k: usize = k;
        from = starts.get(k).copied().unwrap_or(0);
        to = starts.get(k + 1).copied().unwrap_or(lines.len());
    }
    let last = path.rsplit('.').next().unwrap_or(path);
    let last = last.split('[').next().unwrap_or(last);
    (from..to)
        .find(|&i| {
            let l = lines[i].trim_start();
            l.split('=').next().is_some_and(|k| k.trim() == last && l.contains('='))
                || header(l).is_some_and(|(n, _)| n.rsplit('.').next() == Some(last))
        })
        .unwrap_or(from)
}

/// The first float literal of a lesson's TOML that would silently become another number (a non-zero literal that
/// rounds to 0 in f64, `lr = 1e-400`), as "FILE:LINE: KEY: 1e-400 rounds to 0 in f64 …"; `None` when every float
/// stands for itself (or the text does not parse: serde's own message says why).
pub fn float_literal_problem(file: &str, text: &str) -> Option<String> {
    let table = toml::de::DeTable::parse(text).ok()?;
    let (offset, key, literal, why) = bad_float_in_table(table.get_ref())?;
    let line = line_of_offset(text, offset) + 1;
    Some(format!("{}:{line}: {}: {literal} {why}", echo(file, MAX_PATH_CHARS), echo(&key, MAX_PATH_CHARS)))
}

/// Where, under which key, which literal and why: the first bad float of `table`, depth first.
type BadFloat = (usize, String, String, &'static str);

fn bad_float_in_table(table: &toml::de::DeTable<'_>) -> Option<BadFloat> {
    table.iter().find_map(|(key, value)| bad_float(key.get_ref(), value))
}

fn bad_float(key: &str, value: &toml::Spanned<toml::de::DeValue<'_>>) -> Option<BadFloat> {
    use toml::de::DeValue;
    match value.get_ref() {
        DeValue::Float(f) => crate::engine::real::parse_decimal(f.as_str())
            .err()
            .map(|why| (value.span().start, key.to_string(), f.as_str().to_string(), why)),
        DeValue::Table(t) => bad_float_in_table(t),
        DeValue::Array(items) => items.iter().find_map(|item| bad_float(key, item)),
        _ => None,
    }
}
