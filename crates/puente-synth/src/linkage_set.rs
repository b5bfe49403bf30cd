//! A Latin American record-linkage test set with known duplicates, for `puente-linkage`'s tests and
//! benchmark. People are drawn from the weighted names of [`crate::names`]; some get duplicate
//! records written the way hotlines, shelters and border posts write them: accents dropped, a
//! nickname, the maternal surname dropped, surnames swapped, a compound surname written another way,
//! typos, day and month swapped, only the year of birth, the phone written four ways.
//!
//! Ids carry the truth the FEBRL way: `rec-<n>-org` and `rec-<n>-dup-<k>` are person `n`.
//! Deterministic for a seed; a million records take a few seconds.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::names::{FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES, SURNAMES};

/// One record as a CSV row would hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkageRecord {
    pub id: String,
    pub given_name: String,
    pub surname: String,
    pub sex: String,
    pub date_of_birth: String,
    pub nationality: String,
    pub phone: String,
    pub city: String,
}

impl LinkageRecord {
    /// The values in the order of [`COLUMNS`].
    pub fn values(&self) -> [&str; 8] {
        [
            &self.id,
            &self.given_name,
            &self.surname,
            &self.sex,
            &self.date_of_birth,
            &self.nationality,
            &self.phone,
            &self.city,
        ]
    }
}

/// The header of the set.
pub const COLUMNS: [&str; 8] = [
    "rec_id",
    "given_name",
    "surname",
    "sex",
    "date_of_birth",
    "nationality",
    "phone",
    "city",
];

/// The errors a duplicate can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    AccentsDropped,
    Nickname,
    SecondGivenNameDropped,
    MaternalSurnameDropped,
    SurnamesSwapped,
    CompoundSurnameRewritten,
    Typo,
    DayMonthSwapped,
    PartialDate,
    PhoneMissing,
    DateMissing,
    CityMissing,
    UpperCase,
}

const ERRORS: [Error; 13] = [
    Error::AccentsDropped,
    Error::Nickname,
    Error::SecondGivenNameDropped,
    Error::MaternalSurnameDropped,
    Error::SurnamesSwapped,
    Error::CompoundSurnameRewritten,
    Error::Typo,
    Error::DayMonthSwapped,
    Error::PartialDate,
    Error::PhoneMissing,
    Error::DateMissing,
    Error::CityMissing,
    Error::UpperCase,
];

/// Nicknames of names in [`crate::names`] (the engine has the full table; this is what the
/// generator writes).
const NICKNAMES: &[(&str, &[&str])] = &[
    ("José", &["Pepe", "Chepe"]),
    ("Francisco", &["Paco", "Pancho"]),
    ("Guadalupe", &["Lupe", "Lupita"]),
    ("Jesús", &["Chuy", "Chucho"]),
    ("Guillermo", &["Memo"]),
    ("Ignacio", &["Nacho"]),
    ("Antonio", &["Toño"]),
    ("Alberto", &["Beto"]),
    ("Roberto", &["Beto"]),
    ("Eduardo", &["Lalo"]),
    ("Rosario", &["Chayo"]),
    ("Concepción", &["Conchita"]),
    ("Dolores", &["Lola"]),
    ("Manuel", &["Manolo"]),
    ("Rafael", &["Rafa"]),
    ("Alejandro", &["Alex"]),
    ("Isabel", &["Chabela"]),
    ("Mercedes", &["Meche"]),
    ("Luis", &["Lucho"]),
    ("Fernando", &["Nando"]),
    ("Santiago", &["Santi"]),
    ("Patricia", &["Paty"]),
    ("Verónica", &["Vero"]),
    ("Leticia", &["Lety"]),
    ("Alejandra", &["Ale"]),
];

/// Countries with weights, calling codes and cities.
const COUNTRIES: &[(&str, u32, u16, &[&str])] = &[
    (
        "GT",
        35,
        502,
        &[
            "Guatemala",
            "Quetzaltenango",
            "Cobán",
            "Huehuetenango",
            "Escuintla",
            "Mixco",
            "Retalhuleu",
        ],
    ),
    (
        "HN",
        25,
        504,
        &[
            "Tegucigalpa",
            "San Pedro Sula",
            "La Ceiba",
            "Choluteca",
            "Comayagua",
            "El Progreso",
        ],
    ),
    (
        "SV",
        20,
        503,
        &[
            "San Salvador",
            "Santa Ana",
            "San Miguel",
            "Soyapango",
            "Usulután",
            "Sonsonate",
        ],
    ),
    (
        "MX",
        10,
        52,
        &[
            "Tapachula",
            "Ciudad de México",
            "Monterrey",
            "Tijuana",
            "Ciudad Juárez",
            "Oaxaca",
        ],
    ),
    (
        "NI",
        5,
        505,
        &["Managua", "León", "Chinandega", "Estelí", "Matagalpa"],
    ),
    ("CR", 3, 506, &["San José", "Limón", "Alajuela", "Heredia"]),
    ("PA", 2, 507, &["Panamá", "Colón", "David", "Yaviza"]),
];

/// One person, as the original record writes them.
#[derive(Debug, Clone)]
struct Person {
    given: Vec<&'static str>,
    paternal: &'static str,
    maternal: Option<&'static str>,
    female: bool,
    year: u16,
    month: u8,
    day: u8,
    country: usize,
    phone: Option<String>,
    city: &'static str,
}

fn weighted<'a, R: Rng>(rng: &mut R, list: &'a [(&'a str, u32)], total: u32) -> &'a str {
    let mut pick = rng.gen_range(0..total);
    for (name, weight) in list {
        if pick < *weight {
            return name;
        }
        pick -= weight;
    }
    list[list.len() - 1].0
}

fn strip_accents(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            'Á' => 'A',
            'É' => 'E',
            'Í' => 'I',
            'Ó' => 'O',
            'Ú' => 'U',
            'ñ' => 'n',
            'Ñ' => 'N',
            other => other,
        })
        .collect()
}

/// One typing error in a word: a substitution, deletion, insertion or transposition.
fn typo<R: Rng>(rng: &mut R, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.len() < 4 {
        return text.to_string();
    }
    let i = rng.gen_range(1..chars.len() - 1);
    let letter = (b'a' + rng.gen_range(0..26u8)) as char;
    match rng.gen_range(0..4) {
        0 => chars[i] = letter,
        1 => {
            chars.remove(i);
        }
        2 => chars.insert(i, letter),
        _ => chars.swap(i, i + 1),
    }
    chars.into_iter().collect()
}

/// A phone number written one of four ways.
fn write_phone<R: Rng>(rng: &mut R, code: u16, national: &str) -> String {
    let (a, b) = national.split_at(national.len() - 4);
    match rng.gen_range(0..4) {
        0 => format!("+{code} {a} {b}"),
        1 => national.to_string(),
        2 => format!("{code}-{a}-{b}"),
        _ => format!("({code}) {a}-{b}"),
    }
}

struct Totals {
    female: u32,
    male: u32,
    surnames: u32,
    countries: u32,
}

fn person<R: Rng>(rng: &mut R, totals: &Totals) -> Person {
    let female = rng.gen_bool(0.5);
    let (list, total) = if female {
        (FEMALE_GIVEN_NAMES, totals.female)
    } else {
        (MALE_GIVEN_NAMES, totals.male)
    };
    let mut given = vec![weighted(rng, list, total)];
    if rng.gen_bool(0.3) {
        let second = weighted(rng, list, total);
        if second != given[0] {
            given.push(second);
        }
    }
    let paternal = weighted(rng, SURNAMES, totals.surnames);
    let maternal = if rng.gen_bool(0.9) {
        Some(weighted(rng, SURNAMES, totals.surnames)).filter(|m| *m != paternal)
    } else {
        None
    };
    let mut pick = rng.gen_range(0..totals.countries);
    let mut country = 0;
    for (i, entry) in COUNTRIES.iter().enumerate() {
        if pick < entry.1 {
            country = i;
            break;
        }
        pick -= entry.1;
    }
    let (_, _, code, cities) = COUNTRIES[country];
    let phone = rng.gen_bool(0.8).then(|| {
        let length = if code == 52 { 10 } else { 8 };
        let first = rng.gen_range(3..=9u8);
        let mut number = first.to_string();
        for _ in 1..length {
            number.push((b'0' + rng.gen_range(0..10u8)) as char);
        }
        number
    });
    Person {
        given,
        paternal,
        maternal,
        female,
        year: rng.gen_range(1950..=2012),
        month: rng.gen_range(1..=12),
        day: rng.gen_range(1..=28),
        country,
        phone,
        city: cities[rng.gen_range(0..cities.len())],
    }
}

fn write_record<R: Rng>(
    rng: &mut R,
    person: &Person,
    id: String,
    errors: &[Error],
) -> LinkageRecord {
    let has = |e: Error| errors.contains(&e);
    let mut given: Vec<String> = person.given.iter().map(|g| g.to_string()).collect();
    if has(Error::SecondGivenNameDropped) && given.len() > 1 {
        given.truncate(1);
    }
    if has(Error::Nickname) {
        if let Some((_, nicks)) = NICKNAMES.iter().find(|(name, _)| *name == given[0]) {
            given[0] = nicks[rng.gen_range(0..nicks.len())].to_string();
        }
    }
    let mut surnames: Vec<String> = std::iter::once(person.paternal)
        .chain(person.maternal)
        .map(str::to_string)
        .collect();
    if has(Error::MaternalSurnameDropped) && surnames.len() > 1 {
        surnames.truncate(1);
    }
    if has(Error::SurnamesSwapped) && surnames.len() > 1 {
        surnames.swap(0, 1);
    }
    if has(Error::CompoundSurnameRewritten) {
        for surname in &mut surnames {
            if let Some(rest) = surname.strip_prefix("De la ") {
                *surname = [
                    format!("Dela{}", rest.to_lowercase()),
                    format!("de la {rest}"),
                    format!("DE LA {}", rest.to_uppercase()),
                ][rng.gen_range(0..3)]
                .clone();
            } else if let Some(rest) = surname.strip_prefix("Del ") {
                *surname = [format!("del {rest}"), format!("Del{}", rest.to_lowercase())]
                    [rng.gen_range(0..2)]
                .clone();
            } else if let Some(rest) = surname.strip_prefix("De ") {
                *surname = [format!("de {rest}"), rest.to_string()][rng.gen_range(0..2)].clone();
            }
        }
    }
    let mut given_name = given.join(" ");
    let mut surname = surnames.join(" ");
    if has(Error::Typo) {
        if rng.gen_bool(0.5) {
            given_name = typo(rng, &given_name);
        } else {
            surname = typo(rng, &surname);
        }
    }
    if has(Error::AccentsDropped) {
        given_name = strip_accents(&given_name);
        surname = strip_accents(&surname);
    }
    if has(Error::UpperCase) {
        given_name = given_name.to_uppercase();
        surname = surname.to_uppercase();
    }
    let date_of_birth = if has(Error::DateMissing) {
        String::new()
    } else if has(Error::PartialDate) {
        person.year.to_string()
    } else if has(Error::DayMonthSwapped) && person.day <= 12 {
        format!("{}-{:02}-{:02}", person.year, person.day, person.month)
    } else {
        format!("{}-{:02}-{:02}", person.year, person.month, person.day)
    };
    let (alpha_2, _, code, _) = COUNTRIES[person.country];
    let phone = match (&person.phone, has(Error::PhoneMissing)) {
        (Some(national), false) => write_phone(rng, code, national),
        _ => String::new(),
    };
    let city = if has(Error::CityMissing) {
        String::new()
    } else if rng.gen_bool(0.2) {
        strip_accents(person.city).to_lowercase()
    } else {
        person.city.to_string()
    };
    let sex = match (person.female, rng.gen_range(0..3)) {
        (true, 0) => "F",
        (true, 1) => "femenino",
        (true, _) => "mujer",
        (false, 0) => "M",
        (false, 1) => "masculino",
        (false, _) => "hombre",
    };
    LinkageRecord {
        id,
        given_name,
        surname,
        sex: sex.to_string(),
        date_of_birth,
        nationality: alpha_2.to_string(),
        phone,
        city,
    }
}

/// Generates about `records` records (exactly that many) for a seed. About half the people have
/// duplicates (one to four); each duplicate carries one to three errors.
pub fn generate(records: usize, seed: u64) -> Vec<LinkageRecord> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let sum = |list: &[(&str, u32)]| list.iter().map(|(_, w)| w).sum::<u32>();
    let totals = Totals {
        female: sum(FEMALE_GIVEN_NAMES),
        male: sum(MALE_GIVEN_NAMES),
        surnames: sum(SURNAMES),
        countries: COUNTRIES.iter().map(|c| c.1).sum(),
    };
    let mut out = Vec::with_capacity(records);
    let mut entity = 0usize;
    while out.len() < records {
        let person = person(&mut rng, &totals);
        out.push(write_record(
            &mut rng,
            &person,
            format!("rec-{entity}-org"),
            &[],
        ));
        let duplicates = match rng.gen_range(0..100) {
            0..=49 => 0,
            50..=74 => 1,
            75..=89 => 2,
            90..=96 => 3,
            _ => 4,
        };
        for k in 0..duplicates {
            if out.len() >= records {
                break;
            }
            let count = rng.gen_range(1..=3);
            let errors: Vec<Error> = ERRORS.choose_multiple(&mut rng, count).copied().collect();
            out.push(write_record(
                &mut rng,
                &person,
                format!("rec-{entity}-dup-{k}"),
                &errors,
            ));
        }
        entity += 1;
    }
    out.shuffle(&mut rng);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_is_deterministic_and_has_duplicates_with_errors() {
        let a = generate(2_000, 1);
        let b = generate(2_000, 1);
        assert_eq!(a, b);
        assert_eq!(a.len(), 2_000);
        let duplicates = a.iter().filter(|r| r.id.contains("-dup-")).count();
        assert!(duplicates > 400, "{duplicates} duplicates");
        // The four ways of writing a phone all occur.
        assert!(a.iter().any(|r| r.phone.starts_with('+')));
        assert!(a.iter().any(|r| r.phone.starts_with('(')));
        assert!(a
            .iter()
            .any(|r| r.phone.contains('-') && !r.phone.starts_with('(')));
        assert!(a
            .iter()
            .any(|r| !r.phone.is_empty() && r.phone.chars().all(|c| c.is_ascii_digit())));
        // Partial dates and nicknames occur.
        assert!(a.iter().any(|r| r.date_of_birth.len() == 4));
        assert!(a.iter().any(|r| ["Pepe", "Chepe", "Paco", "Pancho"]
            .iter()
            .any(|n| r.given_name.starts_with(n))));
        assert_ne!(generate(100, 2), generate(100, 3));
    }
}
