//! An exercise sheet ([`crate::engine::sheet::Sheet`]) and its answer key as a printable page: self-contained HTML
//! (no network: the styles inline, each exercise's data as a table and a small inline SVG plot, formulas in plain
//! Unicode, `@page` margins that fit both A4 and Letter, no exercise split across pages) or Markdown. The output is
//! a function of the sheet alone (no date, no path), so the same seed gives the same bytes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{ExportError, ExportReport, write_file};
use crate::engine::exercise::Exercise;
use crate::engine::sheet::Sheet;
use crate::format::repr;

/// The formats a sheet is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetFormat {
    /// A self-contained HTML page.
    Html,
    /// Markdown (data tables, no plot).
    Markdown,
}

/// The exercise sheet's text.
pub fn render_sheet(sheet: &Sheet, format: SheetFormat) -> String {
    match format {
        SheetFormat::Html => html_page(&title(sheet, "Exercise sheet"), &sheet_html(sheet)),
        SheetFormat::Markdown => sheet_markdown(sheet),
    }
}

/// The answer key's text: each exercise's exact answer, the tolerance it is graded with, and its worked solution.
pub fn render_key(sheet: &Sheet, format: SheetFormat) -> String {
    match format {
        SheetFormat::Html => html_page(&title(sheet, "Answer key"), &key_html(sheet)),
        SheetFormat::Markdown => key_markdown(sheet),
    }
}

/// Writes the sheet to `out` and, when given, the key to `key` (each atomically); the reports.
///
/// # Errors
/// [`ExportError::File`] naming the file that could not be written.
pub fn write_sheet_files(
    sheet: &Sheet,
    format: SheetFormat,
    out: &Path,
    key: Option<&Path>,
) -> Result<Vec<ExportReport>, ExportError> {
    let mut reports = vec![write_file(out, render_sheet(sheet, format).as_bytes())?];
    if let Some(key) = key {
        reports.push(write_file(key, render_key(sheet, format).as_bytes())?);
    }
    Ok(reports)
}

/// The answer key's path beside a sheet's: `sheet.html` → `sheet-key.html` (`-key` added to the file's stem).
pub fn key_path_beside(sheet: &Path) -> PathBuf {
    let stem = sheet.file_stem().map_or_else(|| "sheet".into(), |s| s.to_string_lossy().into_owned());
    let name = match sheet.extension() {
        Some(ext) => format!("{stem}-key.{}", ext.to_string_lossy()),
        None => format!("{stem}-key"),
    };
    sheet.with_file_name(name)
}

/// "Exercise sheet · seed 7 · 10 exercises".
fn title(sheet: &Sheet, what: &str) -> String {
    format!("{what} · seed {} · {} exercises", sheet.seed, sheet.exercises.len())
}

/// The command that grades a student's answers to this sheet.
pub fn grade_command(sheet: &Sheet) -> String {
    let kinds: Vec<&str> = sheet.kinds.iter().map(|k| k.name()).collect();
    let all = sheet.kinds == crate::engine::exercise::ExerciseKind::ALL;
    let kind = if all { String::new() } else { format!(" --kind {}", kinds.join(",")) };
    format!("descent exercise --grade answers.csv --sheet {} --seed {}{kind}", sheet.exercises.len(), sheet.seed)
}

/// How close an answer must be, in words.
fn within(e: &Exercise) -> String {
    if e.accept > 0.0 { format!("within ±{}", repr(e.accept)) } else { "exactly".to_string() }
}

/// The instructions at the top of a sheet.
fn instructions(sheet: &Sheet) -> String {
    format!(
        "Answer each question with a number: a decimal, a fraction or an expression (0.25, 1/15, 2e-3, 3/(2*14.5)). \
         Hand in a CSV file with the header question,answer and one line per question (1,0.25). \
         It is graded by: {}",
        grade_command(sheet)
    )
}

/// `text` with `&`, `<`, `>` and `"` escaped for HTML.
fn esc(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            c => s.push(c),
        }
    }
    s
}

/// The page's styles: margins that fit A4 (210 × 297 mm) and Letter (216 × 279 mm), black on white, no exercise
/// broken across pages.
const STYLE: &str = "@page { margin: 15mm; }\n\
body { font-family: serif; font-size: 11pt; color: #000; background: #fff; max-width: 180mm; margin: 0 auto; }\n\
h1 { font-size: 15pt; margin: 0 0 4pt 0; }\n\
p.note { font-size: 9pt; }\n\
section.exercise { break-inside: avoid; page-break-inside: avoid; border-top: 0.5pt solid #888; padding: 4pt 0; }\n\
h2 { font-size: 12pt; margin: 4pt 0; }\n\
.row { display: flex; gap: 8mm; align-items: flex-start; }\n\
table.data { border-collapse: collapse; font-size: 9pt; margin: 2pt 0; }\n\
table.data th, table.data td { border: 0.5pt solid #666; padding: 1pt 4pt; text-align: right; }\n\
svg { flex: none; }\n\
p.answer-line { margin-top: 6pt; }\n\
@media print { a { color: #000; } }\n";

/// A complete HTML page around `body`.
fn html_page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n\
         <style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{t}</h1>\n{body}</body>\n</html>\n",
        t = esc(title)
    )
}

/// The sheet's body: the instructions and each exercise.
fn sheet_html(sheet: &Sheet) -> String {
    let mut s = format!("<p class=\"note\">{}</p>\n", esc(&instructions(sheet)));
    for (i, e) in sheet.exercises.iter().enumerate() {
        let _ = write!(
            s,
            "<section class=\"exercise\">\n<h2>{n}. {label}</h2>\n<p>{q}</p>\n<div class=\"row\">\n<div>\n{table}\
             <p>{settings}</p>\n</div>\n{plot}</div>\n<p class=\"answer-line\">Answer ({within}): \
             ______________________</p>\n</section>\n",
            n = i + 1,
            label = esc(e.kind.label()),
            q = esc(&e.question),
            table = data_table_html(e),
            settings = esc(&e.settings_line()),
            plot = data_svg(e),
            within = esc(&within(e)),
        );
    }
    s
}

/// The key's body: each exercise's answer and worked solution.
fn key_html(sheet: &Sheet) -> String {
    let mut s = format!("<p class=\"note\">{}</p>\n", esc(&grade_command(sheet)));
    for (i, e) in sheet.exercises.iter().enumerate() {
        let _ = write!(
            s,
            "<section class=\"exercise\">\n<h2>{n}. {label}</h2>\n<p>{q}</p>\n\
             <p><strong>Answer:</strong> <span class=\"answer\">{a}</span> ({within}; exercise {kind} seed {seed})</p>\n\
             <p><strong>Solution:</strong> {why}</p>\n</section>\n",
            n = i + 1,
            label = esc(e.kind.label()),
            q = esc(&e.question),
            a = esc(&repr(e.answer)),
            within = esc(&within(e)),
            kind = e.kind.name(),
            seed = e.seed,
            why = esc(&e.explanation),
        );
    }
    s
}

/// The data as a table: a row of x and a row of y.
fn data_table_html(e: &Exercise) -> String {
    let row = |name: &str, v: &[f64]| {
        let cells: String = v.iter().map(|v| format!("<td>{}</td>", esc(&repr(*v)))).collect();
        format!("<tr><th>{name}</th>{cells}</tr>\n")
    };
    format!("<table class=\"data\">\n{}{}</table>\n", row("x", &e.x), row("y", &e.y))
}

/// The plot's size in CSS pixels, and its margin.
const PLOT_W: f64 = 200.0;
const PLOT_H: f64 = 140.0;
const PLOT_PAD: f64 = 12.0;

/// The data as a small scatter plot, with the axes x = 0 and y = 0 where they fall inside.
fn data_svg(e: &Exercise) -> String {
    let span = |v: &[f64]| {
        let lo = v.iter().copied().fold(0.0_f64, f64::min);
        let hi = v.iter().copied().fold(0.0_f64, f64::max);
        let pad = ((hi - lo) * 0.08).max(0.1);
        (lo - pad, hi + pad)
    };
    let ((x0, x1), (y0, y1)) = (span(&e.x), span(&e.y));
    let px = |x: f64| PLOT_PAD + (x - x0) / (x1 - x0) * (PLOT_W - 2.0 * PLOT_PAD);
    let py = |y: f64| PLOT_H - PLOT_PAD - (y - y0) / (y1 - y0) * (PLOT_H - 2.0 * PLOT_PAD);
    let mut s = format!(
        "<svg width=\"{PLOT_W}\" height=\"{PLOT_H}\" \
         viewBox=\"0 0 {PLOT_W} {PLOT_H}\" role=\"img\" aria-label=\"the data, y against x\">\n\
         <rect x=\"0.5\" y=\"0.5\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#888\"/>\n",
        PLOT_W - 1.0,
        PLOT_H - 1.0
    );
    // The span includes 0, so both axes are inside.
    let _ = writeln!(
        s,
        "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#666\" stroke-width=\"0.8\"/>",
        px(x0),
        py(0.0),
        px(x1),
        py(0.0)
    );
    let _ = writeln!(
        s,
        "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#666\" stroke-width=\"0.8\"/>",
        px(0.0),
        py(y0),
        px(0.0),
        py(y1)
    );
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"end\">x</text>\n\
         <text x=\"{:.1}\" y=\"10\" font-size=\"9\">y</text>",
        PLOT_W - 3.0,
        py(0.0) - 2.0,
        px(0.0) + 3.0
    );
    for (&x, &y) in e.x.iter().zip(&e.y) {
        let _ = writeln!(s, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"#000\"/>", px(x), py(y));
    }
    s.push_str("</svg>\n");
    s
}

/// The data as a Markdown table (a column per point).
fn data_table_markdown(e: &Exercise) -> String {
    let cells = |v: &[f64]| v.iter().map(|v| repr(*v)).collect::<Vec<_>>().join(" | ");
    let heads: Vec<String> = (1..=e.x.len()).map(|i| i.to_string()).collect();
    format!(
        "| i | {} |\n|---|{}\n| x | {} |\n| y | {} |\n",
        heads.join(" | "),
        "---|".repeat(e.x.len()),
        cells(&e.x),
        cells(&e.y)
    )
}

fn sheet_markdown(sheet: &Sheet) -> String {
    let mut s = format!("# {}\n\n{}\n", title(sheet, "Exercise sheet"), instructions(sheet));
    for (i, e) in sheet.exercises.iter().enumerate() {
        let _ = write!(
            s,
            "\n## {}. {}\n\n{}\n\n{}\n{}\n\nAnswer ({}): ______\n",
            i + 1,
            e.kind.label(),
            e.question,
            data_table_markdown(e),
            e.settings_line(),
            within(e)
        );
    }
    s
}

fn key_markdown(sheet: &Sheet) -> String {
    let mut s = format!("# {}\n\nGraded by: {}\n", title(sheet, "Answer key"), grade_command(sheet));
    for (i, e) in sheet.exercises.iter().enumerate() {
        let _ = write!(
            s,
            "\n## {}. {}\n\n{}\n\n**Answer:** {} ({}; exercise {} seed {})\n\n**Solution:** {}\n",
            i + 1,
            e.kind.label(),
            e.question,
            repr(e.answer),
            within(e),
            e.kind.name(),
            e.seed,
            e.explanation
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_sits_beside_the_sheet() {
        assert_eq!(key_path_beside(Path::new("/tmp/week 3.html")), PathBuf::from("/tmp/week 3-key.html"));
        assert_eq!(key_path_beside(Path::new("sheet")), PathBuf::from("sheet-key"));
        assert_eq!(esc("a < b & \"c\" > d"), "a &lt; b &amp; &quot;c&quot; &gt; d");
    }
}
