//! What the surface's sandbox-backed tests share: a fixture behind the
//! sandbox, opened as the demo is (the clone's origin names the demo's host
//! and the session holds its token in memory).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hoist_api::{Session, pulls};
use hoist_fixtures::git;
use hoist_sandbox::{Config, Forge, Sandbox, Source};

/// The fixture `fixture` behind the sandbox playing `forge`, its reconciler
/// reporting as `reconciler`, serving the apps' `sources` beside it; the
/// session keeps its cache under `dir/cache`. On GitLab the origin is a
/// self-managed host whose name says nothing, so the clone's `hoist.forge`
/// says GitLab.
pub fn session(
    fixture: &str,
    forge: Forge,
    dir: &Path,
    reconciler: Option<&str>,
    sources: Vec<Source>,
) -> Arc<Session> {
    let (bare, clone) = hoist_fixtures::origin_and_clone(fixture, dir);
    let mut config = Config::new(
        &bare,
        hoist_demo::OWNER,
        hoist_demo::NAME,
        "release-manager",
        hoist_demo::TOKEN,
    );
    config.forge = forge;
    config.accounts[0].scopes = match forge {
        Forge::Github => vec!["repo".into()],
        Forge::Gitlab => vec!["api".into()],
    };
    config.reconciler = reconciler.map(str::to_owned);
    config.delay = Duration::from_millis(50);
    config.sources = sources;
    let sandbox = Sandbox::start(config).expect("sandbox");
    let origin = hoist_demo::origin();
    git(&clone, &["remote", "set-url", "origin", &origin]);
    let api = match forge {
        Forge::Github => sandbox.url().to_owned(),
        Forge::Gitlab => {
            git(&clone, &["config", "hoist.forge", "gitlab"]);
            format!("{}/api/v4", sandbox.url())
        }
    };
    git(
        &clone,
        &[
            "config",
            &format!("url.{}.insteadOf", bare.display()),
            &origin,
        ],
    );
    git(&clone, &["config", "hoist.apiUrl", &api]);
    let demo = hoist_demo::Demo {
        clone: clone.clone(),
        bare,
        sandbox,
        forge,
        dir: dir.to_owned(),
        delay: Duration::from_millis(50),
    };
    Arc::new(Session::new(clone, Some(demo)).with_cache_dir(dir.join("cache")))
}

/// The session's demo: its sandbox, to look at or to inject faults into.
pub fn demo(session: &Session) -> Arc<hoist_demo::Demo> {
    session.demo().expect("on the demo's clone")
}

/// Waits until the forge lets change request `number` be merged (its CI
/// passed); its head then.
#[allow(dead_code)] // Not every test binary that shares this module uses it.
pub async fn until_mergeable(session: &Arc<Session>, number: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let t = pulls::get(session, number).await.expect("tracked");
        if t.can_merge {
            return t.head;
        }
        assert!(Instant::now() < deadline, "never mergeable: {t:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
