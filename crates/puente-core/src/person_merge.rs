//! Merging two records of one person without losing anything: the rule that decides, field by
//! field, which record's value the merged person takes.
//!
//! A supervisor sees the two records side by side and picks, for each field, the value of the
//! record kept or of the record merged into it. Before they pick, each field is preset by
//! [`default_choices`]: the value that is not empty, and when both have one, the value of the
//! record changed most recently. Two spellings that differ only by accents or case ("Hernandez",
//! "Hernández") are one value written twice: the one with accents is preset, so a merge never
//! takes the accents out of a name. [`merged_person`] applies the choices.
//!
//! Nothing here reads a clock or a database: the two persons and when each was last changed
//! (ISO-8601 texts, which order as times do) come in, the choices and the merged person go out.

use serde::{Deserialize, Serialize};

use crate::domain::Person;
use crate::lang::{Label, Lang};
use crate::vocabulary::Vocabulary;

/// A field of a person record that a merge decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonField {
    GivenName,
    MiddleName,
    Surname,
    SecondSurname,
    Alias,
    Sex,
    DateOfBirth,
    EstimatedAge,
    Nationality,
    Languages,
    Phone,
    CurrentCountry,
    CurrentPlace,
}

impl PersonField {
    /// Every field, in the order a record is read.
    pub const ALL: [PersonField; 13] = [
        PersonField::GivenName,
        PersonField::MiddleName,
        PersonField::Surname,
        PersonField::SecondSurname,
        PersonField::Alias,
        PersonField::Sex,
        PersonField::DateOfBirth,
        PersonField::EstimatedAge,
        PersonField::Nationality,
        PersonField::Languages,
        PersonField::Phone,
        PersonField::CurrentCountry,
        PersonField::CurrentPlace,
    ];

    /// The field's code, as the API and the forms name it.
    pub fn code(self) -> &'static str {
        match self {
            PersonField::GivenName => "given_name",
            PersonField::MiddleName => "middle_name",
            PersonField::Surname => "surname",
            PersonField::SecondSurname => "second_surname",
            PersonField::Alias => "alias",
            PersonField::Sex => "sex",
            PersonField::DateOfBirth => "date_of_birth",
            PersonField::EstimatedAge => "estimated_age",
            PersonField::Nationality => "nationality",
            PersonField::Languages => "languages",
            PersonField::Phone => "phone",
            PersonField::CurrentCountry => "current_country",
            PersonField::CurrentPlace => "current_place",
        }
    }

    /// The field named by its code.
    pub fn from_code(code: &str) -> Option<PersonField> {
        PersonField::ALL
            .into_iter()
            .find(|field| field.code() == code)
    }

    /// The field's name in Spanish and English.
    pub fn label(self) -> Label {
        let (es, en) = match self {
            PersonField::GivenName => ("Nombre", "Given name"),
            PersonField::MiddleName => ("Segundo nombre", "Middle name"),
            PersonField::Surname => ("Primer apellido", "Surname"),
            PersonField::SecondSurname => ("Segundo apellido", "Second surname"),
            PersonField::Alias => ("Alias o apodo", "Alias or nickname"),
            PersonField::Sex => ("Sexo", "Sex"),
            PersonField::DateOfBirth => ("Fecha de nacimiento", "Date of birth"),
            PersonField::EstimatedAge => ("Edad estimada", "Estimated age"),
            PersonField::Nationality => ("Nacionalidad", "Nationality"),
            PersonField::Languages => ("Idiomas", "Languages"),
            PersonField::Phone => ("Teléfono", "Phone"),
            PersonField::CurrentCountry => ("País donde está", "Country now"),
            PersonField::CurrentPlace => ("Lugar donde está", "Place now"),
        };
        Label { es, en }
    }

    /// The field's value in `person` as a reader sees it (country names and sexes in `lang`);
    /// `None` when the field is empty.
    pub fn shown_value(self, person: &Person, lang: Lang) -> Option<String> {
        let text = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_string)
        };
        match self {
            PersonField::GivenName => {
                Some(person.given_name.trim().to_string()).filter(|value| !value.is_empty())
            }
            PersonField::MiddleName => text(&person.middle_name),
            PersonField::Surname => {
                Some(person.surname.trim().to_string()).filter(|value| !value.is_empty())
            }
            PersonField::SecondSurname => text(&person.second_surname),
            PersonField::Alias => text(&person.alias),
            PersonField::Sex => person.sex.map(|sex| sex.label().get(lang).to_string()),
            PersonField::DateOfBirth => person.date_of_birth.map(|date| date.to_string()),
            PersonField::EstimatedAge => person.estimated_age.map(|age| age.to_string()),
            PersonField::Nationality => person
                .nationality
                .map(|country| country.name(lang).to_string()),
            PersonField::Languages => {
                Some(person.languages.join(", ")).filter(|value| !value.is_empty())
            }
            PersonField::Phone => person.phone.as_ref().map(|phone| phone.to_string()),
            PersonField::CurrentCountry => person
                .current_country
                .map(|country| country.name(lang).to_string()),
            PersonField::CurrentPlace => text(&person.current_place),
        }
    }

    /// Copies this field's value from `from` into `into`.
    fn copy(self, from: &Person, into: &mut Person) {
        match self {
            PersonField::GivenName => into.given_name = from.given_name.clone(),
            PersonField::MiddleName => into.middle_name = from.middle_name.clone(),
            PersonField::Surname => into.surname = from.surname.clone(),
            PersonField::SecondSurname => into.second_surname = from.second_surname.clone(),
            PersonField::Alias => into.alias = from.alias.clone(),
            PersonField::Sex => into.sex = from.sex,
            PersonField::DateOfBirth => into.date_of_birth = from.date_of_birth,
            PersonField::EstimatedAge => into.estimated_age = from.estimated_age,
            PersonField::Nationality => into.nationality = from.nationality,
            PersonField::Languages => into.languages = from.languages.clone(),
            PersonField::Phone => into.phone = from.phone.clone(),
            PersonField::CurrentCountry => into.current_country = from.current_country,
            PersonField::CurrentPlace => into.current_place = from.current_place.clone(),
        }
    }
}

/// Which record a field's value is taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeSide {
    /// The record kept.
    Kept,
    /// The record merged into it.
    Merged,
}

impl MergeSide {
    pub fn code(self) -> &'static str {
        match self {
            MergeSide::Kept => "kept",
            MergeSide::Merged => "merged",
        }
    }

    pub fn from_code(code: &str) -> Option<MergeSide> {
        match code {
            "kept" => Some(MergeSide::Kept),
            "merged" => Some(MergeSide::Merged),
            _ => None,
        }
    }
}

/// The record one field's value is taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChoice {
    pub field: PersonField,
    pub side: MergeSide,
}

/// A person record with when it was last changed (ISO-8601, as stored).
#[derive(Clone, Copy, Debug)]
pub struct DatedPerson<'a> {
    pub person: &'a Person,
    pub updated_at: &'a str,
}

/// A text with the accents of Spanish and Portuguese taken out and in lower case, to tell two
/// spellings of one value from two values.
fn folded(text: &str) -> String {
    text.trim()
        .chars()
        .map(|character| match character {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
            'ñ' | 'Ñ' => 'n',
            'ç' | 'Ç' => 'c',
            other => other.to_ascii_lowercase(),
        })
        .collect()
}

/// How many letters of a text carry an accent (or are not plain ASCII).
fn accented_letters(text: &str) -> usize {
    text.chars()
        .filter(|character| !character.is_ascii())
        .count()
}

/// The preset choice of each field, in [`PersonField::ALL`]'s order: the non-empty value; when
/// both records have one, the same value spelt with more accents, else the value of the record
/// changed most recently (the record kept on a tie).
pub fn default_choices(kept: DatedPerson<'_>, merged: DatedPerson<'_>) -> Vec<FieldChoice> {
    let merged_is_newer = merged.updated_at > kept.updated_at;
    PersonField::ALL
        .into_iter()
        .map(|field| {
            let kept_value = field.shown_value(kept.person, Lang::Es);
            let merged_value = field.shown_value(merged.person, Lang::Es);
            let side = match (kept_value, merged_value) {
                (_, None) => MergeSide::Kept,
                (None, Some(_)) => MergeSide::Merged,
                (Some(kept_value), Some(merged_value)) => {
                    if folded(&kept_value) == folded(&merged_value) {
                        if accented_letters(&merged_value) > accented_letters(&kept_value) {
                            MergeSide::Merged
                        } else {
                            MergeSide::Kept
                        }
                    } else if merged_is_newer {
                        MergeSide::Merged
                    } else {
                        MergeSide::Kept
                    }
                }
            };
            FieldChoice { field, side }
        })
        .collect()
}

/// The preset choices with the supervisor's picks over them (a field picked twice takes the
/// last pick).
pub fn choices_with_picks(defaults: &[FieldChoice], picks: &[FieldChoice]) -> Vec<FieldChoice> {
    defaults
        .iter()
        .map(|default| {
            picks
                .iter()
                .rev()
                .find(|pick| pick.field == default.field)
                .copied()
                .unwrap_or(*default)
        })
        .collect()
}

/// The person the kept record becomes: each field from the record its choice names (a field
/// without a choice keeps the kept record's value).
pub fn merged_person(kept: &Person, merged: &Person, choices: &[FieldChoice]) -> Person {
    let mut result = kept.clone();
    for choice in choices {
        if choice.side == MergeSide::Merged {
            choice.field.copy(merged, &mut result);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PhoneNumber;
    use crate::htcds::Gender;
    use crate::Country;

    fn fuller() -> Person {
        Person {
            given_name: "Jorge".into(),
            middle_name: Some("José".into()),
            surname: "Hernández".into(),
            second_surname: Some("Díaz".into()),
            sex: Some(Gender::Male),
            nationality: Country::from_alpha_2("HN"),
            current_place: Some("Choluteca".into()),
            ..Person::default()
        }
    }

    fn sparser() -> Person {
        Person {
            given_name: "Jorge".into(),
            surname: "Hernandez".into(),
            second_surname: Some("Diaz".into()),
            phone: Some(PhoneNumber::parse("+504 9999 0101", None).unwrap()),
            current_place: Some("San Pedro Sula".into()),
            ..Person::default()
        }
    }

    /// The presets for two records changed at the given times.
    fn presets(kept: &Person, kept_at: &str, merged: &Person, merged_at: &str) -> Vec<FieldChoice> {
        default_choices(
            DatedPerson {
                person: kept,
                updated_at: kept_at,
            },
            DatedPerson {
                person: merged,
                updated_at: merged_at,
            },
        )
    }

    fn side_of(choices: &[FieldChoice], field: PersonField) -> MergeSide {
        choices
            .iter()
            .find(|choice| choice.field == field)
            .unwrap()
            .side
    }

    #[test]
    fn the_preset_keeps_every_non_empty_value_and_the_accents() {
        let kept = sparser();
        let merged = fuller();
        // The sparser record was changed last, and it is the one kept.
        let choices = presets(
            &kept,
            "2026-11-30T10:00:00Z",
            &merged,
            "2026-11-01T10:00:00Z",
        );
        assert_eq!(choices.len(), PersonField::ALL.len());
        let result = merged_person(&kept, &merged, &choices);
        assert_eq!(result.full_name(), "Jorge José Hernández Díaz");
        assert_eq!(result.sex, Some(Gender::Male));
        assert_eq!(result.nationality, Country::from_alpha_2("HN"));
        assert_eq!(result.phone, kept.phone);
        // Two different places: the most recent record's.
        assert_eq!(result.current_place.as_deref(), Some("San Pedro Sula"));
        assert_eq!(
            side_of(&choices, PersonField::CurrentPlace),
            MergeSide::Kept
        );
        assert_eq!(side_of(&choices, PersonField::Surname), MergeSide::Merged);
    }

    #[test]
    fn when_the_merged_record_is_newer_its_different_values_are_preset() {
        let kept = fuller();
        let merged = sparser();
        let choices = presets(
            &kept,
            "2026-11-01T10:00:00Z",
            &merged,
            "2026-11-30T10:00:00Z",
        );
        let result = merged_person(&kept, &merged, &choices);
        assert_eq!(result.current_place.as_deref(), Some("San Pedro Sula"));
        // The same name without accents is not "different": the accents stay.
        assert_eq!(result.full_name(), "Jorge José Hernández Díaz");
        assert_eq!(result.phone, merged.phone);
    }

    #[test]
    fn the_supervisors_picks_override_the_preset() {
        let kept = fuller();
        let merged = sparser();
        let defaults = presets(
            &kept,
            "2026-11-30T10:00:00Z",
            &merged,
            "2026-11-01T10:00:00Z",
        );
        assert_eq!(
            side_of(&defaults, PersonField::CurrentPlace),
            MergeSide::Kept
        );
        let choices = choices_with_picks(
            &defaults,
            &[FieldChoice {
                field: PersonField::CurrentPlace,
                side: MergeSide::Merged,
            }],
        );
        let result = merged_person(&kept, &merged, &choices);
        assert_eq!(result.current_place.as_deref(), Some("San Pedro Sula"));
        assert_eq!(result.middle_name.as_deref(), Some("José"));
    }

    #[test]
    fn every_field_has_a_code_and_both_labels() {
        for field in PersonField::ALL {
            assert_eq!(PersonField::from_code(field.code()), Some(field));
            assert!(!field.label().es.is_empty() && !field.label().en.is_empty());
        }
        assert_eq!(PersonField::from_code("nombre"), None);
    }
}
