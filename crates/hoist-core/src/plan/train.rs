//! Release trains: many apps promoted together from one environment to the
//! next, as one pull request or one per app, with a dry run saying per app
//! what moves and why the others stay.
//!
//! Invariants: every app's outcome comes from the same two commits (the
//! source's and the target's tips when the train was planned), and a train
//! planned again from the same commits for the same apps gets the same id
//! and the same plans, so opening it again resumes rather than duplicates.

use serde::Serialize;

use super::{Error as PlanError, Options, PromotionPlan, Warning};
use crate::Project;
use crate::config::{App, TrainPulls};
use crate::point::{self, Point};
use crate::read::Source;
use crate::repo;

/// A release train: the dry run, and the plans of the pull requests it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Train {
    /// Derived from the environments, their commits, the moving apps and
    /// their versions, and the grouping: the same train planned again has it.
    pub id: String,
    /// The environment versions come from.
    pub source: String,
    /// The source's tip the versions were read at.
    pub source_commit: String,
    /// The environment that changes.
    pub target: String,
    /// The target's tip every pull request is built on.
    pub base: String,
    /// One pull request for the train, or one per app.
    pub pulls: TrainPulls,
    /// Per app asked for (every configured app when none was), in
    /// configuration order: what moves, or why it stays.
    pub cars: Vec<Car>,
    /// The plans of the pull requests to open, in order; none when nothing moves.
    #[serde(skip)]
    #[ts(skip)]
    pub plans: Vec<PromotionPlan>,
}

/// One app of a train.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Car {
    /// The app.
    pub app: String,
    /// The target's version now, when it has one.
    pub from: Option<String>,
    /// The source's version, when it has one.
    pub to: Option<String>,
    /// Why the app stays where it is; `None` when it moves.
    pub skip: Option<Skip>,
    /// A sentence for people on why it stays; `None` when it moves.
    pub why: Option<String>,
}

impl Car {
    /// Whether the train moves this app.
    pub fn moves(&self) -> bool {
        self.skip.is_none()
    }
}

/// Why a train leaves an app where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    /// The target already runs the source's version.
    AlreadyThere,
    /// A lock on the target (or on this app in it); promote it on its own,
    /// with an override reason, if it must go.
    Locked,
    /// A change freeze covers the target.
    Frozen,
    /// The source's version is older than the target's.
    Downgrade,
    /// The app does not run in the target (or has no version there).
    NotInTarget,
    /// The app has no readable version in the source.
    SourceMissing,
}

/// Why a train could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A plan (or the apps asked for) could not be made.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// An environment could not be found.
    #[error(transparent)]
    Point(#[from] point::Error),
    /// The repository could not be read.
    #[error("environment {environment}: {source}")]
    Repo {
        /// The environment being read.
        environment: String,
        /// What went wrong.
        source: repo::Error,
    },
    /// A hydrator renders the target: promoting it merges the hydrator's
    /// branch as a whole, which cannot be cut into apps.
    #[error(
        "{environment} is promoted by merging its hydrator's {branch} as a whole; promote it with `hoist promote` rather than a train"
    )]
    Rendered {
        /// The environment.
        environment: String,
        /// Its next branch.
        branch: String,
    },
}

/// Plans the train moving `apps` (every configured app when empty) from
/// `source`'s tip to `target`'s, cut into pull requests as `pulls` says.
pub fn plan(
    project: &Project,
    source: &str,
    target: &str,
    apps: &[String],
    pulls: TrainPulls,
    options: &Options,
) -> Result<Train, Error> {
    let config = &project.config;
    if source == target {
        return Err(PlanError::SameEnvironment(target.to_owned()).into());
    }
    if let Some(name) = apps
        .iter()
        .find(|name| !config.apps.iter().any(|a| &a.name == *name))
    {
        return Err(PlanError::UnknownApp {
            name: name.clone(),
            known: config
                .apps
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
        .into());
    }
    let from = Point::tip(source).resolve(project)?;
    let to = Point::tip(target).resolve(project)?;
    if let Some(branch) = &to.env.next_branch {
        return Err(Error::Rendered {
            environment: to.env.name.clone(),
            branch: branch.clone(),
        });
    }
    let tree = |side: &point::Resolved<'_>| {
        project.repo.tree_of(side.commit).map_err(|e| Error::Repo {
            environment: side.env.name.clone(),
            source: e,
        })
    };
    let (from_tree, to_tree) = (tree(&from)?, tree(&to)?);
    let read = |app: &App, side: &point::Resolved<'_>, tree| {
        Source::of(app, side.env)
            .read(&project.repo, tree)
            .map_err(|e| Error::Repo {
                environment: side.env.name.clone(),
                source: e,
            })
    };

    let mut cars = Vec::new();
    let mut moving: Vec<PromotionPlan> = Vec::new();
    for app in config
        .apps
        .iter()
        .filter(|a| apps.is_empty() || apps.contains(&a.name))
    {
        let mut car = Car {
            app: app.name.clone(),
            from: None,
            to: None,
            skip: None,
            why: None,
        };
        if !app.runs_in(from.env) {
            skip(
                &mut car,
                Skip::SourceMissing,
                format!("{} does not run in {source}", app.name),
            );
        } else if !app.runs_in(to.env) {
            skip(
                &mut car,
                Skip::NotInTarget,
                format!("{} does not run in {target}", app.name),
            );
        } else {
            match read(app, &from, from_tree)? {
                Ok(reading) => car.to = Some(reading.version),
                Err(why) => skip(&mut car, Skip::SourceMissing, format!("{source}: {why}")),
            }
            match read(app, &to, to_tree)? {
                Ok(reading) => car.from = Some(reading.version),
                Err(why) if car.moves() => {
                    skip(&mut car, Skip::NotInTarget, format!("{target}: {why}"));
                }
                Err(_) => {}
            }
        }
        if car.moves() && car.from == car.to {
            let why = format!(
                "{target} already runs {}",
                car.to.as_deref().unwrap_or("it")
            );
            skip(&mut car, Skip::AlreadyThere, why);
        }
        if car.moves() {
            let names = [app.name.clone()];
            match super::promotion_with(project, &Point::tip(source), target, &names, options)? {
                None => skip(
                    &mut car,
                    Skip::AlreadyThere,
                    format!("{target} already has {source}'s files"),
                ),
                Some(plan) => match stopper(&plan) {
                    Some((why, message)) => skip(&mut car, why, message),
                    None => moving.push(plan),
                },
            }
        }
        cars.push(car);
    }

    let names: Vec<String> = moving
        .iter()
        .flat_map(|p| &p.apps)
        .map(|a| a.app.clone())
        .collect();
    let plans = match pulls {
        TrainPulls::PerApp => moving,
        TrainPulls::One if names.is_empty() => Vec::new(),
        TrainPulls::One => {
            super::promotion_with(project, &Point::tip(source), target, &names, options)?
                .into_iter()
                .collect()
        }
    };
    let (source_commit, base) = (from.commit.to_string(), to.commit.to_string());
    let id = train_id(&[source, target, &source_commit, &base], &cars, pulls);
    let plans = plans
        .into_iter()
        .map(|mut plan| {
            plan.train = Some(id.clone());
            plan
        })
        .collect();
    Ok(Train {
        id,
        source: from.env.name.clone(),
        source_commit,
        target: to.env.name.clone(),
        base,
        pulls,
        cars,
        plans,
    })
}

fn skip(car: &mut Car, skip: Skip, why: String) {
    car.skip = Some(skip);
    car.why = Some(why);
}

/// What keeps an app's plan out of a train: a lock or freeze (which only
/// a promotion of its own, with an override reason, may pass) or a downgrade.
fn stopper(plan: &PromotionPlan) -> Option<(Skip, String)> {
    let own = "; promote it on its own, with a reason, to override";
    plan.warnings.iter().find_map(|w| match w {
        Warning::Frozen { freeze, until, .. } => Some((
            Skip::Frozen,
            format!("{} is frozen by {freeze:?} until {until}{own}", plan.target),
        )),
        Warning::Locked {
            environment,
            app,
            by,
            reason,
            ..
        } => Some((
            Skip::Locked,
            match app {
                Some(app) => format!("{app} in {environment} is locked by {by}: {reason}{own}"),
                None => format!("{environment} is locked by {by}: {reason}{own}"),
            },
        )),
        Warning::Downgrade { message, .. } => Some((Skip::Downgrade, message.clone())),
        _ => None,
    })
}

/// A short hash (FNV-1a, stable across runs and platforms) of what makes a
/// train this train: its environments and commits, the apps that move to
/// which versions, and how they are cut into pull requests.
fn train_id(sides: &[&str], cars: &[Car], pulls: TrainPulls) -> String {
    let mut text = sides.join("\n");
    for car in cars.iter().filter(|c| c.moves()) {
        text.push('\n');
        text.push_str(&car.app);
        text.push('=');
        text.push_str(car.to.as_deref().unwrap_or_default());
    }
    text.push_str(match pulls {
        TrainPulls::One => "\none",
        TrainPulls::PerApp => "\nper_app",
    });
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:012x}", hash >> 16)
}
