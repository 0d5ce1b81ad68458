//! Checks the sandbox's GraphQL exchanges against GitHub's published GraphQL
//! schema (npm `@octokit/graphql-schema`), as `openapi` does for REST: the
//! query is valid, its variables coerce to their declared input types, and
//! the answer is exactly what executing the query over the answer's own data
//! gives: every selected field present with its declared type, nothing else.

use std::path::{Path, PathBuf};

use apollo_compiler::resolvers::{Execution, FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::{JsonMap, JsonValue};
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};
use serde_json::Value;

use crate::Exchange;

/// Where `ui/`'s npm install puts the schema.
pub fn default_schema(workspace: &Path) -> PathBuf {
    workspace.join("ui/node_modules/@octokit/graphql-schema/schema.graphql")
}

/// GitHub's GraphQL schema.
pub struct GraphqlSchema(Valid<Schema>);

/// The schema at `path`, read once per process: it is large, and every
/// test's journal is checked against the same one.
pub fn shared(path: &Path) -> Result<&'static GraphqlSchema, String> {
    static LOADED: std::sync::OnceLock<Result<GraphqlSchema, String>> = std::sync::OnceLock::new();
    LOADED
        .get_or_init(|| GraphqlSchema::load(path))
        .as_ref()
        .map_err(Clone::clone)
}

impl GraphqlSchema {
    /// Reads the schema at `path`.
    pub fn load(path: &Path) -> Result<GraphqlSchema, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read GitHub's GraphQL schema {}: {e} (run `npm ci` in ui/)",
                path.display()
            )
        })?;
        match Schema::parse_and_validate(&text, "schema.graphql") {
            Ok(schema) => Ok(GraphqlSchema(schema)),
            // The published schema defines two fields of
            // `EnterpriseOwnerInfo` twice; nothing else is wrong with it.
            Err(e)
                if e.errors
                    .iter()
                    .all(|d| d.error.to_string().starts_with("duplicate definitions")) =>
            {
                Ok(GraphqlSchema(Valid::assume_valid(e.partial)))
            }
            Err(e) => Err(format!(
                "GitHub's GraphQL schema does not load: {}",
                e.errors
            )),
        }
    }

    /// Checks one exchange with `POST /graphql`.
    pub fn check(&self, e: &Exchange) -> Result<(), String> {
        let what = format!("{} {} → {}", e.method, e.route, e.status);
        let asked = e
            .request
            .as_ref()
            .ok_or_else(|| format!("{what}: no JSON request"))?;
        let query = asked["query"]
            .as_str()
            .ok_or_else(|| format!("{what}: no query"))?;
        let document = ExecutableDocument::parse_and_validate(&self.0, query, "query.graphql")
            .map_err(|err| format!("{what}: the query is not valid: {}", err.errors))?;
        let operation = document
            .operations
            .get(asked["operationName"].as_str())
            .map_err(|err| format!("{what}: {}", err.message()))?;
        let variables: JsonMap = json_bytes(&asked["variables"])
            .as_object()
            .cloned()
            .unwrap_or_default();
        apollo_compiler::request::coerce_variable_values(&self.0, operation, &variables)
            .map_err(|err| format!("{what}: the variables do not fit: {}", err.message()))?;
        let body = e
            .body
            .as_ref()
            .ok_or_else(|| format!("{what}: no JSON body"))?;
        if e.status != 200 {
            return Err(format!("{what}: GitHub answers GraphQL with 200"));
        }
        for error in body["errors"].as_array().into_iter().flatten() {
            if !error["message"].is_string() {
                return Err(format!("{what}: an error without a `message`"));
            }
        }
        let Some(data) = body.get("data") else {
            return if body["errors"].is_array() {
                Ok(())
            } else {
                Err(format!("{what}: neither data nor errors"))
            };
        };
        let data = json_bytes(data);
        let data = data
            .as_object()
            .ok_or_else(|| format!("{what}: data is not an object"))?;
        let root = operation.object_type().to_string();
        let executed = Execution::new(&self.0, &document)
            .operation(operation)
            .raw_variable_values(&variables)
            .execute_sync(&Answered {
                type_name: root,
                fields: data,
            })
            .map_err(|err| format!("{what}: {}", err.message()))?;
        if let Some(error) = executed.errors.first() {
            return Err(format!(
                "{what}: the answer does not fit: {}",
                error.message
            ));
        }
        if executed.data.as_ref() != Some(data) {
            return Err(format!(
                "{what}: the answer is not what was selected: {} instead of {}",
                serde_json::to_string(data).unwrap_or_default(),
                serde_json::to_string(&executed.data).unwrap_or_default()
            ));
        }
        Ok(())
    }
}

fn json_bytes(v: &Value) -> JsonValue {
    serde_json::from_value(v.clone()).unwrap_or(JsonValue::Null)
}

/// An object of the answer, resolving each selected field to the answer's
/// own value for it.
struct Answered<'a> {
    type_name: String,
    fields: &'a JsonMap,
}

impl ObjectValue for Answered<'_> {
    fn type_name(&self) -> &str {
        &self.type_name
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let key = info.field_selections()[0].response_key().as_str();
        let value = self.fields.get(key).ok_or_else(|| FieldError {
            message: format!("`{key}` is selected but not answered"),
        })?;
        let named = info.field_definition().ty.inner_named_type().as_str();
        resolved(info, named, value)
    }
}

/// `value` as a value of the named type `named` (or a list of them).
fn resolved<'a>(
    info: &ResolveInfo<'a>,
    named: &str,
    value: &'a JsonValue,
) -> Result<ResolvedValue<'a>, FieldError> {
    let composite = info
        .schema()
        .types
        .get(named)
        .is_some_and(|t| t.is_object() || t.is_interface() || t.is_union());
    Ok(match value {
        JsonValue::Null => ResolvedValue::null(),
        JsonValue::Array(items) => ResolvedValue::list(
            items
                .iter()
                .map(|item| resolved(info, named, item).unwrap_or_else(|_| ResolvedValue::null()))
                .collect::<Vec<_>>(),
        ),
        JsonValue::Object(fields) if composite => {
            // An interface or union says its concrete type in `__typename`.
            let type_name = match info.schema().types.get(named) {
                Some(t) if t.is_object() => named.to_owned(),
                _ => fields
                    .get("__typename")
                    .and_then(JsonValue::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| FieldError {
                        message: format!("a {named} without `__typename`"),
                    })?,
            };
            ResolvedValue::object(Answered { type_name, fields })
        }
        leaf => ResolvedValue::leaf(leaf.clone()),
    })
}
