//! What changed between two versions of a case, field by field, as a person reads it: the field's
//! label and its old and new values in Spanish and English (vocabulary labels, country names and
//! dates, never codes). Consents are left out: they are recorded and withdrawn through their own
//! actions, never by a case version.
//!
//! Pure: two cases in, the list of changes out, in the order the case form shows the fields.

use serde::Serialize;

use crate::domain::{Case, PartialDate, Person};
use crate::vocabulary::Vocabulary;
use crate::{Country, Label, Lang};

/// A value as it is shown, in both languages (free text is the same in both).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShownValue {
    pub es: String,
    pub en: String,
}

impl ShownValue {
    fn text(text: &str) -> ShownValue {
        ShownValue {
            es: text.to_string(),
            en: text.to_string(),
        }
    }

    fn label(label: Label) -> ShownValue {
        ShownValue {
            es: label.es.to_string(),
            en: label.en.to_string(),
        }
    }

    /// The value in one language.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Es => &self.es,
            Lang::En => &self.en,
        }
    }
}

/// One changed field: its code (a stable path such as `person.surname`), its label, the values
/// before and after (absent when empty), and whether the values identify the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub label: Label,
    pub before: Option<ShownValue>,
    pub after: Option<ShownValue>,
    /// The values identify the person (names, date of birth, contact, places, free text): reading
    /// them is audited.
    pub identifying: bool,
}

/// A field of a case, how it is labelled and how its value is shown.
struct Field {
    code: &'static str,
    label: Label,
    identifying: bool,
    show: fn(&Case) -> Option<ShownValue>,
}

fn text(value: &Option<String>) -> Option<ShownValue> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(ShownValue::text)
}

fn plain(value: &str) -> Option<ShownValue> {
    let value = value.trim();
    (!value.is_empty()).then(|| ShownValue::text(value))
}

fn code<V: Vocabulary>(value: Option<V>) -> Option<ShownValue> {
    value.map(|value| ShownValue::label(value.label()))
}

fn country(value: Option<Country>) -> Option<ShownValue> {
    value.map(|country| ShownValue::label(country.label()))
}

fn date(value: Option<PartialDate>) -> Option<ShownValue> {
    value.map(|date| ShownValue::text(&date.to_string()))
}

/// A list of vocabulary values, joined by commas in each language.
fn codes<V: Vocabulary>(values: &[V]) -> Option<ShownValue> {
    if values.is_empty() {
        return None;
    }
    let join = |lang: Lang| {
        values
            .iter()
            .map(|value| value.label().get(lang))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(ShownValue {
        es: join(Lang::Es),
        en: join(Lang::En),
    })
}

/// Lines of a list (events, perpetrators, support items), joined by "; ", in each language.
fn lines(lines: Vec<ShownValue>) -> Option<ShownValue> {
    if lines.is_empty() {
        return None;
    }
    let join = |lang: Lang| {
        lines
            .iter()
            .map(|line| line.get(lang).to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    Some(ShownValue {
        es: join(Lang::Es),
        en: join(Lang::En),
    })
}

/// Parts of one line, without the empty ones, joined by " · ".
fn line(parts: Vec<Option<ShownValue>>) -> ShownValue {
    let parts: Vec<ShownValue> = parts.into_iter().flatten().collect();
    let join = |lang: Lang| {
        parts
            .iter()
            .map(|part| part.get(lang).to_string())
            .collect::<Vec<_>>()
            .join(" · ")
    };
    ShownValue {
        es: join(Lang::Es),
        en: join(Lang::En),
    }
}

fn person(case: &Case) -> &Person {
    &case.person
}

const fn label(es: &'static str, en: &'static str) -> Label {
    Label { es, en }
}

/// The fields compared, in the order the case form shows them.
const FIELDS: &[Field] = &[
    Field {
        code: "person.given_name",
        label: label("Nombre", "Given name"),
        identifying: true,
        show: |case| plain(&person(case).given_name),
    },
    Field {
        code: "person.middle_name",
        label: label("Segundo nombre", "Middle name"),
        identifying: true,
        show: |case| text(&person(case).middle_name),
    },
    Field {
        code: "person.surname",
        label: label("Primer apellido", "Surname"),
        identifying: true,
        show: |case| plain(&person(case).surname),
    },
    Field {
        code: "person.second_surname",
        label: label("Segundo apellido", "Second surname"),
        identifying: true,
        show: |case| text(&person(case).second_surname),
    },
    Field {
        code: "person.alias",
        label: label("Alias o apodo", "Alias or nickname"),
        identifying: true,
        show: |case| text(&person(case).alias),
    },
    Field {
        code: "person.sex",
        label: label("Sexo", "Sex"),
        identifying: false,
        show: |case| code(person(case).sex),
    },
    Field {
        code: "person.date_of_birth",
        label: label("Fecha de nacimiento", "Date of birth"),
        identifying: true,
        show: |case| date(person(case).date_of_birth),
    },
    Field {
        code: "person.estimated_age",
        label: label("Edad estimada", "Estimated age"),
        identifying: false,
        show: |case| {
            person(case)
                .estimated_age
                .map(|age| ShownValue::text(&age.to_string()))
        },
    },
    Field {
        code: "person.nationality",
        label: label("Nacionalidad", "Nationality"),
        identifying: false,
        show: |case| country(person(case).nationality),
    },
    Field {
        code: "person.languages",
        label: label("Idiomas", "Languages"),
        identifying: false,
        show: |case| plain(&person(case).languages.join(", ")),
    },
    Field {
        code: "person.phone",
        label: label("Teléfono", "Phone"),
        identifying: true,
        show: |case| {
            person(case)
                .phone
                .as_ref()
                .map(|phone| ShownValue::text(phone.as_str()))
        },
    },
    Field {
        code: "person.current_country",
        label: label("País donde está ahora", "Country where they are now"),
        identifying: false,
        show: |case| country(person(case).current_country),
    },
    Field {
        code: "person.current_place",
        label: label("Lugar donde está ahora", "Place where they are now"),
        identifying: true,
        show: |case| text(&person(case).current_place),
    },
    Field {
        code: "status",
        label: label("Estado del caso", "Case status"),
        identifying: false,
        show: |case| code(Some(case.status)),
    },
    Field {
        code: "victim.trafficking_status",
        label: label("Situación de trata", "Trafficking status"),
        identifying: false,
        show: |case| code(case.victim.trafficking_status),
    },
    Field {
        code: "victim.status_decided_by",
        label: label("Situación decidida por", "Status decided by"),
        identifying: false,
        show: |case| code(case.victim.status_decided_by),
    },
    Field {
        code: "victim.recruitment_methods",
        label: label("Formas de captación", "Methods of recruitment"),
        identifying: false,
        show: |case| codes(&case.victim.recruitment_methods),
    },
    Field {
        code: "victim.methods_of_control",
        label: label("Formas de control", "Methods of control"),
        identifying: false,
        show: |case| codes(&case.victim.methods_of_control),
    },
    Field {
        code: "victim.types_of_exploitation",
        label: label("Tipos de explotación", "Types of exploitation"),
        identifying: false,
        show: |case| codes(&case.victim.types_of_exploitation),
    },
    Field {
        code: "victim.types_of_labour",
        label: label("Tipos de trabajo", "Types of labour"),
        identifying: false,
        show: |case| codes(&case.victim.types_of_labour),
    },
    Field {
        code: "victim.labour_industries",
        label: label("Sectores de trabajo", "Labour industries"),
        identifying: false,
        show: |case| codes(&case.victim.labour_industries),
    },
    Field {
        code: "victim.types_of_sex_exploitation",
        label: label(
            "Tipos de explotación sexual",
            "Types of sexual exploitation",
        ),
        identifying: false,
        show: |case| codes(&case.victim.types_of_sex_exploitation),
    },
    Field {
        code: "victim.relationship_to_trafficker",
        label: label("Relación con el tratante", "Relationship to the trafficker"),
        identifying: false,
        show: |case| codes(&case.victim.relationship_to_trafficker),
    },
    Field {
        code: "victim.vulnerabilities",
        label: label("Vulnerabilidades", "Vulnerabilities"),
        identifying: false,
        show: |case| codes(&case.victim.vulnerabilities),
    },
    Field {
        code: "victim.agreement_to_manage_personal_data",
        label: label(
            "Acepta que se gestionen sus datos",
            "Agrees to the management of their data",
        ),
        identifying: false,
        show: |case| {
            Some(ShownValue::label(
                if case.victim.agreement_to_manage_personal_data {
                    label("Sí", "Yes")
                } else {
                    label("No", "No")
                },
            ))
        },
    },
    Field {
        code: "events",
        label: label("Ruta", "Route"),
        identifying: true,
        show: |case| {
            lines(
                case.events
                    .iter()
                    .map(|event| {
                        line(vec![
                            code(Some(event.kind)),
                            country(event.country),
                            text(&event.place),
                            date(event.date),
                            text(&event.description),
                        ])
                    })
                    .collect(),
            )
        },
    },
    Field {
        code: "perpetrators",
        label: label("Perpetradores", "Perpetrators"),
        identifying: true,
        show: |case| {
            lines(
                case.perpetrators
                    .iter()
                    .map(|perpetrator| {
                        line(vec![
                            codes(&perpetrator.roles),
                            country(perpetrator.nationality),
                            text(&perpetrator.description),
                        ])
                    })
                    .collect(),
            )
        },
    },
    Field {
        code: "support_plan",
        label: label("Plan de apoyo", "Support plan"),
        identifying: true,
        show: |case| {
            lines(
                case.support_plan
                    .iter()
                    .map(|item| {
                        line(vec![
                            code(Some(item.kind)),
                            code(Some(item.status)),
                            text(&item.provider),
                            date(item.due),
                            text(&item.notes),
                        ])
                    })
                    .collect(),
            )
        },
    },
];

/// The fields whose shown value differs between `before` and `after`, in the form's order. With
/// no `before` (the first version), every field that has a value is a change from nothing.
pub fn case_changes(before: Option<&Case>, after: &Case) -> Vec<FieldChange> {
    FIELDS
        .iter()
        .filter_map(|field| {
            let old = before.and_then(|case| (field.show)(case));
            let new = (field.show)(after);
            (old != new).then_some(FieldChange {
                field: field.code,
                label: field.label,
                before: old,
                after: new,
                identifying: field.identifying,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TraffickingEvent;
    use crate::htcds::{CaseStatus, Gender, TraffickingEventType, Vulnerability};

    fn case() -> Case {
        Case::new(Person {
            given_name: "Jorge".into(),
            middle_name: Some("José".into()),
            surname: "Hernández".into(),
            second_surname: Some("Díaz".into()),
            sex: Some(Gender::Male),
            nationality: Country::from_alpha_2("HN"),
            ..Person::default()
        })
    }

    #[test]
    fn an_unchanged_case_has_no_changes() {
        assert_eq!(case_changes(Some(&case()), &case()), Vec::new());
    }

    #[test]
    fn a_changed_name_shows_its_old_and_new_value_and_is_identifying() {
        let mut after = case();
        after.person.second_surname = None;
        after.person.surname = "Hernandez".into();
        let changes = case_changes(Some(&case()), &after);
        let fields: Vec<&str> = changes.iter().map(|change| change.field).collect();
        assert_eq!(fields, ["person.surname", "person.second_surname"]);
        assert_eq!(changes[0].before, Some(ShownValue::text("Hernández")));
        assert_eq!(changes[0].after, Some(ShownValue::text("Hernandez")));
        assert_eq!(changes[1].after, None);
        assert!(changes.iter().all(|change| change.identifying));
        assert_eq!(changes[0].label.es, "Primer apellido");
    }

    #[test]
    fn codes_are_shown_as_labels_in_both_languages() {
        let mut after = case();
        after.status = CaseStatus::ClosedReferred;
        after.person.nationality = Country::from_alpha_2("GT");
        after.victim.vulnerabilities = vec![Vulnerability::Poverty, Vulnerability::Migration];
        let changes = case_changes(Some(&case()), &after);
        let nationality = changes
            .iter()
            .find(|change| change.field == "person.nationality")
            .unwrap();
        assert_eq!(nationality.before.as_ref().unwrap().es, "Honduras");
        assert_eq!(nationality.after.as_ref().unwrap().en, "Guatemala");
        assert!(!nationality.identifying);
        let vulnerabilities = changes
            .iter()
            .find(|change| change.field == "victim.vulnerabilities")
            .unwrap();
        assert_eq!(
            vulnerabilities.after.as_ref().unwrap().es,
            "Pobreza, Migración"
        );
        let status = changes
            .iter()
            .find(|change| change.field == "status")
            .unwrap();
        assert_ne!(status.after.as_ref().unwrap().es, "ClosedReferred");
        assert_eq!(
            status.after.as_ref().unwrap().es,
            CaseStatus::ClosedReferred.label().es
        );
    }

    #[test]
    fn a_new_event_is_a_change_of_the_route() {
        let mut after = case();
        after.events.push(TraffickingEvent {
            kind: TraffickingEventType::Recruitment,
            country: Country::from_alpha_2("HN"),
            place: Some("Choluteca".into()),
            date: Some("2026-03".parse().unwrap()),
            description: None,
        });
        let changes = case_changes(Some(&case()), &after);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "events");
        assert_eq!(changes[0].before, None);
        let shown = &changes[0].after.as_ref().unwrap().es;
        assert!(
            shown.contains("Honduras") && shown.contains("Choluteca"),
            "{shown}"
        );
    }

    #[test]
    fn the_first_version_lists_every_field_with_a_value() {
        let changes = case_changes(None, &case());
        let fields: Vec<&str> = changes.iter().map(|change| change.field).collect();
        assert!(fields.contains(&"person.given_name"));
        assert!(fields.contains(&"status"));
        assert!(!fields.contains(&"person.alias"));
        assert!(changes.iter().all(|change| change.before.is_none()));
    }
}
