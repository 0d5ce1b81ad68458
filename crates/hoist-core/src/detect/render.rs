//! A configuration written out as `.hoist.yaml`, with a comment above each
//! entry saying why it was chosen; what it writes parses back to the same
//! configuration.

use std::fmt::Write as _;

use serde_json::Value;

use super::Reasons;
use crate::config::{Config, PrSettings};
use crate::status::Link;

/// `config` as a `.hoist.yaml`: `reasons` (by index, where they exist) as
/// comments above the entries. Locks, freezes and pull request settings are
/// written only when set; the result parses back to `config`.
pub fn render(config: &Config, reasons: &Reasons) -> String {
    Rendering { config, reasons }.yaml()
}

struct Rendering<'a> {
    config: &'a Config,
    reasons: &'a Reasons,
}

impl Rendering<'_> {
    fn yaml(&self) -> String {
        let mut out = String::new();
        out.push_str("# Proposed by Hoist from the repository's branches and files.\n");
        out.push_str("# Check every entry, then commit it as .hoist.yaml at the root of the default branch.\n");
        for note in &self.reasons.left_out {
            push_comment(&mut out, "", &format!("Left out: {note}"));
        }
        out.push_str("environments:\n");
        for (i, env) in self.config.environments.iter().enumerate() {
            if let Some(reason) = self.reasons.environments.get(i) {
                push_comment(&mut out, "  ", reason);
            }
            let _ = writeln!(out, "  - name: {}", scalar(&env.name));
            if let Some(branch) = &env.branch {
                let _ = writeln!(out, "    branch: {}", scalar(branch));
            }
            if env.path != "." && !env.path.is_empty() {
                let _ = writeln!(out, "    path: {}", scalar(&env.path));
            }
            if let Some(upstream) = &env.upstream {
                let guessed = match self.reasons.links.get(i) {
                    Some(Link::Guessed) => " # guessed",
                    _ => "",
                };
                let _ = writeln!(out, "    upstream: {}{guessed}", scalar(upstream));
            }
            if let Some(next) = &env.next_branch {
                let _ = writeln!(out, "    next_branch: {}", scalar(next));
            }
            if env.side {
                out.push_str("    side: true\n");
            }
        }
        if self.config.apps.is_empty() {
            out.push_str("apps: []\n");
        } else {
            out.push_str("apps:\n");
        }
        for (i, app) in self.config.apps.iter().enumerate() {
            if let Some(reason) = self.reasons.apps.get(i) {
                push_comment(&mut out, "  ", reason);
            }
            let _ = writeln!(out, "  - name: {}", scalar(&app.name));
            let _ = writeln!(out, "    file: {}", scalar(&app.file));
            let _ = writeln!(out, "    locator: {}", flow(&locator_value(&app.locator)));
            if let Some(base) = &app.base {
                let _ = writeln!(
                    out,
                    "    base: {{ file: {}, locator: {} }}",
                    scalar(&base.file),
                    flow(&locator_value(&base.locator))
                );
            }
            if let Some(envs) = &app.environments {
                let names: Vec<String> = envs.iter().map(|e| scalar(e)).collect();
                let _ = writeln!(out, "    environments: [{}]", names.join(", "));
            }
            if !app.overrides.is_empty() {
                out.push_str("    overrides:\n");
                for (env, over) in &app.overrides {
                    let mut fields = Vec::new();
                    if let Some(file) = &over.file {
                        fields.push(format!("file: {}", scalar(file)));
                    }
                    if let Some(locator) = &over.locator {
                        fields.push(format!("locator: {}", flow(&locator_value(locator))));
                    }
                    let _ = writeln!(out, "      {}: {{ {} }}", scalar(env), fields.join(", "));
                }
            }
        }
        // What the editor cannot change is kept as it was, in plain YAML.
        let extras = serde_json::json!({
            "pr": (self.config.pr != PrSettings::default()).then_some(&self.config.pr),
            "locks": (!self.config.locks.is_empty()).then_some(&self.config.locks),
            "freezes": (!self.config.freezes.is_empty()).then_some(&self.config.freezes),
        });
        for (key, value) in extras.as_object().into_iter().flatten() {
            if !value.is_null()
                && let Ok(text) = serde_saphyr::to_string(&serde_json::json!({ key: value }))
            {
                out.push_str(&text);
            }
        }
        out
    }
}

/// A comment, wrapped onto several lines when long.
fn push_comment(out: &mut String, indent: &str, text: &str) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + word.len() > 96 {
            let _ = writeln!(out, "{indent}# {line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}# {line}");
    }
}

fn locator_value(locator: &hoist_locate::Locator) -> Value {
    serde_json::to_value(locator).expect("a locator serialises to JSON: it is strings and enums")
}

/// A JSON value as YAML flow: `{ kustomize: { image: x, field: digest } }`.
fn flow(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), flow(v)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Value::String(s) => scalar(s),
        other => other.to_string(),
    }
}

/// A string as a YAML scalar: plain when it cannot be mistaken for anything
/// else, else double-quoted (a JSON string is a valid YAML double-quoted scalar).
fn scalar(s: &str) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
        );
    if plain {
        s.to_owned()
    } else {
        serde_json::to_string(s).expect("a string serialises to JSON")
    }
}
