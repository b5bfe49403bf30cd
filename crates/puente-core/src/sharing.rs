//! The rules of sharing a case with another organisation, as pure functions: which parts a
//! referral may share, which parts the person's consents cover, how a referral's status may move,
//! and what the receiving organisation sees (the shared-case projection).
//!
//! Every backend of the store persists and loads; the decisions are taken here, once.
//!
//! # The rules
//! - A referral shares a non-empty subset of [`SHAREABLE_SCOPES`]. It may be made only when active
//!   consents of the case cover every shared part for the receiving organisation
//!   ([`missing_scopes`] is empty).
//! - Statuses move only as [`transition`] allows: `pending` → `accepted` or `rejected` (by the
//!   receiver); `accepted` → `completed` (by the receiver); `pending` or `accepted` → `revoked` (by
//!   the sender); `pending`, `accepted` or `completed` → `consent_withdrawn` (the person withdrew a
//!   consent the referral shared under, recorded by the sender). Rejected, revoked and
//!   consent-withdrawn referrals are final.
//! - The receiver sees a part only while the referral gives access and an active consent still
//!   covers it ([`shown_scopes`]); [`project`] builds the view from exactly those parts.
//! - The receiver sees the case as it stood when the referral was made (its version then, and the
//!   notes and screenings recorded until then): what is added later needs a new referral, under
//!   the consent given at that time.
//! - A voided screening is never shared, and a document attached to the case is shared only when
//!   the referral shares `documents` and an active consent covers that scope.

use serde::{Deserialize, Serialize};

use crate::domain::{Case, Consent, PartialDate, TraffickingEvent};
use crate::htcds::{ConsentScope, Gender};
use crate::vocabulary::Vocabulary;
use crate::{Country, Label};

crate::vocabulary! {
    /// How soon the sending organisation asks the receiver to act on a referral.
    pub enum ReferralUrgency: "referral_urgency" {
        /// The person is in danger or without a safe place tonight: act the same day.
        Immediate = "immediate", es: "Inmediata (hoy mismo)", en: "Immediate (today)";
        /// Act within 48 hours.
        Urgent = "urgent", es: "Urgente (en 48 horas)", en: "Urgent (within 48 hours)";
        /// Act in the ordinary course, within days.
        Routine = "routine", es: "Ordinaria (en los próximos días)", en: "Routine (within days)";
    }
}

/// The parts of a case a referral may share.
pub const SHAREABLE_SCOPES: [ConsentScope; 6] = [
    ConsentScope::Identity,
    ConsentScope::Contact,
    ConsentScope::Screening,
    ConsentScope::Events,
    ConsentScope::Notes,
    ConsentScope::Documents,
];

/// Where a referral stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Pending,
    Accepted,
    Rejected,
    Completed,
    Revoked,
    /// The person withdrew a consent the referral shared under: the receiver's access ended.
    ConsentWithdrawn,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 6] = [
        ReferralStatus::Pending,
        ReferralStatus::Accepted,
        ReferralStatus::Rejected,
        ReferralStatus::Completed,
        ReferralStatus::Revoked,
        ReferralStatus::ConsentWithdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReferralStatus::Pending => "pending",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Rejected => "rejected",
            ReferralStatus::Completed => "completed",
            ReferralStatus::Revoked => "revoked",
            ReferralStatus::ConsentWithdrawn => "consent_withdrawn",
        }
    }

    pub fn from_code(code: &str) -> Option<ReferralStatus> {
        ReferralStatus::ALL
            .into_iter()
            .find(|status| status.code() == code)
    }

    pub fn label(self) -> Label {
        match self {
            ReferralStatus::Pending => Label {
                es: "Pendiente",
                en: "Pending",
            },
            ReferralStatus::Accepted => Label {
                es: "Aceptada",
                en: "Accepted",
            },
            ReferralStatus::Rejected => Label {
                es: "Rechazada",
                en: "Rejected",
            },
            ReferralStatus::Completed => Label {
                es: "Completada",
                en: "Completed",
            },
            ReferralStatus::Revoked => Label {
                es: "Revocada",
                en: "Revoked",
            },
            ReferralStatus::ConsentWithdrawn => Label {
                es: "Consentimiento retirado",
                en: "Consent withdrawn",
            },
        }
    }

    /// Whether the receiver may read the shared parts of the case.
    pub fn gives_access(self) -> bool {
        matches!(
            self,
            ReferralStatus::Pending | ReferralStatus::Accepted | ReferralStatus::Completed
        )
    }

    /// Whether the referral is still open: waiting for an answer or accepted. A case has at most
    /// one open referral to the same organisation.
    pub fn is_open(self) -> bool {
        matches!(self, ReferralStatus::Pending | ReferralStatus::Accepted)
    }

    /// Whether no event can move the referral any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ReferralStatus::Rejected | ReferralStatus::Revoked | ReferralStatus::ConsentWithdrawn
        )
    }
}

/// The side of a referral that acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReferralSide {
    Sender,
    Receiver,
}

/// What can happen to a referral.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReferralEvent {
    Accept,
    Reject,
    Complete,
    Revoke,
    /// A consent the referral shared under was withdrawn (recorded by the sender's organisation).
    WithdrawConsent,
}

impl ReferralEvent {
    pub const ALL: [ReferralEvent; 5] = [
        ReferralEvent::Accept,
        ReferralEvent::Reject,
        ReferralEvent::Complete,
        ReferralEvent::Revoke,
        ReferralEvent::WithdrawConsent,
    ];

    /// The status the event leads to.
    pub fn target(self) -> ReferralStatus {
        match self {
            ReferralEvent::Accept => ReferralStatus::Accepted,
            ReferralEvent::Reject => ReferralStatus::Rejected,
            ReferralEvent::Complete => ReferralStatus::Completed,
            ReferralEvent::Revoke => ReferralStatus::Revoked,
            ReferralEvent::WithdrawConsent => ReferralStatus::ConsentWithdrawn,
        }
    }

    /// The side that may cause the event.
    pub fn side(self) -> ReferralSide {
        match self {
            ReferralEvent::Accept | ReferralEvent::Reject | ReferralEvent::Complete => {
                ReferralSide::Receiver
            }
            ReferralEvent::Revoke | ReferralEvent::WithdrawConsent => ReferralSide::Sender,
        }
    }

    /// The statuses the event may start from.
    pub fn allowed_from(self) -> &'static [ReferralStatus] {
        match self {
            ReferralEvent::Accept | ReferralEvent::Reject => &[ReferralStatus::Pending],
            ReferralEvent::Complete => &[ReferralStatus::Accepted],
            ReferralEvent::Revoke => &[ReferralStatus::Pending, ReferralStatus::Accepted],
            ReferralEvent::WithdrawConsent => &[
                ReferralStatus::Pending,
                ReferralStatus::Accepted,
                ReferralStatus::Completed,
            ],
        }
    }
}

/// Why a referral cannot move.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("only the {} organisation can mark a referral {}", side_name(*needed), target.code())]
    WrongSide {
        needed: ReferralSide,
        target: ReferralStatus,
    },
    #[error("it is {}; only a referral that is {} can be marked {}", current.code(), codes(allowed), target.code())]
    NotAllowed {
        current: ReferralStatus,
        target: ReferralStatus,
        allowed: &'static [ReferralStatus],
    },
}

fn side_name(side: ReferralSide) -> &'static str {
    match side {
        ReferralSide::Sender => "sending",
        ReferralSide::Receiver => "receiving",
    }
}

fn codes(statuses: &[ReferralStatus]) -> String {
    statuses
        .iter()
        .map(|status| status.code())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The status a referral moves to when `side` causes `event` while it is `current`.
pub fn transition(
    current: ReferralStatus,
    event: ReferralEvent,
    side: ReferralSide,
) -> Result<ReferralStatus, TransitionError> {
    if side != event.side() {
        return Err(TransitionError::WrongSide {
            needed: event.side(),
            target: event.target(),
        });
    }
    if !event.allowed_from().contains(&current) {
        return Err(TransitionError::NotAllowed {
            current,
            target: event.target(),
            allowed: event.allowed_from(),
        });
    }
    Ok(event.target())
}

/// Why the parts a referral names cannot be shared.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    #[error("a referral shares at least one part of the case (identity, contact, screening, events, notes or documents)")]
    Empty,
    #[error("`{}` cannot be shared by a referral: share identity, contact, screening, events, notes or documents", .0.code())]
    NotShareable(ConsentScope),
}

/// The parts a referral shares, each once, in the order given; refused when empty or when a part
/// cannot be shared.
pub fn shareable_parts(share: &[ConsentScope]) -> Result<Vec<ConsentScope>, ShareError> {
    if share.is_empty() {
        return Err(ShareError::Empty);
    }
    let mut parts: Vec<ConsentScope> = Vec::new();
    for scope in share {
        if !SHAREABLE_SCOPES.contains(scope) {
            return Err(ShareError::NotShareable(*scope));
        }
        if !parts.contains(scope) {
            parts.push(*scope);
        }
    }
    Ok(parts)
}

/// The scopes that active consents cover for sharing with the organisation `organisation_slug`.
pub fn covered_scopes(consents: &[Consent], organisation_slug: &str) -> Vec<ConsentScope> {
    let mut scopes = Vec::new();
    for consent in consents.iter().filter(|consent| {
        consent.is_active() && consent.with_organisation.as_deref() == Some(organisation_slug)
    }) {
        for scope in &consent.scopes {
            if !scopes.contains(scope) {
                scopes.push(*scope);
            }
        }
    }
    scopes
}

/// Whether the person's active consents allow taking part in privacy-preserving matching with
/// partner organisations: an active consent covering [`ConsentScope::Matching`], given to the
/// recording organisation itself or to any partner. Matching sends no name, only a keyed encoding
/// to the linkage unit; without this consent a person is never encoded.
pub fn allows_matching(consents: &[Consent]) -> bool {
    consents
        .iter()
        .any(|consent| consent.covers(ConsentScope::Matching))
}

/// The parts of `share` that no active consent covers for the organisation.
pub fn missing_scopes(
    share: &[ConsentScope],
    consents: &[Consent],
    organisation_slug: &str,
) -> Vec<ConsentScope> {
    let covered = covered_scopes(consents, organisation_slug);
    share
        .iter()
        .copied()
        .filter(|scope| !covered.contains(scope))
        .collect()
}

/// The parts the receiver of a referral sees: none unless the status gives access, else the shared
/// parts that active consents still cover.
pub fn shown_scopes(
    status: ReferralStatus,
    share: &[ConsentScope],
    consents: &[Consent],
    receiver_slug: &str,
) -> Vec<ConsentScope> {
    if !status.gives_access() {
        return Vec::new();
    }
    let covered = covered_scopes(consents, receiver_slug);
    share
        .iter()
        .copied()
        .filter(|scope| covered.contains(scope))
        .collect()
}

/// Whether withdrawing consents (so that `consents_after` remain) ends a referral that shares
/// `share` with the receiver: it does as soon as one shared part is no longer covered.
pub fn withdrawal_ends_referral(
    status: ReferralStatus,
    share: &[ConsentScope],
    consents_after: &[Consent],
    receiver_slug: &str,
) -> bool {
    status.gives_access() && !missing_scopes(share, consents_after, receiver_slug).is_empty()
}

/// The identity of the person, when shared: names, sex, date of birth or estimated age,
/// nationality, languages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedIdentity {
    pub given_name: String,
    pub middle_name: Option<String>,
    pub surname: String,
    pub second_surname: Option<String>,
    pub alias: Option<String>,
    pub sex: Option<Gender>,
    pub date_of_birth: Option<PartialDate>,
    pub estimated_age: Option<u32>,
    pub nationality: Option<Country>,
    pub languages: Vec<String>,
}

/// How to reach the person, when shared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedContact {
    pub phone: Option<String>,
    pub current_country: Option<Country>,
    pub current_place: Option<String>,
}

/// A screening of the case, when shared: its result as the engine gave it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedScreening {
    pub id: i64,
    pub level: String,
    pub rule_set_version: String,
    pub created_at: String,
    pub result: serde_json::Value,
    /// The screening's input: its facts and the age, sex and countries the rules read, so that the
    /// receiver reads its explanation and next steps in the receiver's language. Never sent to the
    /// receiver as such (not serialised), so nothing of the person beyond the result travels with it.
    #[serde(skip_serializing)]
    pub input: serde_json::Value,
}

/// A note of the case, when shared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedNote {
    pub author: String,
    pub text: String,
    pub created_at: String,
}

/// A document attached to the case, when shared: what it is, not its content (the receiver
/// downloads the content through the referral).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedDocument {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: String,
}

/// The records of a case as they stood when a referral was made: the notes, the screenings that
/// are not void, and the attached documents. [`project`] keeps those of the shown parts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordsThen {
    pub notes: Vec<SharedNote>,
    pub screenings: Vec<SharedScreening>,
    pub documents: Vec<SharedDocument>,
}

/// The parts of a case a receiver sees. An unshared part is absent (`None`), never blank.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedParts {
    /// The parts shown: those shared and still covered by an active consent.
    pub shared: Vec<ConsentScope>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<SharedIdentity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<SharedContact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screenings: Option<Vec<SharedScreening>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<TraffickingEvent>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<SharedNote>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<Vec<SharedDocument>>,
}

/// Whether a record made at `recorded_at` existed when the referral was made at `referral_made_at`
/// (both RFC 3339). A time that cannot be read counts as later: it is not shown.
pub fn existed_at_referral(recorded_at: &str, referral_made_at: &str) -> bool {
    let parse = |text: &str| {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
    };
    match (parse(recorded_at), parse(referral_made_at)) {
        (Some(recorded), Some(made)) => recorded <= made,
        _ => false,
    }
}

/// What the receiver sees: from the case as it stood when the referral was made (`case_then`),
/// and the notes, screenings and documents recorded until then, exactly the parts in `shown` (from
/// [`shown_scopes`]).
pub fn project(shown: &[ConsentScope], case_then: &Case, records_then: RecordsThen) -> SharedParts {
    let RecordsThen {
        notes: notes_then,
        screenings: screenings_then,
        documents: documents_then,
    } = records_then;
    let person = &case_then.person;
    let has = |scope: ConsentScope| shown.contains(&scope);
    SharedParts {
        shared: shown.to_vec(),
        identity: has(ConsentScope::Identity).then(|| SharedIdentity {
            given_name: person.given_name.clone(),
            middle_name: person.middle_name.clone(),
            surname: person.surname.clone(),
            second_surname: person.second_surname.clone(),
            alias: person.alias.clone(),
            sex: person.sex,
            date_of_birth: person.date_of_birth,
            estimated_age: person.estimated_age,
            nationality: person.nationality,
            languages: person.languages.clone(),
        }),
        contact: has(ConsentScope::Contact).then(|| SharedContact {
            phone: person
                .phone
                .as_ref()
                .map(|phone| phone.as_str().to_string()),
            current_country: person.current_country,
            current_place: person.current_place.clone(),
        }),
        screenings: has(ConsentScope::Screening).then_some(screenings_then),
        events: has(ConsentScope::Events).then(|| case_then.events.clone()),
        notes: has(ConsentScope::Notes).then_some(notes_then),
        documents: has(ConsentScope::Documents).then_some(documents_then),
    }
}

/// The case a receiving organisation opens from a referral: the person and the route filled from
/// the shared identity, contact and events only; every other field starts empty. Without a
/// shared identity the person is named `name_when_unshared` (the receiver's own label for the
/// referral), as a case needs a name. Consents, notes and screenings stay with the sender: the
/// receiver records its own.
pub fn case_from_shared(
    identity: Option<&SharedIdentity>,
    contact: Option<&SharedContact>,
    events: Option<&[TraffickingEvent]>,
    name_when_unshared: &str,
) -> Case {
    let mut person = crate::domain::Person::default();
    match identity {
        Some(identity) => {
            person.given_name = identity.given_name.clone();
            person.middle_name = identity.middle_name.clone();
            person.surname = identity.surname.clone();
            person.second_surname = identity.second_surname.clone();
            person.alias = identity.alias.clone();
            person.sex = identity.sex;
            person.date_of_birth = identity.date_of_birth;
            person.estimated_age = identity.estimated_age;
            person.nationality = identity.nationality;
            person.languages = identity.languages.clone();
        }
        None => person.given_name = name_when_unshared.to_string(),
    }
    if let Some(contact) = contact {
        person.phone = contact
            .phone
            .as_deref()
            .and_then(|phone| crate::domain::PhoneNumber::parse(phone, None).ok());
        person.current_country = contact.current_country;
        person.current_place = contact.current_place.clone();
    }
    let mut case = Case::new(person);
    case.events = events.map(<[TraffickingEvent]>::to_vec).unwrap_or_default();
    case
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_active_matching_consent_allows_matching() {
        let consent = |scopes: Vec<ConsentScope>, withdrawn: bool| Consent {
            id: None,
            scopes,
            with_organisation: None,
            given_on: "2026-01-02".parse().unwrap(),
            recorded_by: "advocate@example.org".into(),
            withdrawn_on: withdrawn.then(|| "2026-02-03".parse().unwrap()),
        };
        assert!(!allows_matching(&[]));
        assert!(!allows_matching(&[consent(
            vec![ConsentScope::Identity],
            false
        )]));
        assert!(!allows_matching(&[consent(
            vec![ConsentScope::Matching],
            true
        )]));
        assert!(allows_matching(&[
            consent(vec![ConsentScope::Identity], false),
            consent(vec![ConsentScope::Matching], false),
        ]));
    }

    use crate::domain::Person;
    use proptest::prelude::*;

    fn consent(with: &str, scopes: &[ConsentScope], withdrawn: bool) -> Consent {
        Consent {
            id: None,
            scopes: scopes.to_vec(),
            with_organisation: Some(with.into()),
            given_on: "2026-11-01".parse().unwrap(),
            recorded_by: "advocate@test".into(),
            withdrawn_on: withdrawn.then(|| "2026-11-20".parse().unwrap()),
        }
    }

    #[test]
    fn statuses_move_only_by_the_right_side_from_the_right_status() {
        use ReferralEvent::*;
        use ReferralSide::*;
        use ReferralStatus::*;
        let check = |current, event, side, expected: Result<ReferralStatus, ()>| {
            assert_eq!(
                transition(current, event, side).map_err(|_| ()),
                expected,
                "{current:?} {event:?} by {side:?}"
            );
        };
        check(Pending, Accept, Receiver, Ok(Accepted));
        check(Pending, Accept, Sender, Err(()));
        check(Pending, Reject, Receiver, Ok(Rejected));
        check(Accepted, Complete, Receiver, Ok(Completed));
        check(Pending, Complete, Receiver, Err(()));
        check(Accepted, Revoke, Sender, Ok(Revoked));
        check(Completed, Revoke, Sender, Err(()));
        check(Completed, WithdrawConsent, Sender, Ok(ConsentWithdrawn));
        check(Rejected, WithdrawConsent, Sender, Err(()));
        check(ConsentWithdrawn, Accept, Receiver, Err(()));
        assert_eq!(
            transition(Completed, Revoke, Sender)
                .unwrap_err()
                .to_string(),
            "it is completed; only a referral that is pending or accepted can be marked revoked"
        );
        assert_eq!(
            transition(Pending, Accept, Sender).unwrap_err().to_string(),
            "only the receiving organisation can mark a referral accepted"
        );
    }

    #[test]
    fn shared_parts_are_checked_and_deduplicated() {
        use ConsentScope::*;
        assert_eq!(shareable_parts(&[]), Err(ShareError::Empty));
        assert_eq!(
            shareable_parts(&[Identity, DeidentifiedStatistics]),
            Err(ShareError::NotShareable(DeidentifiedStatistics))
        );
        assert_eq!(
            shareable_parts(&[Notes, Identity, Notes]),
            Ok(vec![Notes, Identity])
        );
    }

    #[test]
    fn coverage_counts_only_active_consents_for_the_receiver() {
        use ConsentScope::*;
        let consents = vec![
            consent("shelter", &[Identity], false),
            consent("shelter", &[Contact], true),
            consent("clinic", &[Notes], false),
        ];
        assert_eq!(covered_scopes(&consents, "shelter"), vec![Identity]);
        assert_eq!(
            missing_scopes(&[Identity, Contact, Notes], &consents, "shelter"),
            vec![Contact, Notes]
        );
        assert_eq!(
            shown_scopes(
                ReferralStatus::Accepted,
                &[Identity, Contact],
                &consents,
                "shelter"
            ),
            vec![Identity]
        );
        assert!(
            shown_scopes(ReferralStatus::Revoked, &[Identity], &consents, "shelter").is_empty()
        );
        assert!(withdrawal_ends_referral(
            ReferralStatus::Accepted,
            &[Identity, Contact],
            &consents,
            "shelter"
        ));
        assert!(!withdrawal_ends_referral(
            ReferralStatus::Accepted,
            &[Identity],
            &consents,
            "shelter"
        ));
    }

    #[test]
    fn only_records_made_by_the_referral_are_shown() {
        let made = "2026-11-20T10:00:00Z";
        assert!(existed_at_referral("2026-11-20T09:59:59.5Z", made));
        assert!(existed_at_referral(made, made));
        assert!(!existed_at_referral("2026-11-20T10:00:00.000001Z", made));
        assert!(!existed_at_referral("not a time", made));
    }

    fn any_scope() -> impl Strategy<Value = ConsentScope> {
        prop::sample::select(vec![
            ConsentScope::ManagePersonalData,
            ConsentScope::Identity,
            ConsentScope::Contact,
            ConsentScope::Screening,
            ConsentScope::Events,
            ConsentScope::Notes,
            ConsentScope::Documents,
            ConsentScope::DeidentifiedStatistics,
        ])
    }

    fn any_consent() -> impl Strategy<Value = Consent> {
        (
            prop::sample::select(vec!["shelter", "clinic"]),
            prop::collection::vec(any_scope(), 0..4),
            any::<bool>(),
        )
            .prop_map(|(with, scopes, withdrawn)| consent(with, &scopes, withdrawn))
    }

    fn any_status() -> impl Strategy<Value = ReferralStatus> {
        prop::sample::select(ReferralStatus::ALL.to_vec())
    }

    fn any_event() -> impl Strategy<Value = (ReferralEvent, ReferralSide)> {
        (
            prop::sample::select(ReferralEvent::ALL.to_vec()),
            prop::sample::select(vec![ReferralSide::Sender, ReferralSide::Receiver]),
        )
    }

    proptest! {
        /// No projection ever contains a part that no active consent covers for the receiver, and
        /// every part it leaves out is absent.
        #[test]
        fn no_projection_holds_a_part_no_active_consent_covers(
            status in any_status(),
            share in prop::collection::vec(any_scope(), 0..6),
            consents in prop::collection::vec(any_consent(), 0..5),
        ) {
            let case = Case::new(Person { given_name: "Ana".into(), surname: "Pérez".into(), ..Person::default() });
            let shown = shown_scopes(status, &share, &consents, "shelter");
            let parts = project(&shown, &case, RecordsThen::default());
            let covered_by_active = |scope: ConsentScope| consents.iter().any(|consent| {
                consent.is_active() && consent.with_organisation.as_deref() == Some("shelter") && consent.covers(scope)
            });
            for scope in &parts.shared {
                prop_assert!(covered_by_active(*scope), "{scope:?} shown without an active consent");
                prop_assert!(share.contains(scope), "{scope:?} shown but never shared");
                prop_assert!(status.gives_access());
            }
            let present = [
                (ConsentScope::Identity, parts.identity.is_some()),
                (ConsentScope::Contact, parts.contact.is_some()),
                (ConsentScope::Screening, parts.screenings.is_some()),
                (ConsentScope::Events, parts.events.is_some()),
                (ConsentScope::Notes, parts.notes.is_some()),
                (ConsentScope::Documents, parts.documents.is_some()),
            ];
            for (scope, is_present) in present {
                prop_assert_eq!(is_present, parts.shared.contains(&scope));
            }
        }

        /// From `pending`, no sequence of events reaches an illegal state: every status reached is
        /// one the event leads to, final statuses never move again, and access once ended never
        /// comes back.
        #[test]
        fn no_sequence_of_events_reaches_an_illegal_state(
            events in prop::collection::vec(any_event(), 0..12),
        ) {
            let mut status = ReferralStatus::Pending;
            let mut access_ended = false;
            for (event, side) in events {
                let before = status;
                match transition(status, event, side) {
                    Ok(next) => {
                        prop_assert!(!before.is_final(), "{before:?} moved to {next:?}");
                        prop_assert_eq!(next, event.target());
                        prop_assert_eq!(side, event.side());
                        prop_assert_ne!(next, ReferralStatus::Pending);
                        status = next;
                    }
                    Err(_) => prop_assert_eq!(status, before),
                }
                if !status.gives_access() {
                    access_ended = true;
                }
                prop_assert!(!(access_ended && status.gives_access()), "access came back at {status:?}");
            }
        }
    }

    #[test]
    fn a_case_opened_from_a_referral_holds_only_the_shared_parts() {
        let identity = SharedIdentity {
            given_name: "Rosa".into(),
            middle_name: None,
            surname: "Pérez".into(),
            second_surname: Some("Díaz".into()),
            alias: None,
            sex: Some(Gender::Female),
            date_of_birth: None,
            estimated_age: Some(16),
            nationality: Country::from_alpha_2("HN"),
            languages: vec!["es".into()],
        };
        let case = case_from_shared(Some(&identity), None, None, "Remisión 4");
        assert_eq!(case.person.full_name(), "Rosa Pérez Díaz");
        assert_eq!(case.person.estimated_age, Some(16));
        assert_eq!(case.person.phone, None);
        assert!(case.events.is_empty() && case.consents.is_empty());
        let contact = SharedContact {
            phone: Some("+50255551234".into()),
            current_country: Country::from_alpha_2("MX"),
            current_place: Some("Tapachula".into()),
        };
        let case = case_from_shared(None, Some(&contact), Some(&[]), "Remisión 4");
        assert_eq!(case.person.given_name, "Remisión 4");
        assert_eq!(case.person.nationality, None);
        assert_eq!(case.person.current_place.as_deref(), Some("Tapachula"));
        assert_eq!(
            case.person.phone.map(|phone| phone.to_string()).as_deref(),
            Some("+50255551234")
        );
    }
}
