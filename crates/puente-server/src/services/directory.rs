//! The service directory's matches as the pages show them: a service's name, description, need,
//! countries and reasons in the reader's language, and its organisation's name.

use puente_core::{Lang, Vocabulary};
use puente_directory::MatchReason;
use puente_store::directory::StoredServiceMatch;
use puente_store::StoredOrganisation;
use serde::Serialize;

/// The name of the organisation `id`, blank when it is not known.
fn organisation_name(organisations: &[StoredOrganisation], id: i64) -> String {
    organisations
        .iter()
        .find(|organisation| organisation.id == id)
        .map(|organisation| organisation.organisation.name.clone())
        .unwrap_or_default()
}

/// A reason as a page shows it.
#[derive(Debug, Serialize)]
pub struct ReasonView {
    pub text: String,
    pub favourable: bool,
}

/// A matching service as a page shows it.
#[derive(Debug, Serialize)]
pub struct MatchView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub organisation: String,
    pub organisation_id: i64,
    pub need: String,
    pub countries: String,
    pub phone: String,
    pub trafficking_specific: bool,
    pub reasons: Vec<ReasonView>,
    /// Whether the service is of another organisation (a case can be referred there).
    pub referable: bool,
}

/// The reasons of a match as sentences in `lang`, each marked favourable or not.
pub fn reason_views(reasons: &[MatchReason], lang: Lang) -> Vec<ReasonView> {
    reasons
        .iter()
        .map(|reason| ReasonView {
            text: reason.label(lang),
            favourable: reason.is_favourable(),
        })
        .collect()
}

/// A match as a page shows it, in `lang`; referable until the caller says otherwise.
pub fn match_view(
    found: &StoredServiceMatch,
    organisations: &[StoredOrganisation],
    lang: Lang,
) -> MatchView {
    let service = &found.service;
    MatchView {
        id: found.id,
        name: service.name(lang).to_string(),
        description: match lang {
            Lang::Es => service.description_es.clone(),
            Lang::En => service.description_en.clone(),
        },
        organisation: organisation_name(organisations, found.organisation_id),
        organisation_id: found.organisation_id,
        need: service.need.label_in(lang).to_string(),
        countries: service
            .countries
            .iter()
            .map(|country| country.name(lang))
            .collect::<Vec<_>>()
            .join(", "),
        phone: service
            .phone
            .as_ref()
            .map(|phone| phone.to_string())
            .unwrap_or_default(),
        trafficking_specific: service.trafficking_specific,
        reasons: reason_views(&found.reasons, lang),
        referable: true,
    }
}
