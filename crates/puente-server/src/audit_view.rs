//! The audit log as a person reads it: each entry's action, record and detail in the reader's
//! language, with labels instead of the codes the log stores (`list`, `view_screening`,
//! `cookie session from 127.0.0.1`, `strong_indicators`, `org_admin`), organisations by name.
//! The log itself is never changed: it keeps its codes and English details, which the hash chain
//! covers; only the page and its reading are in the reader's language.

use std::collections::BTreeMap;

use puente_core::htcds::ConsentScope;
use puente_core::{Lang, Vocabulary};
use puente_store::{AuditEntry, ReferralStatus};
use serde::Serialize;

use crate::i18n::{t, translations};

/// One audit entry for a page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub record: String,
    pub detail: String,
}

/// The rows of a page, in the reader's language; `organisation_names` maps slugs to names.
pub fn audit_rows(
    entries: &[AuditEntry],
    organisation_names: &BTreeMap<String, String>,
    lang: Lang,
) -> Vec<AuditRow> {
    entries
        .iter()
        .map(|entry| AuditRow {
            at: entry.at.clone(),
            actor: entry.actor.clone(),
            action: action_label(&entry.action, lang),
            record: match &entry.record_id {
                Some(id) => format!("{} {id}", record_label(&entry.record_type, lang)),
                None => record_label(&entry.record_type, lang),
            },
            detail: detail_text(&entry.detail, organisation_names, lang),
        })
        .collect()
}

/// The organisations' names by slug, to name organisations in details.
pub async fn organisation_names_by_slug(
    state: &crate::AppState,
) -> Result<BTreeMap<String, String>, crate::error::AppError> {
    Ok(state
        .store
        .list_organisations()
        .await?
        .into_iter()
        .map(|organisation| {
            (
                organisation.organisation.slug,
                organisation.organisation.name,
            )
        })
        .collect())
}

/// The label of an action code (`audit-action-{code}`); an unknown code is shown as stored.
pub fn action_label(code: &str, lang: Lang) -> String {
    message_or(lang, &format!("audit-action-{code}"), code)
}

/// The label of a record type (`audit-record-{type}`).
pub fn record_label(code: &str, lang: Lang) -> String {
    message_or(lang, &format!("audit-record-{code}"), code)
}

fn message_or(lang: Lang, id: &str, fallback: &str) -> String {
    if translations().has(lang, id) {
        t(lang, id)
    } else {
        fallback.to_string()
    }
}

/// Matches `text` against `pattern`, where each `{}` stands for a non-empty part; returns the
/// parts. `"{} session from {}"` matches `"cookie session from 127.0.0.1"` with
/// `["cookie", "127.0.0.1"]`.
fn parts<'a>(pattern: &str, text: &'a str) -> Option<Vec<&'a str>> {
    let pieces: Vec<&str> = pattern.split("{}").collect();
    let mut rest = text.strip_prefix(pieces[0])?;
    let mut found = Vec::new();
    for (index, piece) in pieces.iter().enumerate().skip(1) {
        let last = index == pieces.len() - 1;
        let end = if last && piece.is_empty() {
            rest.len()
        } else if last {
            rest.strip_suffix(piece)?.len()
        } else {
            rest.find(piece)?
        };
        if end == 0 {
            return None;
        }
        found.push(&rest[..end]);
        rest = &rest[end + piece.len()..];
    }
    rest.is_empty().then_some(found)
}

fn say(lang: Lang, id: &str, arguments: &[(&str, String)]) -> String {
    let arguments: Vec<(&str, fluent_bundle::FluentValue)> = arguments
        .iter()
        .map(|(name, value)| (*name, value.clone().into()))
        .collect();
    translations().text_with(lang, id, &arguments)
}

fn scopes_label(codes: &str, lang: Lang) -> String {
    codes
        .split(", ")
        .map(|code| {
            ConsentScope::from_code(code)
                .map(|scope| scope.label_in(lang).to_string())
                .unwrap_or_else(|| code.to_string())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn status_label(code: &str, lang: Lang) -> String {
    ReferralStatus::from_code(code)
        .map(|status| status.label().get(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The name of the questionnaire a screening was made with (`quick`, `full`, `child`, `api`).
pub fn questionnaire_label(code: &str, lang: Lang) -> String {
    message_or(lang, &format!("audit-questionnaire-{code}"), code)
}

fn role_label(code: &str, lang: Lang) -> String {
    message_or(lang, &format!("role-{code}"), code)
}

fn level_label(code: &str, lang: Lang) -> String {
    crate::services::case_rows::level_label(code, lang)
}

/// The detail of an entry in the reader's language, for every detail the store writes; a detail
/// of another shape is shown as stored.
pub fn detail_text(
    detail: &str,
    organisation_names: &BTreeMap<String, String>,
    lang: Lang,
) -> String {
    let organisation = |slug: &str| {
        organisation_names
            .get(slug)
            .cloned()
            .unwrap_or_else(|| slug.to_string())
    };
    let number = |text: &str| text.parse::<u64>().is_ok();
    if let Some(p) = parts("{} session from {}", detail) {
        let kind = message_or(lang, &format!("audit-session-{}", p[0]), p[0]);
        return say(
            lang,
            "audit-detail-session",
            &[("kind", kind), ("address", p[1].into())],
        );
    }
    if let Some(p) = parts("wrong email or password from {}", detail) {
        return say(
            lang,
            "audit-detail-wrong-password",
            &[("address", p[0].into())],
        );
    }
    if let Some(p) = parts("second factor missing or wrong from {}", detail) {
        return say(
            lang,
            "audit-detail-wrong-second-factor",
            &[("address", p[0].into())],
        );
    }
    if let Some(p) = parts("referral {} to {}: {}", detail) {
        return say(
            lang,
            "audit-detail-referral-to",
            &[
                ("id", p[0].into()),
                ("organisation", organisation(p[1])),
                ("detail", referral_detail(p[2], lang)),
            ],
        );
    }
    if let Some(p) = parts("from {}: {}", detail) {
        return say(
            lang,
            "audit-detail-referral-from",
            &[
                ("organisation", organisation(p[0])),
                ("detail", referral_detail(p[1], lang)),
            ],
        );
    }
    if let Some(p) = parts("from {}", detail) {
        return say(
            lang,
            "audit-detail-from-address",
            &[("address", p[0].into())],
        );
    }
    if let Some(p) = parts("{} person records compared", detail).filter(|p| number(p[0])) {
        return say(
            lang,
            "audit-detail-persons-compared",
            &[("count", p[0].into())],
        );
    }
    if let Some(p) = parts("{} notifications marked read", detail).filter(|p| number(p[0])) {
        return say(
            lang,
            "audit-detail-notifications-read",
            &[("count", p[0].into())],
        );
    }
    if let Some(p) = parts("{} cases", detail).filter(|p| number(p[0])) {
        return say(lang, "audit-detail-cases", &[("count", p[0].into())]);
    }
    if let Some(p) = parts("{} records", detail).filter(|p| number(p[0])) {
        return say(lang, "audit-detail-records", &[("count", p[0].into())]);
    }
    if let Some(p) = parts("user {} with role {}", detail) {
        return say(
            lang,
            "audit-detail-user-created",
            &[("email", p[0].into()), ("role", role_label(p[1], lang))],
        );
    }
    if let Some(p) = parts("role {}", detail) {
        return say(
            lang,
            "audit-detail-role",
            &[("role", role_label(p[0], lang))],
        );
    }
    if let Some(p) = parts("screening {} ({}, rules {}): {}", detail) {
        let questionnaire = questionnaire_label(p[1], lang);
        return say(
            lang,
            "audit-detail-screening",
            &[
                ("id", p[0].into()),
                ("questionnaire", questionnaire),
                ("version", p[2].into()),
                ("level", level_label(p[3], lang)),
            ],
        );
    }
    if let Some(p) = parts("version {}: consent recorded to share {} with {}", detail) {
        return say(
            lang,
            "audit-detail-consent",
            &[
                ("version", p[0].into()),
                ("scopes", scopes_label(p[1], lang)),
                ("organisation", organisation(p[2])),
            ],
        );
    }
    if let Some(p) = parts("not the same person as person {}", detail) {
        return say(lang, "audit-detail-distinct", &[("other", p[0].into())]);
    }
    if let Some(p) = parts("person {} merged into person {}; {} cases moved", detail) {
        return say(
            lang,
            "audit-detail-merged-moved",
            &[
                ("merged", p[0].into()),
                ("kept", p[1].into()),
                ("count", p[2].into()),
            ],
        );
    }
    if let Some(p) = parts("person {} merged into person {}", detail) {
        return say(
            lang,
            "audit-detail-merged",
            &[("merged", p[0].into()), ("kept", p[1].into())],
        );
    }
    if let Some(p) = parts("case {}", detail).filter(|p| number(p[0])) {
        return say(lang, "audit-detail-case", &[("id", p[0].into())]);
    }
    codes_labelled(detail, lang)
}

/// A detail of another shape, with every code of a known vocabulary (an authority, a relief
/// option, a role, a notice, ...) written as its label in the reader's language.
fn codes_labelled(detail: &str, lang: Lang) -> String {
    let mut out = String::with_capacity(detail.len());
    let mut word = String::new();
    for character in detail.chars().chain(std::iter::once(' ')) {
        if character.is_ascii_alphanumeric() || character == '_' {
            word.push(character);
            continue;
        }
        if !word.is_empty() {
            out.push_str(&code_label(&word, lang).unwrap_or_else(|| word.clone()));
            word.clear();
        }
        out.push(character);
    }
    out.pop();
    out
}

/// The label of a code, if it is one of the vocabularies audit details name.
fn code_label(code: &str, lang: Lang) -> Option<String> {
    use puente_core::legal::{
        ApplicationStatus, AuthorityKind, CertificationKind, CertificationStatus,
        ParticipationKind, ParticipationSupport, ProceedingStage, VerdictOutcome,
    };
    use puente_core::relief_facts::ReliefOptionKind;
    fn label_of<V: Vocabulary>(code: &str, lang: Lang) -> Option<String> {
        V::parse_code(code)
            .ok()
            .map(|value| value.label_in(lang).to_string())
    }
    if !code.contains('_') {
        return None;
    }
    if let Ok(role) = code.parse::<puente_store::Role>() {
        return Some(role_label(role.code(), lang));
    }
    if let Some(action) = puente_store::AuditAction::from_code(code) {
        return Some(action_label(action.as_str(), lang));
    }
    if code.starts_with("privileged_") {
        return Some(message_or(lang, &format!("audit-notice-{code}"), code));
    }
    label_of::<AuthorityKind>(code, lang)
        .or_else(|| label_of::<ProceedingStage>(code, lang))
        .or_else(|| label_of::<VerdictOutcome>(code, lang))
        .or_else(|| label_of::<ParticipationKind>(code, lang))
        .or_else(|| label_of::<ParticipationSupport>(code, lang))
        .or_else(|| label_of::<CertificationKind>(code, lang))
        .or_else(|| label_of::<CertificationStatus>(code, lang))
        .or_else(|| label_of::<ApplicationStatus>(code, lang))
        .or_else(|| label_of::<ReliefOptionKind>(code, lang))
}

/// The part of a referral's detail after its organisation: a change of status, the parts shared,
/// or the parts read.
fn referral_detail(detail: &str, lang: Lang) -> String {
    if let Some(p) = parts("shares {}", detail) {
        return say(
            lang,
            "audit-detail-shares",
            &[("scopes", scopes_label(p[0], lang))],
        );
    }
    if let Some(p) = parts("shared parts read: {}", detail) {
        return say(
            lang,
            "audit-detail-shared-read",
            &[("scopes", scopes_label(p[0], lang))],
        );
    }
    if let Some(p) = parts("{} to {}", detail) {
        return say(
            lang,
            "audit-detail-status-change",
            &[
                ("from", status_label(p[0], lang)),
                ("to", status_label(p[1], lang)),
            ],
        );
    }
    detail.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> BTreeMap<String, String> {
        BTreeMap::from([("shelter-demo".to_string(), "Casa Refugio Demo".to_string())])
    }

    #[test]
    fn patterns_take_their_parts() {
        assert_eq!(
            parts("{} session from {}", "cookie session from 127.0.0.1"),
            Some(vec!["cookie", "127.0.0.1"])
        );
        assert_eq!(parts("{} cases", "12 cases"), Some(vec!["12"]));
        assert_eq!(parts("{} cases", "cases"), None);
        assert_eq!(parts("from {}", "to x"), None);
    }

    #[test]
    fn details_are_read_in_the_readers_language_with_labels() {
        let check = |detail: &str, lang: Lang, expected: &str| {
            assert_eq!(detail_text(detail, &names(), lang), expected, "{detail}");
        };
        check(
            "cookie session from 127.0.0.1",
            Lang::Es,
            "sesión en el navegador desde 127.0.0.1",
        );
        check(
            "bearer session from 10.0.0.2",
            Lang::En,
            "API token session from 10.0.0.2",
        );
        check(
            "screening 4 (quick, rules 2026.12.1): strong_indicators",
            Lang::Es,
            "evaluación 4 (evaluación rápida, reglas 2026.12.1): indicios sólidos de trata",
        );
        check(
            "referral 2 to shelter-demo: shares identity, events",
            Lang::En,
            "referral 2 to Casa Refugio Demo: shares Identity (names, date of birth), Route (recruitment, transit, exploitation)",
        );
        check(
            "role org_admin",
            Lang::Es,
            "rol: Administración de la organización",
        );
        check(
            "41 person records compared",
            Lang::Es,
            "41 registros de personas comparados",
        );
        check("something else", Lang::Es, "something else");
        for code in [
            "list",
            "read",
            "view_screening",
            "login",
            "screen",
            "referral_create",
        ] {
            assert_ne!(action_label(code, Lang::Es), code);
            assert_ne!(action_label(code, Lang::En), code);
        }
    }

    #[test]
    fn codes_in_details_of_other_shapes_are_written_as_labels() {
        let detail = "report to labour_inspectorate; relief us_sijs; privileged_account_created: role org_admin";
        for lang in [Lang::Es, Lang::En] {
            let text = detail_text(detail, &names(), lang);
            assert!(!text.contains('_'), "{text}");
        }
    }

    #[test]
    fn every_audit_action_and_record_has_a_label() {
        for action in puente_store::AuditAction::ALL {
            assert_ne!(action_label(action.as_str(), Lang::Es), action.as_str());
            assert_ne!(action_label(action.as_str(), Lang::En), action.as_str());
        }
        for record in puente_store::RecordType::ALL {
            assert_ne!(record_label(record.as_str(), Lang::Es), record.as_str());
        }
    }
}
