//! File diffs for previews: hunks of lines with word-level highlights,
//! computed with `similar`. Binary and very large files are summarised, not
//! rendered, so a preview never stalls on them.

use std::ops::Range;

use serde::Serialize;
use similar::{Algorithm, ChangeTag, TextDiff};

/// Files larger than this are summarised instead of diffed line by line.
pub const LARGE_FILE_BYTES: usize = 1024 * 1024;

/// How one file changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FileDiff {
    /// Repository path (the new one for a rename).
    pub path: String,
    /// What kind of change this is.
    pub kind: FileChangeKind,
    /// Lines added.
    pub added: usize,
    /// Lines removed.
    pub removed: usize,
    /// The hunks; empty for binary and large files.
    pub hunks: Vec<Hunk>,
}

/// The kind of change a file undergoes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FileChangeKind {
    /// The file is new.
    Added,
    /// The file is deleted.
    Removed,
    /// The file's content changes.
    Modified,
    /// The file moves (and may change).
    Renamed {
        /// The old path.
        from: String,
    },
    /// Binary content: only the fact of a change is shown.
    Binary,
    /// Too large to render; only the line counts are given.
    Large,
}

/// A run of changed lines with their context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Hunk {
    /// First old line number (1-based), as in `@@ -a,b +c,d @@`.
    pub old_start: usize,
    /// Number of old lines.
    pub old_len: usize,
    /// First new line number (1-based).
    pub new_start: usize,
    /// Number of new lines.
    pub new_len: usize,
    /// The lines, in unified order.
    pub lines: Vec<Line>,
}

/// One line of a hunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Line {
    /// Context, added or removed.
    pub tag: LineTag,
    /// Line number on the old side, when it exists there.
    pub old_no: Option<usize>,
    /// Line number on the new side, when it exists there.
    pub new_no: Option<usize>,
    /// The text without its line ending.
    pub text: String,
    /// Byte ranges of `text` that changed within the line (word level).
    pub emphasis: Vec<Range<usize>>,
}

/// Whether a line is context, added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum LineTag {
    /// Unchanged.
    Context,
    /// Only on the new side.
    Added,
    /// Only on the old side.
    Removed,
}

/// Diffs a file. `old` is `None` for an added file, `new` for a removed one;
/// `old_path` differs from `path` for a rename. `context` is the number of
/// unchanged lines kept around each change.
pub fn diff_file(
    path: &str,
    old_path: &str,
    old: Option<&[u8]>,
    new: Option<&[u8]>,
    context: usize,
) -> FileDiff {
    let kind = match (old, new) {
        (None, _) => FileChangeKind::Added,
        (_, None) => FileChangeKind::Removed,
        _ if old_path != path => FileChangeKind::Renamed {
            from: old_path.to_owned(),
        },
        _ => FileChangeKind::Modified,
    };
    let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
    let (Ok(old_text), Ok(new_text)) = (std::str::from_utf8(old), std::str::from_utf8(new)) else {
        return summary(path, FileChangeKind::Binary, 0, 0);
    };
    if is_binary(old) || is_binary(new) {
        return summary(path, FileChangeKind::Binary, 0, 0);
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .diff_lines(old_text, new_text);
    if old.len() > LARGE_FILE_BYTES || new.len() > LARGE_FILE_BYTES {
        let (mut added, mut removed) = (0, 0);
        for change in diff.iter_all_changes() {
            match change.tag() {
                ChangeTag::Insert => added += 1,
                ChangeTag::Delete => removed += 1,
                ChangeTag::Equal => {}
            }
        }
        return summary(path, FileChangeKind::Large, added, removed);
    }
    let mut hunks = Vec::new();
    let (mut added, mut removed) = (0, 0);
    for group in diff.grouped_ops(context) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let mut lines = Vec::new();
        for op in &group {
            for change in diff.iter_inline_changes(op) {
                let tag = match change.tag() {
                    ChangeTag::Equal => LineTag::Context,
                    ChangeTag::Insert => {
                        added += 1;
                        LineTag::Added
                    }
                    ChangeTag::Delete => {
                        removed += 1;
                        LineTag::Removed
                    }
                };
                let mut text = String::new();
                let mut emphasis: Vec<Range<usize>> = Vec::new();
                for (emphasised, part) in change.iter_strings_lossy() {
                    let start = text.len();
                    text.push_str(&part);
                    if emphasised && tag != LineTag::Context {
                        match emphasis.last_mut() {
                            Some(last) if last.end == start => last.end = text.len(),
                            _ => emphasis.push(start..text.len()),
                        }
                    }
                }
                let trimmed = text.trim_end_matches(['\n', '\r']).len();
                text.truncate(trimmed);
                emphasis.retain_mut(|r| {
                    r.end = r.end.min(trimmed);
                    r.start < r.end
                });
                lines.push(Line {
                    tag,
                    old_no: change.old_index().map(|i| i + 1),
                    new_no: change.new_index().map(|i| i + 1),
                    text,
                    emphasis,
                });
            }
        }
        hunks.push(Hunk {
            old_start: old_range.start + usize::from(!old_range.is_empty()),
            old_len: old_range.len(),
            new_start: new_range.start + usize::from(!new_range.is_empty()),
            new_len: new_range.len(),
            lines,
        });
    }
    FileDiff {
        path: path.to_owned(),
        kind,
        added,
        removed,
        hunks,
    }
}

fn summary(path: &str, kind: FileChangeKind, added: usize, removed: usize) -> FileDiff {
    FileDiff {
        path: path.to_owned(),
        kind,
        added,
        removed,
        hunks: Vec::new(),
    }
}

/// Git's heuristic: a NUL byte in the first 8000 bytes means binary.
fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(8000)].contains(&0)
}

/// Renders a diff in the unified format (`--- a/…`, `+++ b/…`, `@@ … @@`).
pub fn unified(diff: &FileDiff) -> String {
    let mut out = String::new();
    let old_name = match &diff.kind {
        FileChangeKind::Added => "/dev/null".to_owned(),
        FileChangeKind::Renamed { from } => format!("a/{from}"),
        _ => format!("a/{}", diff.path),
    };
    let new_name = match diff.kind {
        FileChangeKind::Removed => "/dev/null".to_owned(),
        _ => format!("b/{}", diff.path),
    };
    match diff.kind {
        FileChangeKind::Binary => {
            out.push_str(&format!("Binary files {old_name} and {new_name} differ\n"));
            return out;
        }
        FileChangeKind::Large => {
            out.push_str(&format!(
                "{} is too large to show: +{} -{} lines\n",
                diff.path, diff.added, diff.removed
            ));
            return out;
        }
        _ => {}
    }
    out.push_str(&format!("--- {old_name}\n+++ {new_name}\n"));
    for hunk in &diff.hunks {
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            hunk.old_start, hunk.old_len, hunk.new_start, hunk.new_len
        ));
        for line in &hunk.lines {
            let sign = match line.tag {
                LineTag::Context => ' ',
                LineTag::Added => '+',
                LineTag::Removed => '-',
            };
            out.push(sign);
            out.push_str(&line.text);
            out.push('\n');
        }
    }
    out
}

/// One row of a side-by-side view: the old line on the left, the new on the right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SideBySide {
    /// The old side; `None` where the new side adds a line.
    pub old: Option<Line>,
    /// The new side; `None` where the old side loses a line.
    pub new: Option<Line>,
}

/// A hunk as side-by-side rows: context lines face themselves, and each run of
/// removed lines is paired, in order, with the run of added lines after it.
pub fn side_by_side(hunk: &Hunk) -> Vec<SideBySide> {
    let mut rows = Vec::new();
    let mut lines = hunk.lines.iter().peekable();
    while let Some(line) = lines.next() {
        match line.tag {
            LineTag::Context => rows.push(SideBySide {
                old: Some(line.clone()),
                new: Some(line.clone()),
            }),
            LineTag::Added => rows.push(SideBySide {
                old: None,
                new: Some(line.clone()),
            }),
            LineTag::Removed => {
                let mut removed = vec![line.clone()];
                while let Some(next) = lines.next_if(|l| l.tag == LineTag::Removed) {
                    removed.push(next.clone());
                }
                let mut added = Vec::new();
                while let Some(next) = lines.next_if(|l| l.tag == LineTag::Added) {
                    added.push(next.clone());
                }
                let pairs = removed.len().max(added.len());
                let (mut removed, mut added) = (removed.into_iter(), added.into_iter());
                for _ in 0..pairs {
                    rows.push(SideBySide {
                        old: removed.next(),
                        new: added.next(),
                    });
                }
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_by_side_pairs_removed_runs_with_the_added_runs_after_them() {
        let old = "a\nb\nc\nd\n";
        let new = "a\nB\nC\nX\nd\n";
        let d = diff_file("f", "f", Some(old.as_bytes()), Some(new.as_bytes()), 1);
        let split = side_by_side(&d.hunks[0]);
        let rows: Vec<(Option<&str>, Option<&str>)> = split
            .iter()
            .map(|r| {
                (
                    r.old.as_ref().map(|l| l.text.as_str()),
                    r.new.as_ref().map(|l| l.text.as_str()),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (Some("a"), Some("a")),
                (Some("b"), Some("B")),
                (Some("c"), Some("C")),
                (None, Some("X")),
                (Some("d"), Some("d")),
            ]
        );
    }

    #[test]
    fn a_changed_tag_is_one_hunk_with_the_tag_emphasised() {
        let old = "image:\n  repository: ghcr.io/acme/api\n  tag: 1.4.2 # pinned\nreplicas: 2\n";
        let new = "image:\n  repository: ghcr.io/acme/api\n  tag: 1.5.0 # pinned\nreplicas: 2\n";
        let d = diff_file(
            "values.yaml",
            "values.yaml",
            Some(old.as_bytes()),
            Some(new.as_bytes()),
            1,
        );
        assert_eq!(d.kind, FileChangeKind::Modified);
        assert_eq!((d.added, d.removed), (1, 1));
        assert_eq!(d.hunks.len(), 1);
        let h = &d.hunks[0];
        assert_eq!(
            (h.old_start, h.old_len, h.new_start, h.new_len),
            (2, 3, 2, 3)
        );
        let removed = &h.lines[1];
        assert_eq!(removed.tag, LineTag::Removed);
        assert_eq!(removed.text, "  tag: 1.4.2 # pinned");
        let emphasised: Vec<&str> = removed
            .emphasis
            .iter()
            .map(|r| &removed.text[r.clone()])
            .collect();
        assert_eq!(emphasised.concat(), "1.4.2");
        let added = &h.lines[2];
        let emphasised: Vec<&str> = added
            .emphasis
            .iter()
            .map(|r| &added.text[r.clone()])
            .collect();
        assert_eq!(emphasised.concat(), "1.5.0");
        assert_eq!(
            unified(&d),
            "--- a/values.yaml\n+++ b/values.yaml\n@@ -2,3 +2,3 @@\n   repository: ghcr.io/acme/api\n-  tag: 1.4.2 # pinned\n+  tag: 1.5.0 # pinned\n replicas: 2\n"
        );
    }

    #[test]
    fn crlf_line_endings_do_not_leak_into_the_text() {
        let d = diff_file(
            "a.yaml",
            "a.yaml",
            Some(b"tag: 1\r\nx: 1\r\n"),
            Some(b"tag: 2\r\nx: 1\r\n"),
            3,
        );
        assert_eq!(d.hunks[0].lines[0].text, "tag: 1");
        assert_eq!(d.hunks[0].lines[1].text, "tag: 2");
        assert_eq!(d.hunks[0].lines[2].text, "x: 1");
    }

    #[test]
    fn added_removed_renamed_binary_and_large_files() {
        let added = diff_file("new.yaml", "new.yaml", None, Some(b"a: 1\nb: 2\n"), 3);
        assert_eq!(
            (added.kind.clone(), added.added, added.removed),
            (FileChangeKind::Added, 2, 0)
        );
        assert!(unified(&added).starts_with("--- /dev/null\n+++ b/new.yaml\n@@ -0,0 +1,2 @@\n"));

        let removed = diff_file("old.yaml", "old.yaml", Some(b"a: 1\n"), None, 3);
        assert_eq!(
            (removed.kind.clone(), removed.added, removed.removed),
            (FileChangeKind::Removed, 0, 1)
        );
        assert!(unified(&removed).starts_with("--- a/old.yaml\n+++ /dev/null\n@@ -1,1 +0,0 @@\n"));

        let renamed = diff_file("b.yaml", "a.yaml", Some(b"x: 1\n"), Some(b"x: 2\n"), 3);
        assert_eq!(
            renamed.kind,
            FileChangeKind::Renamed {
                from: "a.yaml".into()
            }
        );
        assert!(unified(&renamed).starts_with("--- a/a.yaml\n+++ b/b.yaml\n"));

        let binary = diff_file(
            "logo.png",
            "logo.png",
            Some(b"\x89PNG\0\x01"),
            Some(b"\x89PNG\0\x02"),
            3,
        );
        assert_eq!(binary.kind, FileChangeKind::Binary);
        assert!(binary.hunks.is_empty());
        assert_eq!(
            unified(&binary),
            "Binary files a/logo.png and b/logo.png differ\n"
        );

        let big_old = "line\n".repeat(LARGE_FILE_BYTES / 5 + 10);
        let big_new = format!("{big_old}extra\n");
        let large = diff_file(
            "big.yaml",
            "big.yaml",
            Some(big_old.as_bytes()),
            Some(big_new.as_bytes()),
            3,
        );
        assert_eq!(
            (large.kind.clone(), large.added, large.removed),
            (FileChangeKind::Large, 1, 0)
        );
        assert!(large.hunks.is_empty());
    }

    #[test]
    fn context_size_controls_how_far_hunks_reach() {
        let old: String = (1..=20).map(|i| format!("k{i}: v\n")).collect();
        let new = old.replace("k3: v", "k3: w").replace("k17: v", "k17: w");
        let narrow = diff_file("f", "f", Some(old.as_bytes()), Some(new.as_bytes()), 2);
        assert_eq!(narrow.hunks.len(), 2);
        let wide = diff_file("f", "f", Some(old.as_bytes()), Some(new.as_bytes()), 8);
        assert_eq!(wide.hunks.len(), 1);
    }
}
