//! Checks the GitLab sandbox's answers against the response types of
//! gitbeaker (npm `@gitbeaker/core`), a well-kept GitLab client whose types
//! follow GitLab's REST API, so the sandbox cannot drift from it. For tests:
//! enabled by the `openapi` feature.
//!
//! GitLab's own OpenAPI description (`doc/api/openapi/openapi_v2.yaml`) is
//! published only inside GitLab's repository, not in a package registry;
//! gitbeaker's types install from npm with the UI's packages, as GitHub's
//! descriptions do. Each route is tied to the gitbeaker method that calls
//! it, and the checker makes sure that method still returns the type the
//! answer is checked against, so a renamed or retyped method fails the
//! check rather than passing it.

mod typescript;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use typescript::{Declarations, Ty};

use crate::Exchange;

/// Where `ui/`'s npm install puts gitbeaker's declarations.
pub fn default_types(workspace: &Path) -> PathBuf {
    workspace.join("ui/node_modules/@gitbeaker/core/dist/index.d.ts")
}

/// One endpoint: the route as the sandbox journals it, the status GitLab
/// answers on success, the gitbeaker method calling it, and the type that
/// method returns (`void` for no body).
struct Operation {
    method: &'static str,
    route: &'static str,
    success: u16,
    client: (&'static str, &'static str),
    returns: &'static str,
}

const fn op(
    method: &'static str,
    route: &'static str,
    success: u16,
    client: (&'static str, &'static str),
    returns: &'static str,
) -> Operation {
    Operation {
        method,
        route,
        success,
        client,
        returns,
    }
}

const P: &str = "/api/v4/projects/{id}";

/// The endpoints the GitLab sandbox serves.
static OPERATIONS: &[Operation] = &[
    op(
        "GET",
        "/api/v4/user",
        200,
        ("Users", "showCurrentUser"),
        "ExpandedUserSchema",
    ),
    op(
        "GET",
        "/api/v4/personal_access_tokens/self",
        200,
        ("PersonalAccessTokens", "show"),
        "PersonalAccessTokenSchema",
    ),
    op("GET", P, 200, ("Projects", "show"), "ProjectSchema"),
    op(
        "GET",
        "/api/v4/projects/{id}/repository/branches/{branch}",
        200,
        ("Branches", "show"),
        "BranchSchema",
    ),
    op(
        "POST",
        "/api/v4/projects/{id}/repository/branches",
        201,
        ("Branches", "create"),
        "BranchSchema",
    ),
    op(
        "DELETE",
        "/api/v4/projects/{id}/repository/branches/{branch}",
        204,
        ("Branches", "remove"),
        "void",
    ),
    op(
        "POST",
        "/api/v4/projects/{id}/repository/commits",
        201,
        ("Commits", "create"),
        "ExpandedCommitSchema",
    ),
    op(
        "GET",
        "/api/v4/projects/{id}/repository/commits/{sha}",
        200,
        ("Commits", "show"),
        "ExpandedCommitSchema",
    ),
    op(
        "GET",
        "/api/v4/projects/{id}/repository/commits/{sha}/statuses",
        200,
        ("Commits", "allStatuses"),
        "CommitStatusSchema[]",
    ),
    op(
        "POST",
        "/api/v4/projects/{id}/statuses/{sha}",
        201,
        ("Commits", "editStatus"),
        "CommitStatusSchema",
    ),
    op(
        "GET",
        "/api/v4/projects/{id}/repository/compare",
        200,
        ("Repositories", "compare"),
        "RepositoryCompareSchema",
    ),
    op(
        "GET",
        "/api/v4/projects/{id}/merge_requests",
        200,
        ("MergeRequests", "all"),
        "MergeRequestSchemaWithBasicLabels[]",
    ),
    op(
        "POST",
        "/api/v4/projects/{id}/merge_requests",
        201,
        ("MergeRequests", "create"),
        "ExpandedMergeRequestSchema",
    ),
    op(
        "GET",
        "/api/v4/projects/{id}/merge_requests/{merge_request_iid}",
        200,
        ("MergeRequests", "show"),
        "ExpandedMergeRequestSchema",
    ),
    op(
        "PUT",
        "/api/v4/projects/{id}/merge_requests/{merge_request_iid}",
        200,
        ("MergeRequests", "edit"),
        "ExpandedMergeRequestSchema",
    ),
    op(
        "PUT",
        "/api/v4/projects/{id}/merge_requests/{merge_request_iid}/merge",
        200,
        ("MergeRequests", "accept"),
        "ExpandedMergeRequestSchema",
    ),
    op(
        "GET",
        "/api/v4/projects/{id}/merge_requests/{merge_request_iid}/approvals",
        200,
        ("MergeRequestApprovals", "showConfiguration"),
        "MergeRequestLevelMergeRequestApprovalSchema",
    ),
    op(
        "GET",
        "/api/v4/projects/{id}/pipelines",
        200,
        ("Pipelines", "all"),
        "PipelineSchema[]",
    ),
    op(
        "GET",
        "/api/v4/projects/{id}/pipelines/{pipeline_id}",
        200,
        ("Pipelines", "show"),
        "ExpandedPipelineSchema",
    ),
    op(
        "GET",
        "/api/v4/projects/{id}/pipelines/{pipeline_id}/jobs",
        200,
        ("Jobs", "all"),
        "JobSchema[]",
    ),
];

/// Where gitbeaker's types are stricter than GitLab's answers: these fields
/// may be `null` (GitLab answers `null` for them, e.g. a commit without a
/// pipeline, a status without a URL, a pipeline still running), absent, or
/// take further values GitLab's documentation lists.
static GAPS: &[(&str, &str, Gap)] = &[
    // GitLab shows a token's secret only when creating it.
    ("PersonalAccessTokenSchema", "token", Gap::Absent),
    ("ExpandedCommitSchema", "last_pipeline", Gap::Nullable),
    ("ExpandedCommitSchema", "status", Gap::Nullable),
    // A comparison without commits has none to show.
    ("RepositoryCompareSchema", "commit", Gap::Nullable),
    // Documented in GitLab's merge requests API since 16.x; gitbeaker's
    // list stops short of them.
    (
        "MergeRequestSchema",
        "detailed_merge_status",
        Gap::Values(&["conflict", "need_rebase", "requested_changes"]),
    ),
    ("CommitStatusSchema", "target_url", Gap::Nullable),
    ("CommitStatusSchema", "description", Gap::Nullable),
    ("CommitStatusSchema", "started_at", Gap::Nullable),
    ("CommitStatusSchema", "finished_at", Gap::Nullable),
    ("ExpandedPipelineSchema", "finished_at", Gap::Nullable),
    ("ExpandedPipelineSchema", "duration", Gap::Nullable),
    // GitLab shows a job's artifacts file only when it has one, and a
    // coverage of null when the job reports none.
    ("JobSchema", "artifacts_file", Gap::Absent),
    ("JobSchema", "coverage", Gap::Nullable),
];

#[derive(Debug, Clone, Copy)]
enum Gap {
    Nullable,
    Absent,
    Values(&'static [&'static str]),
}

/// The exchanges of `journal` that differ from gitbeaker's types (as
/// installed under `workspace`), one sentence each.
pub fn violations(workspace: &Path, journal: &[Exchange]) -> Result<Vec<String>, String> {
    let mut types = Types::load(&default_types(workspace))?;
    Ok(journal
        .iter()
        .filter_map(|e| types.check(e).err())
        .collect())
}

/// gitbeaker's response types, with validators compiled on demand.
pub struct Types {
    declarations: Declarations,
    validators: HashMap<usize, jsonschema::Validator>,
}

impl Types {
    /// Reads the declarations at `path` and makes sure each endpoint's
    /// gitbeaker method still returns the type named for it.
    pub fn load(path: &Path) -> Result<Types, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read gitbeaker's types {}: {e} (run `npm ci` in ui/)",
                path.display()
            )
        })?;
        let declarations = Declarations::read(&text);
        for o in OPERATIONS {
            let (class, method) = o.client;
            let returns = declarations.method_returns(class, method);
            let root = o.returns.trim_end_matches("[]");
            if !returns
                .iter()
                .any(|r| r.split(' ').nth(1) == Some(root) || r.split(' ').any(|w| w == root))
            {
                return Err(format!(
                    "{}.{} no longer returns {root} (it returns {returns:?}): update the sandbox's GitLab answers",
                    class, method
                ));
            }
        }
        Ok(Types {
            declarations,
            validators: HashMap::new(),
        })
    }

    /// Checks one exchange: its route and method are an endpoint the
    /// sandbox describes, a success has the status GitLab answers and a
    /// body of the client's type, and an error has GitLab's shape
    /// (`message`, or OAuth's `error`).
    pub fn check(&mut self, e: &Exchange) -> Result<(), String> {
        let what = format!("{} {} → {}", e.method, e.route, e.status);
        let (index, o) = OPERATIONS
            .iter()
            .enumerate()
            .find(|(_, o)| o.method == e.method && o.route == e.route)
            .ok_or_else(|| format!("{what}: gitbeaker has no such operation"))?;
        if e.status == 304 {
            return Ok(());
        }
        if e.status >= 400 {
            return match &e.body {
                // Rack::Attack's 429 is plain text.
                None if e.status == 429 => Ok(()),
                // A sentence, a list of them, or one list per field.
                Some(b)
                    if b["message"].is_string()
                        || b["message"].is_object()
                        || b["message"].is_array() =>
                {
                    Ok(())
                }
                Some(b) if b["error"].is_string() => Ok(()),
                _ => Err(format!(
                    "{what}: an error without GitLab's `message` or `error`"
                )),
            };
        }
        if e.status != o.success {
            return Err(format!("{what}: GitLab answers {} here", o.success));
        }
        if o.returns == "void" {
            return match e.body {
                None => Ok(()),
                Some(_) => Err(format!("{what}: GitLab answers no body here")),
            };
        }
        if !self.validators.contains_key(&index) {
            let ty = Declarations::parse(o.returns).map_err(|err| err.to_string())?;
            let schema = self
                .schema(&ty, 0)
                .map_err(|err| format!("{what}: {err}"))?;
            let validator = jsonschema::validator_for(&schema)
                .map_err(|err| format!("{what}: the schema does not compile: {err}"))?;
            self.validators.insert(index, validator);
        }
        let body = e
            .body
            .as_ref()
            .ok_or_else(|| format!("{what}: no JSON body"))?;
        let errors: Vec<String> = self.validators[&index]
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

    /// The fields of an object type.
    fn fields(&self, ty: &Ty, depth: usize) -> Result<BTreeMap<String, (bool, Ty)>, String> {
        if depth > 24 {
            return Err("types nest too deep".into());
        }
        match ty {
            Ty::Obj(fields) => Ok(fields.clone()),
            Ty::Ref(name) => {
                let named = self.declarations.named(name).map_err(|e| e.to_string())?;
                let mut fields = self.fields(&named, depth + 1)?;
                for (_, field, gap) in GAPS.iter().filter(|(n, _, _)| n == name) {
                    if let Some((optional, ty)) = fields.get_mut(*field) {
                        match gap {
                            Gap::Absent => *optional = true,
                            Gap::Nullable => *ty = Ty::Union(vec![ty.clone(), Ty::Null]),
                            Gap::Values(values) => {
                                let mut options = vec![ty.clone()];
                                options.extend(values.iter().map(|v| Ty::Lit(json!(v))));
                                *ty = Ty::Union(options);
                            }
                        }
                    }
                }
                Ok(fields)
            }
            Ty::Inter(parts) => {
                let mut all = BTreeMap::new();
                for part in parts {
                    all.extend(self.fields(part, depth + 1)?);
                }
                Ok(all)
            }
            Ty::Generic(name, args) => match (name.as_str(), args.as_slice()) {
                ("Record", _) => Ok(BTreeMap::new()),
                ("Partial", [t]) => Ok(self
                    .fields(t, depth + 1)?
                    .into_iter()
                    .map(|(k, (_, t))| (k, (true, t)))
                    .collect()),
                ("Pick", [t, keys]) => {
                    let keys = literals(keys);
                    let mut fields = self.fields(t, depth + 1)?;
                    fields.retain(|k, _| keys.contains(k));
                    Ok(fields)
                }
                ("Omit" | "MappedOmit", [t, keys]) => {
                    let keys = literals(keys);
                    let mut fields = self.fields(t, depth + 1)?;
                    fields.retain(|k, _| !keys.contains(k));
                    Ok(fields)
                }
                _ => Err(format!(
                    "{name}<…> is not an object type this checker reads"
                )),
            },
            other => Err(format!("{other:?} is not an object type")),
        }
    }

    /// `ty` as JSON Schema.
    fn schema(&self, ty: &Ty, depth: usize) -> Result<Value, String> {
        if depth > 24 {
            return Err("types nest too deep".into());
        }
        Ok(match ty {
            Ty::Any => json!({}),
            Ty::Str => json!({ "type": "string" }),
            Ty::Num => json!({ "type": "number" }),
            Ty::Bool => json!({ "type": "boolean" }),
            Ty::Null => json!({ "type": "null" }),
            Ty::Lit(v) => json!({ "const": v }),
            Ty::Array(item) => json!({ "type": "array", "items": self.schema(item, depth + 1)? }),
            Ty::Generic(name, args) if name == "Array" && args.len() == 1 => {
                json!({ "type": "array", "items": self.schema(&args[0], depth + 1)? })
            }
            Ty::Union(options) => {
                let options: Result<Vec<Value>, String> =
                    options.iter().map(|o| self.schema(o, depth + 1)).collect();
                json!({ "anyOf": options? })
            }
            Ty::Ref(name) if self.declarations.named(name).is_ok_and(|t| !is_object(&t)) => {
                let named = self.declarations.named(name).map_err(|e| e.to_string())?;
                self.schema(&named, depth + 1)?
            }
            object => {
                let fields = self.fields(object, depth + 1)?;
                let mut properties = serde_json::Map::new();
                let mut required = Vec::new();
                for (name, (optional, ty)) in &fields {
                    properties.insert(name.clone(), self.schema(ty, depth + 1)?);
                    if !optional {
                        required.push(Value::String(name.clone()));
                    }
                }
                json!({ "type": "object", "properties": properties, "required": required })
            }
        })
    }
}

/// Whether a type is an object type (an interface, an object literal or
/// an intersection of them) rather than, say, a union of literals.
fn is_object(ty: &Ty) -> bool {
    match ty {
        Ty::Obj(_) | Ty::Inter(_) => true,
        Ty::Generic(name, _) => matches!(
            name.as_str(),
            "Record" | "Partial" | "Pick" | "Omit" | "MappedOmit"
        ),
        _ => false,
    }
}

/// The string literals of a union of them (`'a' | 'b'`).
fn literals(ty: &Ty) -> Vec<String> {
    match ty {
        Ty::Lit(Value::String(s)) => vec![s.clone()],
        Ty::Union(options) => options.iter().flat_map(literals).collect(),
        _ => Vec::new(),
    }
}
