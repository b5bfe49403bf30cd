//! `puente serve --demo`: the demo organisations, their users and synthetic cases (never real
//! people), created only where absent, so the command can be run again on the same database.

use puente_store::accounts::NewUser;
use puente_store::{Actor, NewCase, Role, Store};

use crate::auth;

/// A demo user: email, name, role and organisation slug.
pub const DEMO_USERS: [(&str, &str, Role, &str); 5] = [
    (
        "admin@hotline.demo",
        "Ana Admin",
        Role::OrgAdmin,
        "hotline-demo",
    ),
    (
        "advocate@hotline.demo",
        "Beatriz Defensora",
        Role::Advocate,
        "hotline-demo",
    ),
    (
        "supervisor@hotline.demo",
        "Carlos Supervisor",
        Role::Supervisor,
        "hotline-demo",
    ),
    (
        "analyst@hotline.demo",
        "Diana Analista",
        Role::Analyst,
        "hotline-demo",
    ),
    (
        "caseworker@shelter.demo",
        "Elena Trabajadora Social",
        Role::CaseWorker,
        "shelter-demo",
    ),
];

/// How many synthetic cases each demo organisation receives.
const HOTLINE_CASES: usize = 40;
const SHELTER_CASES: usize = 15;

/// What [`ensure_demo`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub organisations_created: usize,
    pub users_created: Vec<String>,
    pub cases_created: usize,
}

/// Why the demo could not be created.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot write the demo data: {0}")]
    Store(#[from] puente_store::StoreError),
    #[error("cannot hash the demo password")]
    Password,
    #[error("the demo organisation `{0}` is missing")]
    MissingOrganisation(&'static str),
}

/// A password for the demo users: 18 random hexadecimal digits (72 bits) in three groups, easy to
/// read and type from a terminal.
pub fn generate_demo_password() -> String {
    let token = auth::random_token(16);
    format!("{}-{}-{}", &token[0..6], &token[6..12], &token[12..18])
}

/// Creates what is absent of the demo: the organisations `hotline-demo` and `shelter-demo`, the five
/// demo users with `password`, and synthetic cases in an organisation that has none (the
/// advocate owns most of the hotline's, the case worker the shelter's).
pub async fn ensure_demo(store: &dyn Store, password: &str) -> Result<DemoReport, DemoError> {
    let actor = Actor {
        name: "cli:demo".into(),
        organisation_id: None,
    };
    let mut report = DemoReport::default();
    for organisation in puente_synth::demo::demo_organisations() {
        if store
            .organisation_by_slug(&organisation.slug)
            .await?
            .is_none()
        {
            store.create_organisation(&actor, &organisation).await?;
            report.organisations_created += 1;
        }
    }
    // The service directory: its organisations and services, loaded again harmlessly.
    let directory = puente_synth::directory::demo_directory();
    let loaded = store.load_directory(&actor, &directory).await?;
    report.organisations_created += loaded.organisations_created as usize;
    let password_hash = auth::hash_password_blocking(password.to_string())
        .await
        .map_err(|_| DemoError::Password)?;
    for (email, name, role, slug) in DEMO_USERS {
        if store.user_by_email(email).await?.is_some() {
            continue;
        }
        let organisation = store
            .organisation_by_slug(slug)
            .await?
            .ok_or(DemoError::MissingOrganisation(slug))?;
        store
            .create_user(
                &actor,
                &NewUser {
                    organisation_id: organisation.id,
                    email: email.to_string(),
                    display_name: name.to_string(),
                    role,
                    password_hash: password_hash.clone(),
                    language: None,
                },
            )
            .await?;
        report.users_created.push(email.to_string());
    }
    let today = time::OffsetDateTime::now_utc().date();
    let fills = [
        (
            "hotline-demo",
            "advocate@hotline.demo",
            HOTLINE_CASES,
            1_u64,
        ),
        (
            "shelter-demo",
            "caseworker@shelter.demo",
            SHELTER_CASES,
            2_u64,
        ),
    ];
    for (slug, owner_email, count, seed) in fills {
        let Some(organisation) = store.organisation_by_slug(slug).await? else {
            continue;
        };
        if store.count_cases(organisation.id).await? > 0 {
            continue;
        }
        let owner = store.user_by_email(owner_email).await?.map(|user| user.id);
        let generated = puente_synth::demo::generate_cases(seed, count, today);
        let opened: Vec<(puente_core::domain::Case, time::Date)> = generated
            .iter()
            .map(|demo| {
                let on = crate::demo_legal::opened_on(&demo.opened_on, today);
                (demo.case.clone(), on)
            })
            .collect();
        let cases: Vec<NewCase> = generated
            .into_iter()
            .enumerate()
            .map(|(index, demo)| NewCase {
                case: demo.case,
                // One case in four has no owner yet: a supervisor's queue to assign.
                owner_user_id: if index % 4 == 3 { None } else { owner },
                opened_on: demo.opened_on,
            })
            .collect();
        let ids = store.create_cases(&actor, organisation.id, &cases).await?;
        report.cases_created += ids.len();
        crate::demo_legal::fill_legal_tracks(
            store,
            &actor,
            organisation.id,
            &ids,
            &opened,
            seed,
            today,
        )
        .await?;
        let demo_cases: Vec<puente_core::domain::Case> =
            opened.iter().map(|(case, _)| case.clone()).collect();
        crate::demo_legal::fill_perpetrators(
            store,
            &actor,
            organisation.id,
            &ids,
            &demo_cases,
            seed,
            today.year(),
        )
        .await?;
    }
    Ok(report)
}
