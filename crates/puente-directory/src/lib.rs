//! The service directory: organisations' services (shelter, medical, psychological, legal,
//! immigration relief, return and reintegration, livelihood, education, ...), the matching of a
//! person's needs to them with the reasons for each match, and the gaps (needs that no service
//! meets, by country and population).
//!
//! Pure: the store keeps the services, the server shows them; everything that decides lives here.
//!
//! # How matching works
//! A [`ServiceQuery`](crate::ServiceQuery) has hard criteria and soft ones:
//! - hard: the need, the country, the age and the sex. A service that does not meet the need, does
//!   not serve the country, does not take the person's age or sex is left out;
//! - soft: the place, the languages and rural reach. They rank services (a shelter in the person's
//!   own town before one across the country) and explain the difference, but never hide a service:
//!   a survivor who speaks Mam is better served by a Spanish-speaking shelter with an interpreter
//!   than by an empty list.
//!
//! Every match carries its [`MatchReason`](crate::MatchReason)s, in Spanish and English, so the case worker sees why a
//! service is suggested and what to check before referring.

use std::cmp::Reverse;

use serde::{Deserialize, Serialize, Serializer};

use puente_core::country::Country;
use puente_core::domain::{Organisation, Person, PhoneNumber};
use puente_core::htcds::{Gender, SupportType};
use puente_core::lang::Lang;
use puente_core::vocabulary::Vocabulary;

/// The age from which a person is an adult, for populations and children's services.
pub const AGE_OF_MAJORITY: u32 = 18;

/// A service an organisation offers: the need it meets, where, and for whom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// The service's stable identifier in the directory (`shelter-demo-girls-shelter`).
    pub slug: String,
    /// The organisation offering it, by slug.
    pub organisation: String,
    pub name_es: String,
    pub name_en: String,
    #[serde(default)]
    pub description_es: String,
    #[serde(default)]
    pub description_en: String,
    /// The need it meets, as an HTCDS support-plan type (shelter is `Accommodation`).
    pub need: SupportType,
    /// The countries served.
    pub countries: Vec<Country>,
    /// The places served (cities, departments); empty when the service covers the whole of its
    /// countries (a national telephone service, a mobile team).
    #[serde(default)]
    pub places: Vec<String>,
    /// The youngest age accepted, if any limit.
    #[serde(default)]
    pub min_age: Option<u32>,
    /// The oldest age accepted, if any limit.
    #[serde(default)]
    pub max_age: Option<u32>,
    /// The sexes and genders accepted; empty for everyone.
    #[serde(default)]
    pub sexes: Vec<Gender>,
    /// The languages spoken, ISO 639 codes (`es`, `en`, `mam`, `quc`).
    #[serde(default)]
    pub languages: Vec<String>,
    /// Whether the service is built for survivors of trafficking (not a general service).
    #[serde(default)]
    pub trafficking_specific: bool,
    /// Places (beds, slots) at a time, if known.
    #[serde(default)]
    pub capacity: Option<u32>,
    /// Whether the service reaches rural areas (mobile teams, outreach, remote attention).
    #[serde(default)]
    pub rural_reach: bool,
    /// The contact number, E.164.
    #[serde(default)]
    pub phone: Option<PhoneNumber>,
}

impl Service {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Es => &self.name_es,
            Lang::En => &self.name_en,
        }
    }

    /// Whether the service takes a person of this age (an unknown age is never refused here: the
    /// case worker checks it).
    pub fn accepts_age(&self, age: u32) -> bool {
        self.min_age.is_none_or(|min| age >= min) && self.max_age.is_none_or(|max| age <= max)
    }

    /// Whether the service takes a person of this sex. Everyone is accepted by a service that lists
    /// no sexes; an unknown sex is never refused here.
    pub fn accepts_sex(&self, sex: Gender) -> bool {
        self.sexes.is_empty() || sex == Gender::Unknown || self.sexes.contains(&sex)
    }

    /// Whether the service takes some of the ages from `min` to `max` (both included).
    pub fn accepts_some_age_in(&self, min: u32, max: u32) -> bool {
        self.min_age.is_none_or(|limit| limit <= max)
            && self.max_age.is_none_or(|limit| limit >= min)
    }

    pub fn serves_country(&self, country: Country) -> bool {
        self.countries.contains(&country)
    }

    /// The service's place that serves `place`, compared by words without case or accents: a
    /// served place whose words appear, in order, in the person's place ("Tapachula" serves
    /// "Finca cafetalera, Tapachula, Chiapas"), or a served administrative area (a state or
    /// department) of a town the person's place names ("Chiapas" serves "Tapachula", from the
    /// region's gazetteer [`ADMINISTRATIVE_AREAS`]).
    pub fn serves_place(&self, place: &str) -> Option<&str> {
        let wanted = place_words(place);
        if wanted.is_empty() {
            return None;
        }
        let areas: Vec<Vec<String>> = ADMINISTRATIVE_AREAS
            .iter()
            .filter(|(country, _, _)| {
                Country::from_alpha_2(country).is_some_and(|country| self.serves_country(country))
            })
            .filter(|(_, town, _)| contains_words(&wanted, &place_words(town)))
            .map(|(_, _, area)| place_words(area))
            .collect();
        self.places
            .iter()
            .find(|served| {
                let served = place_words(served);
                !served.is_empty() && (contains_words(&wanted, &served) || areas.contains(&served))
            })
            .map(String::as_str)
    }

    pub fn speaks(&self, language: &str) -> bool {
        self.languages
            .iter()
            .any(|spoken| spoken.eq_ignore_ascii_case(language.trim()))
    }

    /// Whether the service is for children only (its oldest accepted age is under 18).
    pub fn is_for_children(&self) -> bool {
        self.max_age.is_some_and(|max| max < AGE_OF_MAJORITY)
    }
}

/// A national hotline, kept in the directory as data (the screening engine's next steps take them
/// as `puente_screening::hotlines::Hotline`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectoryHotline {
    pub country: Country,
    pub name_es: String,
    pub name_en: String,
    /// The number as people dial it in the country (`1-888-...`, `800 ...`, `1510`).
    pub phone: String,
    /// The number to send a text message to, if any.
    #[serde(default)]
    pub text: Option<String>,
}

/// A whole directory: the organisations, their services and the national hotlines.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Directory {
    pub organisations: Vec<Organisation>,
    pub services: Vec<Service>,
    pub hotlines: Vec<DirectoryHotline>,
}

/// What someone needs, and who they are: a search of the directory. Every part is optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceQuery {
    /// Hard: only services meeting this need.
    pub need: Option<SupportType>,
    /// Hard: only services serving this country.
    pub country: Option<Country>,
    /// Soft: services in this place rank first.
    pub place: Option<String>,
    /// Hard: only services taking this age.
    pub age: Option<u32>,
    /// Hard: only services taking this sex.
    pub sex: Option<Gender>,
    /// Soft: the languages the person speaks (ISO 639); services speaking one of them rank first.
    pub languages: Vec<String>,
    /// Soft: the person is in a rural area; services with rural reach rank first.
    pub rural: bool,
}

/// A search parameter that cannot be read, naming the parameter and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid `{parameter}`: {expected}")]
pub struct InvalidQuery {
    pub parameter: String,
    pub value: String,
    pub expected: &'static str,
}

impl ServiceQuery {
    /// Reads a query from URL parameters: `need` (a support type code or alias: `shelter`,
    /// `medical`, `psychological`, `legal`, `immigration`, `return`, `livelihood`, `education`,
    /// ...), `country` (ISO alpha-2 or alpha-3), `place`, `age`, `sex` (`F`, `M`, `X`, or a Gender
    /// code), `language` (repeated or comma-separated ISO 639 codes) and `rural` (`true`/`false`).
    /// Empty values are ignored; an unknown parameter is refused, so a typo never widens a search.
    pub fn from_pairs<'a, I>(pairs: I) -> Result<ServiceQuery, InvalidQuery>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut query = ServiceQuery::default();
        for (parameter, value) in pairs {
            let value = value.trim();
            let invalid = |expected| InvalidQuery {
                parameter: parameter.to_string(),
                value: value.to_string(),
                expected,
            };
            if value.is_empty() {
                continue;
            }
            match parameter {
                "need" => {
                    query.need = Some(SupportType::from_code(value).ok_or_else(|| {
                        invalid("a need such as shelter, medical, psychological, legal, immigration, return, livelihood or education")
                    })?)
                }
                "country" => {
                    query.country = Some(
                        Country::from_code(value)
                            .ok_or_else(|| invalid("an ISO 3166 country code such as GT"))?,
                    )
                }
                "place" => query.place = Some(value.to_string()),
                "age" => {
                    query.age = Some(
                        value
                            .parse::<u32>()
                            .ok()
                            .filter(|age| *age <= 130)
                            .ok_or_else(|| invalid("a whole number of years"))?,
                    )
                }
                "sex" => {
                    query.sex = Some(
                        Gender::from_code(value)
                            .ok_or_else(|| invalid("F, M, X or Unknown"))?,
                    )
                }
                "language" | "languages" => query.languages.extend(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|code| !code.is_empty())
                        .map(str::to_string),
                ),
                "rural" => {
                    query.rural = match value {
                        "true" | "1" | "yes" | "si" | "sí" => true,
                        "false" | "0" | "no" => false,
                        _ => return Err(invalid("true or false")),
                    }
                }
                _ => {
                    return Err(InvalidQuery {
                        parameter: parameter.to_string(),
                        value: value.to_string(),
                        expected: "a known parameter: need, country, place, age, sex, language, rural",
                    })
                }
            }
        }
        Ok(query)
    }
}

/// Why a service matches, or what to check before referring to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchReason {
    MeetsNeed(SupportType),
    ServesCountry(Country),
    ServesPlace(String),
    /// The service lists places, none of them the person's.
    OtherPlaces(String),
    CoversWholeCountry,
    AcceptsAge(u32),
    /// A service for children, and the person is a child.
    ForChildren,
    AcceptsSex(Gender),
    SpeaksLanguage(String),
    /// The service speaks none of the person's languages: an interpreter is needed.
    NeedsInterpreter(Vec<String>),
    TraffickingSpecific,
    RuralReach,
    NoRuralReach,
    Capacity(u32),
}

impl MatchReason {
    /// A stable code, for the API and for tests.
    pub fn code(&self) -> &'static str {
        match self {
            MatchReason::MeetsNeed(_) => "meets_need",
            MatchReason::ServesCountry(_) => "serves_country",
            MatchReason::ServesPlace(_) => "serves_place",
            MatchReason::OtherPlaces(_) => "other_places",
            MatchReason::CoversWholeCountry => "covers_whole_country",
            MatchReason::AcceptsAge(_) => "accepts_age",
            MatchReason::ForChildren => "for_children",
            MatchReason::AcceptsSex(_) => "accepts_sex",
            MatchReason::SpeaksLanguage(_) => "speaks_language",
            MatchReason::NeedsInterpreter(_) => "needs_interpreter",
            MatchReason::TraffickingSpecific => "trafficking_specific",
            MatchReason::RuralReach => "rural_reach",
            MatchReason::NoRuralReach => "no_rural_reach",
            MatchReason::Capacity(_) => "capacity",
        }
    }

    /// False for a reason that is a caution (what to check before referring).
    pub fn is_favourable(&self) -> bool {
        !matches!(
            self,
            MatchReason::OtherPlaces(_)
                | MatchReason::NeedsInterpreter(_)
                | MatchReason::NoRuralReach
        )
    }

    /// The reason as a sentence in the language.
    pub fn label(&self, lang: Lang) -> String {
        let es = lang == Lang::Es;
        match self {
            MatchReason::MeetsNeed(need) => match lang {
                Lang::Es => format!(
                    "Ofrece lo que se necesita: {}",
                    need.label_in(lang).to_lowercase()
                ),
                Lang::En => format!("Meets the need: {}", need.label_in(lang).to_lowercase()),
            },
            MatchReason::ServesCountry(country) => match lang {
                Lang::Es => format!("Atiende en {}", country.name(lang)),
                Lang::En => format!("Serves {}", country.name(lang)),
            },
            MatchReason::ServesPlace(place) => match lang {
                Lang::Es => format!("Atiende en {place}"),
                Lang::En => format!("Serves {place}"),
            },
            MatchReason::OtherPlaces(place) => match lang {
                Lang::Es => format!("No atiende en {place}: compruebe el traslado"),
                Lang::En => format!("Does not serve {place}: check travel"),
            },
            MatchReason::CoversWholeCountry => {
                if es {
                    "Atiende en todo el país".into()
                } else {
                    "Covers the whole country".into()
                }
            }
            MatchReason::AcceptsAge(age) => match lang {
                Lang::Es => format!("Acepta a personas de {age} años"),
                Lang::En => format!("Accepts people aged {age}"),
            },
            MatchReason::ForChildren => {
                if es {
                    "Especializado en niñas, niños y adolescentes".into()
                } else {
                    "Specialised in children and adolescents".into()
                }
            }
            MatchReason::AcceptsSex(sex) => match lang {
                Lang::Es => format!("Acepta: {}", sex.label_in(lang).to_lowercase()),
                Lang::En => format!("Accepts: {}", sex.label_in(lang).to_lowercase()),
            },
            MatchReason::SpeaksLanguage(language) => match lang {
                Lang::Es => format!("Atiende en el idioma de la persona ({language})"),
                Lang::En => format!("Speaks the person's language ({language})"),
            },
            MatchReason::NeedsInterpreter(languages) => match lang {
                Lang::Es => format!(
                    "No atiende en {}: hará falta intérprete",
                    languages.join(", ")
                ),
                Lang::En => format!(
                    "Does not speak {}: an interpreter is needed",
                    languages.join(", ")
                ),
            },
            MatchReason::TraffickingSpecific => {
                if es {
                    "Especializado en víctimas de trata".into()
                } else {
                    "Specialised in survivors of trafficking".into()
                }
            }
            MatchReason::RuralReach => {
                if es {
                    "Llega a zonas rurales".into()
                } else {
                    "Reaches rural areas".into()
                }
            }
            MatchReason::NoRuralReach => {
                if es {
                    "No llega a zonas rurales: compruebe el traslado".into()
                } else {
                    "Does not reach rural areas: check travel".into()
                }
            }
            MatchReason::Capacity(places) => match lang {
                Lang::Es => format!("Capacidad: {places} plazas"),
                Lang::En => format!("Capacity: {places} places"),
            },
        }
    }
}

/// Serialised as `{"code", "favourable", "es", "en"}`, so an API client shows either language.
impl Serialize for MatchReason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            code: &'a str,
            favourable: bool,
            es: String,
            en: String,
        }
        Shown {
            code: self.code(),
            favourable: self.is_favourable(),
            es: self.label(Lang::Es),
            en: self.label(Lang::En),
        }
        .serialize(serializer)
    }
}

/// A service that matches a query, with its score (higher is better) and its reasons.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceMatch {
    pub service: Service,
    pub score: i32,
    pub reasons: Vec<MatchReason>,
}

/// Weights of the soft criteria. A trafficking-specific service in the person's town that speaks
/// their language comes first; a caution costs more than a generic advantage gains.
const SCORE_TRAFFICKING_SPECIFIC: i32 = 4;
const SCORE_PLACE: i32 = 3;
const SCORE_WHOLE_COUNTRY: i32 = 1;
const SCORE_OTHER_PLACES: i32 = -2;
const SCORE_LANGUAGE: i32 = 2;
const SCORE_INTERPRETER: i32 = -2;
const SCORE_FOR_CHILDREN: i32 = 2;
const SCORE_RURAL: i32 = 3;
const SCORE_NO_RURAL: i32 = -1;

/// Matches one service against a query: `None` when a hard criterion fails.
pub fn match_service(query: &ServiceQuery, service: &Service) -> Option<ServiceMatch> {
    let mut score = 0;
    let mut reasons = Vec::new();
    if let Some(need) = query.need {
        if service.need != need {
            return None;
        }
        reasons.push(MatchReason::MeetsNeed(need));
    }
    if let Some(country) = query.country {
        if !service.serves_country(country) {
            return None;
        }
        reasons.push(MatchReason::ServesCountry(country));
    }
    if let Some(age) = query.age {
        if !service.accepts_age(age) {
            return None;
        }
        if service.is_for_children() && age < AGE_OF_MAJORITY {
            score += SCORE_FOR_CHILDREN;
            reasons.push(MatchReason::ForChildren);
        } else if service.min_age.is_some() || service.max_age.is_some() {
            reasons.push(MatchReason::AcceptsAge(age));
        }
    }
    if let Some(sex) = query.sex {
        if !service.accepts_sex(sex) {
            return None;
        }
        if !service.sexes.is_empty() && sex != Gender::Unknown {
            reasons.push(MatchReason::AcceptsSex(sex));
        }
    }
    if service.trafficking_specific {
        score += SCORE_TRAFFICKING_SPECIFIC;
        reasons.push(MatchReason::TraffickingSpecific);
    }
    if service.places.is_empty() {
        score += SCORE_WHOLE_COUNTRY;
        reasons.push(MatchReason::CoversWholeCountry);
    } else if let Some(place) = query.place.as_deref().filter(|p| !p.trim().is_empty()) {
        match service.serves_place(place) {
            Some(served) => {
                score += SCORE_PLACE;
                reasons.push(MatchReason::ServesPlace(served.to_string()));
            }
            None => {
                score += SCORE_OTHER_PLACES;
                reasons.push(MatchReason::OtherPlaces(place.trim().to_string()));
            }
        }
    }
    let languages: Vec<&str> = query
        .languages
        .iter()
        .map(|language| language.trim())
        .filter(|language| !language.is_empty())
        .collect();
    if !languages.is_empty() {
        match languages.iter().find(|language| service.speaks(language)) {
            Some(spoken) => {
                score += SCORE_LANGUAGE;
                reasons.push(MatchReason::SpeaksLanguage(spoken.to_string()));
            }
            None => {
                score += SCORE_INTERPRETER;
                reasons.push(MatchReason::NeedsInterpreter(
                    languages.iter().map(|l| l.to_string()).collect(),
                ));
            }
        }
    }
    if query.rural {
        if service.rural_reach {
            score += SCORE_RURAL;
            reasons.push(MatchReason::RuralReach);
        } else {
            score += SCORE_NO_RURAL;
            reasons.push(MatchReason::NoRuralReach);
        }
    }
    if let Some(capacity) = service.capacity {
        reasons.push(MatchReason::Capacity(capacity));
    }
    Some(ServiceMatch {
        service: service.clone(),
        score,
        reasons,
    })
}

/// The services matching a query, best first (by score, then trafficking-specific, then name).
pub fn match_services(query: &ServiceQuery, services: &[Service]) -> Vec<ServiceMatch> {
    let mut matches: Vec<ServiceMatch> = services
        .iter()
        .filter_map(|service| match_service(query, service))
        .collect();
    matches.sort_by_key(|found| {
        (
            Reverse(found.score),
            Reverse(found.service.trafficking_specific),
            found.service.name_es.clone(),
            found.service.slug.clone(),
        )
    });
    matches
}

/// What the directory needs to know of a person to suggest services: never a name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonProfile {
    pub age: Option<u32>,
    pub sex: Option<Gender>,
    /// Where the person is now: services are suggested there.
    pub country: Option<Country>,
    pub place: Option<String>,
    pub languages: Vec<String>,
    pub rural: bool,
}

impl PersonProfile {
    /// The profile of a case's person on `today`: the age from the date of birth, else the
    /// estimate; where the person is now; the languages they speak.
    pub fn of_person(person: &Person, today: time::Date) -> PersonProfile {
        PersonProfile {
            age: person
                .date_of_birth
                .and_then(|birth| birth.age_on(today))
                .or(person.estimated_age),
            sex: person.sex,
            country: person.current_country,
            place: person.current_place.clone(),
            languages: person.languages.clone(),
            rural: false,
        }
    }

    /// The query for one need of this person.
    pub fn query_for(&self, need: SupportType) -> ServiceQuery {
        ServiceQuery {
            need: Some(need),
            country: self.country,
            place: self.place.clone(),
            age: self.age,
            sex: self.sex,
            languages: self.languages.clone(),
            rural: self.rural,
        }
    }
}

/// The services suggested for one need, best first; empty when the directory has none (a gap).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NeedSuggestions {
    pub need: SupportType,
    pub matches: Vec<ServiceMatch>,
}

/// For each need (in the order given: the screening's next steps put the most urgent first), the
/// services matching the person, best first.
pub fn suggest_services(
    profile: &PersonProfile,
    needs: &[SupportType],
    services: &[Service],
) -> Vec<NeedSuggestions> {
    let mut seen = Vec::new();
    let mut suggestions = Vec::new();
    for &need in needs {
        if seen.contains(&need) {
            continue;
        }
        seen.push(need);
        suggestions.push(NeedSuggestions {
            need,
            matches: match_services(&profile.query_for(need), services),
        });
    }
    suggestions
}

/// How each referral-by-need next step of the screening engine (`puente-screening`'s
/// `rules/next_steps.rs`) begins, in both languages, and the need it names: for results stored before
/// the engine gave each step its need (`next_step_needs`). The store's tests run the engine and
/// check that both agree.
const NEXT_STEP_NEEDS: &[(&str, SupportType)] = &[
    ("URGENTE — atención médica ahora", SupportType::Health),
    ("URGENT — medical care now", SupportType::Health),
    ("URGENTE — riesgo de autolesión", SupportType::Psychosocial),
    ("URGENT — risk of self-harm", SupportType::Psychosocial),
    ("Protección de la niñez", SupportType::SocialCare),
    ("Child protection", SupportType::SocialCare),
    ("Derivar a un albergue", SupportType::Accommodation),
    ("Refer to a safe shelter", SupportType::Accommodation),
    ("Derivar a atención médica", SupportType::Health),
    ("Refer to medical care", SupportType::Health),
    ("Derivar a apoyo psicológico", SupportType::Psychosocial),
    (
        "Refer to trauma-informed psychological",
        SupportType::Psychosocial,
    ),
    ("Derivar a asesoría legal", SupportType::Legal),
    ("Refer to legal advice", SupportType::Legal),
    ("Protección migratoria", SupportType::ImmigrationRelief),
    ("Immigration relief", SupportType::ImmigrationRelief),
    ("Protección internacional", SupportType::ImmigrationRelief),
    ("International protection", SupportType::ImmigrationRelief),
    ("Retorno voluntario", SupportType::ReturnAndReintegration),
    (
        "Safe, voluntary return",
        SupportType::ReturnAndReintegration,
    ),
];

/// The needs named by a screening's next steps (in either language), in their order, once each.
/// Urgent safety steps and hotlines name no service need and are skipped.
pub fn needs_from_next_steps<S: AsRef<str>>(next_steps: &[S]) -> Vec<SupportType> {
    let mut needs = Vec::new();
    for step in next_steps {
        let step = step.as_ref().trim_start();
        if let Some((_, need)) = NEXT_STEP_NEEDS
            .iter()
            .find(|(beginning, _)| step.starts_with(beginning))
        {
            if !needs.contains(need) {
                needs.push(*need);
            }
        }
    }
    needs
}

/// The needs named by a stored screening result (its JSON, as the screening engine writes it): the
/// `next_step_needs` the engine gives each step, or, for a result stored before it did, the
/// `next_steps` read with [`needs_from_next_steps`]. A result without next steps names none.
pub fn needs_from_screening_result(result: &serde_json::Value) -> Vec<SupportType> {
    if let Some(typed) = result
        .get("next_step_needs")
        .and_then(serde_json::Value::as_array)
        .filter(|needs| !needs.is_empty())
    {
        let mut needs = Vec::new();
        for need in typed
            .iter()
            .filter_map(serde_json::Value::as_str)
            .filter_map(SupportType::from_code)
        {
            if !needs.contains(&need) {
                needs.push(need);
            }
        }
        return needs;
    }
    let steps: Vec<&str> = result
        .get("next_steps")
        .and_then(serde_json::Value::as_array)
        .map(|steps| steps.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    needs_from_next_steps(&steps)
}

/// A group of people the directory must serve, for the gap report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Population {
    Women,
    Girls,
    Men,
    Boys,
    /// People in rural areas, of any age and sex.
    Rural,
}

impl Population {
    pub const ALL: [Population; 5] = [
        Population::Women,
        Population::Girls,
        Population::Men,
        Population::Boys,
        Population::Rural,
    ];

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Population::Women, Lang::Es) => "mujeres",
            (Population::Women, Lang::En) => "women",
            (Population::Girls, Lang::Es) => "niñas y adolescentes",
            (Population::Girls, Lang::En) => "girls",
            (Population::Men, Lang::Es) => "hombres",
            (Population::Men, Lang::En) => "men",
            (Population::Boys, Lang::Es) => "niños y adolescentes varones",
            (Population::Boys, Lang::En) => "boys",
            (Population::Rural, Lang::Es) => "zonas rurales",
            (Population::Rural, Lang::En) => "rural areas",
        }
    }

    /// Whether a service serves this population: it takes the sex and some of the ages, or, for
    /// rural areas, it reaches them.
    pub fn is_served_by(self, service: &Service) -> bool {
        let adult = (AGE_OF_MAJORITY, u32::MAX);
        let child = (0, AGE_OF_MAJORITY - 1);
        let (sex, (min, max)) = match self {
            Population::Women => (Gender::Female, adult),
            Population::Girls => (Gender::Female, child),
            Population::Men => (Gender::Male, adult),
            Population::Boys => (Gender::Male, child),
            Population::Rural => return service.rural_reach,
        };
        service.accepts_sex(sex) && service.accepts_some_age_in(min, max)
    }
}

/// A need that no service of the directory meets for a population in a country.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub need: SupportType,
    pub country: Country,
    pub population: Population,
    /// The sentence in Spanish.
    pub description_es: String,
    /// The sentence in English.
    pub description_en: String,
}

impl Gap {
    fn new(need: SupportType, country: Country, population: Population) -> Gap {
        let sentence = |lang: Lang| match lang {
            Lang::Es => format!(
                "{}: ningún servicio de {} para {}",
                country.name(lang),
                need.label_in(lang).to_lowercase(),
                population.label(lang)
            ),
            Lang::En => format!(
                "{}: no {} service for {}",
                country.name(lang),
                need.label_in(lang).to_lowercase(),
                population.label(lang)
            ),
        };
        Gap {
            need,
            country,
            population,
            description_es: sentence(Lang::Es),
            description_en: sentence(Lang::En),
        }
    }

    pub fn description(&self, lang: Lang) -> &str {
        match lang {
            Lang::Es => &self.description_es,
            Lang::En => &self.description_en,
        }
    }
}

/// The gaps of a directory: for every need, country and population, in that order, the
/// combinations that no service serves.
pub fn service_gaps(
    services: &[Service],
    needs: &[SupportType],
    countries: &[Country],
    populations: &[Population],
) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for &need in needs {
        for &country in countries {
            for &population in populations {
                let served = services.iter().any(|service| {
                    service.need == need
                        && service.serves_country(country)
                        && population.is_served_by(service)
                });
                if !served {
                    gaps.push(Gap::new(need, country, population));
                }
            }
        }
    }
    gaps
}

/// The needs the directory is built around: shelter, medical, psychological, legal, immigration
/// relief, return and reintegration, livelihood, education, and social care (child protection:
/// the need a screening of a child names first). Every need a screening suggests is one of them,
/// so that each suggestion is a category the directory can be searched by.
pub const DIRECTORY_NEEDS: [SupportType; 9] = [
    SupportType::Accommodation,
    SupportType::Health,
    SupportType::Psychosocial,
    SupportType::Legal,
    SupportType::ImmigrationRelief,
    SupportType::ReturnAndReintegration,
    SupportType::Livelihood,
    SupportType::Education,
    SupportType::SocialCare,
];

/// The region's towns and the administrative area (state, department, province) each is in, as
/// (country, town, area): enough to know that a service serving a state serves its towns. Towns
/// are those of the demo directory and the region's main places of transit and work.
pub const ADMINISTRATIVE_AREAS: &[(&str, &str, &str)] = &[
    ("MX", "Tapachula", "Chiapas"),
    ("MX", "Ciudad Hidalgo", "Chiapas"),
    ("MX", "Tuxtla Gutiérrez", "Chiapas"),
    ("MX", "San Cristóbal de las Casas", "Chiapas"),
    ("MX", "Tijuana", "Baja California"),
    ("MX", "Mexicali", "Baja California"),
    ("MX", "Ciudad Juárez", "Chihuahua"),
    ("MX", "Reynosa", "Tamaulipas"),
    ("MX", "Nuevo Laredo", "Tamaulipas"),
    ("MX", "Matamoros", "Tamaulipas"),
    ("MX", "Monterrey", "Nuevo León"),
    ("MX", "Tenosique", "Tabasco"),
    ("MX", "Villahermosa", "Tabasco"),
    ("MX", "Coatzacoalcos", "Veracruz"),
    ("GT", "Ciudad de Guatemala", "Guatemala"),
    ("GT", "Tecún Umán", "San Marcos"),
    ("GT", "Quetzaltenango", "Quetzaltenango"),
    ("GT", "Huehuetenango", "Huehuetenango"),
    ("GT", "Escuintla", "Escuintla"),
    ("GT", "Cobán", "Alta Verapaz"),
    ("HN", "San Pedro Sula", "Cortés"),
    ("HN", "Tegucigalpa", "Francisco Morazán"),
    ("HN", "La Ceiba", "Atlántida"),
    ("HN", "Choloma", "Cortés"),
    ("SV", "San Salvador", "San Salvador"),
    ("SV", "San Miguel", "San Miguel"),
    ("SV", "Santa Ana", "Santa Ana"),
    ("CR", "San José", "San José"),
    ("CR", "Limón", "Limón"),
    ("PA", "Ciudad de Panamá", "Panamá"),
    ("PA", "Metetí", "Darién"),
    ("PA", "Yaviza", "Darién"),
    ("US", "Houston", "Texas"),
    ("US", "El Paso", "Texas"),
    ("US", "Los Angeles", "California"),
    ("US", "San Diego", "California"),
    ("US", "Charlotte", "North Carolina"),
];

/// The words of a place name, lower case and without accents: "Finca cafetalera, Tapachula,
/// Chiapas" gives `finca cafetalera tapachula chiapas`.
fn place_words(place: &str) -> Vec<String> {
    fold(place)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether `words` holds `part`, word for word and in order.
fn contains_words(words: &[String], part: &[String]) -> bool {
    !part.is_empty() && words.windows(part.len()).any(|window| window == part)
}

/// A text for comparing place names: lower case, without accents.
fn fold(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(code: &str) -> Country {
        Country::from_alpha_2(code).unwrap()
    }

    /// A service from a short description: `need country [places] ages sexes languages flags`.
    fn service(slug: &str, need: SupportType, countries: &[&str]) -> Service {
        Service {
            slug: slug.into(),
            organisation: "org".into(),
            name_es: slug.into(),
            name_en: slug.into(),
            description_es: String::new(),
            description_en: String::new(),
            need,
            countries: countries.iter().map(|c| country(c)).collect(),
            places: Vec::new(),
            min_age: None,
            max_age: None,
            sexes: Vec::new(),
            languages: vec!["es".into()],
            trafficking_specific: false,
            capacity: None,
            rural_reach: false,
            phone: None,
        }
    }

    fn directory() -> Vec<Service> {
        let girls_shelter = Service {
            places: vec!["Quetzaltenango".into()],
            min_age: Some(12),
            max_age: Some(17),
            sexes: vec![Gender::Female],
            trafficking_specific: true,
            capacity: Some(20),
            ..service("girls-shelter-gt", SupportType::Accommodation, &["GT"])
        };
        let women_shelter = Service {
            places: vec!["Ciudad de Guatemala".into()],
            min_age: Some(18),
            sexes: vec![Gender::Female],
            trafficking_specific: true,
            ..service("women-shelter-gt", SupportType::Accommodation, &["GT"])
        };
        let general_shelter = Service {
            places: vec!["Ciudad de Guatemala".into()],
            ..service("general-shelter-gt", SupportType::Accommodation, &["GT"])
        };
        let legal_mobile = Service {
            rural_reach: true,
            languages: vec!["es".into(), "mam".into()],
            ..service("legal-mobile-gt", SupportType::Legal, &["GT", "MX"])
        };
        let legal_city = Service {
            places: vec!["Tapachula".into()],
            trafficking_specific: true,
            ..service("legal-city-mx", SupportType::Legal, &["MX"])
        };
        vec![
            girls_shelter,
            women_shelter,
            general_shelter,
            legal_mobile,
            legal_city,
        ]
    }

    fn slugs(matches: &[ServiceMatch]) -> Vec<&str> {
        matches.iter().map(|m| m.service.slug.as_str()).collect()
    }

    fn check(query: ServiceQuery, expected: &[&str]) {
        let found = match_services(&query, &directory());
        assert_eq!(slugs(&found), expected, "{query:?}");
    }

    #[test]
    fn hard_criteria_leave_services_out_and_soft_ones_rank() {
        let shelter_gt = ServiceQuery {
            need: Some(SupportType::Accommodation),
            country: Some(country("GT")),
            ..ServiceQuery::default()
        };
        check(
            ServiceQuery {
                age: Some(15),
                sex: Some(Gender::Female),
                ..shelter_gt.clone()
            },
            &["girls-shelter-gt", "general-shelter-gt"],
        );
        check(
            ServiceQuery {
                age: Some(30),
                sex: Some(Gender::Female),
                ..shelter_gt.clone()
            },
            &["women-shelter-gt", "general-shelter-gt"],
        );
        check(
            ServiceQuery {
                age: Some(15),
                sex: Some(Gender::Male),
                ..shelter_gt.clone()
            },
            &["general-shelter-gt"],
        );
        check(
            ServiceQuery {
                country: Some(country("HN")),
                ..shelter_gt.clone()
            },
            &[],
        );
        // The place ranks, but a trafficking-specific shelter for girls elsewhere still comes
        // before a general shelter in the person's own town.
        let girl_in_the_capital = ServiceQuery {
            age: Some(15),
            sex: Some(Gender::Female),
            place: Some("ciudad de guatemala".into()),
            ..shelter_gt.clone()
        };
        let scores: Vec<i32> = match_services(&girl_in_the_capital, &directory())
            .iter()
            .map(|found| found.score)
            .collect();
        assert_eq!(scores, [4, 3]);
        check(
            girl_in_the_capital,
            &["girls-shelter-gt", "general-shelter-gt"],
        );
        // Language and rural reach rank: the mobile team that speaks Mam comes first.
        check(
            ServiceQuery {
                need: Some(SupportType::Legal),
                country: Some(country("MX")),
                place: Some("Tapachula".into()),
                languages: vec!["mam".into()],
                rural: true,
                ..ServiceQuery::default()
            },
            &["legal-mobile-gt", "legal-city-mx"],
        );
        check(
            ServiceQuery {
                need: Some(SupportType::Legal),
                country: Some(country("MX")),
                place: Some("Tapachula".into()),
                ..ServiceQuery::default()
            },
            &["legal-city-mx", "legal-mobile-gt"],
        );
    }

    #[test]
    fn every_match_explains_itself_in_both_languages() {
        let query = ServiceQuery {
            need: Some(SupportType::Accommodation),
            country: Some(country("GT")),
            place: Some("Quetzaltenango".into()),
            age: Some(15),
            sex: Some(Gender::Female),
            languages: vec!["mam".into()],
            rural: true,
        };
        let found = match_services(&query, &directory());
        let best = &found[0];
        assert_eq!(best.service.slug, "girls-shelter-gt");
        let codes: Vec<&str> = best.reasons.iter().map(MatchReason::code).collect();
        assert_eq!(
            codes,
            [
                "meets_need",
                "serves_country",
                "for_children",
                "accepts_sex",
                "trafficking_specific",
                "serves_place",
                "needs_interpreter",
                "no_rural_reach",
                "capacity"
            ]
        );
        let spanish: Vec<String> = best.reasons.iter().map(|r| r.label(Lang::Es)).collect();
        assert!(spanish.contains(&"Especializado en víctimas de trata".to_string()));
        assert!(spanish.contains(&"No atiende en mam: hará falta intérprete".to_string()));
        let english: Vec<String> = best.reasons.iter().map(|r| r.label(Lang::En)).collect();
        assert!(english.contains(&"Serves Guatemala".to_string()));
        assert!(english.contains(&"Meets the need: shelter".to_string()));
        let json = serde_json::to_value(&best.reasons[4]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "trafficking_specific", "favourable": true,
                "es": "Especializado en víctimas de trata", "en": "Specialised in survivors of trafficking"})
        );
        assert!(!best.reasons[6].is_favourable());
    }

    #[test]
    fn suggestions_follow_the_needs_in_order_and_show_empty_needs() {
        let profile = PersonProfile {
            age: Some(15),
            sex: Some(Gender::Female),
            country: Some(country("GT")),
            place: None,
            languages: vec!["es".into()],
            rural: false,
        };
        let needs = [
            SupportType::Accommodation,
            SupportType::Health,
            SupportType::Accommodation,
            SupportType::Legal,
        ];
        let suggestions = suggest_services(&profile, &needs, &directory());
        let shown: Vec<(SupportType, Vec<&str>)> = suggestions
            .iter()
            .map(|s| (s.need, slugs(&s.matches)))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    SupportType::Accommodation,
                    vec!["girls-shelter-gt", "general-shelter-gt"]
                ),
                (SupportType::Health, vec![]),
                (SupportType::Legal, vec!["legal-mobile-gt"]),
            ]
        );
    }

    #[test]
    fn a_profile_takes_the_age_from_the_date_of_birth_else_the_estimate() {
        let today = time::macros::date!(2026 - 11 - 22);
        let mut person = Person {
            date_of_birth: Some("2011-03-04".parse().unwrap()),
            estimated_age: Some(40),
            sex: Some(Gender::Female),
            current_country: Some(country("GT")),
            languages: vec!["mam".into(), "es".into()],
            ..Person::default()
        };
        assert_eq!(PersonProfile::of_person(&person, today).age, Some(15));
        person.date_of_birth = None;
        let profile = PersonProfile::of_person(&person, today);
        assert_eq!(profile.age, Some(40));
        assert_eq!(
            profile.query_for(SupportType::Legal).languages,
            ["mam", "es"]
        );
    }

    #[test]
    fn needs_are_read_from_next_steps_in_either_language() {
        let cases: &[(&[&str], &[SupportType])] = &[
            (
                &[
                    "URGENT — danger now: ...",
                    "Refer to a safe shelter or housing specialised in trafficking.",
                    "Refer to trauma-informed psychological support.",
                    "Refer to legal advice: rights as a victim.",
                    "Hotline: US National Human Trafficking Hotline (United States): 1-888-373-7888.",
                ],
                &[
                    SupportType::Accommodation,
                    SupportType::Psychosocial,
                    SupportType::Legal,
                ],
            ),
            (
                &[
                    "URGENTE — atención médica ahora: ...",
                    "Protección de la niñez: ...",
                    "Derivar a atención médica (lesiones).",
                    "Protección migratoria: ...",
                    "Retorno voluntario y seguro, ...",
                ],
                &[
                    SupportType::Health,
                    SupportType::SocialCare,
                    SupportType::ImmigrationRelief,
                    SupportType::ReturnAndReintegration,
                ],
            ),
            (&["No indicators in the facts recorded: ..."], &[]),
        ];
        for (steps, expected) in cases {
            assert_eq!(needs_from_next_steps(steps), *expected, "{steps:?}");
        }
    }

    #[test]
    fn queries_are_read_from_url_parameters() {
        let query = ServiceQuery::from_pairs([
            ("country", "GT"),
            ("need", "shelter"),
            ("age", "15"),
            ("sex", "F"),
            ("language", "mam, es"),
            ("place", ""),
        ])
        .unwrap();
        assert_eq!(
            query,
            ServiceQuery {
                need: Some(SupportType::Accommodation),
                country: Some(country("GT")),
                place: None,
                age: Some(15),
                sex: Some(Gender::Female),
                languages: vec!["mam".into(), "es".into()],
                rural: false,
            }
        );
        let cases = [
            (("need", "spa"), "`spa` is not a valid `need`"),
            (
                ("country", "Guatemala"),
                "`Guatemala` is not a valid `country`",
            ),
            (
                ("age", "quince"),
                "`quince` is not a valid `age`: a whole number of years",
            ),
            (("sex", "woman"), "`woman` is not a valid `sex`"),
            (("rural", "maybe"), "`maybe` is not a valid `rural`"),
            (
                ("contry", "GT"),
                "`GT` is not a valid `contry`: a known parameter",
            ),
        ];
        for (pair, expected) in cases {
            let error = ServiceQuery::from_pairs([pair]).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{error}");
        }
        let needs: Vec<SupportType> = [
            "medical",
            "psychological",
            "legal",
            "immigration",
            "return",
            "livelihood",
            "education",
        ]
        .iter()
        .map(|need| {
            ServiceQuery::from_pairs([("need", *need)])
                .unwrap()
                .need
                .unwrap()
        })
        .collect();
        assert_eq!(needs, DIRECTORY_NEEDS[1..8]);
    }

    #[test]
    fn places_match_by_their_words_and_by_administrative_area() {
        let service = |countries: &[&str], places: &[&str]| Service {
            places: places.iter().map(|place| place.to_string()).collect(),
            ..service("shelter", SupportType::Accommodation, countries)
        };
        let tapachula = service(&["MX"], &["Ciudad de México", "Tapachula"]);
        assert_eq!(
            tapachula.serves_place("Finca cafetalera, Tapachula, Chiapas"),
            Some("Tapachula")
        );
        assert_eq!(tapachula.serves_place("  TAPACHULA "), Some("Tapachula"));
        assert_eq!(tapachula.serves_place("Tijuana"), None);
        // A state served serves its towns; a town served does not serve its whole state.
        let chiapas = service(&["MX"], &["Chiapas"]);
        assert_eq!(
            chiapas.serves_place("Finca cafetalera, Tapachula"),
            Some("Chiapas")
        );
        assert_eq!(tapachula.serves_place("Chiapas"), None);
        // Words, not letters: "San José" is not served by "San"; accents do not matter.
        let costa_rica = service(&["CR"], &["San José"]);
        assert_eq!(
            costa_rica.serves_place("barrio Amón, San Jose"),
            Some("San José")
        );
        assert_eq!(service(&["CR"], &["San"]).serves_place("Santa Ana"), None);
        // The gazetteer speaks of the countries the service serves only.
        assert_eq!(
            service(&["GT"], &["Chiapas"]).serves_place("Tapachula"),
            None
        );
    }

    #[test]
    fn every_need_a_screening_suggests_is_a_directory_category() {
        for (beginning, need) in NEXT_STEP_NEEDS {
            assert!(
                DIRECTORY_NEEDS.contains(need),
                "`{beginning}` suggests {need:?}, which the directory does not know"
            );
        }
    }

    #[test]
    fn needs_are_read_from_a_stored_screening_result() {
        let result = serde_json::json!({
            "level": "strong_indicators",
            "next_steps": ["Refer to a safe shelter or housing specialised in trafficking.", "Refer to legal advice: rights as a victim."]
        });
        assert_eq!(
            needs_from_screening_result(&result),
            [SupportType::Accommodation, SupportType::Legal]
        );
        assert!(needs_from_screening_result(&serde_json::json!({})).is_empty());
    }

    #[test]
    fn gaps_name_the_needs_no_service_meets_by_country_and_population() {
        let gaps = service_gaps(
            &directory(),
            &[SupportType::Accommodation, SupportType::Legal],
            &[country("GT"), country("HN")],
            &Population::ALL,
        );
        let shown: Vec<(SupportType, &str, Population)> = gaps
            .iter()
            .map(|g| (g.need, g.country.alpha_2(), g.population))
            .collect();
        let mut expected = vec![(SupportType::Accommodation, "GT", Population::Rural)];
        for population in Population::ALL {
            expected.push((SupportType::Accommodation, "HN", population));
        }
        for population in Population::ALL {
            expected.push((SupportType::Legal, "HN", population));
        }
        assert_eq!(shown, expected);
        assert_eq!(
            gaps[0].description(Lang::En),
            "Guatemala: no shelter service for rural areas"
        );
        assert_eq!(
            gaps[0].description(Lang::Es),
            "Guatemala: ningún servicio de albergue para zonas rurales"
        );
    }

    #[test]
    fn men_and_boys_are_a_gap_when_only_women_and_girls_are_taken() {
        let only_women = vec![Service {
            sexes: vec![Gender::Female],
            ..service("women-only", SupportType::Accommodation, &["SV"])
        }];
        let gaps = service_gaps(
            &only_women,
            &[SupportType::Accommodation],
            &[country("SV")],
            &[Population::Men, Population::Boys, Population::Women],
        );
        let populations: Vec<Population> = gaps.iter().map(|g| g.population).collect();
        assert_eq!(populations, [Population::Men, Population::Boys]);
    }
}
