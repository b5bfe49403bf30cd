//! Search keys: the short texts under which a person can be found, computed with the engine's own
//! normalisation, so that finding a case and the duplicate check agree on what "the same name"
//! means.
//!
//! A person is stored under keys of several kinds (each key carries its kind as a prefix, so one
//! index holds them all):
//! - `name:` each word of every name field, accents and case folded (`name:hernandez`), and each
//!   surname with its particles joined (`name:delacruz`);
//! - `sound:` the Spanish phonetic key of each word (`sound:ernandes`: "Hernández", "Ernandes" and
//!   "Hernandes" sound alike);
//! - `nick:` the canonical names of each word's nickname groups (`nick:jose` for "José", "Chepe"
//!   and "Pepe");
//! - `phone:` the national number of the phone, normalised by the one phone normaliser;
//! - `case:` the number of each of the person's cases;
//! - `block:` and `birth:` the blocking keys of the duplicate check: first given name (or a
//!   nickname's canonical name) with the paternal or maternal surname, by sound, in both orders;
//!   the full date of birth.
//!
//! A query ([`parse_query`]) is a list of terms; each term is a set of alternative keys, and a
//! person matches when every term has an alternative among the person's keys. Pure: no I/O.

use std::collections::BTreeSet;

use puente_core::domain::Person;
use puente_core::Country;

use crate::normalize::{fold, is_particle, phonetic, split_units, Nicknames};
use crate::phone::normalize_phone;

/// The kinds of search key, as stored beside each key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SearchKeyKind {
    Name,
    Sound,
    Nickname,
    Phone,
    Case,
    Block,
    Birth,
}

impl SearchKeyKind {
    /// The kind as stored, and the prefix of its keys.
    pub fn code(self) -> &'static str {
        match self {
            SearchKeyKind::Name => "name",
            SearchKeyKind::Sound => "sound",
            SearchKeyKind::Nickname => "nick",
            SearchKeyKind::Phone => "phone",
            SearchKeyKind::Case => "case",
            SearchKeyKind::Block => "block",
            SearchKeyKind::Birth => "birth",
        }
    }

    fn key(self, value: &str) -> SearchKey {
        SearchKey {
            kind: self,
            key: format!("{}:{value}", self.code()),
        }
    }
}

/// One key of a person: its kind and the key itself (with the kind's prefix).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SearchKey {
    pub kind: SearchKeyKind,
    pub key: String,
}

/// The words of a name field that carry the name: folded, particles ("de", "la") left out.
fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(' ')
        .filter(|word| !word.is_empty() && !is_particle(word) && *word != "y")
        .map(str::to_string)
        .collect()
}

/// The canonical names, folded, of a folded word's nickname groups.
fn nickname_canonicals(word: &str) -> Vec<String> {
    let table = Nicknames::spanish();
    table
        .groups(word)
        .iter()
        .map(|group| fold(table.canonical(*group)))
        .collect()
}

/// The phonetic key of the first unit of a name field ("María José" gives the key of "maria").
fn first_sound(text: Option<&str>) -> Option<String> {
    let folded = fold(text?);
    let unit = split_units(&folded).into_iter().next()?;
    let sound = phonetic(&unit.core);
    (!sound.is_empty()).then_some(sound)
}

/// The phone's key: its national number, read in the person's current country or nationality.
fn phone_key(text: &str, country: Option<Country>) -> Option<SearchKey> {
    let phone = normalize_phone(text, country)?;
    Some(SearchKeyKind::Phone.key(&phone.national))
}

/// Every key of a person, with the numbers of the person's cases; sorted, each once.
pub fn person_search_keys(person: &Person, case_ids: &[i64]) -> Vec<SearchKey> {
    let mut keys = BTreeSet::new();
    let fields = [
        Some(person.given_name.as_str()),
        person.middle_name.as_deref(),
        Some(person.surname.as_str()),
        person.second_surname.as_deref(),
        person.alias.as_deref(),
    ];
    for field in fields.into_iter().flatten() {
        for word in words(field) {
            let sound = phonetic(&word);
            if !sound.is_empty() {
                keys.insert(SearchKeyKind::Sound.key(&sound));
            }
            for canonical in nickname_canonicals(&word) {
                keys.insert(SearchKeyKind::Nickname.key(&canonical));
            }
            keys.insert(SearchKeyKind::Name.key(&word));
        }
        // "De la Cruz" is also found as "Delacruz".
        for unit in split_units(&fold(field)) {
            if unit.compact != unit.core {
                keys.insert(SearchKeyKind::Name.key(&unit.compact));
            }
        }
    }
    if let Some(phone) = person.phone.as_ref() {
        let country = person.current_country.or(person.nationality);
        keys.extend(phone_key(phone.as_str(), country));
    }
    for case_id in case_ids {
        keys.insert(SearchKeyKind::Case.key(&case_id.to_string()));
    }
    keys.extend(blocking_keys(person));
    keys.into_iter().collect()
}

/// The keys the duplicate check looks a person up by: records sharing one of them are the
/// candidates scored by [`crate::find_duplicates`]. The first given name by sound (and the
/// canonical names it is a nickname of) with either surname by sound, in both orders (a given name
/// and a surname written in each other's field still meet), the phone and the full date of birth.
pub fn blocking_keys(person: &Person) -> Vec<SearchKey> {
    let mut keys = BTreeSet::new();
    let mut given_sounds: BTreeSet<String> = BTreeSet::new();
    if let Some(sound) = first_sound(Some(&person.given_name)) {
        given_sounds.insert(sound);
    }
    if let Some(first) = words(&person.given_name).into_iter().next() {
        for canonical in nickname_canonicals(&first) {
            if let Some(sound) = first_sound(Some(&canonical)) {
                given_sounds.insert(sound);
            }
        }
    }
    let surname_sounds: BTreeSet<String> = [
        first_sound(Some(&person.surname)),
        first_sound(person.second_surname.as_deref()),
    ]
    .into_iter()
    .flatten()
    .collect();
    for given in &given_sounds {
        for surname in &surname_sounds {
            keys.insert(SearchKeyKind::Block.key(&format!("{given}|{surname}")));
            keys.insert(SearchKeyKind::Block.key(&format!("{surname}|{given}")));
        }
    }
    if let Some(phone) = person.phone.as_ref() {
        let country = person.current_country.or(person.nationality);
        keys.extend(phone_key(phone.as_str(), country));
    }
    if let Some(date) = person.date_of_birth {
        let text = date.to_string();
        // Only a whole date: a year alone is shared by too many.
        if text.len() == 10 {
            keys.insert(SearchKeyKind::Birth.key(&text));
        }
    }
    keys.into_iter().collect()
}

/// The keys a person is looked up by in the duplicate check: one of each record's own orders is
/// enough, as every record stores both.
pub fn duplicate_lookup_keys(person: &Person) -> Vec<String> {
    blocking_keys(person)
        .into_iter()
        .map(|key| key.key)
        .collect()
}

/// One term of a query: the keys any of which a person must have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryTerm {
    /// What the user typed for this term, for diagnostics.
    pub text: String,
    pub alternatives: Vec<String>,
}

/// A search query: a person matches when each term has one of its alternatives among the
/// person's keys. No terms: the query matches everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub terms: Vec<QueryTerm>,
}

/// The fewest digits read as a phone number; shorter numbers are case numbers.
const PHONE_DIGITS: usize = 7;

/// Reads a query as typed in the search box: words (names, nicknames, misspellings), a phone
/// number (digits with any punctuation, seven or more digits: `+507 6666-7777`, `5555 1234`) and
/// case numbers (`42`, `#42`). `default_country` reads a national phone number.
pub fn parse_query(text: &str, default_country: Option<Country>) -> SearchQuery {
    let mut terms = Vec::new();
    let mut phone_parts: Vec<&str> = Vec::new();
    let flush_phone = |parts: &mut Vec<&str>, terms: &mut Vec<QueryTerm>| {
        if parts.is_empty() {
            return;
        }
        let joined = parts.join(" ");
        parts.clear();
        let digits: String = joined.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= PHONE_DIGITS {
            let mut alternatives = Vec::new();
            if let Some(key) = phone_key(&joined, default_country) {
                alternatives.push(key.key);
            }
            // Typed without a country: the last digits may be the national number.
            let national = SearchKeyKind::Phone.key(&digits).key;
            if !alternatives.contains(&national) {
                alternatives.push(national);
            }
            terms.push(QueryTerm {
                text: joined,
                alternatives,
            });
        } else {
            for part in joined.split(' ') {
                let number = part.trim_start_matches('#');
                if let Ok(case_id) = number.parse::<u64>() {
                    terms.push(QueryTerm {
                        text: part.to_string(),
                        alternatives: vec![SearchKeyKind::Case.key(&case_id.to_string()).key],
                    });
                }
            }
        }
    };
    for part in text.split_whitespace() {
        let is_number_part = part
            .chars()
            .all(|c| c.is_ascii_digit() || "+-.()/#".contains(c))
            && part.chars().any(|c| c.is_ascii_digit());
        if is_number_part {
            phone_parts.push(part);
            continue;
        }
        flush_phone(&mut phone_parts, &mut terms);
        for word in words(part) {
            let mut alternatives = vec![SearchKeyKind::Name.key(&word).key];
            let sound = phonetic(&word);
            if !sound.is_empty() {
                alternatives.push(SearchKeyKind::Sound.key(&sound).key);
            }
            for canonical in nickname_canonicals(&word) {
                alternatives.push(SearchKeyKind::Nickname.key(&canonical).key);
            }
            alternatives.dedup();
            terms.push(QueryTerm {
                text: word,
                alternatives,
            });
        }
    }
    flush_phone(&mut phone_parts, &mut terms);
    SearchQuery { terms }
}

/// Whether a person with these keys matches the query (the rule the store's SQL applies).
pub fn matches(query: &SearchQuery, keys: &[SearchKey]) -> bool {
    query.terms.iter().all(|term| {
        term.alternatives
            .iter()
            .any(|alternative| keys.iter().any(|key| &key.key == alternative))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use puente_core::domain::PhoneNumber;

    fn person(given: &str, surname: &str, second: Option<&str>) -> Person {
        Person {
            given_name: given.into(),
            surname: surname.into(),
            second_surname: second.map(str::to_string),
            ..Person::default()
        }
    }

    fn finds(query: &str, person: &Person) -> bool {
        let keys = person_search_keys(person, &[7]);
        matches(&parse_query(query, Country::from_alpha_2("GT")), &keys)
    }

    #[test]
    fn names_are_found_however_they_were_written() {
        let jose = person("José", "Hernández", Some("Díaz"));
        for query in [
            "jose ernandes",
            "José Hernández",
            "JOSE HERNANDEZ DIAZ",
            "Chepe",
            "pepe hernandes",
            "hernandez",
            "diaz jose",
        ] {
            assert!(finds(query, &jose), "{query} finds José Hernández Díaz");
        }
        for query in ["maria", "jose lopez", "chepe garcia"] {
            assert!(
                !finds(query, &jose),
                "{query} does not find José Hernández Díaz"
            );
        }
    }

    #[test]
    fn particles_and_compound_surnames() {
        let juan = person("Juan", "De la Cruz", None);
        assert!(finds("juan de la cruz", &juan));
        assert!(finds("delacruz", &juan));
        assert!(finds("cruz", &juan));
    }

    #[test]
    fn phones_are_found_by_their_digits_including_panama() {
        let mut ana = person("Ana", "Pérez", None);
        ana.nationality = Country::from_alpha_2("PA");
        ana.phone = Some(PhoneNumber::parse("+507 6666-7777", None).unwrap());
        for query in [
            "6666-7777",
            "+507 6666 7777",
            "50766667777",
            "(507) 6666-7777",
        ] {
            assert!(finds(query, &ana), "{query}");
        }
        assert!(!finds("6666-7778", &ana));
        let mut landline = person("Luis", "Mora", None);
        landline.nationality = Country::from_alpha_2("PA");
        landline.phone = Some(PhoneNumber::parse("223-4567", landline.nationality).unwrap());
        assert!(finds("507 223 4567", &landline));
        assert!(finds("223-4567", &landline));
    }

    #[test]
    fn case_numbers_are_found() {
        let ana = person("Ana", "Pérez", None);
        assert!(finds("7", &ana));
        assert!(finds("#7", &ana));
        assert!(finds("ana 7", &ana));
        assert!(!finds("8", &ana));
    }

    #[test]
    fn nicknames_and_swapped_fields_share_a_blocking_key() {
        let jose = person("José", "Hernández", Some("Díaz"));
        let chepe = person("Chepe", "Hernandes", None);
        let swapped = person("Hernández", "José", None);
        let lookup = duplicate_lookup_keys(&chepe);
        let stored: Vec<String> = person_search_keys(&jose, &[])
            .into_iter()
            .map(|key| key.key)
            .collect();
        assert!(lookup.iter().any(|key| stored.contains(key)));
        let lookup = duplicate_lookup_keys(&swapped);
        assert!(lookup.iter().any(|key| stored.contains(key)));
        let other = duplicate_lookup_keys(&person("María", "López", None));
        assert!(!other.iter().any(|key| stored.contains(key)));
    }
}
