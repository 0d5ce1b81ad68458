//! The status matrix as a table for a terminal.

use hoist_core::Project;
use hoist_core::status::{Cell, CommitInfo, EnvironmentTip, Link, Status};

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const YELLOW: &str = "\x1b[33m";
const RED: &str = "\x1b[31m";
const RESET: &str = "\x1b[0m";

/// Renders `status` as a table: a header line per environment, then one row
/// per app whose cells read `version [*] #pr age author`. `*` marks a version
/// that differs from upstream (a pending promotion).
pub fn render(project: &Project, status: &Status, now: i64, colour: bool) -> String {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    let source = project.source.to_string();
    out.push_str(&format!(
        "{} {}\n",
        paint(BOLD, "repository"),
        project.repo.path().display()
    ));
    out.push_str(&format!("{} {}\n", paint(BOLD, "config    "), source));
    for (i, line) in pipeline(status).lines().enumerate() {
        let label = if i == 0 { "pipeline  " } else { "          " };
        out.push_str(&format!("{} {line}\n", paint(BOLD, label)));
    }
    if project.repo.is_shallow() {
        out.push_str(&paint(
            YELLOW,
            "shallow clone: history is incomplete, some origins are unknown\n",
        ));
    }
    out.push('\n');

    let mut header = vec!["app".to_owned()];
    header.extend(status.environments.iter().map(|e| {
        let short = &e.tip.id[..e.tip.id.len().min(7)];
        format!("{} ({} {short})", e.name, e.branch)
    }));
    let mut rows: Vec<Vec<(String, Option<&str>)>> = Vec::new();
    let mut any_pending = false;
    let mut any_inherited = false;
    let mut any_proposed = false;
    for app in &status.apps {
        let mut row = vec![(app.name.clone(), None)];
        for cell in &app.cells {
            row.push(match cell {
                Cell::Absent => ("-".to_owned(), Some(DIM)),
                Cell::Error { message } => (format!("error: {message}"), Some(RED)),
                Cell::Version {
                    version,
                    since,
                    pending,
                    inherited,
                    proposed,
                    ..
                } => {
                    any_pending |= *pending;
                    any_inherited |= *inherited;
                    let mut text = shorten(version);
                    if *pending {
                        text.push('*');
                    }
                    if *inherited {
                        text.push_str(" (base)");
                    }
                    if let Some(next) = proposed {
                        any_proposed = true;
                        text.push_str(&format!(" → {}", shorten(&next.version)));
                    }
                    if let Some(c) = since {
                        text.push_str(&format!("  {}", origin(c, now)));
                    }
                    (text, pending.then_some(YELLOW))
                }
            });
        }
        rows.push(row);
    }
    let columns = header.len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].0.chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line: Vec<String> = header
        .iter()
        .zip(&widths)
        .map(|(h, w)| paint(BOLD, &format!("{h:<w$}")))
        .collect();
    out.push_str(line.join("  ").trim_end());
    out.push('\n');
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|((text, code), w)| {
                let padded = format!("{text:<w$}");
                match code {
                    Some(code) => paint(code, &padded),
                    None => padded,
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    if any_pending || any_inherited || any_proposed {
        out.push('\n');
    }
    if any_pending {
        out.push_str(&format!(
            "{} differs from the upstream environment (promotion pending)\n",
            paint(YELLOW, "*")
        ));
    }
    if any_inherited {
        out.push_str("(base) the environment does not set it; it inherits the base's version\n");
    }
    if any_proposed {
        out.push_str("→ x   a hydrator has rendered x on the environment's next branch, waiting to be promoted\n");
    }
    out
}

/// The pipeline as text: `dev → stage → prod` for a chain, else a tree;
/// side environments and guessed links are marked.
fn pipeline(status: &Status) -> String {
    let envs = &status.environments;
    let children = |name: Option<&str>| children_of(envs, name);
    let all_guessed = envs
        .iter()
        .filter(|e| e.link != Link::First)
        .all(|e| e.link == Link::Guessed)
        && envs.iter().any(|e| e.link == Link::Guessed);
    let label = |e: &EnvironmentTip| {
        let mut s = e.name.clone();
        if e.side {
            s.push_str(" (side)");
        }
        if e.link == Link::Guessed && !all_guessed {
            s.push_str(" (guessed)");
        }
        s
    };
    let note = if all_guessed {
        "   (links guessed from the names; `hoist init` explains)"
    } else {
        ""
    };
    if envs.iter().all(|e| children(Some(&e.name)).len() <= 1) && children(None).len() == 1 {
        let mut chain = Vec::new();
        let mut at = children(None).first().copied();
        while let Some(e) = at {
            chain.push(label(e));
            at = children(Some(&e.name)).first().copied();
        }
        return format!("{}{note}\n", chain.join(" → "));
    }
    fn walk(
        out: &mut String,
        envs: &[EnvironmentTip],
        node: &EnvironmentTip,
        prefix: &str,
        last: bool,
        root: bool,
        label: &dyn Fn(&EnvironmentTip) -> String,
    ) {
        let (branch, next) = match (root, last) {
            (true, _) => ("", ""),
            (false, true) => ("└─ ", "   "),
            (false, false) => ("├─ ", "│  "),
        };
        out.push_str(&format!("{prefix}{branch}{}\n", label(node)));
        let kids = children_of(envs, Some(&node.name));
        let deeper = format!("{prefix}{next}");
        for (i, child) in kids.iter().enumerate() {
            walk(out, envs, child, &deeper, i + 1 == kids.len(), false, label);
        }
    }
    let mut out = String::new();
    for root in children(None) {
        walk(&mut out, envs, root, "", true, true, &label);
    }
    if !note.is_empty() {
        out.push_str(note.trim_start());
        out.push('\n');
    }
    out
}

/// The environments that take their versions from `name` (the first ones for `None`).
fn children_of<'a>(envs: &'a [EnvironmentTip], name: Option<&str>) -> Vec<&'a EnvironmentTip> {
    envs.iter()
        .filter(|e| e.upstream.as_deref() == name)
        .collect()
}

/// A digest or commit id as its first 12 hex digits and `…`: a table cell
/// stays readable, and `--json` has the whole value.
pub fn shorten(version: &str) -> String {
    let (prefix, hex) = version.split_once(':').unwrap_or(("", version));
    let long_hex = hex.len() >= 40 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    match (long_hex, prefix.is_empty()) {
        (true, true) => format!("{}…", &hex[..12]),
        (true, false) => format!("{prefix}:{}…", &hex[..12]),
        (false, _) => version.to_owned(),
    }
}

/// `#34 3d alice`: the PR, the age and the author of the commit that set a version.
fn origin(commit: &CommitInfo, now: i64) -> String {
    let mut parts = Vec::new();
    if let Some(change) = commit.change {
        parts.push(change.to_string());
    }
    parts.push(age(now - commit.time));
    parts.push(commit.author.clone());
    parts.join(" ")
}

/// A coarse, human age: `45s`, `12m`, `5h`, `3d`, `7w`, `2y`.
pub fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m", s / 60),
        3_600..86_400 => format!("{}h", s / 3_600),
        86_400..1_209_600 => format!("{}d", s / 86_400),
        1_209_600..31_536_000 => format!("{}w", s / 604_800),
        _ => format!("{}y", s / 31_536_000),
    }
}

#[cfg(test)]
mod tests {
    use super::{age, shorten};

    #[test]
    fn long_digests_and_shas_are_shortened() {
        let digest = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(shorten(&digest), "sha256:abababababab…");
        assert_eq!(shorten(&"0f".repeat(20)), "0f0f0f0f0f0f…");
        assert_eq!(shorten("1.2.3"), "1.2.3");
        assert_eq!(shorten("sha256:abc"), "sha256:abc");
    }

    #[test]
    fn ages_are_coarse_and_never_negative() {
        assert_eq!(age(-5), "0s");
        assert_eq!(age(59), "59s");
        assert_eq!(age(60), "1m");
        assert_eq!(age(7_200), "2h");
        assert_eq!(age(3 * 86_400), "3d");
        assert_eq!(age(21 * 86_400), "3w");
        assert_eq!(age(800 * 86_400), "2y");
    }
}
