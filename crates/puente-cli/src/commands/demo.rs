//! `puente demo-data`: synthetic, realistic cases for a demo or a benchmark. Never real people.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use puente_store::{Actor, NewCase, Store};

#[derive(Debug, clap::Args)]
pub struct DemoDataArgs {
    /// How many cases to create.
    #[arg(long, default_value_t = 200)]
    pub cases: usize,
    /// The seed: the same seed gives the same cases.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The organisation (slug) that receives the cases; the demo organisations are created if absent.
    #[arg(long, default_value = "hotline-demo")]
    pub org: String,
}

/// Creates the demo organisations that do not exist yet and returns the id of `slug`.
pub async fn ensure_demo_organisations(
    store: &dyn Store,
    actor: &Actor,
    slug: &str,
) -> anyhow::Result<i64> {
    for organisation in puente_synth::demo::demo_organisations() {
        if store
            .organisation_by_slug(&organisation.slug)
            .await?
            .is_none()
        {
            store.create_organisation(actor, &organisation).await?;
        }
    }
    let organisation = store
        .organisation_by_slug(slug)
        .await?
        .with_context(|| format!("--org: there is no organisation `{slug}` (the demo ones are hotline-demo and shelter-demo)"))?;
    Ok(organisation.id)
}

pub fn run(db: Option<PathBuf>, args: DemoDataArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let location = super::store_location(db)?;
    let runtime = super::runtime()?;
    let store = runtime.block_on(super::open_store(&location))?;
    let actor = Actor::command_line();
    let today = time::OffsetDateTime::now_utc().date();
    let generated = puente_synth::demo::generate_cases(args.seed, args.cases, today);
    let opened: Vec<(puente_core::domain::Case, time::Date)> = generated
        .iter()
        .map(|demo| {
            let on = puente_server::demo_legal::opened_on(&demo.opened_on, today);
            (demo.case.clone(), on)
        })
        .collect();
    let cases: Vec<NewCase> = generated
        .into_iter()
        .map(|demo| NewCase {
            case: demo.case,
            owner_user_id: None,
            opened_on: demo.opened_on,
        })
        .collect();
    let (organisation_id, ids, legal) = runtime.block_on(async {
        let organisation_id = ensure_demo_organisations(store.as_ref(), &actor, &args.org).await?;
        let ids = store.create_cases(&actor, organisation_id, &cases).await?;
        let legal = puente_server::demo_legal::fill_legal_tracks(
            store.as_ref(),
            &actor,
            organisation_id,
            &ids,
            &opened,
            args.seed,
            today,
        )
        .await?;
        anyhow::Ok((organisation_id, ids, legal))
    })?;
    let total = runtime.block_on(store.count_cases(organisation_id))?;
    runtime.block_on(store.close());
    println!(
        "Created {} synthetic cases (seed {}) in `{}` ({} cases there now), with {} reports to authorities, {} proceedings and {} relief applications, in {:.2?}: {}.",
        ids.len(),
        args.seed,
        args.org,
        total,
        legal.reports,
        legal.proceedings,
        legal.applications,
        started.elapsed(),
        location.describe()
    );
    Ok(ExitCode::SUCCESS)
}
