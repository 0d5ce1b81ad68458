//! `hoist-sandbox`: serves an offline GitHub (or, with `--forge gitlab`, an
//! offline GitLab) for a bare repository until stopped.

use std::time::Duration;

use anyhow::Context;
use clap::Parser;

/// Which forge's API to serve.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ForgeArg {
    Github,
    Gitlab,
}

/// An offline GitHub or GitLab for Hoist: the REST endpoints Hoist uses, backed by a bare repository.
#[derive(Parser)]
struct Args {
    /// The bare repository to serve.
    repo: std::path::PathBuf,
    /// The forge whose API is served: `github`, or `gitlab` (REST v4 under `/api/v4`).
    #[arg(long, value_enum, default_value = "github")]
    forge: ForgeArg,
    /// The repository's owner (on GitLab its namespace, e.g. `group/subgroup`).
    #[arg(long, default_value = "acme")]
    owner: String,
    /// The repository's name.
    #[arg(long, default_value = "gitops")]
    name: String,
    /// The login of the one account.
    #[arg(long, default_value = "release-manager")]
    login: String,
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Check runs posted on each new pull request head.
    #[arg(long = "check")]
    checks: Vec<String>,
    /// The commit-status context the simulated reconciler posts after a merge.
    #[arg(long)]
    reconciler: Option<String>,
    /// Milliseconds simulated CI and the reconciler take.
    #[arg(long, default_value_t = 2000)]
    delay_ms: u64,
    /// Approvals a GitLab merge request needs before it may be merged.
    #[arg(long, default_value_t = 0)]
    approvals: u32,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // The token comes from the environment so it stays out of `ps`.
    let token = std::env::var("HOIST_SANDBOX_TOKEN")
        .context("set HOIST_SANDBOX_TOKEN to the token the account signs in with")?;
    let mut config =
        hoist_sandbox::Config::new(&args.repo, &args.owner, &args.name, &args.login, &token);
    config.forge = match args.forge {
        ForgeArg::Github => hoist_sandbox::Forge::Github,
        ForgeArg::Gitlab => hoist_sandbox::Forge::Gitlab,
    };
    if matches!(args.forge, ForgeArg::Gitlab) {
        // A GitLab token with full API access.
        config.accounts[0].scopes = vec!["api".to_owned()];
    }
    config.required_approvals = args.approvals;
    config.port = args.port;
    config.checks = args.checks;
    config.reconciler = args.reconciler;
    config.delay = Duration::from_millis(args.delay_ms);
    let sandbox = hoist_sandbox::Sandbox::start(config).context("starting the sandbox")?;
    println!("{}", sandbox.url());
    // Serve until killed.
    loop {
        std::thread::park();
    }
}
