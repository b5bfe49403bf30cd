//! The words for the variables and values of every CTDC release, in Spanish and English, so that
//! pages show labels and not the releases' codes (`meansThreats`, `Man`, `HND`, `9--17`).

use super::releases::CtdcRelease;
use crate::country::Country;
use crate::lang::{Label, Lang};

/// The label of a CTDC variable of any release, or `None` for a column that has none here (the
/// caller then shows the column's name).
pub fn variable_label(column: &str) -> Option<Label> {
    let (es, en) = match column {
        "yearOfRegistration" | "yearRegister" => ("Año de registro", "Year of registration"),
        "gender" => ("Género", "Gender"),
        "ageBroad" => ("Grupo de edad", "Age group"),
        "majorityStatus" => ("Mayoría de edad", "Majority status"),
        "citizenship" => ("Ciudadanía", "Citizenship"),
        "CountryOfExploitation" => ("País de explotación", "Country of exploitation"),
        "traffickMonths" => ("Duración de la trata", "Length of trafficking"),
        "meansDebtBondageEarnings" => (
            "Control: servidumbre por deudas o retención de ganancias",
            "Control: debt bondage or taking earnings",
        ),
        "meansThreats" => ("Control: amenazas", "Control: threats"),
        "meansAbusePsyPhySex" => (
            "Control: abuso psicológico, físico o sexual",
            "Control: psychological, physical or sexual abuse",
        ),
        "meansFalsePromises" => ("Control: falsas promesas", "Control: false promises"),
        "meansDrugsAlcohol" => ("Control: drogas o alcohol", "Control: drugs or alcohol"),
        "meansDenyBasicNeeds" => (
            "Control: privación de necesidades básicas",
            "Control: denial of basic needs",
        ),
        "meansExcessiveWorkHours" => (
            "Control: jornadas excesivas",
            "Control: excessive working hours",
        ),
        "meansWithholdDocs" => (
            "Control: retención de documentos",
            "Control: withholding documents",
        ),
        "isForcedLabour" => ("Trabajo forzoso", "Forced labour"),
        "isSexualExploit" => ("Explotación sexual", "Sexual exploitation"),
        "isOtherExploit" => ("Otra explotación", "Other exploitation"),
        "typeOfLabourAgriculture" => ("Trabajo: agricultura", "Labour: agriculture"),
        "typeOfLabourConstruction" => ("Trabajo: construcción", "Labour: construction"),
        "typeOfLabourDomesticWork" => ("Trabajo: doméstico", "Labour: domestic work"),
        "typeOfLabourHospitality" => ("Trabajo: hostelería", "Labour: hospitality"),
        "typeOfSexProstitution" => ("Explotación sexual: prostitución", "Sex: prostitution"),
        "typeOfSexPornography" => ("Explotación sexual: pornografía", "Sex: pornography"),
        "recruiterRelationIntimatePartner" => (
            "Captador: pareja sentimental",
            "Recruiter: intimate partner",
        ),
        "recruiterRelationFriend" => ("Captador: amistad", "Recruiter: friend"),
        "recruiterRelationFamily" => ("Captador: familiar", "Recruiter: family member"),
        "recruiterRelationOther" => ("Captador: otra relación", "Recruiter: other relation"),
        "UN_COO_Region" => ("Región de origen (ONU)", "Region of origin (UN)"),
        "UN_COE_Region" => ("Región de explotación (ONU)", "Region of exploitation (UN)"),
        "IP_Exploiter" => ("Perpetrador: explotador", "Perpetrator: exploiter"),
        "IP_Gender" => ("Género del perpetrador", "Perpetrator's gender"),
        "IP_ageBroad" => ("Edad del perpetrador", "Perpetrator's age"),
        "IP_citizen_UNRegion" => (
            "Región de ciudadanía del perpetrador (ONU)",
            "Perpetrator's region of citizenship (UN)",
        ),
        "IP_Relation" => ("Relación con el perpetrador", "Relation to the perpetrator"),
        "IP_PayMoney" => ("Perpetrador: recibió pago", "Perpetrator: was paid"),
        "IP_RecruiterBroker" => (
            "Perpetrador: captador o intermediario",
            "Perpetrator: recruiter or broker",
        ),
        "IP_TransactionProcess" => (
            "Perpetrador: intervino en la transacción",
            "Perpetrator: took part in the transaction",
        ),
        "IP_ControlAbuseKidnap" => (
            "Perpetrador: control, abuso o secuestro",
            "Perpetrator: control, abuse or kidnap",
        ),
        _ => return None,
    };
    Some(Label { es, en })
}

/// The name of a release in Spanish and English.
pub fn release_label(release: CtdcRelease) -> Label {
    let (es, en) = match release {
        CtdcRelease::GlobalDataset => (
            "Conjunto de datos global, 2020 y 2021 (63 columnas)",
            "Global Dataset, 2020 and 2021 (63 columns)",
        ),
        CtdcRelease::GlobalDataset2017 => (
            "Conjunto de datos global, 2017 a 2019 (58 columnas)",
            "Global Dataset, 2017 to 2019 (58 columns)",
        ),
        CtdcRelease::GlobalSynthetic => (
            "Conjunto de datos sintético global (27 variables)",
            "Global Synthetic Dataset (27 variables)",
        ),
        CtdcRelease::VictimPerpetratorSynthetic => (
            "Conjunto sintético víctima-perpetrador (16 variables)",
            "Victim-Perpetrator Synthetic Dataset (16 variables)",
        ),
    };
    Label { es, en }
}

/// A variable's label in `lang`, or the column's name when it has none.
pub fn variable_text(column: &str, lang: Lang) -> String {
    variable_label(column)
        .map(|label| label.get(lang).to_string())
        .unwrap_or_else(|| column.to_string())
}

/// Whether a column of a synthetic release is a flag (`1` or empty).
pub fn is_flag_column(column: &str) -> bool {
    column.starts_with("means")
        || column.starts_with("is")
        || column.starts_with("typeOf")
        || column.starts_with("recruiterRelation")
}

/// A value of a CTDC variable as people read it in `lang`. `value` is one value (a multi-valued
/// cell split first); an empty value is "not recorded", except for a flag, where it is "no".
pub fn value_text(column: &str, value: &str, lang: Lang) -> String {
    let pick = |es: &str, en: &str| match lang {
        Lang::Es => es.to_string(),
        Lang::En => en.to_string(),
    };
    let value = value.trim();
    if is_flag_column(column) {
        return match value {
            "1" | "true" | "True" => pick("Sí", "Yes"),
            _ => pick("No (o no consta)", "No (or not recorded)"),
        };
    }
    if value.is_empty() || value == "-99" {
        return pick("No consta", "Not recorded");
    }
    let country =
        |code: &str| Country::from_code(code).map(|country| country.name(lang).to_string());
    if matches!(column, "citizenship" | "CountryOfExploitation") {
        if let Some(name) = country(value) {
            return name;
        }
    }
    if let Some(band) = age_band_text(value, lang) {
        return band;
    }
    match value {
        "Man" | "Male" => pick("Hombre", "Man"),
        "Woman" | "Female" => pick("Mujer", "Woman"),
        "Trans/Transgender/NonConforming" | "Transgender/NonConforming" => {
            pick("Trans o no conforme", "Trans or non-conforming")
        }
        "Unknown" | "unknown" => pick("Desconocido", "Unknown"),
        "Minor" => pick("Menor de edad", "Minor"),
        "Adult" => pick("Persona adulta", "Adult"),
        "Yes" | "1" => pick("Sí", "Yes"),
        "No" => pick("No", "No"),
        "Africa" => pick("África", "Africa"),
        "Americas/Oceania" | "Americas" => pick("América y Oceanía", "Americas and Oceania"),
        "Asia" => pick("Asia", "Asia"),
        "Europe" => pick("Europa", "Europe"),
        "FamilyIntimatePartner" => pick("Familiar o pareja", "Family or intimate partner"),
        "FriendAcquaintance" => pick("Amistad o conocido", "Friend or acquaintance"),
        "StrangerUnknownOther" => pick("Desconocido u otra relación", "Stranger, unknown or other"),
        "0--12 (0-1 yr)" => pick("Hasta 12 meses", "Up to 12 months"),
        "13--24 (1-2 yrs)" => pick("De 13 a 24 meses", "13 to 24 months"),
        "25+ (2+ yrs)" => pick("25 meses o más", "25 months or more"),
        other => match other.split_once('-') {
            // A range of years (`2005-2013`) of the Victim-Perpetrator dataset.
            Some((from, to))
                if from.len() == 4
                    && to.len() == 4
                    && from.chars().chain(to.chars()).all(|c| c.is_ascii_digit()) =>
            {
                pick(&format!("{from} a {to}"), &format!("{from} to {to}"))
            }
            _ => other.to_string(),
        },
    }
}

/// An age band (`9--17`, `09--17`, `48+`) as words, or `None` for a value that is not one.
fn age_band_text(value: &str, lang: Lang) -> Option<String> {
    if let Some(low) = value.strip_suffix('+') {
        let low: u32 = low.parse().ok()?;
        return Some(match lang {
            Lang::Es => format!("{low} años o más"),
            Lang::En => format!("{low} years or more"),
        });
    }
    let (low, high) = value.split_once("--")?;
    let low: u32 = low.parse().ok()?;
    let high: u32 = high.parse().ok()?;
    Some(match lang {
        Lang::Es => format!("{low} a {high} años"),
        Lang::En => format!("{low} to {high} years"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctdc::releases::{GLOBAL_SYNTHETIC_COLUMNS, VICTIM_PERPETRATOR_COLUMNS};

    #[test]
    fn every_synthetic_variable_has_a_label_in_both_languages() {
        for column in GLOBAL_SYNTHETIC_COLUMNS
            .iter()
            .chain(VICTIM_PERPETRATOR_COLUMNS.iter())
        {
            let label = variable_label(column).unwrap_or_else(|| panic!("{column}"));
            assert!(!label.es.is_empty() && !label.en.is_empty(), "{column}");
            assert_ne!(label.es, *column);
        }
    }

    #[test]
    fn values_are_shown_as_words() {
        let check = |column: &str, value: &str, es: &str, en: &str| {
            assert_eq!(value_text(column, value, Lang::Es), es, "{column} {value}");
            assert_eq!(value_text(column, value, Lang::En), en, "{column} {value}");
        };
        check("gender", "Man", "Hombre", "Man");
        check("gender", "", "No consta", "Not recorded");
        check("ageBroad", "9--17", "9 a 17 años", "9 to 17 years");
        check("ageBroad", "48+", "48 años o más", "48 years or more");
        check("citizenship", "HND", "Honduras", "Honduras");
        check("meansThreats", "1", "Sí", "Yes");
        check(
            "meansThreats",
            "",
            "No (o no consta)",
            "No (or not recorded)",
        );
        check(
            "IP_Relation",
            "FriendAcquaintance",
            "Amistad o conocido",
            "Friend or acquaintance",
        );
        check("yearRegister", "2005-2013", "2005 a 2013", "2005 to 2013");
        check("yearOfRegistration", "2019", "2019", "2019");
    }
}
