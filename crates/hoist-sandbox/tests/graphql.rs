//! The GraphQL check holds the sandbox to GitHub's published schema: each of
//! these exchanges differs from it in one way, and each is caught.

use hoist_sandbox::Exchange;
use serde_json::{Value, json};

const QUERY: &str = "mutation($input: CreateCommitOnBranchInput!) { \
     createCommitOnBranch(input: $input) { commit { oid } } }";

fn input() -> Value {
    json!({ "input": {
        "branch": { "repositoryNameWithOwner": "acme/gitops", "branchName": "hoist/x" },
        "expectedHeadOid": "0123456789abcdef0123456789abcdef01234567",
        "message": { "headline": "Promote" },
        "fileChanges": { "additions": [{ "path": "a.yaml", "contents": "YTogMQo=" }] },
    }})
}

fn exchange(query: &str, variables: Value, answer: Value) -> Exchange {
    Exchange {
        method: "POST".into(),
        route: "/graphql".into(),
        status: 200,
        body: Some(answer),
        request: Some(json!({ "query": query, "variables": variables })),
    }
}

fn violations(e: Exchange) -> Vec<String> {
    hoist_sandbox::openapi::violations(&hoist_fixtures::workspace_root(), &[e]).expect("schema")
}

fn answer() -> Value {
    json!({ "data": { "createCommitOnBranch": { "commit": { "oid": "0123456789abcdef0123456789abcdef01234567" } } } })
}

#[test]
fn what_the_sandbox_answers_fits_the_schema() {
    assert_eq!(
        violations(exchange(QUERY, input(), answer())),
        Vec::<String>::new()
    );
    let refused = json!({
        "data": { "createCommitOnBranch": null },
        "errors": [{ "type": "STALE_DATA", "message": "Expected branch to point to …" }],
    });
    assert_eq!(
        violations(exchange(QUERY, input(), refused)),
        Vec::<String>::new()
    );
}

#[test]
fn each_difference_from_the_schema_is_caught() {
    let unknown_field = QUERY.replace("commit { oid }", "commit { oid sha }");
    let mut extra_input = input();
    extra_input["input"]["fileChanges"]["additions"][0]["mode"] = json!("100755");
    let mut missing_input = input();
    missing_input["input"]
        .as_object_mut()
        .expect("input")
        .remove("expectedHeadOid");
    let cases = [
        (
            "a field the type lacks",
            exchange(&unknown_field, input(), answer()),
        ),
        (
            "an input field the type lacks",
            exchange(QUERY, extra_input, answer()),
        ),
        (
            "a required input missing",
            exchange(QUERY, missing_input, answer()),
        ),
        (
            "a field answered but not selected",
            exchange(
                QUERY,
                input(),
                json!({ "data": { "createCommitOnBranch": { "commit": { "oid": "ab", "url": "u" } } } }),
            ),
        ),
        (
            "a selected field not answered",
            exchange(
                QUERY,
                input(),
                json!({ "data": { "createCommitOnBranch": { "commit": {} } } }),
            ),
        ),
        (
            "a non-null field answered null",
            exchange(
                QUERY,
                input(),
                json!({ "data": { "createCommitOnBranch": { "commit": { "oid": null } } } }),
            ),
        ),
        (
            "an error without a message",
            exchange(
                QUERY,
                input(),
                json!({ "errors": [{ "type": "NOT_FOUND" }] }),
            ),
        ),
    ];
    for (what, e) in cases {
        assert!(!violations(e).is_empty(), "{what} was not caught");
    }
}
