//! Checks the sandbox's answers against GitHub's official OpenAPI
//! description (npm `@octokit/openapi`), so the sandbox cannot drift from
//! the API Hoist talks to in production. For tests: enabled by the `openapi`
//! feature.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::Exchange;

/// Where `ui/`'s npm install puts the dereferenced description.
pub fn default_spec(workspace: &Path) -> PathBuf {
    workspace.join("ui/node_modules/@octokit/openapi/generated/api.github.com.deref.json")
}

/// The exchanges of `journal` that differ from GitHub's description (as
/// installed under `workspace`), one sentence each.
/// GraphQL exchanges are checked against GitHub's GraphQL schema.
pub fn violations(workspace: &Path, journal: &[Exchange]) -> Result<Vec<String>, String> {
    let mut spec = None;
    let mut found = Vec::new();
    for e in journal {
        let checked = if e.route == "/graphql" {
            crate::graphql_schema::shared(&crate::graphql_schema::default_schema(workspace))?
                .check(e)
        } else {
            if spec.is_none() {
                spec = Some(Spec::load(&default_spec(workspace))?);
            }
            spec.as_mut().map_or(Ok(()), |spec| spec.check(e))
        };
        found.extend(checked.err());
    }
    Ok(found)
}

/// GitHub's REST API description, with validators compiled on demand.
pub struct Spec {
    paths: Map<String, Value>,
    validators: HashMap<(String, String, u16), Option<jsonschema::Validator>>,
}

impl Spec {
    /// Reads the dereferenced description at `path`.
    pub fn load(path: &Path) -> Result<Spec, String> {
        let text = std::fs::read(path).map_err(|e| {
            format!(
                "cannot read GitHub's OpenAPI description {}: {e} (run `npm ci` in ui/)",
                path.display()
            )
        })?;
        let mut spec: Value = serde_json::from_slice(&text).map_err(|e| e.to_string())?;
        let paths = match spec.get_mut("paths").map(Value::take) {
            Some(Value::Object(paths)) => paths,
            _ => return Err("the description has no paths".into()),
        };
        Ok(Spec {
            paths,
            validators: HashMap::new(),
        })
    }

    /// Checks one exchange: its route and method exist, a success status is
    /// one GitHub documents, and the body matches the documented schema
    /// (errors GitHub does not document for the route must still carry a
    /// `message`).
    pub fn check(&mut self, e: &Exchange) -> Result<(), String> {
        let what = format!("{} {} → {}", e.method, e.route, e.status);
        let op = self
            .paths
            .get(&e.route)
            .and_then(|p| p.get(e.method.to_ascii_lowercase()))
            .ok_or_else(|| format!("{what}: GitHub's API has no such operation"))?;
        let response = op["responses"].get(e.status.to_string());
        if response.is_none() && e.status < 400 && e.status != 304 {
            return Err(format!("{what}: GitHub does not document this status"));
        }
        let key = (e.method.clone(), e.route.clone(), e.status);
        if !self.validators.contains_key(&key) {
            let validator =
                match response.and_then(|r| r.pointer("/content/application~1json/schema")) {
                    Some(schema) => Some(
                        jsonschema::validator_for(&json_schema(schema))
                            .map_err(|err| format!("{what}: the schema does not compile: {err}"))?,
                    ),
                    None => None,
                };
            self.validators.insert(key.clone(), validator);
        }
        match (&self.validators[&key], &e.body) {
            (Some(v), Some(body)) => {
                let errors: Vec<String> = v
                    .iter_errors(body)
                    .take(5)
                    .map(|err| format!("at {}: {err}", err.instance_path()))
                    .collect();
                if errors.is_empty() {
                    Ok(())
                } else {
                    Err(format!("{what}: {}", errors.join("; ")))
                }
            }
            (Some(_), None) if e.status != 304 => Err(format!("{what}: no JSON body")),
            (None, Some(body)) if e.status >= 400 && !body["message"].is_string() => {
                Err(format!("{what}: an error without GitHub's `message`"))
            }
            _ => Ok(()),
        }
    }
}

/// An OpenAPI 3.0 schema as JSON Schema: `nullable: true` becomes a union
/// with `null`.
fn json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out: Map<String, Value> = map
                .iter()
                .filter(|(k, _)| k.as_str() != "nullable")
                .map(|(k, v)| (k.clone(), json_schema(v)))
                .collect();
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert(
                        "type".into(),
                        Value::Array(vec![Value::String(t), "null".into()]),
                    );
                    if let Some(Value::Array(values)) = out.get_mut("enum") {
                        values.push(Value::Null);
                    }
                    Value::Object(out)
                } else {
                    serde_json::json!({ "anyOf": [Value::Object(out), { "type": "null" }] })
                }
            } else {
                Value::Object(out)
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(json_schema).collect()),
        other => other.clone(),
    }
}
