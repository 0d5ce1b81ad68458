//! The JSON Schema of `.hoist.yaml`, derived from the model so it cannot drift.
//! A copy is committed at `schema/hoist.schema.json` for editors; a test keeps
//! it equal to [`schema`] (run `HOIST_BLESS=1 cargo test -p hoist-core --test config` to rewrite it).

use super::Config;

/// The schema's `$id`: a stable name; editors find the file by path or mapping.
pub const SCHEMA_ID: &str = "urn:hoist:schema:hoist.yaml";

/// The JSON Schema of `.hoist.yaml`, pretty-printed, ending without a newline.
pub fn schema() -> String {
    let mut schema = schemars::schema_for!(Config);
    schema.insert("$id".to_owned(), SCHEMA_ID.into());
    schema.insert("title".to_owned(), ".hoist.yaml".into());
    schema.insert(
        "description".to_owned(),
        "Hoist configuration: the environments of a GitOps repository in pipeline order, \
         the apps whose versions move through them and where each version lives, \
         and how promotion pull requests are opened."
            .into(),
    );
    serde_json::to_string_pretty(&schema)
        .expect("a JSON Schema built from Rust types serialises to JSON")
}
