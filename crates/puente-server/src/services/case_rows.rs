//! A case's rows as its reader sees them (labels and names in the reader's language, never
//! codes): shared by the case page, the case file's export, the receiver's view of a referral and
//! the audit view.

use puente_core::domain::{Case, Person};
use puente_core::{Lang, Vocabulary};
use puente_screening::Level;
use serde::Serialize;

use crate::i18n::t;

/// One line of a case as a reader sees it: a label and a shown value.
#[derive(Debug, Serialize)]
pub(crate) struct Row {
    pub(crate) label: String,
    pub(crate) value: String,
}

/// The person's rows that have a value (never codes: labels and names in `lang`).
pub(crate) fn person_rows(person: &Person, lang: Lang) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut push = |id: &str, value: Option<String>| {
        if let Some(value) = value.filter(|value| !value.is_empty()) {
            rows.push(Row {
                label: t(lang, id),
                value,
            });
        }
    };
    push("person-alias", person.alias.clone());
    push(
        "person-sex",
        person.sex.map(|sex| sex.label_in(lang).to_string()),
    );
    push(
        "person-date-of-birth",
        person.date_of_birth.map(|date| date.to_string()),
    );
    push(
        "person-estimated-age",
        person.estimated_age.map(|age| age.to_string()),
    );
    push(
        "person-nationality",
        person.nationality.map(|c| c.name(lang).to_string()),
    );
    push("person-languages", Some(person.languages.join(", ")));
    push(
        "person-phone",
        person.phone.as_ref().map(|phone| phone.to_string()),
    );
    push(
        "person-current-country",
        person.current_country.map(|c| c.name(lang).to_string()),
    );
    push("person-current-place", person.current_place.clone());
    rows
}

/// The labels of vocabulary values in `lang`, joined by commas.
pub(crate) fn labels<V: Vocabulary>(values: &[V], lang: Lang) -> String {
    values
        .iter()
        .map(|value| value.label_in(lang))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The victim context's rows that have a value, as labels in `lang`.
pub(crate) fn victim_rows(case: &Case, lang: Lang) -> Vec<Row> {
    let victim = &case.victim;
    let candidates = [
        (
            "victim-trafficking-status",
            victim
                .trafficking_status
                .map(|s| s.label_in(lang).to_string())
                .unwrap_or_default(),
        ),
        (
            "victim-types-of-exploitation",
            labels(&victim.types_of_exploitation, lang),
        ),
        (
            "victim-recruitment-methods",
            labels(&victim.recruitment_methods, lang),
        ),
        (
            "victim-methods-of-control",
            labels(&victim.methods_of_control, lang),
        ),
        (
            "victim-status-decided-by",
            victim
                .status_decided_by
                .map(|by| by.label_in(lang).to_string())
                .unwrap_or_default(),
        ),
        (
            "victim-types-of-labour",
            labels(&victim.types_of_labour, lang),
        ),
        (
            "victim-types-of-sex-exploitation",
            labels(&victim.types_of_sex_exploitation, lang),
        ),
        (
            "victim-relationship-to-trafficker",
            labels(&victim.relationship_to_trafficker, lang),
        ),
        (
            "victim-vulnerabilities",
            labels(&victim.vulnerabilities, lang),
        ),
    ];
    candidates
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(id, value)| Row {
            label: t(lang, id),
            value,
        })
        .collect()
}

/// The label of a screening level's code in `lang` (the code itself when it is none of them).
pub(crate) fn level_label(code: &str, lang: Lang) -> String {
    [
        Level::NoIndicators,
        Level::SomeIndicators,
        Level::StrongIndicators,
    ]
    .into_iter()
    .find(|level| level.code() == code)
    .map(|level| level.label().get(lang).to_string())
    .unwrap_or_else(|| code.to_string())
}
