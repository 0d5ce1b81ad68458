//! What a pull request says: its branch name, title and body, and the hidden
//! marker by which Hoist recognises its own pull requests later.

use std::collections::BTreeMap;
use std::fmt::Write;

use hoist_core::config::PrSettings;
use hoist_core::plan::{PlanKind, PromotionPlan};
use serde::{Deserialize, Serialize};

const MARKER_OPEN: &str = "<!-- hoist:";
const MARKER_CLOSE: &str = " -->";

/// The machine-readable part of a Hoist pull request, hidden in its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    /// `promotion` or `rollback`.
    pub kind: String,
    /// Where versions come from (the target itself for a rollback).
    pub source: String,
    /// The environment the pull request changes.
    pub target: String,
    /// Per app, the version it sets.
    pub versions: BTreeMap<String, String>,
    /// The target commit the change is built on.
    pub base: String,
}

impl Marker {
    /// The marker describing `plan`.
    pub fn of(plan: &PromotionPlan) -> Marker {
        Marker {
            kind: match plan.kind {
                PlanKind::Rollback => "rollback",
                _ => "promotion",
            }
            .to_owned(),
            source: plan.source.clone(),
            target: plan.target.clone(),
            versions: plan
                .apps
                .iter()
                .map(|a| (a.app.clone(), a.to.clone()))
                .collect(),
            base: plan.base.clone(),
        }
    }

    /// The marker in a pull request's body, if Hoist wrote it.
    pub fn find(body: &str) -> Option<Marker> {
        let start = body.rfind(MARKER_OPEN)? + MARKER_OPEN.len();
        let end = start + body[start..].find(MARKER_CLOSE)?;
        serde_json::from_str(&body[start..end]).ok()
    }

    /// Whether `other` changes the same apps of the same environment.
    pub fn same_apps(&self, other: &Marker) -> bool {
        self.target == other.target && self.versions.keys().eq(other.versions.keys())
    }

    fn render(&self) -> String {
        // JSON never contains `-->`-breaking text here: names and versions
        // are checked by the locators, and `>` is escaped regardless.
        let json = serde_json::to_string(self)
            .unwrap_or_default()
            .replace('>', "\\u003e");
        format!("{MARKER_OPEN}{json}{MARKER_CLOSE}")
    }
}

/// A git ref component from free text: what git allows, nothing surprising.
fn ref_safe(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+') {
                c
            } else {
                '-'
            }
        })
        .collect();
    cleaned.trim_matches(['.', '-']).replace("..", ".")
}

/// The version the plan sets: the one version, or each app's.
fn versions(plan: &PromotionPlan) -> String {
    let mut all: Vec<&str> = plan.apps.iter().map(|a| a.to.as_str()).collect();
    all.dedup();
    if all.len() == 1 {
        all[0].to_owned()
    } else {
        plan.apps
            .iter()
            .map(|a| format!("{} {}", a.app, a.to))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The branch a plan's pull request comes from:
/// `<prefix>/<target>/<apps>-<version>`, the same for the same change so a
/// retry finds what an earlier attempt made.
pub fn branch(plan: &PromotionPlan, settings: &PrSettings) -> String {
    let apps: Vec<&str> = plan.apps.iter().map(|a| a.app.as_str()).collect();
    let apps = if apps.len() <= 3 {
        apps.join("+")
    } else {
        format!("{}+{}-more", apps[0], apps.len() - 1)
    };
    let mut all: Vec<&str> = plan.apps.iter().map(|a| a.to.as_str()).collect();
    all.dedup();
    let version = if all.len() == 1 {
        all[0].to_owned()
    } else {
        // Several versions: a short digest of all of them keeps the name
        // short and still unique to the change.
        let text = serde_json::to_string(&Marker::of(plan).versions).unwrap_or_default();
        format!("{:08x}", fnv(text.as_bytes()) as u32)
    };
    let kind = if plan.kind == PlanKind::Rollback {
        "rollback-"
    } else {
        ""
    };
    format!(
        "{}/{}/{kind}{}-{}",
        ref_safe(&settings.branch_prefix),
        ref_safe(&plan.target),
        ref_safe(&apps),
        ref_safe(&version)
    )
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The title: the configured template for promotions, a fixed one for rollbacks.
pub fn title(plan: &PromotionPlan, settings: &PrSettings) -> String {
    let apps: Vec<&str> = plan.apps.iter().map(|a| a.app.as_str()).collect();
    let template = if plan.kind == PlanKind::Rollback {
        "Roll back {apps} on {target} to {version}"
    } else {
        settings.title.as_str()
    };
    template
        .replace("{apps}", &apps.join(", "))
        .replace("{target}", &plan.target)
        .replace("{version}", &versions(plan))
}

/// The body: the apps, the environment, the reason, warnings, a diff stat,
/// the changelog, and the marker.
pub fn body(plan: &PromotionPlan, reason: Option<&str>) -> String {
    let mut b = String::new();
    let _ = match plan.kind {
        PlanKind::Rollback => writeln!(
            b,
            "Rolls **{}** back to the versions it ran at `{}`.\n",
            plan.target,
            short(&plan.source_commit)
        ),
        _ => writeln!(
            b,
            "Promotes from **{}** to **{}**.\n",
            plan.source, plan.target
        ),
    };
    b.push_str("| App | From | To | Changes |\n|---|---|---|---|\n");
    for a in &plan.apps {
        let compare = a
            .compare
            .as_deref()
            .map_or_else(|| "".to_owned(), |url| format!("[compare]({url})"));
        let _ = writeln!(b, "| {} | `{}` | `{}` | {compare} |", a.app, a.from, a.to);
    }
    let _ = writeln!(
        b,
        "\nEnvironment: **{}** (branch `{}`, base `{}`)",
        plan.target,
        plan.target_branch,
        short(&plan.base)
    );
    if let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) {
        let label = if plan.blocked {
            "Override reason"
        } else {
            "Reason"
        };
        let _ = writeln!(b, "\n**{label}:** {reason}");
    }
    if !plan.warnings.is_empty() {
        b.push_str("\n### Warnings\n\n");
        for w in &plan.warnings {
            let _ = writeln!(b, "- {}", w.message());
        }
    }
    b.push_str("\n### Diff stat\n\n```\n");
    let (mut added, mut removed) = (0, 0);
    for f in &plan.files {
        let d = f.diff(0);
        added += d.added;
        removed += d.removed;
        let _ = writeln!(
            b,
            " {} | {} {}{}",
            f.path,
            d.added + d.removed,
            "+".repeat(d.added.min(40)),
            "-".repeat(d.removed.min(40))
        );
    }
    let _ = writeln!(
        b,
        " {} file{} changed, {added} insertion{}(+), {removed} deletion{}(-)\n```",
        plan.files.len(),
        plural(plan.files.len()),
        plural(added),
        plural(removed)
    );
    if !plan.changelog.is_empty() {
        let _ = writeln!(b, "\n### Changelog (on {})\n", plan.source);
        for c in &plan.changelog {
            let pr = c.commit.pr.map(|n| format!(" (#{n})")).unwrap_or_default();
            let _ = writeln!(
                b,
                "- **{}** `{}` → `{}`: {}{pr} — `{}` by {}",
                c.app,
                c.from.as_deref().unwrap_or("none"),
                c.to,
                c.commit.subject,
                short(&c.commit.id),
                c.commit.author
            );
        }
    }
    let _ = write!(
        b,
        "\n<sub>Opened with Hoist.</sub>\n{}",
        Marker::of(plan).render()
    );
    b
}

fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
