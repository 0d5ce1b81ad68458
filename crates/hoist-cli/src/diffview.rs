//! A file's diff for a terminal: unified like `git diff`, or split into two
//! columns, with the words that changed within a line in reverse video.

use hoist_core::diff::{FileChangeKind, FileDiff, Line, LineTag};

pub const GREEN: &str = "\x1b[32m";
pub const RED: &str = "\x1b[31m";
pub const YELLOW: &str = "\x1b[33m";
pub const CYAN: &str = "\x1b[36m";
pub const BOLD: &str = "\x1b[1m";
pub const DIM: &str = "\x1b[2m";
const REVERSE: &str = "\x1b[7m";
pub const RESET: &str = "\x1b[0m";

/// How diffs are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One column, `-` and `+` lines, as `git diff` prints them.
    Unified,
    /// Old and new side by side in a terminal this many columns wide.
    Split { width: usize },
}

impl Layout {
    /// Split when asked, as wide as the terminal says it is (`COLUMNS`), else 160.
    pub fn new(split: bool) -> Layout {
        if !split {
            return Layout::Unified;
        }
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(160);
        Layout::Split { width }
    }
}

/// The whole diff of one file: header, then its hunks.
pub fn file(diff: &FileDiff, layout: Layout, colour: bool) -> String {
    if matches!(diff.kind, FileChangeKind::Binary | FileChangeKind::Large) {
        return hoist_core::diff::unified(diff);
    }
    let paint = |code: &str, text: &str| {
        if colour {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    };
    let old_path = match &diff.kind {
        FileChangeKind::Renamed { from } => from.as_str(),
        _ => diff.path.as_str(),
    };
    let mut out = paint(BOLD, &format!("--- a/{old_path}\n+++ b/{}", diff.path));
    out.push('\n');
    for hunk in &diff.hunks {
        let header = format!(
            "@@ -{},{} +{},{} @@",
            hunk.old_start, hunk.old_len, hunk.new_start, hunk.new_len
        );
        out.push_str(&paint(CYAN, &header));
        out.push('\n');
        match layout {
            Layout::Unified => {
                for line in &hunk.lines {
                    out.push_str(&cell(line, usize::MAX, colour));
                    out.push('\n');
                }
            }
            Layout::Split { width } => {
                // Two columns of `nnnn ±text`, a bar between them.
                let column = (width.saturating_sub(3) / 2).max(24);
                let text = column - 5;
                for row in hoist_core::diff::side_by_side(hunk) {
                    let old = side(row.old.as_ref(), |l| l.old_no, text, colour);
                    let new = side(row.new.as_ref(), |l| l.new_no, text, colour);
                    let row = format!("{old} {} {new}", paint(DIM, "│"));
                    out.push_str(row.trim_end());
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// One side of a split row, padded to its column: the line number, then the line.
fn side(
    line: Option<&Line>,
    number: fn(&Line) -> Option<usize>,
    text: usize,
    colour: bool,
) -> String {
    match line {
        Some(l) => {
            let no = number(l).map_or_else(String::new, |n| n.to_string());
            format!("{no:>4}{}", cell(l, text, colour))
        }
        None => " ".repeat(text + 5),
    }
}

/// A line with its sign, cut to `width` characters of text (with `…`) and,
/// in a split view, padded to it; in colour, the changed words in reverse video.
fn cell(line: &Line, width: usize, colour: bool) -> String {
    let (sign, code) = match line.tag {
        LineTag::Context => (' ', None),
        LineTag::Added => ('+', Some(GREEN)),
        LineTag::Removed => ('-', Some(RED)),
    };
    let code = code.filter(|_| colour);
    let mut out = String::new();
    if let Some(code) = code {
        out.push_str(code);
    }
    out.push(sign);
    let cut = line.text.chars().count() > width;
    let keep = if cut { width - 1 } else { width };
    let mut shown = 0;
    let mut emphasised = false;
    for (at, ch) in line.text.char_indices() {
        if shown == keep {
            break;
        }
        if let Some(code) = code {
            let inside = line.emphasis.iter().any(|r| r.contains(&at));
            if inside != emphasised {
                out.push_str(if inside { REVERSE } else { RESET });
                if !inside {
                    out.push_str(code);
                }
                emphasised = inside;
            }
        }
        // In columns, a tab would break the alignment.
        out.push(if ch == '\t' && width != usize::MAX {
            ' '
        } else {
            ch
        });
        shown += 1;
    }
    if cut {
        out.push('…');
        shown += 1;
    }
    if code.is_some() {
        out.push_str(RESET);
    }
    if width != usize::MAX {
        out.push_str(&" ".repeat(width.saturating_sub(shown)));
    }
    out
}
