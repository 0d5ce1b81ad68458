//! A corpus of hostile inputs, run through what reads them: files anyone
//! with push access can write (status, plans, pull request drafts,
//! detection), versions (the pull request's branch, body and marker),
//! configurations, and clone URLs. Each ends in a correct result or an error
//! that says what is wrong; none may panic, hang or crash the process.
//! The README reports how many inputs there are (see `corpus_size`).

use hoist_core::config::PrSettings;
use hoist_core::plan::request::{MARKER, Marker};
use hoist_core::point::Point;
use hoist_core::status::Cell;
use hoist_core::{Project, Repo};

/// What a values file may hold, by name.
fn values_files() -> Vec<(&'static str, Vec<u8>)> {
    let deep = 100_000;
    let mut lattice = String::from("l0: &l0 {x: 1}\n");
    for i in 1..=64 {
        lattice.push_str(&format!("l{i}: &l{i} {{<<: [*l{}, *l{}]}}\n", i - 1, i - 1));
    }
    lattice.push_str("image:\n  <<: *l64\n");
    let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..=9 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        laughs.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    laughs.push_str("image: {tag: *a9}\n");
    vec![
        ("merge key cycle", b"image: &a {<<: *a}\n".to_vec()),
        (
            "merge key cycle, block",
            b"image: &a\n  repository: r\n  more:\n    <<: *a\n".to_vec(),
        ),
        (
            "nested lists",
            format!("image:\n  tag: {}x\n", "- ".repeat(deep)).into_bytes(),
        ),
        (
            "nested flow lists",
            format!(
                "image: {{tag: {}1{}}}\n",
                "[".repeat(deep),
                "]".repeat(deep)
            )
            .into_bytes(),
        ),
        (
            "nested flow maps",
            format!("image: {}1{}\n", "{a: ".repeat(deep), "}".repeat(deep)).into_bytes(),
        ),
        ("a lattice of merges", lattice.into_bytes()),
        ("a billion laughs", laughs.into_bytes()),
        ("not UTF-8", b"image:\n  tag: \xff\xfe1.0\n".to_vec()),
        ("a NUL byte", b"image:\n  tag: 1.0\x00\n".to_vec()),
        (
            "a 1 MB scalar",
            format!("image:\n  tag: {}\n", "9".repeat(1 << 20)).into_bytes(),
        ),
        (
            "a 1 MB key",
            format!("{}: x\nimage:\n  tag: 1.0.0\n", "k".repeat(1 << 20)).into_bytes(),
        ),
        (
            "the marker in a version",
            b"image:\n  tag: \"1.0 --> <!-- hoist: {} -->\"\n".to_vec(),
        ),
        (
            "a table in a version",
            b"image:\n  tag: \"1.0 | x\\n| y\"\n".to_vec(),
        ),
        (
            "a multibyte digest",
            "image:\n  tag: \"sha256:a\u{20ac}\u{20ac}\u{20ac}\u{20ac}\u{20ac}\u{20ac}\u{20ac}\"\n"
                .as_bytes()
                .to_vec(),
        ),
        (
            "duplicate keys",
            b"image:\n  tag: 1.0.0\nimage:\n  tag: 2.0.0\n".to_vec(),
        ),
        (
            "a mapping for a version",
            b"image:\n  tag: {a: b}\n".to_vec(),
        ),
        ("a list for a version", b"image:\n  tag: [1, 2]\n".to_vec()),
        ("null versions", b"image:\n  tag: ~\n".to_vec()),
        ("an empty version", b"image:\n  tag: \"\"\n".to_vec()),
        (
            "several documents",
            b"image: {tag: 1.0.0}\n---\nimage: {tag: 2.0.0}\n---\n".to_vec(),
        ),
        ("an empty file", Vec::new()),
        ("only comments", b"# nothing here\n# at all\n".to_vec()),
        (
            "a byte order mark",
            b"\xef\xbb\xbfimage:\n  tag: 1.7.0\n".to_vec(),
        ),
        ("lone carriage returns", b"image:\r  tag: 1.7.0\r".to_vec()),
        ("tabs for indentation", b"image:\n\ttag: 1.7.0\n".to_vec()),
        (
            "a language tag",
            b"image: !!python/object:os.system {tag: 1.7.0}\n".to_vec(),
        ),
        (
            "an anchor defined twice",
            b"a: &x 1\nb: &x 2\nimage: {tag: *x}\n".to_vec(),
        ),
        ("an unknown alias", b"image: {tag: *nowhere}\n".to_vec()),
        ("unterminated quote", b"image:\n  tag: \"1.7.0\n".to_vec()),
        (
            "JSON nested deep",
            format!("{{\"image\": {}1{}}}", "[".repeat(deep), "]".repeat(deep)).into_bytes(),
        ),
        ("binary garbage", (0u8..=255).cycle().take(70_000).collect()),
        (
            "a hundred thousand documents",
            "---\n".repeat(100_000).into_bytes(),
        ),
    ]
}

/// Versions anyone can release, as they would be set on dev.
fn versions() -> Vec<&'static str> {
    vec![
        "1.0 --> <!-- hoist: {\"kind\":\"rollback\"} -->",
        "v1 | evil | table",
        "line\nbreak",
        "sha256:a\u{20ac}\u{20ac}\u{20ac}\u{20ac}\u{20ac}\u{20ac}\u{20ac}\u{20ac}",
        "`backticks` and ``more``",
        "../../etc/passwd",
        "refs/heads/main",
        "--upload-pack=touch x",
        "a..b@{c}~^:?*[\\",
        "  spaced  ",
        "\u{202e}reversed",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-long",
        ".lock",
        "x.lock",
        "<script>alert(1)</script>",
    ]
}

/// `.hoist.yaml` texts a repository may carry.
fn configurations() -> Vec<String> {
    let deep = 100_000;
    vec![
        format!("environments: {}{}\n", "[".repeat(deep), "]".repeat(deep)),
        "environments: &e [{name: dev, upstream: *e}]\n".to_owned(),
        format!("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n{}", (1..=9).map(|i| format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 10].join(", "))).collect::<String>()),
        "environments: [{name: \"dev\\nprod\"}]\n".to_owned(),
        "environments: [{name: ../../x}]\n".to_owned(),
        "environments: [{name: dev, branch: \"--upload-pack=x\"}]\n".to_owned(),
        "environments: [{name: dev, path: /etc}]\n".to_owned(),
        "environments: [{name: dev}]\napps: [{name: api, file: .git/config, locator: {yaml: a}}]\n".to_owned(),
        "environments: [{name: dev}]\napps: [{name: api, file: a.yaml, locator: {regex: '(((('}}]\n".to_owned(),
        "environments: [{name: dev}]\napps: [{name: api, file: a.yaml, locator: {yaml: '['}}]\n".to_owned(),
        "environments: [{name: dev}]\napps: [{name: api, file: a.yaml, locator: {regex: '(a+)+$'}}]\n".to_owned(),
        format!("environments: [{{name: {}}}]\n", "x".repeat(1 << 20)),
        "\u{feff}environments: [{name: dev}]\n".to_owned(),
        "environments: [{name: dev, upstream: dev}]\n".to_owned(),
        "pr: {branch_prefix: \"../..\", title: \"{nope}\"}\nenvironments: [{name: dev}]\n".to_owned(),
        String::new(),
        "{".to_owned(),
        "\u{0}".to_owned(),
    ]
}

/// URLs someone may paste to clone.
fn clone_urls() -> Vec<&'static str> {
    vec![
        "--upload-pack=touch /tmp/x",
        "-c core.sshCommand=x",
        "ext::sh -c touch% /tmp/x",
        "ssh://-oProxyCommand=x/a/b",
        "file:///etc",
        "http://user:secret@host/a/b",
        "https://host/a/b\n--upload-pack=x",
        "fd::17",
        "",
        "https://",
        "git@:a/b",
    ]
}

/// How many inputs the corpus holds, for the README.
#[test]
fn corpus_size() {
    let size =
        values_files().len() + versions().len() + configurations().len() + clone_urls().len();
    eprintln!("hostile inputs: {size}");
    assert!(size >= 75, "{size}");
}

fn commit_file(dir: &std::path::Path, branch: &str, path: &str, content: &[u8], message: &str) {
    let git = |args: &[&str]| hoist_fixtures::git(dir, args);
    git(&["checkout", "-q", branch]);
    std::fs::write(dir.join(path), content).expect("write");
    git(&["add", path]);
    git(&[
        "-c",
        "user.name=Mallory",
        "-c",
        "user.email=m@x",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        message,
    ]);
}

/// Whatever prod's values file holds: the status names the problem in that
/// cell only, and plans, drafts and detection answer or say why not.
#[test]
fn hostile_files_end_in_a_result_or_a_clear_error() {
    let copy = hoist_fixtures::fresh_copy("branch-helm");
    let dir = copy.path();
    for (name, content) in values_files() {
        commit_file(dir, "env/prod", "apps/api/values.yaml", &content, name);
        let project = Project::open(dir).expect("opens");
        let status = project
            .status()
            .unwrap_or_else(|e| panic!("{name}: status failed whole: {e}"));
        let prod = status
            .environments
            .iter()
            .position(|e| e.name == "prod")
            .expect("prod");
        for row in &status.apps {
            let cell = &row.cells[prod];
            match (row.name.as_str(), cell) {
                ("api", Cell::Error { message }) => {
                    assert!(!message.trim().is_empty(), "{name}");
                    assert!(
                        message.contains("apps/api/values.yaml"),
                        "{name}: {message}"
                    );
                }
                ("api", Cell::Version { .. }) => {}
                ("api", other) => panic!("{name}: {other:?}"),
                (_, Cell::Version { .. }) => {}
                (app, other) => panic!("{name}: {app} became {other:?}"),
            }
        }
        match hoist_core::plan::promotion(&project, &Point::tip("stage"), "prod", &["api".into()]) {
            Ok(Some(plan)) => {
                let draft = plan
                    .pull_request(&PrSettings::default(), Some("corpus"))
                    .expect("draft");
                assert_eq!(draft.body.matches(MARKER).count(), 1, "{name}");
                assert_eq!(
                    Marker::find(&draft.body).as_ref(),
                    Some(&draft.marker),
                    "{name}"
                );
            }
            Ok(None) => {}
            Err(e) => assert!(!e.to_string().trim().is_empty(), "{name}"),
        }
        let repo = Repo::open(dir).expect("opens");
        if let Err(e) = hoist_core::detect::detect(&repo) {
            assert!(!e.to_string().trim().is_empty(), "{name}");
        }
    }
}

/// Whatever version dev runs: promoting it drafts a pull request whose
/// branch git accepts, whose table has one row per app and whose marker
/// reads back exactly.
#[test]
fn hostile_versions_make_well_formed_pull_requests() {
    let copy = hoist_fixtures::fresh_copy("branch-helm");
    let dir = copy.path();
    let git = |args: &[&str]| hoist_fixtures::git(dir, args);
    git(&["checkout", "-q", "env/dev"]);
    let original = std::fs::read_to_string(dir.join("apps/api/values.yaml")).expect("values");
    for version in versions() {
        let quoted = serde_json::to_string(version).expect("a JSON string is a YAML string");
        let text = original
            .lines()
            .map(|l| {
                if l.trim_start().starts_with("tag:") {
                    format!("  tag: {quoted}")
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        commit_file(
            dir,
            "env/dev",
            "apps/api/values.yaml",
            format!("{text}\n").as_bytes(),
            "release",
        );
        let project = Project::open(dir).expect("opens");
        let plan = match hoist_core::plan::promotion(
            &project,
            &Point::tip("dev"),
            "stage",
            &["api".into()],
        ) {
            Ok(Some(plan)) => plan,
            Ok(None) => panic!("{version:?}: nothing to promote"),
            Err(e) => {
                assert!(!e.to_string().trim().is_empty());
                continue;
            }
        };
        let draft = plan
            .pull_request(&PrSettings::default(), None)
            .expect("draft");
        let checked = std::process::Command::new("git")
            .args(["check-ref-format", &format!("refs/heads/{}", draft.branch)])
            .status()
            .expect("git runs");
        assert!(checked.success(), "{version:?}: branch {:?}", draft.branch);
        assert!(
            draft.branch.starts_with("hoist/stage/"),
            "{version:?}: {}",
            draft.branch
        );
        assert_eq!(
            Marker::find(&draft.body).as_ref(),
            Some(&draft.marker),
            "{version:?}"
        );
        assert_eq!(draft.body.matches(MARKER).count(), 1, "{version:?}");
        let rows = draft
            .body
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| App"))
            .count();
        assert_eq!(rows, 1, "{version:?}:\n{}", draft.body);
        assert!(!draft.body.contains("<script"), "{version:?}");
    }
}

/// Whatever `.hoist.yaml` says: it loads, or the error names where.
#[test]
fn hostile_configurations_load_or_say_where_they_are_wrong() {
    for text in configurations() {
        if let Err(e) = hoist_core::config::parse(&text, ".hoist.yaml") {
            let message = e.to_string();
            assert!(message.contains(".hoist.yaml"), "{message}");
        }
    }
}

/// Whatever URL is pasted to clone: refused with a reason, never passed on.
#[test]
fn hostile_clone_urls_are_refused() {
    for url in clone_urls() {
        let e = hoist_core::clone_url::check(url).expect_err(url);
        assert!(!e.to_string().contains("secret"), "{e}");
    }
}
