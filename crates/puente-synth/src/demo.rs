//! Synthetic but realistic cases for the demo, the tests and the benchmarks. Never real people.
//!
//! The proportions follow the public figures in `shared/docs/domain.md`: most detected victims in
//! Central America are female and most are children; sexual exploitation is the most common form,
//! then forced labour (agriculture, construction, domestic work), then forced criminality by gangs,
//! begging and forced marriage; most victims are exploited in their own country or region, and the
//! northbound routes (Gulf, Central, Pacific) through Mexico to the United States turn smuggling into
//! trafficking. Costa Rica and Panama appear as transit and destination countries.

use puente_core::domain::{
    Case, Consent, PartialDate, Perpetrator, Person, PhoneNumber, SupportPlanItem,
    TraffickingEvent, VictimContext,
};
use puente_core::htcds::{
    CaseStatus, ConsentScope, Gender, LabourIndustry, MethodOfControl, MethodOfRecruitment,
    PerpetratorRole, RelationshipToTrafficker, SupportStatus, SupportType, TraffickingEventType,
    TraffickingStatus, TraffickingStatusDecidedBy, TypeOfExploitation, TypeOfLabour,
    TypeOfSexExploitation,
};
use puente_core::Country;
use rand::distributions::WeightedIndex;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;

use crate::names::{FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES, SURNAMES};

/// A generated case and the day it was opened (`YYYY-MM-DD`).
#[derive(Clone, Debug)]
pub struct DemoCase {
    pub case: Case,
    pub opened_on: String,
}

/// The demo's two organisations: a hotline in Guatemala and a shelter in Tapachula, Mexico.
pub fn demo_organisations() -> Vec<puente_core::domain::Organisation> {
    use puente_core::domain::Organisation;
    use puente_core::htcds::OrganisationType;
    vec![
        Organisation {
            slug: "hotline-demo".into(),
            name: "Línea de Ayuda Demo".into(),
            kind: OrganisationType::Hotline,
            country: Country::from_alpha_2("GT"),
            city: Some("Ciudad de Guatemala".into()),
            phone: PhoneNumber::parse("+502 2200 0000", None).ok(),
        },
        Organisation {
            slug: "shelter-demo".into(),
            name: "Albergue Demo".into(),
            kind: OrganisationType::Shelter,
            country: Country::from_alpha_2("MX"),
            city: Some("Tapachula".into()),
            phone: PhoneNumber::parse("+52 962 000 0000", None).ok(),
        },
    ]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    SexualExploitation,
    ForcedLabour,
    DomesticServitude,
    ForcedCriminality,
    ForcedBegging,
    ForcedMarriage,
}

const SCENARIOS: &[(Scenario, u32)] = &[
    (Scenario::SexualExploitation, 50),
    (Scenario::ForcedLabour, 24),
    (Scenario::DomesticServitude, 9),
    (Scenario::ForcedCriminality, 8),
    (Scenario::ForcedBegging, 4),
    (Scenario::ForcedMarriage, 5),
];

/// Places by country: where people are recruited, pass and are exploited.
fn places(country: &str) -> &'static [&'static str] {
    match country {
        "GT" => &[
            "Ciudad de Guatemala",
            "Quetzaltenango",
            "Huehuetenango",
            "Cobán",
            "Escuintla",
            "Tecún Umán",
            "Petén",
        ],
        "HN" => &[
            "San Pedro Sula",
            "Tegucigalpa",
            "La Ceiba",
            "Choluteca",
            "Copán",
            "Olancho",
        ],
        "SV" => &[
            "San Salvador",
            "San Miguel",
            "Santa Ana",
            "Sonsonate",
            "Usulután",
        ],
        "NI" => &["Managua", "León", "Chinandega", "Estelí", "Rivas"],
        "CR" => &["San José", "Limón", "Puntarenas", "Liberia", "Upala"],
        "PA" => &["Ciudad de Panamá", "Colón", "David", "Darién", "Chiriquí"],
        "MX" => &[
            "Tapachula",
            "Ciudad de México",
            "Tijuana",
            "Cancún",
            "Monterrey",
            "Guadalajara",
            "Oaxaca",
        ],
        "US" => &[
            "Houston",
            "Los Angeles",
            "Atlanta",
            "New York",
            "Charlotte",
            "Miami",
            "Phoenix",
        ],
        "CO" => &["Necoclí", "Medellín", "Cali"],
        "VE" => &["Caracas", "Maracaibo", "San Cristóbal"],
        "HT" => &["Port-au-Prince", "Cap-Haïtien"],
        "EC" => &["Quito", "Guayaquil"],
        _ => &["(no place recorded)"],
    }
}

/// The three northbound corridors through Mexico, as transit places.
const GULF_ROUTE: &[&str] = &["Tenosique", "Coatzacoalcos", "Veracruz", "Reynosa"];
const CENTRAL_ROUTE: &[&str] = &[
    "Tapachula",
    "Ciudad de México",
    "San Luis Potosí",
    "Ciudad Juárez",
];
const PACIFIC_ROUTE: &[&str] = &[
    "Tapachula",
    "Oaxaca",
    "Guadalajara",
    "Hermosillo",
    "Tijuana",
];

#[derive(Clone, Copy, Debug)]
enum RouteKind {
    /// Recruited and exploited in the same country.
    Internal,
    /// Exploited in a neighbouring country of the region.
    Regional,
    /// Through Guatemala and Mexico towards the United States.
    Northbound,
    /// From South America or the Caribbean through the Darién.
    Darien,
}

/// How people come into a scenario, how they are controlled, and the exploitation it is.
type ScenarioProfile = (
    &'static [(MethodOfRecruitment, u32)],
    &'static [(MethodOfControl, u32)],
    TypeOfExploitation,
);

struct Generator {
    rng: ChaCha8Rng,
    today: time::Date,
}

impl Generator {
    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let index =
            WeightedIndex::new(items.iter().map(|(_, weight)| *weight)).expect("positive weights");
        items[index.sample(&mut self.rng)].0
    }

    fn chance(&mut self, probability: f64) -> bool {
        self.rng.gen_bool(probability)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        items.choose(&mut self.rng).expect("non-empty list")
    }

    fn country(code: &str) -> Country {
        Country::from_alpha_2(code).expect("a region country")
    }

    fn date_back(&mut self, min_days: i64, max_days: i64) -> time::Date {
        let days = self.rng.gen_range(min_days..=max_days);
        self.today - time::Duration::days(days)
    }

    fn partial(date: time::Date) -> PartialDate {
        PartialDate {
            year: date.year() as u16,
            month: Some(date.month() as u8),
            day: Some(date.day()),
        }
    }

    fn age(&mut self, scenario: Scenario) -> u32 {
        let bands: &[((u32, u32), u32)] = match scenario {
            Scenario::SexualExploitation => &[((12, 17), 55), ((18, 24), 30), ((25, 40), 15)],
            Scenario::ForcedLabour => &[((14, 17), 20), ((18, 30), 50), ((31, 55), 30)],
            Scenario::DomesticServitude => &[((12, 17), 45), ((18, 35), 45), ((36, 55), 10)],
            Scenario::ForcedCriminality => &[((12, 17), 75), ((18, 24), 25)],
            Scenario::ForcedBegging => &[((5, 13), 80), ((14, 17), 10), ((60, 75), 10)],
            Scenario::ForcedMarriage => &[((12, 17), 85), ((18, 22), 15)],
        };
        let (low, high) = self.weighted(bands);
        self.rng.gen_range(low..=high)
    }

    fn sex(&mut self, scenario: Scenario) -> Gender {
        let female = match scenario {
            Scenario::SexualExploitation => 90,
            Scenario::ForcedLabour => 30,
            Scenario::DomesticServitude => 90,
            Scenario::ForcedCriminality => 20,
            Scenario::ForcedBegging => 50,
            Scenario::ForcedMarriage => 97,
        };
        if self.rng.gen_range(0..1000) < 3 {
            return Gender::TransgenderNonConforming;
        }
        if self.rng.gen_range(0..100) < female {
            Gender::Female
        } else {
            Gender::Male
        }
    }

    fn given_names(&mut self, sex: Gender) -> (String, Option<String>) {
        let list = if sex == Gender::Male {
            MALE_GIVEN_NAMES
        } else {
            FEMALE_GIVEN_NAMES
        };
        let first = self.weighted(list).to_string();
        let middle = if self.chance(0.35) {
            let mut second = self.weighted(list);
            // "María José" and "José María" are both common; other same-sex pairs too.
            if first == "María" && self.chance(0.3) && sex == Gender::Female {
                second = "José";
            }
            (second != first).then(|| second.to_string())
        } else {
            None
        };
        (first, middle)
    }

    fn person(
        &mut self,
        scenario: Scenario,
        nationality: &str,
        current: &str,
        opened: time::Date,
    ) -> Person {
        let sex = self.sex(scenario);
        let age = self.age(scenario);
        let (given_name, middle_name) = self.given_names(sex);
        let surname = self.weighted(SURNAMES).to_string();
        let second_surname = self
            .chance(0.88)
            .then(|| self.weighted(SURNAMES).to_string());
        let birth_year = opened.year() - age as i32;
        let (date_of_birth, estimated_age) = match self.rng.gen_range(0..100) {
            0..=59 => {
                let ordinal = self.rng.gen_range(1..=365);
                let date =
                    time::Date::from_ordinal_date(birth_year, ordinal).expect("a valid ordinal");
                (Some(Self::partial(date)), None)
            }
            60..=69 => (
                Some(PartialDate {
                    year: birth_year as u16,
                    month: Some(self.rng.gen_range(1..=12)),
                    day: None,
                }),
                None,
            ),
            70..=84 => (Some(PartialDate::year(birth_year as u16)), None),
            _ => (None, Some(age)),
        };
        let mut languages = vec!["es".to_string()];
        if nationality == "GT" && self.chance(0.25) {
            languages.insert(0, self.pick(&["quc", "mam", "kek", "cak"]).to_string());
        }
        if nationality == "HT" {
            languages = vec!["ht".into(), "fr".into()];
        }
        if current == "US" && self.chance(0.3) {
            languages.push("en".into());
        }
        let phone = self.chance(0.6).then(|| {
            let country = Self::country(current);
            let national: String = match current {
                "US" | "MX" => format!("{}", self.rng.gen_range(2_000_000_000u64..9_999_999_999)),
                _ => format!("{}", self.rng.gen_range(30_000_000u64..99_999_999)),
            };
            PhoneNumber::parse(&national, Some(country)).expect("a generated number is valid")
        });
        Person {
            given_name,
            middle_name,
            surname,
            second_surname,
            alias: None,
            sex: Some(sex),
            date_of_birth,
            estimated_age,
            nationality: Some(Self::country(nationality)),
            languages,
            phone,
            current_country: Some(Self::country(current)),
            current_place: Some(self.pick(places(current)).to_string()),
        }
    }

    /// The route: recruitment, transits and exploitation, with their countries, places and dates.
    fn route(&mut self, scenario: Scenario, opened: time::Date) -> (String, Vec<TraffickingEvent>) {
        let kind = match scenario {
            Scenario::ForcedBegging | Scenario::ForcedMarriage => {
                self.weighted(&[(RouteKind::Internal, 80), (RouteKind::Regional, 20)])
            }
            Scenario::ForcedCriminality => {
                self.weighted(&[(RouteKind::Internal, 70), (RouteKind::Northbound, 30)])
            }
            _ => self.weighted(&[
                (RouteKind::Internal, 45),
                (RouteKind::Regional, 22),
                (RouteKind::Northbound, 25),
                (RouteKind::Darien, 8),
            ]),
        };
        let recruited = opened - time::Duration::days(self.rng.gen_range(60..=1500));
        let mut events = Vec::new();
        let mut event =
            |generator: &mut Generator, kind, country: &str, place: String, date: time::Date| {
                let date = Some(Self::partial(date)).filter(|_| generator.chance(0.85));
                events.push(TraffickingEvent {
                    kind,
                    country: Some(Self::country(country)),
                    place: Some(place),
                    date,
                    description: None,
                });
            };
        let nationality: String;
        match kind {
            RouteKind::Internal => {
                nationality = self
                    .weighted(&[
                        ("GT", 28),
                        ("HN", 20),
                        ("SV", 14),
                        ("MX", 22),
                        ("NI", 6),
                        ("CR", 5),
                        ("PA", 5),
                    ])
                    .to_string();
                let place = self.pick(places(&nationality)).to_string();
                event(
                    self,
                    TraffickingEventType::Recruitment,
                    &nationality,
                    place,
                    recruited,
                );
                let place = self.pick(places(&nationality)).to_string();
                let day = recruited + time::Duration::days(self.rng.gen_range(3..60));
                event(
                    self,
                    TraffickingEventType::Exploitation,
                    &nationality,
                    place,
                    day,
                );
            }
            RouteKind::Regional => {
                let (from, to) = self.weighted(&[
                    (("HN", "GT"), 20),
                    (("SV", "GT"), 12),
                    (("GT", "MX"), 20),
                    (("HN", "MX"), 12),
                    (("NI", "CR"), 18),
                    (("NI", "PA"), 5),
                    (("CO", "PA"), 6),
                    (("VE", "PA"), 4),
                    (("NI", "SV"), 3),
                ]);
                nationality = from.to_string();
                let place = self.pick(places(from)).to_string();
                event(
                    self,
                    TraffickingEventType::Recruitment,
                    from,
                    place,
                    recruited,
                );
                let place = self.pick(places(to)).to_string();
                let day = recruited + time::Duration::days(self.rng.gen_range(5..90));
                event(self, TraffickingEventType::Exploitation, to, place, day);
            }
            RouteKind::Northbound => {
                nationality = self
                    .weighted(&[("GT", 35), ("HN", 35), ("SV", 20), ("NI", 10)])
                    .to_string();
                let place = self.pick(places(&nationality)).to_string();
                event(
                    self,
                    TraffickingEventType::Recruitment,
                    &nationality,
                    place,
                    recruited,
                );
                let mut day = recruited;
                if nationality != "GT" {
                    day += time::Duration::days(self.rng.gen_range(2..10));
                    event(
                        self,
                        TraffickingEventType::Transit,
                        "GT",
                        "Tecún Umán".into(),
                        day,
                    );
                }
                let corridor = *self.pick(&[GULF_ROUTE, CENTRAL_ROUTE, PACIFIC_ROUTE]);
                let stops = self.rng.gen_range(1..=corridor.len().min(3));
                for place in corridor.iter().take(stops) {
                    day += time::Duration::days(self.rng.gen_range(3..25));
                    event(
                        self,
                        TraffickingEventType::Transit,
                        "MX",
                        place.to_string(),
                        day,
                    );
                }
                // Some are exploited on the way, in Mexico; most at the destination in the US.
                let (country, place) = if self.chance(0.3) {
                    ("MX", corridor[stops - 1].to_string())
                } else {
                    ("US", self.pick(places("US")).to_string())
                };
                day += time::Duration::days(self.rng.gen_range(5..40));
                event(
                    self,
                    TraffickingEventType::Exploitation,
                    country,
                    place,
                    day,
                );
            }
            RouteKind::Darien => {
                nationality = self
                    .weighted(&[("VE", 45), ("HT", 20), ("EC", 20), ("CO", 15)])
                    .to_string();
                let place = self.pick(places(&nationality)).to_string();
                event(
                    self,
                    TraffickingEventType::Recruitment,
                    &nationality,
                    place,
                    recruited,
                );
                let mut day = recruited + time::Duration::days(self.rng.gen_range(5..20));
                event(
                    self,
                    TraffickingEventType::Transit,
                    "CO",
                    "Necoclí".into(),
                    day,
                );
                day += time::Duration::days(self.rng.gen_range(4..12));
                event(
                    self,
                    TraffickingEventType::Transit,
                    "PA",
                    "Darién".into(),
                    day,
                );
                let destination = self.weighted(&[("PA", 30), ("CR", 30), ("MX", 25), ("US", 15)]);
                if destination != "PA" {
                    day += time::Duration::days(self.rng.gen_range(3..15));
                    event(
                        self,
                        TraffickingEventType::Transit,
                        "CR",
                        "Upala".into(),
                        day,
                    );
                }
                if destination == "MX" || destination == "US" {
                    day += time::Duration::days(self.rng.gen_range(10..30));
                    event(
                        self,
                        TraffickingEventType::Transit,
                        "MX",
                        "Tapachula".into(),
                        day,
                    );
                }
                day += time::Duration::days(self.rng.gen_range(5..40));
                let place = self.pick(places(destination)).to_string();
                event(
                    self,
                    TraffickingEventType::Exploitation,
                    destination,
                    place,
                    day,
                );
            }
        }
        (nationality, events)
    }

    fn victim_context(
        &mut self,
        scenario: Scenario,
        age: Option<u32>,
        route_crosses_border: bool,
    ) -> VictimContext {
        use MethodOfControl as M;
        let mut context = VictimContext {
            trafficking_status: Some(self.weighted(&[
                (TraffickingStatus::PossibleVictimOfTrafficking, 58),
                (TraffickingStatus::ActualVictimOfTrafficking, 37),
                (TraffickingStatus::NotAVictimOfTrafficking, 5),
            ])),
            agreement_to_manage_personal_data: true,
            ..VictimContext::default()
        };
        context.status_decided_by = Some(self.weighted(&[
            (TraffickingStatusDecidedBy::Ngo, 45),
            (TraffickingStatusDecidedBy::Prosecutor, 20),
            (TraffickingStatusDecidedBy::LawEnforcement, 15),
            (TraffickingStatusDecidedBy::InternationalOrganisation, 10),
            (TraffickingStatusDecidedBy::SelfIdentified, 10),
        ]));
        let (recruitment, controls, exploitation): ScenarioProfile = match scenario {
            Scenario::SexualExploitation => (
                &[
                    (MethodOfRecruitment::JobOffer, 30),
                    (MethodOfRecruitment::IntimatePartner, 25),
                    (MethodOfRecruitment::Internet, 20),
                    (MethodOfRecruitment::Familial, 15),
                    (MethodOfRecruitment::SmugglingRansom, 10),
                ],
                &[
                    (M::PsychologicalAbuse, 30),
                    (M::Threats, 25),
                    (M::RestrictsMovement, 25),
                    (M::FalsePromises, 20),
                    (M::DebtBondage, 15),
                    (M::PsychoactiveSubstances, 15),
                    (M::PhysicalAbuse, 15),
                    (M::SexualAbuse, 15),
                    (M::TakesEarnings, 20),
                ],
                TypeOfExploitation::SexualExploitation,
            ),
            Scenario::ForcedLabour => (
                &[
                    (MethodOfRecruitment::JobOffer, 55),
                    (MethodOfRecruitment::Work, 20),
                    (MethodOfRecruitment::SmugglingRansom, 15),
                    (MethodOfRecruitment::Familial, 10),
                ],
                &[
                    (M::FalsePromises, 35),
                    (M::TakesEarnings, 30),
                    (M::ExcessiveWorkingHours, 30),
                    (M::WithholdsDocuments, 25),
                    (M::DebtBondage, 25),
                    (M::ThreatOfLawEnforcement, 20),
                    (M::Threats, 15),
                    (M::WithholdsNecessities, 10),
                ],
                TypeOfExploitation::ForcedLabour,
            ),
            Scenario::DomesticServitude => (
                &[
                    (MethodOfRecruitment::JobOffer, 50),
                    (MethodOfRecruitment::Familial, 40),
                    (MethodOfRecruitment::PosingAsBenefactor, 10),
                ],
                &[
                    (M::ExcessiveWorkingHours, 35),
                    (M::TakesEarnings, 30),
                    (M::RestrictsMovement, 30),
                    (M::PsychologicalAbuse, 25),
                    (M::WithholdsDocuments, 15),
                    (M::PhysicalAbuse, 10),
                ],
                TypeOfExploitation::Servitude,
            ),
            Scenario::ForcedCriminality => (
                &[
                    (MethodOfRecruitment::PublicArea, 40),
                    (MethodOfRecruitment::EducationalFacility, 30),
                    (MethodOfRecruitment::Abduction, 15),
                    (MethodOfRecruitment::Familial, 15),
                ],
                &[
                    (M::Threats, 45),
                    (M::ThreatensChildrenFamily, 35),
                    (M::PhysicalAbuse, 25),
                    (M::PsychoactiveSubstances, 15),
                ],
                TypeOfExploitation::ForcedCriminality,
            ),
            Scenario::ForcedBegging => (
                &[
                    (MethodOfRecruitment::Familial, 70),
                    (MethodOfRecruitment::PublicArea, 30),
                ],
                &[
                    (M::TakesEarnings, 40),
                    (M::Threats, 25),
                    (M::WithholdsNecessities, 25),
                    (M::PhysicalAbuse, 15),
                ],
                TypeOfExploitation::ForcedBegging,
            ),
            Scenario::ForcedMarriage => (
                &[
                    (MethodOfRecruitment::Familial, 80),
                    (MethodOfRecruitment::IntimatePartner, 20),
                ],
                &[
                    (M::RestrictsMovement, 35),
                    (M::SexualAbuse, 35),
                    (M::PsychologicalAbuse, 30),
                    (M::Threats, 20),
                ],
                TypeOfExploitation::ForcedMarriage,
            ),
        };
        context.recruitment_methods.push(self.weighted(recruitment));
        context.types_of_exploitation.push(exploitation);
        if age.is_some_and(|age| age < 18)
            && matches!(scenario, Scenario::ForcedLabour | Scenario::ForcedBegging)
        {
            context
                .types_of_exploitation
                .push(TypeOfExploitation::ChildLabour);
        }
        let control_count = self.rng.gen_range(1..=3);
        for _ in 0..control_count {
            let control = self.weighted(controls);
            if !context.methods_of_control.contains(&control) {
                context.methods_of_control.push(control);
            }
        }
        if route_crosses_border
            && self.chance(0.3)
            && !context
                .methods_of_control
                .contains(&M::ThreatOfLawEnforcement)
        {
            context.methods_of_control.push(M::ThreatOfLawEnforcement);
        }
        match scenario {
            Scenario::SexualExploitation => {
                context.types_of_sex_exploitation.push(self.weighted(&[
                    (TypeOfSexExploitation::Prostitution, 75),
                    (TypeOfSexExploitation::Pornography, 12),
                    (TypeOfSexExploitation::RemoteInteractiveServices, 8),
                    (TypeOfSexExploitation::PrivateSexualServices, 5),
                ]));
            }
            Scenario::ForcedLabour => {
                let (labour, industry) = self.weighted(&[
                    ((TypeOfLabour::Agriculture, LabourIndustry::A), 40),
                    ((TypeOfLabour::Construction, LabourIndustry::F), 25),
                    ((TypeOfLabour::Manufacturing, LabourIndustry::C), 12),
                    ((TypeOfLabour::Hospitality, LabourIndustry::I), 10),
                    ((TypeOfLabour::Peddling, LabourIndustry::G), 8),
                    ((TypeOfLabour::Aquafarming, LabourIndustry::A), 5),
                ]);
                context.types_of_labour.push(labour);
                context.labour_industries.push(industry);
            }
            Scenario::DomesticServitude => {
                context.types_of_labour.push(TypeOfLabour::DomesticWork);
                context.labour_industries.push(LabourIndustry::T);
            }
            Scenario::ForcedCriminality => context
                .types_of_labour
                .push(TypeOfLabour::IllicitActivities),
            Scenario::ForcedBegging => context.types_of_labour.push(TypeOfLabour::Begging),
            Scenario::ForcedMarriage => {}
        }
        context.relationship_to_trafficker.push(self.weighted(&[
            (RelationshipToTrafficker::Stranger, 25),
            (RelationshipToTrafficker::FriendAcquaintance, 20),
            (RelationshipToTrafficker::Employer, 20),
            (RelationshipToTrafficker::IntimatePartner, 15),
            (RelationshipToTrafficker::FamilyRelative, 15),
            (RelationshipToTrafficker::Unknown, 5),
        ]));
        context
    }

    fn case(&mut self) -> DemoCase {
        let scenario = self.weighted(SCENARIOS);
        let opened = self.date_back(0, 730);
        let (nationality, events) = self.route(scenario, opened);
        let exploitation_country = events
            .last()
            .and_then(|event| event.country)
            .map(|c| c.alpha_2())
            .unwrap_or("GT");
        let current = if self.chance(0.8) {
            exploitation_country.to_string()
        } else {
            nationality.clone()
        };
        let person = self.person(scenario, &nationality, &current, opened);
        let age = person
            .date_of_birth
            .and_then(|birth| birth.age_on(opened))
            .or(person.estimated_age);
        let crosses_border = events
            .iter()
            .filter_map(|event| event.country)
            .any(|c| c.alpha_2() != nationality);
        let victim = self.victim_context(scenario, age, crosses_border);
        let mut perpetrators = vec![Perpetrator {
            roles: vec![
                PerpetratorRole::RecruiterOrIntermediary,
                PerpetratorRole::Exploiter,
            ],
            description: None,
            nationality: events.first().and_then(|event| event.country),
        }];
        if crosses_border {
            perpetrators.push(Perpetrator {
                roles: vec![PerpetratorRole::Smuggler, PerpetratorRole::Transporter],
                description: None,
                nationality: None,
            });
        }
        let minor = age.is_some_and(|age| age < 18);
        let mut support_plan = vec![SupportPlanItem {
            kind: SupportType::Accommodation,
            status: self.weighted(&[
                (SupportStatus::Completed, 40),
                (SupportStatus::InProgress, 40),
                (SupportStatus::Planned, 20),
            ]),
            provider: None,
            due: None,
            notes: None,
        }];
        for kind in [
            SupportType::Health,
            SupportType::Psychosocial,
            SupportType::Legal,
        ] {
            if self.chance(0.6) {
                let status = self.weighted(&[
                    (SupportStatus::Completed, 30),
                    (SupportStatus::InProgress, 40),
                    (SupportStatus::Planned, 25),
                    (SupportStatus::Declined, 5),
                ]);
                support_plan.push(SupportPlanItem {
                    kind,
                    status,
                    provider: None,
                    due: None,
                    notes: None,
                });
            }
        }
        if crosses_border && self.chance(0.5) {
            let kind = if exploitation_country == "US" {
                SupportType::ImmigrationRelief
            } else {
                SupportType::ReturnAndReintegration
            };
            support_plan.push(SupportPlanItem {
                kind,
                status: SupportStatus::Planned,
                provider: None,
                due: None,
                notes: None,
            });
        }
        if minor && self.chance(0.5) {
            support_plan.push(SupportPlanItem {
                kind: SupportType::Education,
                status: SupportStatus::Planned,
                provider: None,
                due: None,
                notes: None,
            });
        }
        let consents = vec![Consent {
            id: None,
            scopes: vec![
                ConsentScope::ManagePersonalData,
                ConsentScope::DeidentifiedStatistics,
            ],
            with_organisation: None,
            given_on: Self::partial(opened),
            recorded_by: "advocate@hotline.demo".into(),
            withdrawn_on: None,
        }];
        let status = self.weighted(&[
            (CaseStatus::Active, 45),
            (CaseStatus::FollowUp, 25),
            (CaseStatus::Closed, 20),
            (CaseStatus::ClosedReferred, 10),
        ]);
        DemoCase {
            case: Case {
                person,
                status,
                victim,
                perpetrators,
                events,
                support_plan,
                consents,
            },
            opened_on: format!(
                "{:04}-{:02}-{:02}",
                opened.year(),
                opened.month() as u8,
                opened.day()
            ),
        }
    }
}

/// `count` synthetic cases, the same for the same `seed` and `today`.
pub fn generate_cases(seed: u64, count: usize, today: time::Date) -> Vec<DemoCase> {
    let mut generator = Generator {
        rng: ChaCha8Rng::seed_from_u64(seed),
        today,
    };
    (0..count).map(|_| generator.case()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<DemoCase> {
        generate_cases(42, 2000, time::macros::date!(2026 - 11 - 01))
    }

    #[test]
    fn the_same_seed_gives_the_same_cases_and_another_seed_others() {
        let today = time::macros::date!(2026 - 11 - 01);
        let names = |cases: Vec<DemoCase>| {
            cases
                .iter()
                .map(|c| c.case.person.full_name())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(generate_cases(7, 50, today)),
            names(generate_cases(7, 50, today))
        );
        assert_ne!(
            names(generate_cases(7, 50, today)),
            names(generate_cases(8, 50, today))
        );
    }

    #[test]
    fn proportions_follow_the_public_figures() {
        let cases = sample();
        let total = cases.len() as f64;
        let share = |predicate: &dyn Fn(&DemoCase) -> bool| {
            cases.iter().filter(|c| predicate(c)).count() as f64 / total
        };
        let opened = |c: &DemoCase| {
            time::Date::parse(
                &c.opened_on,
                &time::macros::format_description!("[year]-[month]-[day]"),
            )
            .unwrap()
        };
        let female = share(&|c| c.case.person.sex == Some(Gender::Female));
        let minor = share(&|c| {
            let person = &c.case.person;
            person
                .date_of_birth
                .and_then(|b| b.age_on(opened(c)))
                .or(person.estimated_age)
                .is_some_and(|age| age < 18)
        });
        let sexual = share(&|c| {
            c.case
                .victim
                .types_of_exploitation
                .contains(&TypeOfExploitation::SexualExploitation)
        });
        let labour = share(&|c| {
            c.case
                .victim
                .types_of_exploitation
                .contains(&TypeOfExploitation::ForcedLabour)
        });
        let internal_or_regional = share(&|c| {
            c.case
                .events
                .last()
                .and_then(|e| e.country)
                .is_some_and(|country| country.alpha_2() != "US")
        });
        assert!(female > 0.6, "female {female}");
        assert!(minor > 0.45, "minors {minor}");
        assert!(
            sexual > labour && sexual > 0.4,
            "sexual {sexual}, labour {labour}"
        );
        assert!(
            internal_or_regional > 0.75,
            "exploited in the region {internal_or_regional}"
        );
        let labour_cases: Vec<_> = cases
            .iter()
            .filter(|c| {
                c.case
                    .victim
                    .types_of_exploitation
                    .contains(&TypeOfExploitation::ForcedLabour)
            })
            .collect();
        let agriculture = labour_cases
            .iter()
            .filter(|c| {
                c.case
                    .victim
                    .types_of_labour
                    .contains(&TypeOfLabour::Agriculture)
            })
            .count();
        assert!(
            agriculture * 3 > labour_cases.len(),
            "agriculture leads forced labour"
        );
    }

    #[test]
    fn names_carry_second_surnames_compound_given_names_and_accents() {
        let cases = sample();
        let people: Vec<_> = cases.iter().map(|c| &c.case.person).collect();
        assert!(
            people.iter().filter(|p| p.second_surname.is_some()).count() > people.len() * 3 / 4
        );
        assert!(people.iter().any(|p| p.middle_name.is_some()));
        assert!(people
            .iter()
            .any(|p| p.full_name().contains('á') || p.full_name().contains('é')));
        assert!(people
            .iter()
            .any(|p| p.surname.starts_with("De ") || p.surname.starts_with("Del ")));
        assert!(
            people
                .iter()
                .any(|p| p.date_of_birth.is_some_and(|d| d.day.is_none())),
            "partial dates of birth"
        );
    }

    #[test]
    fn routes_cover_the_corridors_and_costa_rica_and_panama() {
        let cases = sample();
        let routes: Vec<Vec<&str>> = cases
            .iter()
            .map(|c| c.case.route().iter().map(|c| c.alpha_2()).collect())
            .collect();
        let has = |path: &[&str]| {
            routes
                .iter()
                .any(|route| route.windows(path.len()).any(|window| window == path))
        };
        assert!(
            has(&["HN", "GT", "MX", "US"]),
            "Northern Triangle to the US"
        );
        assert!(has(&["NI", "CR"]), "Costa Rica as destination");
        assert!(has(&["CO", "PA", "CR"]), "Panama and Costa Rica in transit");
        assert!(
            routes.iter().any(|route| route.len() == 1),
            "internal cases"
        );
        let places: std::collections::HashSet<_> = cases
            .iter()
            .flat_map(|c| c.case.events.iter().filter_map(|e| e.place.clone()))
            .collect();
        for corridor in [GULF_ROUTE, CENTRAL_ROUTE, PACIFIC_ROUTE] {
            assert!(corridor.iter().any(|place| places.contains(*place)));
        }
    }

    #[test]
    fn every_case_round_trips_through_json() {
        for demo in generate_cases(3, 200, time::macros::date!(2026 - 11 - 01)) {
            let json = serde_json::to_string(&demo.case).unwrap();
            let back: Case = serde_json::from_str(&json).unwrap();
            assert_eq!(back, demo.case);
        }
    }
}
