//! Where an app's code lives, so a promotion can say what the version delta
//! brings: the app's configured `source`, else the repository its image is
//! named after (`ghcr.io/<owner>/<name>` is built from `<owner>/<name>` on
//! github.com, `registry.gitlab.com/<group>/<project>` from gitlab.com).
//! An inferred source is marked as such: the release manager sees where the
//! notes come from and corrects it in `.hoist.yaml` when it is wrong. No
//! registry is asked (an OCI label would say it, but only online).

use serde::{Deserialize, Serialize};

use crate::config::SourceRepository;
use crate::forge::Forge;

/// An app's source repository and the tags of the two versions a change
/// moves between.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SourceRef {
    /// The forge it is on.
    pub forge: Forge,
    /// Its host (`github.com`).
    pub host: String,
    /// Its path there (`acme/api`, `group/sub/project`).
    pub path: String,
    /// Its web page.
    pub url: String,
    /// The tag of the version the target runs.
    pub from_tag: String,
    /// The tag of the version it gets.
    pub to_tag: String,
    /// Found from the image's name rather than configured.
    pub inferred: bool,
}

impl SourceRef {
    /// The configured source's tags of `from` and `to`; `None` when its
    /// repository cannot be read as one.
    pub fn configured(source: &SourceRepository, from: &str, to: &str) -> Option<SourceRef> {
        let (host, path) = source.host_and_path()?;
        Some(SourceRef {
            forge: source.forge(),
            url: format!("https://{host}/{path}"),
            host,
            path,
            from_tag: source.tag(from),
            to_tag: source.tag(to),
            inferred: false,
        })
    }

    /// The source named by the first image of a known registry in
    /// `content` (the app's file), tags taken as the versions themselves.
    pub fn inferred(content: &[u8], from: &str, to: &str) -> Option<SourceRef> {
        let text = String::from_utf8_lossy(content);
        [
            ("ghcr.io/", "github.com", Forge::GitHub),
            ("registry.gitlab.com/", "gitlab.com", Forge::GitLab),
        ]
        .into_iter()
        .filter_map(|(registry, host, forge)| {
            let at = text.find(registry)?;
            // Not inside another name (`notghcr.io/`).
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
                return None;
            }
            let path = image_path(&text[at + registry.len()..], forge)?;
            Some((
                at,
                SourceRef {
                    forge,
                    host: host.to_owned(),
                    url: format!("https://{host}/{path}"),
                    path,
                    from_tag: from.to_owned(),
                    to_tag: to.to_owned(),
                    inferred: true,
                },
            ))
        })
        .min_by_key(|(at, _)| *at)
        .map(|(_, source)| source)
    }

    /// The web page comparing the two tags.
    pub fn compare_url(&self) -> String {
        self.forge
            .compare_url(&self.url, &self.from_tag, &self.to_tag)
    }
}

/// One version change of an environment's history, as History names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change<'a> {
    /// The environment.
    pub environment: &'a str,
    /// The app.
    pub app: &'a str,
    /// The commit that set the version (full or abbreviated id).
    pub commit: &'a str,
    /// The version before.
    pub from: &'a str,
    /// The version set.
    pub to: &'a str,
}

/// The source of a version change of an environment's history (what
/// History shows): the app's configured source, else the one its file names
/// as that commit left it. `None` for a hydrator's dry
/// commit (its notes are the dry branch's), or an app or environment the
/// configuration no longer has.
///
/// A first version (nothing before it) has no change to read: the caller
/// knows and does not ask.
pub fn of_change(project: &crate::Project, change: &Change<'_>) -> Option<SourceRef> {
    let from = change.from;
    let app = project.config.apps.iter().find(|a| a.name == change.app)?;
    let env = project
        .config
        .environments
        .iter()
        .find(|e| e.name == change.environment)?;
    let file = app.location_in(env).file;
    if crate::hydrator::is_metadata(&file) {
        return None;
    }
    match &app.source {
        Some(configured) => SourceRef::configured(configured, from, change.to),
        None => {
            let commit = project.repo.find_commit_id(change.commit)?;
            let content = project.repo.read_file(commit, &file).ok()??;
            SourceRef::inferred(&content, from, change.to)
        }
    }
}

/// The repository path an image name starts with: `owner/name` on GitHub
/// (a deeper image, `owner/name/worker`, is still built from `owner/name`),
/// every segment on GitLab (`group/sub/project`), up to the tag or digest.
fn image_path(rest: &str, forge: Forge) -> Option<String> {
    let name: &str = rest
        .split(|c: char| !(c.is_ascii_alphanumeric() || "-_./".contains(c)))
        .next()?;
    let segments: Vec<&str> = name
        .split('/')
        .take_while(|s| !s.is_empty())
        .filter(|s| s.chars().any(|c| c.is_ascii_alphanumeric()) && !s.starts_with('.'))
        .collect();
    let wanted = match forge {
        Forge::GitHub => 2,
        Forge::GitLab => segments.len(),
    };
    (segments.len() >= 2).then(|| segments[..wanted].join("/").to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_on_a_known_registry_names_its_repository() {
        let values = b"image:\n  repository: ghcr.io/Acme/cart\n  tag: 1.1.0\n";
        let s = SourceRef::inferred(values, "1.0.0", "1.1.0").expect("inferred");
        assert_eq!(
            (s.host.as_str(), s.path.as_str()),
            ("github.com", "acme/cart")
        );
        assert_eq!(
            s.compare_url(),
            "https://github.com/acme/cart/compare/1.0.0...1.1.0"
        );
        assert!(s.inferred);
        let deep = SourceRef::inferred(b"image: ghcr.io/acme/api/worker:v2", "v1", "v2")
            .expect("inferred");
        assert_eq!(deep.path, "acme/api");
        let gitlab = SourceRef::inferred(
            b"newName: registry.gitlab.com/acme/platform/billing\nnewTag: 3.1.0",
            "3.0.0",
            "3.1.0",
        )
        .expect("inferred");
        assert_eq!(
            (gitlab.forge, gitlab.path.as_str()),
            (Forge::GitLab, "acme/platform/billing")
        );
        // The first image wins; unknown registries and lookalikes say nothing.
        let two = SourceRef::inferred(b"a: registry.gitlab.com/g/p\nb: ghcr.io/o/n", "1", "2")
            .expect("inferred");
        assert_eq!(two.forge, Forge::GitLab);
        for none in [
            &b"image: docker.io/library/nginx:1.27"[..],
            b"image: notghcr.io/acme/cart",
            b"image: ghcr.io/acme",
            b"image: ghcr.io/../..",
            b"",
        ] {
            assert_eq!(
                SourceRef::inferred(none, "1", "2"),
                None,
                "{}",
                String::from_utf8_lossy(none)
            );
        }
    }
}
