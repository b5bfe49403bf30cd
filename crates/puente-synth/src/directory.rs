//! The demo's service directory: organisations and their services in Guatemala, Honduras,
//! El Salvador, Mexico, Costa Rica, Panama and the United States, and a national hotline per
//! country. Data, not code: every organisation, name and number is fictional (names end in
//! "(demo)", numbers are unassigned `…0000…` or the US's fictional `555-01xx` range), so the demo
//! never sends anyone to a real service.
//!
//! The directory is realistic in shape, including its gaps, as the public reports describe them:
//! most shelters take women and girls only, so men and boys find almost nothing (a migrant shelter
//! in Tapachula and a state children's home in Guatemala City are the exceptions); few services reach
//! rural areas (a mobile clinic in the western highlands, the Darién post, the hotlines); Panama and
//! Costa Rica have thin coverage. The gap report ([`puente_directory::service_gaps`]) has
//! something to show.
//!
//! The demo's story is here too: the shelter of `shelter-demo` (Albergue Demo, Tapachula) runs a
//! house for girls on both sides of the Guatemala–Mexico border, the first match for a
//! 15-year-old Guatemalan girl who needs a shelter in Guatemala.

use puente_core::domain::{Organisation, PhoneNumber};
use puente_core::htcds::{Gender, OrganisationType, SupportType};
use puente_core::Country;
use puente_directory::{Directory, DirectoryHotline, Service};

use crate::demo::demo_organisations;

fn country(code: &str) -> Country {
    Country::from_alpha_2(code).expect("a region country")
}

fn phone(text: &str) -> Option<PhoneNumber> {
    Some(PhoneNumber::parse(text, None).expect("a valid demo number"))
}

fn organisation(
    slug: &str,
    name: &str,
    kind: OrganisationType,
    code: &str,
    city: &str,
    number: &str,
) -> Organisation {
    Organisation {
        slug: slug.into(),
        name: name.into(),
        kind,
        country: Some(country(code)),
        city: Some(city.into()),
        phone: phone(number),
    }
}

/// A service with the common defaults: every age and sex, Spanish, no rural reach.
fn service(
    organisation: &str,
    slug: &str,
    need: SupportType,
    (name_es, name_en): (&str, &str),
    countries: &[&str],
    places: &[&str],
) -> Service {
    Service {
        slug: format!("{organisation}-{slug}"),
        organisation: organisation.into(),
        name_es: name_es.into(),
        name_en: name_en.into(),
        description_es: String::new(),
        description_en: String::new(),
        need,
        countries: countries.iter().map(|code| country(code)).collect(),
        places: places.iter().map(|place| place.to_string()).collect(),
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

fn languages(codes: &[&str]) -> Vec<String> {
    codes.iter().map(|code| code.to_string()).collect()
}

const FEMALE: &[Gender] = &[Gender::Female];

/// The organisations of the directory, the demo's two (`hotline-demo`, `shelter-demo`) first.
pub fn directory_organisations() -> Vec<Organisation> {
    use OrganisationType::*;
    let mut organisations = demo_organisations();
    organisations.extend([
        organisation(
            "refugio-quetzal-demo",
            "Refugio Quetzal (demo)",
            Shelter,
            "GT",
            "Ciudad de Guatemala",
            "+502 2200 0001",
        ),
        organisation(
            "hogar-proteccion-gt-demo",
            "Hogar de Protección de la Niñez (demo)",
            CentralGovernmentOrganisation,
            "GT",
            "Ciudad de Guatemala",
            "+502 2200 0002",
        ),
        organisation(
            "clinica-altiplano-demo",
            "Clínica Comunitaria del Altiplano (demo)",
            HealthServiceOrganisation,
            "GT",
            "Quetzaltenango",
            "+502 7700 0003",
        ),
        organisation(
            "bufete-popular-demo",
            "Bufete Jurídico Popular (demo)",
            LegalService,
            "GT",
            "Ciudad de Guatemala",
            "+502 2200 0004",
        ),
        organisation(
            "casa-ceiba-demo",
            "Casa Ceiba (demo)",
            Ngo,
            "HN",
            "San Pedro Sula",
            "+504 2500 0001",
        ),
        organisation(
            "retorno-hn-demo",
            "Centro de Atención al Migrante Retornado (demo)",
            CentralGovernmentOrganisation,
            "HN",
            "San Pedro Sula",
            "+504 2500 0002",
        ),
        organisation(
            "refugio-luna-demo",
            "Refugio Luna (demo)",
            Shelter,
            "SV",
            "San Salvador",
            "+503 2200 0001",
        ),
        organisation(
            "segunda-oportunidad-demo",
            "Escuela Segunda Oportunidad (demo)",
            Ngo,
            "SV",
            "San Salvador",
            "+503 2200 0002",
        ),
        organisation(
            "casa-migrante-demo",
            "Casa del Migrante (demo)",
            Ngo,
            "MX",
            "Tapachula",
            "+52 962 000 0001",
        ),
        organisation(
            "defensoria-migrante-demo",
            "Defensoría Migrante (demo)",
            LegalService,
            "MX",
            "Ciudad de México",
            "+52 55 0000 0002",
        ),
        organisation(
            "salud-frontera-demo",
            "Salud en la Frontera (demo)",
            HealthServiceOrganisation,
            "MX",
            "Tijuana",
            "+52 664 000 0003",
        ),
        organisation(
            "albergue-pacifico-demo",
            "Albergue del Pacífico (demo)",
            Shelter,
            "CR",
            "San José",
            "+506 2200 0001",
        ),
        organisation(
            "puesto-darien-demo",
            "Puesto de Atención Darién (demo)",
            InternationalOrganisation,
            "PA",
            "Darién",
            "+507 200 0001",
        ),
        organisation(
            "casa-esperanza-pa-demo",
            "Casa Esperanza (demo)",
            Shelter,
            "PA",
            "Ciudad de Panamá",
            "+507 200 0002",
        ),
        organisation(
            "safe-harbor-demo",
            "Safe Harbor House (demo)",
            Shelter,
            "US",
            "Houston",
            "+1 713 555 0101",
        ),
        organisation(
            "youth-haven-demo",
            "Youth Haven (demo)",
            Ngo,
            "US",
            "Los Angeles",
            "+1 213 555 0102",
        ),
        organisation(
            "immigrant-justice-demo",
            "Immigrant Justice Project (demo)",
            LegalService,
            "US",
            "Atlanta",
            "+1 404 555 0103",
        ),
        organisation(
            "workers-center-demo",
            "Workers' Rights Center (demo)",
            Ngo,
            "US",
            "Charlotte",
            "+1 704 555 0104",
        ),
        organisation(
            "retorno-seguro-demo",
            "Programa de Retorno Seguro (demo)",
            InternationalOrganisation,
            "PA",
            "Ciudad de Panamá",
            "+507 200 0003",
        ),
    ]);
    organisations
}

/// The services of the directory.
pub fn directory_services() -> Vec<Service> {
    use SupportType::*;
    let all_region = ["GT", "HN", "SV", "MX", "CR", "PA", "US"];
    vec![
        // Guatemala.
        Service {
            description_es: "Escucha, evaluación y derivación por teléfono y mensajería, 24 horas, en español, mam y k'iche'.".into(),
            description_en: "Listening, screening and referral by phone and messaging, 24 hours, in Spanish, Mam and K'iche'.".into(),
            languages: languages(&["es", "mam", "quc"]),
            trafficking_specific: true,
            rural_reach: true,
            phone: phone("+502 2200 0000"),
            ..service("hotline-demo", "orientacion", SocialCare, ("Orientación y derivación telefónica", "Telephone guidance and referral"), &["GT"], &[])
        },
        Service {
            description_es: "Casa de acogida para niñas y adolescentes víctimas de trata, a ambos lados de la frontera: Tecún Umán, Quetzaltenango y Tapachula. Escolarización, atención psicológica y acompañamiento legal.".into(),
            description_en: "A safe house for girls who survived trafficking, on both sides of the border: Tecún Umán, Quetzaltenango and Tapachula. Schooling, psychological care and legal accompaniment.".into(),
            min_age: Some(12),
            max_age: Some(17),
            sexes: FEMALE.to_vec(),
            languages: languages(&["es", "mam"]),
            trafficking_specific: true,
            capacity: Some(18),
            phone: phone("+52 962 000 0000"),
            ..service("shelter-demo", "casa-ninas", Accommodation, ("Casa de acogida para niñas y adolescentes", "Safe house for girls"), &["GT", "MX"], &["Tecún Umán", "Quetzaltenango", "Tapachula"])
        },
        Service {
            min_age: Some(12),
            max_age: Some(17),
            sexes: FEMALE.to_vec(),
            trafficking_specific: true,
            phone: phone("+52 962 000 0000"),
            ..service("shelter-demo", "psicologia-ninas", Psychosocial, ("Atención psicológica para niñas y adolescentes", "Psychological care for girls"), &["GT", "MX"], &["Tecún Umán", "Tapachula"])
        },
        Service {
            max_age: Some(17),
            trafficking_specific: true,
            phone: phone("+52 962 000 0000"),
            ..service("shelter-demo", "legal-ninez", ImmigrationRelief, ("Acompañamiento migratorio para niñas, niños y adolescentes", "Immigration accompaniment for children"), &["MX"], &["Tapachula"])
        },
        Service {
            min_age: Some(18),
            sexes: FEMALE.to_vec(),
            trafficking_specific: true,
            capacity: Some(24),
            phone: phone("+502 2200 0001"),
            ..service("refugio-quetzal-demo", "albergue", Accommodation, ("Albergue para mujeres sobrevivientes de trata", "Shelter for women survivors of trafficking"), &["GT"], &["Ciudad de Guatemala"])
        },
        Service {
            min_age: Some(18),
            sexes: FEMALE.to_vec(),
            trafficking_specific: true,
            phone: phone("+502 2200 0001"),
            ..service("refugio-quetzal-demo", "psicologia", Psychosocial, ("Atención psicológica para mujeres", "Psychological care for women"), &["GT"], &["Ciudad de Guatemala"])
        },
        Service {
            min_age: Some(18),
            sexes: FEMALE.to_vec(),
            phone: phone("+502 2200 0001"),
            ..service("refugio-quetzal-demo", "empleo", Livelihood, ("Formación y empleo para mujeres", "Training and jobs for women"), &["GT"], &["Ciudad de Guatemala"])
        },
        Service {
            description_es: "Hogar estatal para niñas, niños y adolescentes en protección; no especializado en trata.".into(),
            description_en: "A state home for children in protection; not specialised in trafficking.".into(),
            max_age: Some(17),
            capacity: Some(60),
            phone: phone("+502 2200 0002"),
            ..service("hogar-proteccion-gt-demo", "hogar", Accommodation, ("Hogar de protección de la niñez", "Children's protection home"), &["GT"], &["Ciudad de Guatemala"])
        },
        Service {
            max_age: Some(17),
            phone: phone("+502 2200 0002"),
            ..service("hogar-proteccion-gt-demo", "escuela", Education, ("Escuela del hogar de protección", "School of the protection home"), &["GT"], &["Ciudad de Guatemala"])
        },
        Service {
            description_es: "Clínica con equipo móvil que recorre las aldeas del altiplano occidental.".into(),
            description_en: "A clinic with a mobile team that visits the villages of the western highlands.".into(),
            languages: languages(&["es", "mam", "quc"]),
            rural_reach: true,
            phone: phone("+502 7700 0003"),
            ..service("clinica-altiplano-demo", "clinica", Health, ("Atención médica comunitaria y clínica móvil", "Community medical care and mobile clinic"), &["GT"], &["Quetzaltenango", "Huehuetenango"])
        },
        Service {
            phone: phone("+502 2200 0004"),
            ..service("bufete-popular-demo", "asesoria", Legal, ("Asesoría legal gratuita para víctimas", "Free legal aid for victims"), &["GT"], &["Ciudad de Guatemala", "Quetzaltenango"])
        },
        // Honduras.
        Service {
            min_age: Some(12),
            sexes: FEMALE.to_vec(),
            trafficking_specific: true,
            capacity: Some(20),
            phone: phone("+504 2500 0001"),
            ..service("casa-ceiba-demo", "albergue", Accommodation, ("Albergue para niñas, adolescentes y mujeres", "Shelter for girls and women"), &["HN"], &["San Pedro Sula"])
        },
        Service {
            sexes: FEMALE.to_vec(),
            trafficking_specific: true,
            phone: phone("+504 2500 0001"),
            ..service("casa-ceiba-demo", "psicologia", Psychosocial, ("Apoyo psicológico informado en trauma", "Trauma-informed psychological support"), &["HN"], &["San Pedro Sula", "Tegucigalpa"])
        },
        Service {
            phone: phone("+504 2500 0001"),
            ..service("casa-ceiba-demo", "legal", Legal, ("Acompañamiento legal a víctimas", "Legal accompaniment for victims"), &["HN"], &["San Pedro Sula"])
        },
        Service {
            phone: phone("+504 2500 0002"),
            ..service("retorno-hn-demo", "recepcion", ReturnAndReintegration, ("Recepción y reintegración de personas retornadas", "Reception and reintegration of returnees"), &["HN"], &["San Pedro Sula", "Tegucigalpa"])
        },
        Service {
            min_age: Some(18),
            phone: phone("+504 2500 0002"),
            ..service("retorno-hn-demo", "empleo", Livelihood, ("Programa de empleo para personas retornadas", "Jobs programme for returnees"), &["HN"], &["San Pedro Sula"])
        },
        // El Salvador.
        Service {
            min_age: Some(12),
            sexes: FEMALE.to_vec(),
            trafficking_specific: true,
            capacity: Some(15),
            phone: phone("+503 2200 0001"),
            ..service("refugio-luna-demo", "albergue", Accommodation, ("Albergue para niñas, adolescentes y mujeres", "Shelter for girls and women"), &["SV"], &["San Salvador"])
        },
        Service {
            sexes: FEMALE.to_vec(),
            trafficking_specific: true,
            phone: phone("+503 2200 0001"),
            ..service("refugio-luna-demo", "salud", Health, ("Atención médica y salud sexual", "Medical care and sexual health"), &["SV"], &["San Salvador"])
        },
        Service {
            min_age: Some(12),
            max_age: Some(24),
            phone: phone("+503 2200 0002"),
            ..service("segunda-oportunidad-demo", "escuela", Education, ("Educación acelerada para adolescentes y jóvenes", "Catch-up schooling for adolescents and young people"), &["SV"], &["San Salvador", "San Miguel"])
        },
        // Mexico.
        Service {
            description_es: "Albergue para personas migrantes adultas, hombres y mujeres; no especializado en trata.".into(),
            description_en: "A shelter for adult migrants, men and women; not specialised in trafficking.".into(),
            min_age: Some(18),
            capacity: Some(120),
            phone: phone("+52 962 000 0001"),
            ..service("casa-migrante-demo", "albergue", Accommodation, ("Albergue para personas migrantes", "Migrant shelter"), &["MX"], &["Tapachula"])
        },
        Service {
            min_age: Some(18),
            phone: phone("+52 962 000 0001"),
            ..service("casa-migrante-demo", "salud", Health, ("Consultorio médico del albergue", "The shelter's medical practice"), &["MX"], &["Tapachula"])
        },
        Service {
            trafficking_specific: true,
            languages: languages(&["es", "en"]),
            phone: phone("+52 55 0000 0002"),
            ..service("defensoria-migrante-demo", "proteccion", ImmigrationRelief, ("Visa humanitaria y condición de refugiado", "Humanitarian visa and refugee status"), &["MX"], &["Ciudad de México", "Tapachula", "Tijuana"])
        },
        Service {
            trafficking_specific: true,
            phone: phone("+52 55 0000 0002"),
            ..service("defensoria-migrante-demo", "legal", Legal, ("Asesoría legal para víctimas de trata", "Legal aid for victims of trafficking"), &["MX"], &["Ciudad de México", "Tapachula", "Tijuana"])
        },
        Service {
            languages: languages(&["es", "en"]),
            phone: phone("+52 664 000 0003"),
            ..service("salud-frontera-demo", "clinica", Health, ("Clínica de salud para migrantes", "Health clinic for migrants"), &["MX"], &["Tijuana"])
        },
        Service {
            phone: phone("+52 664 000 0003"),
            ..service("salud-frontera-demo", "psicologia", Psychosocial, ("Salud mental para migrantes", "Mental health for migrants"), &["MX"], &["Tijuana"])
        },
        // Costa Rica.
        Service {
            min_age: Some(18),
            sexes: FEMALE.to_vec(),
            trafficking_specific: true,
            capacity: Some(10),
            phone: phone("+506 2200 0001"),
            ..service("albergue-pacifico-demo", "albergue", Accommodation, ("Albergue para mujeres", "Shelter for women"), &["CR"], &["San José"])
        },
        Service {
            sexes: FEMALE.to_vec(),
            phone: phone("+506 2200 0001"),
            ..service("albergue-pacifico-demo", "empleo", Livelihood, ("Emprendimiento para mujeres", "Small-business support for women"), &["CR"], &["San José", "Limón"])
        },
        // Panama.
        Service {
            description_es: "Puesto de atención en la salida de la selva: primeros auxilios, orientación y detección de trata.".into(),
            description_en: "A post where the jungle route ends: first aid, guidance and screening for trafficking.".into(),
            languages: languages(&["es", "en", "fr", "ht"]),
            rural_reach: true,
            phone: phone("+507 200 0001"),
            ..service("puesto-darien-demo", "salud", Health, ("Primeros auxilios y atención médica", "First aid and medical care"), &["PA"], &["Darién"])
        },
        Service {
            min_age: Some(18),
            sexes: FEMALE.to_vec(),
            trafficking_specific: true,
            capacity: Some(8),
            phone: phone("+507 200 0002"),
            ..service("casa-esperanza-pa-demo", "albergue", Accommodation, ("Albergue para mujeres", "Shelter for women"), &["PA"], &["Ciudad de Panamá"])
        },
        Service {
            description_es: "Retorno voluntario asistido y apoyo a la reintegración en el país de origen, para quien lo desee.".into(),
            description_en: "Assisted voluntary return and reintegration support in the country of origin, for those who wish it.".into(),
            trafficking_specific: true,
            languages: languages(&["es", "en"]),
            phone: phone("+507 200 0003"),
            ..service("retorno-seguro-demo", "retorno", ReturnAndReintegration, ("Retorno voluntario asistido y reintegración", "Assisted voluntary return and reintegration"), &all_region, &[])
        },
        // The United States.
        Service {
            min_age: Some(18),
            sexes: FEMALE.to_vec(),
            trafficking_specific: true,
            languages: languages(&["en", "es"]),
            capacity: Some(16),
            phone: phone("+1 713 555 0101"),
            ..service("safe-harbor-demo", "shelter", Accommodation, ("Casa refugio para mujeres sobrevivientes", "Safe house for women survivors"), &["US"], &["Houston"])
        },
        Service {
            min_age: Some(18),
            sexes: FEMALE.to_vec(),
            trafficking_specific: true,
            languages: languages(&["en", "es"]),
            phone: phone("+1 713 555 0101"),
            ..service("safe-harbor-demo", "counselling", Psychosocial, ("Terapia informada en trauma", "Trauma-informed counselling"), &["US"], &["Houston"])
        },
        Service {
            min_age: Some(12),
            max_age: Some(17),
            sexes: FEMALE.to_vec(),
            trafficking_specific: true,
            languages: languages(&["en", "es"]),
            capacity: Some(12),
            phone: phone("+1 213 555 0102"),
            ..service("youth-haven-demo", "shelter", Accommodation, ("Hogar para adolescentes", "Residential home for teenage girls"), &["US"], &["Los Angeles"])
        },
        Service {
            max_age: Some(20),
            languages: languages(&["en", "es"]),
            phone: phone("+1 213 555 0102"),
            ..service("youth-haven-demo", "school", Education, ("Apoyo escolar y GED", "School support and GED"), &["US"], &["Los Angeles"])
        },
        Service {
            description_es: "Visa T, Presencia Continuada, SIJS y asilo; atención a distancia en todo el país.".into(),
            description_en: "T visa, Continued Presence, SIJS and asylum; remote attention nationwide.".into(),
            trafficking_specific: true,
            languages: languages(&["en", "es"]),
            rural_reach: true,
            phone: phone("+1 404 555 0103"),
            ..service("immigrant-justice-demo", "t-visa", ImmigrationRelief, ("Protección migratoria para víctimas", "Immigration relief for survivors"), &["US"], &[])
        },
        Service {
            min_age: Some(16),
            languages: languages(&["en", "es"]),
            phone: phone("+1 704 555 0104"),
            ..service("workers-center-demo", "wages", Legal, ("Reclamo de salarios y derechos laborales", "Wage claims and labour rights"), &["US"], &["Charlotte", "Houston"])
        },
        Service {
            min_age: Some(18),
            languages: languages(&["en", "es"]),
            phone: phone("+1 704 555 0104"),
            ..service("workers-center-demo", "jobs", Livelihood, ("Empleo digno y capacitación", "Decent work and training"), &["US"], &["Charlotte", "Houston"])
        },
    ]
}

/// One national hotline per country of the directory (fictional numbers in the demo; the United
/// States and Mexico lines are built into the screening engine from domain.md and not repeated).
pub fn directory_hotlines() -> Vec<DirectoryHotline> {
    let line = |code: &str, name_es: &str, name_en: &str, number: &str| DirectoryHotline {
        country: country(code),
        name_es: name_es.into(),
        name_en: name_en.into(),
        phone: number.into(),
        text: None,
    };
    vec![
        line(
            "GT",
            "Línea de Ayuda Demo contra la Trata (Guatemala)",
            "Demo anti-trafficking helpline (Guatemala)",
            "+502 2200 0000",
        ),
        line(
            "HN",
            "Línea Demo contra la Trata (Honduras)",
            "Demo anti-trafficking line (Honduras)",
            "+504 2500 0000",
        ),
        line(
            "SV",
            "Línea Demo contra la Trata (El Salvador)",
            "Demo anti-trafficking line (El Salvador)",
            "+503 2200 0000",
        ),
        line(
            "CR",
            "Línea Demo contra la Trata (Costa Rica)",
            "Demo anti-trafficking line (Costa Rica)",
            "+506 2200 0000",
        ),
        line(
            "PA",
            "Línea Demo contra la Trata (Panamá)",
            "Demo anti-trafficking line (Panama)",
            "+507 200 0000",
        ),
    ]
}

/// The whole demo directory.
pub fn demo_directory() -> Directory {
    Directory {
        organisations: directory_organisations(),
        services: directory_services(),
        hotlines: directory_hotlines(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use puente_directory::{
        match_services, service_gaps, Population, ServiceQuery, DIRECTORY_NEEDS,
    };
    use std::collections::HashSet;

    #[test]
    fn every_service_belongs_to_a_listed_organisation_and_slugs_are_unique() {
        let directory = demo_directory();
        let organisations: HashSet<&str> = directory
            .organisations
            .iter()
            .map(|o| o.slug.as_str())
            .collect();
        assert_eq!(organisations.len(), directory.organisations.len());
        let mut slugs = HashSet::new();
        for service in &directory.services {
            assert!(
                organisations.contains(service.organisation.as_str()),
                "{}",
                service.slug
            );
            assert!(slugs.insert(service.slug.as_str()), "{}", service.slug);
            assert!(service.name_es.len() > 3 && service.name_en.len() > 3);
        }
        for organisation in &directory.organisations {
            assert!(
                organisation.slug.ends_with("-demo"),
                "{}: demo slugs are marked",
                organisation.slug
            );
        }
        let countries: HashSet<&str> = directory
            .services
            .iter()
            .flat_map(|s| s.countries.iter().map(|c| c.alpha_2()))
            .collect();
        for code in ["GT", "HN", "SV", "MX", "CR", "PA", "US"] {
            assert!(countries.contains(code), "{code}");
            assert!(
                directory
                    .hotlines
                    .iter()
                    .any(|h| h.country.alpha_2() == code)
                    || ["MX", "US"].contains(&code),
                "{code} has a hotline"
            );
        }
    }

    #[test]
    fn the_demo_girl_finds_the_demo_shelter_first() {
        let query = ServiceQuery {
            need: Some(SupportType::Accommodation),
            country: Some(country("GT")),
            age: Some(15),
            sex: Some(Gender::Female),
            ..ServiceQuery::default()
        };
        let found = match_services(&query, &directory_services());
        let organisations: Vec<&str> = found
            .iter()
            .map(|m| m.service.organisation.as_str())
            .collect();
        assert_eq!(organisations, ["shelter-demo", "hogar-proteccion-gt-demo"]);
    }

    #[test]
    fn the_gap_report_shows_men_boys_and_rural_areas() {
        let countries: Vec<Country> = ["GT", "HN", "SV", "MX", "CR", "PA", "US"]
            .iter()
            .map(|c| country(c))
            .collect();
        let gaps = service_gaps(
            &directory_services(),
            &DIRECTORY_NEEDS,
            &countries,
            &Population::ALL,
        );
        let shelter_gaps = |population: Population| -> Vec<&str> {
            gaps.iter()
                .filter(|g| g.need == SupportType::Accommodation && g.population == population)
                .map(|g| g.country.alpha_2())
                .collect()
        };
        assert_eq!(
            shelter_gaps(Population::Men),
            ["GT", "HN", "SV", "CR", "PA", "US"]
        );
        assert_eq!(
            shelter_gaps(Population::Boys),
            ["HN", "SV", "MX", "CR", "PA", "US"]
        );
        assert_eq!(shelter_gaps(Population::Girls), ["CR", "PA"]);
        assert_eq!(
            shelter_gaps(Population::Rural),
            ["GT", "HN", "SV", "MX", "CR", "PA", "US"]
        );
        // Men and boys lack far more than women and girls.
        let count = |population| gaps.iter().filter(|g| g.population == population).count();
        assert!(count(Population::Men) > count(Population::Women));
        assert!(count(Population::Boys) > count(Population::Girls));
    }
}
