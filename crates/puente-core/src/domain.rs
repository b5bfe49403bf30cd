//! The case-management domain model on HTCDS 2.0.
//!
//! These are plain data types: the store persists them, the server shows and edits them, the engines
//! read them. Validation that needs no I/O lives here ("parse, don't validate"): a [`PartialDate`] is
//! always a possible date, a [`PhoneNumber`] is always E.164.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::country::Country;
use crate::htcds::{
    CaseStatus, ConsentScope, Gender, LabourIndustry, MethodOfControl, MethodOfRecruitment,
    PerpetratorRole, RelationshipToTrafficker, SupportStatus, SupportType, TraffickingEventType,
    TraffickingStatus, TraffickingStatusDecidedBy, TypeOfExploitation, TypeOfLabour,
    TypeOfSexExploitation, Vulnerability,
};

/// A date of which the year, the month or the day may be unknown, as records of survivors often are
/// ("born in 2008", "March 1999"). Written `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

/// Why a text is not a [`PartialDate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a date: {reason} (expected YYYY, YYYY-MM or YYYY-MM-DD)")]
pub struct InvalidDate {
    pub value: String,
    pub reason: &'static str,
}

impl PartialDate {
    pub fn year(year: u16) -> PartialDate {
        PartialDate {
            year,
            month: None,
            day: None,
        }
    }

    /// The age in whole years on `today`, when it can be known; with an unknown month or day the
    /// lower of the two possible ages is returned.
    pub fn age_on(&self, today: time::Date) -> Option<u32> {
        let today_year = today.year();
        let mut age = today_year - i32::from(self.year);
        let month = self.month.unwrap_or(12);
        let day = self.day.unwrap_or(31);
        let today_month = today.month() as u8;
        if (today_month, today.day()) < (month, day) {
            age -= 1;
        }
        u32::try_from(age).ok()
    }
}

impl FromStr for PartialDate {
    type Err = InvalidDate;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| InvalidDate {
            value: text.to_string(),
            reason,
        };
        let mut parts = text.trim().split('-');
        let year_text = parts.next().unwrap_or("");
        if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("the year must have four digits"));
        }
        let year: u16 = year_text
            .parse()
            .map_err(|_| invalid("the year is not a number"))?;
        if !(1880..=2200).contains(&year) {
            return Err(invalid("the year is out of range"));
        }
        let month = match parts.next() {
            None => None,
            Some(m) => {
                let month: u8 = m
                    .parse()
                    .map_err(|_| invalid("the month is not a number"))?;
                if !(1..=12).contains(&month) || m.len() != 2 {
                    return Err(invalid("the month must be 01 to 12"));
                }
                Some(month)
            }
        };
        let day = match parts.next() {
            None => None,
            Some(d) => {
                let day: u8 = d.parse().map_err(|_| invalid("the day is not a number"))?;
                let month =
                    time::Month::try_from(month.unwrap_or(1)).map_err(|_| invalid("bad month"))?;
                if d.len() != 2 || day == 0 || day > month.length(i32::from(year)) {
                    return Err(invalid("the day does not exist in that month"));
                }
                Some(day)
            }
        };
        if parts.next().is_some() {
            return Err(invalid("too many parts"));
        }
        Ok(PartialDate { year, month, day })
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
            if let Some(day) = self.day {
                write!(f, "-{day:02}")?;
            }
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A phone number in E.164: a plus sign, the country calling code and the subscriber number, at most
/// fifteen digits in all (`+50255551234`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

/// Why a text is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a phone number: {reason}")]
pub struct InvalidPhone {
    pub value: String,
    pub reason: &'static str,
}

impl PhoneNumber {
    /// Parses a number written as people write them (`+502 5555-1234`, `(502) 5555 1234`,
    /// `00502 55551234`, or a national number with `default_country`), into E.164, through the one
    /// normaliser, [`crate::phone::normalise_phone`].
    pub fn parse(
        text: &str,
        default_country: Option<Country>,
    ) -> Result<PhoneNumber, InvalidPhone> {
        let invalid = |reason| InvalidPhone {
            value: text.to_string(),
            reason,
        };
        let trimmed = text.trim();
        if trimmed
            .chars()
            .any(|c| !(c.is_ascii_digit() || " -.()/+".contains(c)))
        {
            return Err(invalid("it may hold only digits, spaces, + - . ( ) /"));
        }
        let phone = crate::phone::normalise_phone(trimmed, default_country).map_err(|problem| {
            invalid(match problem {
                crate::phone::PhoneProblem::TooShort => "a phone number has at least seven digits",
                crate::phone::PhoneProblem::NeedsCountry => {
                    "a national number needs a country (write it with +code)"
                }
                crate::phone::PhoneProblem::NotANumber => {
                    "no country's numbering plan has this number"
                }
            })
        })?;
        Ok(PhoneNumber(phone.e164()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PhoneNumber::parse(&text, None).map_err(serde::de::Error::custom)
    }
}

/// An organisation using Puente or listed in its service directory (`org_`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub slug: String,
    pub name: String,
    pub kind: crate::htcds::OrganisationType,
    pub country: Option<Country>,
    pub city: Option<String>,
    pub phone: Option<PhoneNumber>,
}

/// A person (`prs_`), with names as Latin American records carry them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Person {
    /// The first given name ("María").
    pub given_name: String,
    /// A second given name ("José"), if any.
    pub middle_name: Option<String>,
    /// The first (usually paternal) surname ("Hernández"); compound surnames keep their particles
    /// ("De la Cruz").
    pub surname: String,
    /// The second (usually maternal) surname ("López"), if any.
    pub second_surname: Option<String>,
    /// A name the person is known by ("Chepe").
    pub alias: Option<String>,
    pub sex: Option<Gender>,
    pub date_of_birth: Option<PartialDate>,
    /// The age when the date of birth is unknown, as estimated at intake.
    pub estimated_age: Option<u32>,
    pub nationality: Option<Country>,
    pub languages: Vec<String>,
    pub phone: Option<PhoneNumber>,
    pub current_country: Option<Country>,
    pub current_place: Option<String>,
}

impl Person {
    /// The full name as written: given names, then both surnames.
    pub fn full_name(&self) -> String {
        [
            Some(self.given_name.as_str()),
            self.middle_name.as_deref(),
            Some(self.surname.as_str()),
            self.second_surname.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|part| !part.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// The victim context of a case (`vic_`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VictimContext {
    pub trafficking_status: Option<TraffickingStatus>,
    pub status_decided_by: Option<TraffickingStatusDecidedBy>,
    pub recruitment_methods: Vec<MethodOfRecruitment>,
    pub methods_of_control: Vec<MethodOfControl>,
    pub types_of_exploitation: Vec<TypeOfExploitation>,
    pub types_of_labour: Vec<TypeOfLabour>,
    pub labour_industries: Vec<LabourIndustry>,
    pub types_of_sex_exploitation: Vec<TypeOfSexExploitation>,
    pub relationship_to_trafficker: Vec<RelationshipToTrafficker>,
    pub vulnerabilities: Vec<Vulnerability>,
    pub agreement_to_manage_personal_data: bool,
}

/// A perpetrator linked to a case (`per_`). Free-text details are identifying.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Perpetrator {
    pub roles: Vec<PerpetratorRole>,
    pub description: Option<String>,
    pub nationality: Option<Country>,
}

/// One step of a case's route (`hte_`): where and when a person was recruited, moved or exploited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraffickingEvent {
    pub kind: TraffickingEventType,
    pub country: Option<Country>,
    pub place: Option<String>,
    pub date: Option<PartialDate>,
    #[serde(default)]
    pub description: Option<String>,
}

/// One item of a support plan (`spl_`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SupportPlanItem {
    pub kind: SupportType,
    pub status: SupportStatus,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub due: Option<PartialDate>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// A consent given by the person (`con_`): what may be shared, with whom, recorded when and by whom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Consent {
    /// The consent's id in the store, once recorded; consents are kept apart from the case and
    /// only ever given or withdrawn, never edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub scopes: Vec<ConsentScope>,
    /// The organisation (slug) the consent allows sharing with; `None` for consent to the recording
    /// organisation itself.
    #[serde(default)]
    pub with_organisation: Option<String>,
    pub given_on: PartialDate,
    /// The user who recorded it (email).
    pub recorded_by: String,
    #[serde(default)]
    pub withdrawn_on: Option<PartialDate>,
}

impl Consent {
    pub fn is_active(&self) -> bool {
        self.withdrawn_on.is_none()
    }
    pub fn covers(&self, scope: ConsentScope) -> bool {
        self.is_active() && self.scopes.contains(&scope)
    }
}

/// A note on a case (`cco_`). Free text: identifying by default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseNote {
    pub author: String,
    pub written_at: String,
    pub text: String,
}

/// A case (`cas_`): one person's situation as an organisation works it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub person: Person,
    pub status: CaseStatus,
    #[serde(default)]
    pub victim: VictimContext,
    #[serde(default)]
    pub perpetrators: Vec<Perpetrator>,
    #[serde(default)]
    pub events: Vec<TraffickingEvent>,
    #[serde(default)]
    pub support_plan: Vec<SupportPlanItem>,
    #[serde(default)]
    pub consents: Vec<Consent>,
}

impl Case {
    pub fn new(person: Person) -> Case {
        Case {
            person,
            status: CaseStatus::Active,
            victim: VictimContext::default(),
            perpetrators: Vec::new(),
            events: Vec::new(),
            support_plan: Vec::new(),
            consents: Vec::new(),
        }
    }

    /// The route as countries in order of events: origin to destination.
    pub fn route(&self) -> Vec<Country> {
        let mut route: Vec<Country> = Vec::new();
        for country in self.events.iter().filter_map(|event| event.country) {
            if route.last() != Some(&country) {
                route.push(country);
            }
        }
        route
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_parse_and_print() {
        for text in ["2008", "1999-03", "2001-02-28", "2000-02-29"] {
            assert_eq!(text.parse::<PartialDate>().unwrap().to_string(), text);
        }
        for text in [
            "08",
            "1999-13",
            "2001-02-29",
            "1999-3",
            "abcd",
            "2001-01-01-01",
            "",
        ] {
            assert!(text.parse::<PartialDate>().is_err(), "{text}");
        }
    }

    #[test]
    fn ages_from_partial_dates_take_the_lower_bound() {
        let today = time::macros::date!(2026 - 06 - 15);
        assert_eq!(
            "2010-06-15".parse::<PartialDate>().unwrap().age_on(today),
            Some(16)
        );
        assert_eq!(
            "2010-06-16".parse::<PartialDate>().unwrap().age_on(today),
            Some(15)
        );
        assert_eq!(
            "2010".parse::<PartialDate>().unwrap().age_on(today),
            Some(15)
        );
        assert_eq!(
            "2010-05".parse::<PartialDate>().unwrap().age_on(today),
            Some(16)
        );
    }

    #[test]
    fn phones_are_normalised_to_e164() {
        let gt = Country::from_alpha_2("GT");
        let cases = [
            ("+502 5555 1234", None, "+50255551234"),
            ("5555-1234", gt, "+50255551234"),
            ("(502) 5555-1234", gt, "+50255551234"),
            ("00502 55551234", None, "+50255551234"),
            ("502 5555 1234", gt, "+50255551234"),
            ("+1 (555) 010-0199", None, "+15550100199"),
            ("55 1234 5678", Country::from_alpha_2("MX"), "+525512345678"),
        ];
        for (text, country, expected) in cases {
            assert_eq!(
                PhoneNumber::parse(text, country).unwrap().as_str(),
                expected,
                "{text}"
            );
        }
        assert!(PhoneNumber::parse("5555-1234", None).is_err());
        assert!(PhoneNumber::parse("call me", gt).is_err());
    }

    #[test]
    fn a_case_route_collapses_repeated_countries() {
        let event = |kind, code| TraffickingEvent {
            kind,
            country: Country::from_alpha_2(code),
            place: None,
            date: None,
            description: None,
        };
        let mut case = Case::new(Person::default());
        case.events = vec![
            event(TraffickingEventType::Recruitment, "HN"),
            event(TraffickingEventType::Transit, "GT"),
            event(TraffickingEventType::Transit, "MX"),
            event(TraffickingEventType::Transit, "MX"),
            event(TraffickingEventType::Exploitation, "US"),
        ];
        let route: Vec<_> = case.route().iter().map(|c| c.alpha_2()).collect();
        assert_eq!(route, ["HN", "GT", "MX", "US"]);
    }
}
