//! Where a token may go: a github.com token only to github.com's API, an
//! enterprise token to other hosts, never over plain http off this machine,
//! and never where a repository someone else owns points.

use hoist_github::client::Policy;
use hoist_github::connect;
use hoist_github::token::{self, Source};
use hoist_github::{Client, Error, Remote, Token};

#[test]
fn environment_tokens_belong_to_their_kind_of_host() {
    let names = |host: &str| token::variables(host).map(|(name, _)| name);
    assert_eq!(names("github.com"), ["GH_TOKEN", "GITHUB_TOKEN"]);
    assert_eq!(names("GitHub.com"), ["GH_TOKEN", "GITHUB_TOKEN"]);
    assert_eq!(names("acme.ghe.com"), ["GH_TOKEN", "GITHUB_TOKEN"]);
    assert_eq!(
        names("github.acme.example"),
        ["GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"]
    );
    assert_eq!(
        names("github.com.evil.example"),
        ["GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"]
    );
    assert_eq!(
        token::variables("github.acme.example")[0].1,
        Source::GhEnterpriseToken
    );
}

#[test]
fn github_coms_api_cannot_be_redirected() {
    for origin in [
        "https://github.com/acme/gitops.git",
        "git@acme.ghe.com:platform/deploy.git",
    ] {
        let e = connect::locate(origin, Some("https://api.evil.example")).expect_err(origin);
        assert!(matches!(e, Error::ApiUrl { .. }), "{e}");
        assert!(
            e.to_string().contains("does not send its token elsewhere"),
            "{e}"
        );
    }
    let (remote, api) =
        connect::locate("https://github.com/acme/gitops.git", None).expect("github.com");
    assert_eq!(
        (remote.host.as_str(), api.as_str()),
        ("github.com", "https://api.github.com")
    );
    // A server's API is where the clone says.
    let (_, api) = connect::locate(
        "https://github.acme.example/platform/deploy.git",
        Some("https://github.acme.example/api/v3"),
    )
    .expect("enterprise");
    assert_eq!(api, "https://github.acme.example/api/v3");
}

#[test]
fn a_token_goes_over_https_or_stays_on_this_machine() {
    let remote =
        Remote::parse("git@github.com:acme/gitops.git", &Default::default()).expect("remote");
    let token = Token::new("ghp_secret").expect("token");
    let client = |api: &str| {
        let _runtime = tokio::runtime::Runtime::new().expect("runtime");
        let _inside = _runtime.enter();
        Client::new(&remote, api, &token, Policy::default()).map(|_| ())
    };
    for api in [
        "https://github.acme.example/api/v3",
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
        "http://localhost:8080",
    ] {
        assert!(client(api).is_ok(), "{api}");
    }
    for api in [
        "http://github.acme.example/api/v3",
        "http://10.0.0.7:8080",
        "http://127.0.0.1.evil.example",
        "http://hoist-sandbox.localhost.evil.example",
        "ftp://github.acme.example",
        "https://user:pass@github.acme.example",
        "not a url",
    ] {
        match client(api) {
            Err(Error::ApiUrl { .. }) => {}
            other => panic!("{api}: {:?}", other.err()),
        }
    }
}

/// A clone owned by someone else (here: root's clone chowned to `nobody`)
/// cannot point the token at its own API: its `hoist.apiUrl` is not read.
#[test]
fn a_repository_someone_else_owns_does_not_choose_the_api() {
    let copy = hoist_fixtures::fresh_copy("branch-helm");
    let repo = copy.path().to_path_buf();
    hoist_fixtures::git(
        &repo,
        &["config", connect::API_URL_KEY, "https://api.evil.example"],
    );
    let opened = hoist_core::Repo::open(&repo).expect("opens");
    assert_eq!(
        connect::api_url_setting(&opened).as_deref(),
        Some("https://api.evil.example"),
        "the user's own clone is trusted"
    );
    // Only root can give a directory away; CI runs as root.
    let chown = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(repo.join(".git"))
        .status()
        .expect("chown runs");
    if !chown.success() {
        assert_ne!(
            std::process::Command::new("id")
                .arg("-u")
                .output()
                .expect("id")
                .stdout,
            b"0\n",
            "root can chown"
        );
        eprintln!("not root: the other owner's case is not exercised here");
        return;
    }
    let theirs = hoist_core::Repo::open(&repo);
    if let Ok(theirs) = theirs {
        assert_eq!(connect::api_url_setting(&theirs), None);
    }
}

#[test]
fn a_clone_is_connected_through_its_origin_its_setting_and_a_given_token() {
    let copy = hoist_fixtures::fresh_copy("branch-helm");
    let repo = copy.path().to_path_buf();
    let opened = hoist_core::Repo::open(&repo).expect("opens");
    // The fixture has no origin: nothing to open pull requests on.
    assert!(matches!(
        connect::host(&opened, None, None),
        Err(Error::NoOrigin)
    ));
    hoist_fixtures::git(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            "https://github.acme.example/platform/deploy.git",
        ],
    );
    hoist_fixtures::git(
        &repo,
        &[
            "config",
            connect::API_URL_KEY,
            "https://github.acme.example/api/v3",
        ],
    );
    let opened = hoist_core::Repo::open(&repo).expect("opens");
    let given = Token::new("ghp_given").map(|t| (t, "given"));
    let host = connect::host(&opened, None, given).expect("host");
    assert_eq!(host.remote.slug(), "platform/deploy");
    assert_eq!(host.api, "https://github.acme.example/api/v3");
    assert_eq!(host.token.as_ref().map(|(_, from)| *from), Some("given"));
    // An API named at sign-in wins over the clone's setting.
    let host =
        connect::host(&opened, Some("https://ghes.acme.example/api/v3"), None).expect("host");
    assert_eq!(host.api, "https://ghes.acme.example/api/v3");
}
