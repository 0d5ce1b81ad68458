//! What the status tests share: the matrix as lines of text.

#![allow(
    dead_code,
    reason = "each test binary uses its own part of this module"
)]

use hoist_core::Project;
use hoist_core::status::{Cell, Link};

/// Each cell as `version`, `version*` when pending, then ` | subject` of the
/// commit that set it (when known); `error: message` for error cells.
pub fn matrix(name: &str) -> Vec<String> {
    matrix_at(&hoist_fixtures::fixture(name))
}

pub fn matrix_at(dir: &std::path::Path) -> Vec<String> {
    matrix_of(&Project::open(dir).expect("the repository opens"))
}

pub fn matrix_of(project: &Project) -> Vec<String> {
    let status = project.status().expect("status");
    let mut lines = vec![format!(
        "envs: {}",
        status
            .environments
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    )];
    for row in &status.apps {
        for (env, cell) in status.environments.iter().zip(&row.cells) {
            let text = match cell {
                Cell::Absent => "-".to_owned(),
                Cell::Error { message } => format!("error: {message}"),
                Cell::Version {
                    version,
                    pending,
                    since,
                    inherited,
                    file,
                    proposed,
                    ..
                } => {
                    let mut text = version.clone();
                    if *pending {
                        text.push('*');
                    }
                    if *inherited {
                        text.push_str(&format!(" (from base {file})"));
                    }
                    if let Some(next) = proposed {
                        text.push_str(&format!(" → {}", next.version));
                    }
                    match since {
                        Some(c) => format!("{text} | {}", c.subject),
                        None => text,
                    }
                }
            };
            lines.push(format!("{} {}: {text}", row.name, env.name));
        }
    }
    lines
}

/// Each environment as `name`, or `name <- upstream` with `(guessed)` and
/// `(side)` where they apply, in pipeline order.
pub fn pipeline(name: &str) -> Vec<String> {
    let project = Project::open(&hoist_fixtures::fixture(name)).expect("the repository opens");
    let status = project.status().expect("status");
    status
        .environments
        .iter()
        .map(|e| {
            let mut line = e.name.clone();
            if let Some(up) = &e.upstream {
                line.push_str(&format!(" <- {up}"));
            }
            let mut marks = Vec::new();
            if e.link == Link::Guessed {
                marks.push("guessed");
            }
            if e.side {
                marks.push("side");
            }
            if !marks.is_empty() {
                line.push_str(&format!(" ({})", marks.join(", ")));
            }
            line
        })
        .collect()
}

/// `lines` with each of `labels`' values (full shas) written as its label.
pub fn labelled(lines: Vec<String>, labels: &[(&str, &str)]) -> Vec<String> {
    lines
        .into_iter()
        .map(|mut l| {
            for (label, sha) in labels {
                l = l.replace(sha, label);
            }
            l
        })
        .collect()
}
