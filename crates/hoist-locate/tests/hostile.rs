//! Files anyone with push access can write: whatever their shape, reading
//! one ends in a version or an error naming the file and line, never in a
//! crash (a stack overflow cannot be caught) or a walk that does not end.

use hoist_locate::{Error, Locator};

fn read(path: &str, text: &str) -> Result<String, Error> {
    Locator::Yaml(path.to_owned())
        .read("values.yaml", text.as_bytes())
        .map(|l| l.value)
}

fn syntax_line(result: Result<String, Error>) -> (usize, String) {
    match result {
        Err(Error::Syntax {
            file,
            line,
            problem,
            ..
        }) => {
            assert_eq!(file, "values.yaml");
            (line, problem)
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn a_merge_key_that_refers_to_its_own_mapping_is_a_cycle() {
    let (line, problem) = syntax_line(read("image.tag", "name: x\nimage: &a {<<: *a}\n"));
    assert_eq!(line, 2);
    assert!(problem.contains("cycle"), "{problem}");
    let block = "image: &a\n  repository: r\n  nested:\n    <<: *a\n";
    let (line, problem) = syntax_line(read("image.nested.tag", block));
    assert_eq!(line, 4);
    assert!(problem.contains("cycle"), "{problem}");
}

#[test]
fn nesting_far_deeper_than_any_manifest_is_refused() {
    let depth = 100_000;
    let flow = format!("tag: {}1{}\n", "[".repeat(depth), "]".repeat(depth));
    let nested_maps = format!("{}1{}\n", "{a: ".repeat(depth), "}".repeat(depth));
    for text in [
        format!("tag: 1\nlist:\n{}x\n", "- ".repeat(depth)),
        flow,
        nested_maps,
    ] {
        match read("tag", &text) {
            Err(Error::Syntax { problem, .. }) => {
                // Hoist's cap, or the parser's own for flow collections.
                assert!(
                    problem.contains("nested more than") || problem.contains("recursion limit"),
                    "{problem}"
                )
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }
    // Ordinary depth still reads.
    let fine = format!("{}{{tag: 1.0.0}}{}\n", "{a: ".repeat(40), "}".repeat(40));
    let path = format!("{}tag", "a.".repeat(40));
    assert_eq!(read(&path, &fine).unwrap(), "1.0.0");
}

/// Each level merges the one before twice: searched naively, a missing key
/// costs 2^64 lookups.
#[test]
fn a_lattice_of_merges_is_searched_once_per_mapping() {
    let mut text = String::from("l0: &l0 {x: 1}\n");
    for i in 1..=64 {
        let p = i - 1;
        text.push_str(&format!("l{i}: &l{i} {{<<: [*l{p}, *l{p}]}}\n"));
    }
    text.push_str("top:\n  <<: *l64\n  other: 2\n");
    assert!(matches!(
        read("top.tag", &text),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(read("top.x", &text).unwrap(), "1");
}

/// The same alias listed at every level: without merging the places that
/// are one node, the matches multiply by the width at each level.
#[test]
fn one_node_reached_through_many_aliases_is_one_place() {
    let width = 200;
    let mut text = String::from("l0: &l0 [{n: x, v: 1.0.0}]\n");
    for i in 1..=6 {
        let items = vec![format!("{{n: x, c: *l{}}}", i - 1); width].join(", ");
        text.push_str(&format!("l{i}: &l{i} [{items}]\n"));
    }
    let path = format!("l6{}[n=x].v", "[n=x].c".repeat(6));
    assert_eq!(read(&path, &text).unwrap(), "1.0.0");
}
