//! For generated well-formed YAML streams: writing a version and reading it
//! back returns the written value, every byte outside the value's place is
//! unchanged, and every other value in the file still reads the same.

use hoist_locate::Locator;
use proptest::prelude::*;

#[derive(Debug, Clone, Copy)]
enum Style {
    Plain,
    Single,
    Double,
}

#[derive(Debug, Clone)]
enum Value {
    Leaf(String, Style),
    Map(Vec<Value>, bool),
    List(Vec<(String, Style)>),
}

#[derive(Debug, Clone)]
struct Layout {
    indent: usize,
    crlf: bool,
    comments: bool,
}

fn leaf() -> impl Strategy<Value = (String, Style)> {
    prop_oneof![
        "[a-z0-9][a-z0-9._/-]{0,10}".prop_map(|s| (s, Style::Plain)),
        "[ -~]{0,12}".prop_map(|s| (s, Style::Single)),
        "[ -~]{0,12}".prop_map(|s| (s, Style::Double)),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf_value = leaf().prop_map(|(s, style)| Value::Leaf(s, style));
    leaf_value.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            (prop::collection::vec(inner, 1..5)).prop_map(|v| Value::Map(v, false)),
            (prop::collection::vec(leaf().prop_map(|(s, st)| Value::Leaf(s, st)), 1..4))
                .prop_map(|v| Value::Map(v, true)),
            prop::collection::vec(leaf(), 1..4).prop_map(Value::List),
        ]
    })
}

fn scalar((s, style): (&str, Style)) -> String {
    match style {
        Style::Plain => s.to_owned(),
        Style::Single => format!("'{}'", s.replace('\'', "''")),
        Style::Double => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

/// Renders documents, collecting (path, value) of every leaf.
fn render(docs: &[Vec<Value>], layout: &Layout) -> (String, Vec<(String, String)>) {
    let nl = if layout.crlf { "\r\n" } else { "\n" };
    let mut out = String::from("# generated");
    out.push_str(nl);
    let mut leaves = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        if d > 0 {
            out.push_str("---");
            out.push_str(nl);
        }
        map(
            doc,
            &format!("d{d}k"),
            "",
            0,
            layout,
            nl,
            &mut out,
            &mut leaves,
        );
    }
    (out, leaves)
}

#[allow(clippy::too_many_arguments)]
fn map(
    entries: &[Value],
    key_prefix: &str,
    path: &str,
    level: usize,
    layout: &Layout,
    nl: &str,
    out: &mut String,
    leaves: &mut Vec<(String, String)>,
) {
    let pad = " ".repeat(layout.indent * level);
    let comment = if layout.comments {
        "  # note: keep"
    } else {
        ""
    };
    for (i, value) in entries.iter().enumerate() {
        let key = format!("{key_prefix}{i}");
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match value {
            Value::Leaf(s, style) => {
                out.push_str(&format!("{pad}{key}: {}{comment}{nl}", scalar((s, *style))));
                leaves.push((here, s.clone()));
            }
            Value::Map(inner, true) => {
                let mut parts = Vec::new();
                for (j, v) in inner.iter().enumerate() {
                    if let Value::Leaf(s, style) = v {
                        parts.push(format!("f{j}: {}", scalar((s, *style))));
                        leaves.push((format!("{here}.f{j}"), s.clone()));
                    }
                }
                out.push_str(&format!(
                    "{pad}{key}: {{{}}}{comment}{nl}",
                    parts.join(", ")
                ));
            }
            Value::Map(inner, false) => {
                out.push_str(&format!("{pad}{key}:{comment}{nl}"));
                map(inner, "k", &here, level + 1, layout, nl, out, leaves);
            }
            Value::List(items) => {
                out.push_str(&format!("{pad}{key}:{nl}"));
                for (j, (s, style)) in items.iter().enumerate() {
                    out.push_str(&format!("{pad}  - {}{comment}{nl}", scalar((s, *style))));
                    leaves.push((format!("{here}[{j}]"), s.clone()));
                }
            }
        }
    }
}

fn new_version() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,2}\\.[0-9]{1,2}(\\.[0-9]{1,3})?",
        "v[0-9a-z.+-]{1,10}",
        "sha256:[0-9a-f]{8}",
        "[ -~]{1,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn write_then_read_changes_only_the_value(
        docs in prop::collection::vec(prop::collection::vec(value(), 1..5), 1..3),
        layout in (prop_oneof![Just(2usize), Just(4)], any::<bool>(), any::<bool>())
            .prop_map(|(indent, crlf, comments)| Layout { indent, crlf, comments }),
        pick in any::<prop::sample::Index>(),
        new in new_version(),
    ) {
        let (text, leaves) = render(&docs, &layout);
        let (path, old) = pick.get(&leaves).clone();
        let locator = Locator::Yaml(path.clone());
        let before = locator.read("gen.yaml", text.as_bytes()).unwrap();
        prop_assert_eq!(&before.value, &old);

        let out = locator.write("gen.yaml", text.as_bytes(), &new).unwrap();
        prop_assert_eq!(locator.read("gen.yaml", &out).unwrap().value, new.clone());

        // Outside the value (and the quotes around it) nothing moved.
        let span = before.span;
        let (start, end) = (span.start.saturating_sub(1), (span.end + 1).min(text.len()));
        let suffix = text.len() - end;
        prop_assert_eq!(&out[..start], &text.as_bytes()[..start]);
        prop_assert_eq!(&out[out.len() - suffix..], &text.as_bytes()[end..]);

        // Every other value still reads as before.
        for (other, value) in &leaves {
            if *other != path {
                let read = Locator::Yaml(other.clone()).read("gen.yaml", &out).unwrap();
                prop_assert_eq!(&read.value, value, "{} changed", other);
            }
        }
    }
}
