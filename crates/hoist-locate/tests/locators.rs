//! Each locator reads the right value and rewrites only its bytes, on the
//! shapes real GitOps repositories have.

use hoist_locate::{Error, KustomizeField, Locator};

fn yaml(path: &str) -> Locator {
    Locator::Yaml(path.to_owned())
}

/// Writes `new`, checks it reads back, and returns the new text.
fn rewrite(locator: &Locator, text: &str, new: &str) -> String {
    let out = locator.write("f.yaml", text.as_bytes(), new).unwrap();
    assert_eq!(locator.read("f.yaml", &out).unwrap().value, new);
    String::from_utf8(out).unwrap()
}

#[test]
fn helm_values_keep_comments_quotes_and_crlf() {
    let text = "# api values\r\nimage:\r\n  repository: ghcr.io/acme/api  # the registry\r\n  tag: \"1.4.2\" # set by promotion\r\n  pullPolicy: IfNotPresent\r\n";
    let located = yaml("image.tag").read("f.yaml", text.as_bytes()).unwrap();
    assert_eq!(located.value, "1.4.2");
    assert_eq!(&text[located.span.clone()], "1.4.2");
    assert_eq!(located.line, 4);
    assert_eq!(
        rewrite(&yaml("image.tag"), text, "1.5.0"),
        text.replace("1.4.2", "1.5.0")
    );
}

#[test]
fn styles_are_kept_and_types_preserved() {
    let cases = [
        ("tag: 1.2.3\n", "1.3.0", "tag: 1.3.0\n"),
        ("tag: '1.2.3'\n", "it's", "tag: 'it''s'\n"),
        ("tag: \"1.2.3\"\n", "2.0", "tag: \"2.0\"\n"),
        ("tag: v1.2.3\n", "1.10", "tag: \"1.10\"\n"),
        ("tag: 1.9\n", "1.10", "tag: 1.10\n"),
        ("tag: v1\n", "a: b", "tag: \"a: b\"\n"),
        (
            "tag: &t v1 # anchored\nother: *t\n",
            "v2",
            "tag: &t v2 # anchored\nother: *t\n",
        ),
        ("tag: !!str 1.2\n", "1.3", "tag: !!str 1.3\n"),
    ];
    for (text, new, want) in cases {
        assert_eq!(rewrite(&yaml("tag"), text, new), want, "{text:?} ← {new:?}");
    }
}

#[test]
fn selections_indices_flow_and_merge_keys() {
    let text = "apps:\n  - name: web\n    version: 1.0.0\n  - {name: api, version: '2.0.0'}\nlist: [a, b, c]\n";
    assert_eq!(
        yaml("apps[name=api].version")
            .read("f", text.as_bytes())
            .unwrap()
            .value,
        "2.0.0"
    );
    assert_eq!(
        yaml("apps[0].version")
            .read("f", text.as_bytes())
            .unwrap()
            .value,
        "1.0.0"
    );
    assert_eq!(
        rewrite(&yaml("apps[name=api].version"), text, "2.1.0"),
        text.replace("'2.0.0'", "'2.1.0'")
    );
    assert_eq!(
        rewrite(&yaml("list[2]"), text, "z"),
        text.replace("c]", "z]")
    );

    let merged = "defaults: &d\n  tag: 1.0.0\n  repo: x\nimage:\n  <<: *d\n  repo: y\n";
    // The value comes from the anchored map; writing it changes the anchor, the one place it is written.
    assert_eq!(
        yaml("image.tag")
            .read("f", merged.as_bytes())
            .unwrap()
            .value,
        "1.0.0"
    );
    assert_eq!(
        rewrite(&yaml("image.tag"), merged, "1.1.0"),
        merged.replace("1.0.0", "1.1.0")
    );
}

#[test]
fn multi_document_files_are_searched_whole() {
    let text = "a: 1\n---\nimage:\n  tag: 3.0.0\n...\n---\nb: 2\n";
    assert_eq!(
        rewrite(&yaml("image.tag"), text, "3.1.0"),
        text.replace("3.0.0", "3.1.0")
    );
    let twice = "image: {tag: 1}\n---\nimage: {tag: 2}\n";
    assert_eq!(
        yaml("image.tag")
            .read("vals.yaml", twice.as_bytes())
            .unwrap_err(),
        Error::Ambiguous {
            file: "vals.yaml".into(),
            locator: "{yaml: image.tag}".into(),
            lines: vec![1, 3]
        }
    );
}

#[test]
fn non_ascii_text_is_addressed_in_bytes() {
    let text = "# café ☕ déploiement\nimage: {tag: 1.0.0}  # é\n";
    let located = yaml("image.tag").read("f", text.as_bytes()).unwrap();
    assert_eq!(&text[located.span], "1.0.0");
    assert_eq!(
        rewrite(&yaml("image.tag"), text, "1.0.1"),
        text.replace("1.0.0", "1.0.1")
    );
}

#[test]
fn kustomize_images_by_tag_and_digest() {
    let text = "images:\n- name: ghcr.io/acme/gateway\n  digest: sha256:aaaa\n- {name: ghcr.io/acme/billing, newTag: '5.0.1'}\n";
    let billing = Locator::Kustomize {
        image: "ghcr.io/acme/billing".into(),
        field: KustomizeField::NewTag,
    };
    let gateway = Locator::Kustomize {
        image: "ghcr.io/acme/gateway".into(),
        field: KustomizeField::Digest,
    };
    assert_eq!(billing.read("k", text.as_bytes()).unwrap().value, "5.0.1");
    assert_eq!(
        gateway.read("k", text.as_bytes()).unwrap().value,
        "sha256:aaaa"
    );
    assert_eq!(
        rewrite(&billing, text, "5.1.0"),
        text.replace("5.0.1", "5.1.0")
    );
    assert_eq!(
        rewrite(&gateway, text, "sha256:bbbb"),
        text.replace("aaaa", "bbbb")
    );
}

#[test]
fn containers_by_name_across_documents() {
    let text = "kind: ConfigMap\ndata:\n  image: ghcr.io/acme/worker:0.0.1-decoy\n---\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: istio-proxy\n          image: docker.io/istio/proxyv2:1.22.0\n        - image: \"registry:5000/acme/worker:0.7.0\"   # pinned\n          name: worker\n";
    let worker = Locator::Container("worker".into());
    let located = worker.read("m", text.as_bytes()).unwrap();
    assert_eq!(located.value, "0.7.0");
    assert_eq!(&text[located.span], "0.7.0");
    assert_eq!(
        rewrite(&worker, text, "0.8.0"),
        text.replace("0.7.0", "0.8.0")
    );
    let err = Locator::Container("api".into())
        .read("m", text.as_bytes())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "m: {container: api} matches nothing (no container is named `api`; the containers are `istio-proxy`, `worker`)"
    );
    // A tag is not an arbitrary string: a space would break the reference.
    assert!(matches!(
        worker.write("m", text.as_bytes(), "0.8 0"),
        Err(Error::BadVersion { .. })
    ));
}

#[test]
fn json_keys_stay_json() {
    let text = "{\n  \"drySha\": \"abc123\",\n  \"replicas\": 3\n}\n";
    let dry = Locator::Json("drySha".into());
    assert_eq!(dry.read("m.json", text.as_bytes()).unwrap().value, "abc123");
    let out = rewrite(&dry, text, "def\"456");
    assert_eq!(out, text.replace("\"abc123\"", "\"def\\\"456\""));
    serde_json::from_str::<serde_json::Value>(&out).unwrap();
    let replicas = Locator::Json("replicas".into());
    assert_eq!(rewrite(&replicas, text, "4"), text.replace("3\n", "4\n"));
    assert_eq!(
        rewrite(&replicas, text, "four"),
        text.replace("3\n", "\"four\"\n")
    );
}

#[test]
fn flux_markers_for_tags_and_whole_images() {
    let text = "spec:\n  values:\n    image:\n      repository: ghcr.io/stefanprodan/podinfo\n      tag: 6.5.0 # {\"$imagepolicy\": \"flux-system:podinfo:tag\"}\n---\ncontainers:\n  - name: web\n    image: ghcr.io/acme/web:2.0.1 # {\"$imagepolicy\": \"flux-system:web\"}\n";
    let tag = Locator::Flux("flux-system:podinfo:tag".into());
    let web = Locator::Flux("flux-system:web".into());
    assert_eq!(tag.read("r", text.as_bytes()).unwrap().value, "6.5.0");
    assert_eq!(web.read("r", text.as_bytes()).unwrap().value, "2.0.1");
    assert_eq!(rewrite(&tag, text, "6.6.0"), text.replace("6.5.0", "6.6.0"));
    assert_eq!(rewrite(&web, text, "2.1.0"), text.replace("2.0.1", "2.1.0"));
    assert!(matches!(
        Locator::Flux("flux-system:api".into()).read("r", text.as_bytes()),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn regex_with_one_group() {
    let text = "FROM ghcr.io/acme/base:1.2.3\nRUN make\n";
    let re = Locator::Regex(r"base:(\S+)".into());
    assert_eq!(
        re.read("Dockerfile", text.as_bytes()).unwrap().value,
        "1.2.3"
    );
    assert_eq!(rewrite(&re, text, "1.3.0"), text.replace("1.2.3", "1.3.0"));
    let err = Locator::Regex(r"(\d)".into())
        .read("Dockerfile", text.as_bytes())
        .unwrap_err();
    assert!(
        matches!(err, Error::Ambiguous { ref lines, .. } if lines == &[1, 1, 1]),
        "{err}"
    );
    // A value the regex would not find again is refused rather than written.
    let err = re
        .write("Dockerfile", text.as_bytes(), "1.3 beta")
        .unwrap_err();
    assert!(matches!(err, Error::BadVersion { .. }), "{err}");
}

#[test]
fn errors_name_the_file_and_what_is_missing() {
    let text = "image:\n  repository: x\n  pullPolicy: Always\n";
    assert_eq!(
        yaml("image.tag")
            .read("apps/api/values.yaml", text.as_bytes())
            .unwrap_err()
            .to_string(),
        "apps/api/values.yaml: {yaml: image.tag} matches nothing (`image` has no key `tag`; it has `repository`, `pullPolicy`)"
    );
    assert_eq!(
        yaml("image.repository.tag")
            .read("v", text.as_bytes())
            .unwrap_err()
            .to_string(),
        "v: {yaml: image.repository.tag} matches nothing (`image.repository` is a scalar, not a mapping with key `tag`)"
    );
    assert_eq!(
        yaml("image")
            .read("v", text.as_bytes())
            .unwrap_err()
            .to_string(),
        "v:2: {yaml: image} finds a mapping, not a version"
    );
    let broken = "image:\n  tag: [1.0\n";
    assert!(matches!(
        yaml("image.tag").read("v", broken.as_bytes()),
        Err(Error::Syntax { line: 3, .. })
    ));
    let block = "image:\n  tag: |\n    1.0\n";
    assert!(matches!(
        yaml("image.tag").write("v", block.as_bytes(), "2"),
        Err(Error::Unusable { line: 3, .. })
    ));
    assert!(matches!(
        yaml("a").read("v", b"a: \xff\n"),
        Err(Error::NotText { .. })
    ));
    assert!(matches!(
        yaml("image..tag").read("v", text.as_bytes()),
        Err(Error::Invalid { .. })
    ));
}

#[test]
fn validate_checks_syntax_without_a_file() {
    assert!(yaml("image.tag").validate().is_ok());
    assert!(Locator::Regex("(a)(b)".into()).validate().is_err());
    assert!(Locator::Regex("(".into()).validate().is_err());
    assert!(Locator::Flux("podinfo".into()).validate().is_err());
    assert!(
        Locator::Flux("flux-system:podinfo:name".into())
            .validate()
            .is_err()
    );
    assert!(
        Locator::Flux("flux-system:podinfo:tag".into())
            .validate()
            .is_ok()
    );
    assert!(Locator::Container(" ".into()).validate().is_err());
}

/// Inserts `new`, checks it reads back and that every original byte is kept in order.
fn add(locator: &Locator, text: &str, new: &str) -> String {
    let out = locator.insert("f.yaml", text.as_bytes(), new).unwrap();
    assert_eq!(locator.read("f.yaml", &out).unwrap().value, new);
    let out = String::from_utf8(out).unwrap();
    let mut rest = out.as_str();
    for c in text.chars() {
        let at = rest
            .find(c)
            .unwrap_or_else(|| panic!("{c:?} of the original is gone from {out:?}"));
        rest = &rest[at + c.len_utf8()..];
    }
    out
}

#[test]
fn a_missing_key_is_added_under_its_deepest_existing_mapping() {
    let text = "# staging values\nimage:\n  repository: ghcr.io/acme/api # registry\nreplicas: 2\n";
    assert_eq!(
        add(&yaml("image.tag"), text, "1.5.0"),
        "# staging values\nimage:\n  repository: ghcr.io/acme/api # registry\n  tag: 1.5.0\nreplicas: 2\n"
    );
    // Nothing of the path exists: it is added at the end of the document, with the file's indentation.
    let text = "replicas: 2\nresources:\n    limits:\n        cpu: 1\n";
    assert_eq!(
        add(&yaml("image.tag"), text, "1.10"),
        "replicas: 2\nresources:\n    limits:\n        cpu: 1\nimage:\n    tag: \"1.10\"\n"
    );
    // A HelmRelease patch that sets values but not the chart version.
    let text = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\nspec:\n  values:\n    ingress:\n      hosts:\n        - host: podinfo.staging\n";
    assert_eq!(
        add(&yaml("spec.chart.spec.version"), text, "6.7.1"),
        format!("{text}  chart:\n    spec:\n      version: 6.7.1\n")
    );
    // A block scalar last: its span ends past its line break.
    let text = "patches:\n  - patch: |-\n      - op: replace\n        value: 2\n";
    assert_eq!(
        add(&yaml("image.tag"), text, "1"),
        format!("{text}image:\n  tag: \"1\"\n")
    );
    // No newline at the end, and CRLF line endings.
    assert_eq!(
        add(&yaml("image.tag"), "image:\r\n  pullPolicy: Always", "2"),
        "image:\r\n  pullPolicy: Always\r\n  tag: \"2\"\r\n"
    );
    // Already set: it is a plain write.
    let written = yaml("image.tag")
        .insert("f.yaml", b"image:\n  tag: 1\n", "2")
        .unwrap();
    assert_eq!(written, b"image:\n  tag: 2\n");
}

#[test]
fn a_kustomization_gets_an_images_entry() {
    let image = |name: &str| Locator::Kustomize {
        image: name.to_owned(),
        field: KustomizeField::NewTag,
    };
    let text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\n";
    assert_eq!(
        add(&image("ghcr.io/acme/api"), text, "1.5.0"),
        format!("{text}images:\n  - name: ghcr.io/acme/api\n    newTag: 1.5.0\n")
    );
    let text = "resources:\n- ../base\nimages:\n- name: ghcr.io/acme/web\n  newTag: 2.0.0 # web\npatches:\n- path: replicas.yaml\n";
    assert_eq!(
        add(&image("ghcr.io/acme/api"), text, "1.5.0"),
        "resources:\n- ../base\nimages:\n- name: ghcr.io/acme/web\n  newTag: 2.0.0 # web\n- name: ghcr.io/acme/api\n  newTag: 1.5.0\npatches:\n- path: replicas.yaml\n"
    );
    // An entry that renames the image but sets no tag gets the tag.
    let text = "images:\n  - name: api\n    newName: registry.local/api\n";
    assert_eq!(
        add(&image("api"), text, "3"),
        "images:\n  - name: api\n    newName: registry.local/api\n    newTag: \"3\"\n"
    );
    let digest = Locator::Kustomize {
        image: "api".to_owned(),
        field: KustomizeField::Digest,
    };
    let sha = format!("sha256:{}", "a".repeat(64));
    assert!(
        add(&digest, "resources: [../base]\n", &sha)
            .ends_with(&format!("images:\n- name: api\n  digest: {sha}\n"))
    );
}

#[test]
fn what_cannot_be_added_says_why() {
    let cannot =
        |locator: &Locator, text: &str| match locator.insert("f.yaml", text.as_bytes(), "1.0.0") {
            Err(Error::CannotInsert { problem, .. }) => problem,
            other => panic!("{other:?}"),
        };
    assert!(cannot(&yaml("image.tag"), "image: {repository: x}\n").contains("flow style"));
    assert!(cannot(&yaml("apps[name=api].tag"), "apps: []\nother: 1\n").contains("list item"));
    assert!(cannot(&yaml("image.tag"), "---\nkind: A\n---\nkind: B\n").contains("2 documents"));
    assert!(
        cannot(&Locator::Container("api".into()), "kind: Deployment\n").contains("already written")
    );
    assert!(cannot(&yaml("image.tag"), "image: latest\n").contains("a scalar"));
}
