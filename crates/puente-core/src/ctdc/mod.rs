//! The CTDC Global Dataset's 63-column record (Counter Trafficking Data Collaborative, IOM; the
//! k-anonymized release of 15 July 2021) and its mapping to HTCDS codes.
//!
//! A record is 63 cells, each empty (missing) or holding a value of its column's kind: a year, a
//! 0/1 flag, a code of a small vocabulary, an ISO country, or free text (the `*Concatenated` columns
//! and `RecruiterRelationship`, kept as written so that export gives back what was imported).

mod csv_format;
pub mod from_cases;
pub mod labels;
pub mod releases;

pub use csv_format::{
    read_ctdc_csv, read_ctdc_release, write_ctdc_csv, CtdcCsvWriter, CtdcFile, CtdcReadError,
    CtdcReleaseFile, ReadOptions, RejectedRow, SyntheticFile,
};
pub use releases::CtdcRelease;

use crate::country::Country;
use crate::htcds::{
    Gender, MethodOfControl, MethodOfRecruitment, RelationshipToTrafficker, TypeOfExploitation,
    TypeOfLabour, TypeOfSexExploitation,
};
use crate::vocabulary;
use crate::vocabulary::Vocabulary;

vocabulary! {
    /// CTDC's `Datasource`: where a record came from.
    pub enum CtdcDatasource: "CTDC Datasource" {
        Hotline = "Hotline", es: "Línea de ayuda", en: "Hotline";
        CaseManagement = "Case Management", es: "Gestión de casos", en: "Case management", aliases: ["CaseManagement"];
    }
}

vocabulary! {
    /// CTDC's `ageBroad`: the age band at registration.
    pub enum AgeBroad: "CTDC ageBroad" {
        Age0To8 = "0--8", es: "0 a 8", en: "0 to 8", aliases: ["0-8"];
        Age9To17 = "9--17", es: "9 a 17", en: "9 to 17", aliases: ["9-17", "09--17", "09-17"];
        Age18To20 = "18--20", es: "18 a 20", en: "18 to 20", aliases: ["18-20"];
        Age21To23 = "21--23", es: "21 a 23", en: "21 to 23", aliases: ["21-23"];
        Age24To26 = "24--26", es: "24 a 26", en: "24 to 26", aliases: ["24-26"];
        Age27To29 = "27--29", es: "27 a 29", en: "27 to 29", aliases: ["27-29"];
        Age30To38 = "30--38", es: "30 a 38", en: "30 to 38", aliases: ["30-38"];
        Age39To47 = "39--47", es: "39 a 47", en: "39 to 47", aliases: ["39-47"];
        Age48Plus = "48+", es: "48 o más", en: "48 and over";
        Unknown = "Unknown", es: "Desconocida", en: "Unknown";
    }
}

vocabulary! {
    /// CTDC's `majorityStatus`, `majorityStatusAtExploit` and `majorityEntry`.
    pub enum MajorityStatus: "CTDC majorityStatus" {
        Adult = "Adult", es: "Adulto", en: "Adult";
        Minor = "Minor", es: "Menor de edad", en: "Minor";
    }
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// A four-digit year.
    Year,
    /// 1 (yes), 0 (no).
    Flag,
    Datasource,
    Gender,
    AgeBroad,
    Majority,
    /// An ISO 3166-1 alpha-2 code (alpha-3 accepted on import).
    Country,
    /// Free text, kept as written.
    Text,
}

use ColumnKind::*;

/// The 63 columns of the canonical CTDC Global Dataset, in order.
pub static COLUMNS: [(&str, ColumnKind); 63] = [
    ("yearOfRegistration", Year),
    ("Datasource", Datasource),
    ("gender", ColumnKind::Gender),
    ("ageBroad", ColumnKind::AgeBroad),
    ("majorityStatus", Majority),
    ("majorityStatusAtExploit", Majority),
    ("majorityEntry", Majority),
    ("citizenship", Country),
    ("meansOfControlDebtBondage", Flag),
    ("meansOfControlTakesEarnings", Flag),
    ("meansOfControlRestrictsFinancialAccess", Flag),
    ("meansOfControlThreats", Flag),
    ("meansOfControlPsychologicalAbuse", Flag),
    ("meansOfControlPhysicalAbuse", Flag),
    ("meansOfControlSexualAbuse", Flag),
    ("meansOfControlFalsePromises", Flag),
    ("meansOfControlPsychoactiveSubstances", Flag),
    ("meansOfControlRestrictsMovement", Flag),
    ("meansOfControlRestrictsMedicalCare", Flag),
    ("meansOfControlExcessiveWorkingHours", Flag),
    ("meansOfControlUsesChildren", Flag),
    ("meansOfControlThreatOfLawEnforcement", Flag),
    ("meansOfControlWithholdsNecessities", Flag),
    ("meansOfControlWithholdsDocuments", Flag),
    ("meansOfControlOther", Flag),
    ("meansOfControlNotSpecified", Flag),
    ("meansOfControlConcatenated", Text),
    ("isForcedLabour", Flag),
    ("isSexualExploit", Flag),
    ("isOtherExploit", Flag),
    ("isSexAndLabour", Flag),
    ("isForcedMarriage", Flag),
    ("isForcedMilitary", Flag),
    ("isOrganRemoval", Flag),
    ("isSlaveryAndPractices", Flag),
    ("typeOfExploitConcatenated", Text),
    ("typeOfLabourAgriculture", Flag),
    ("typeOfLabourAquafarming", Flag),
    ("typeOfLabourBegging", Flag),
    ("typeOfLabourConstruction", Flag),
    ("typeOfLabourDomesticWork", Flag),
    ("typeOfLabourHospitality", Flag),
    ("typeOfLabourIllicitActivities", Flag),
    ("typeOfLabourManufacturing", Flag),
    ("typeOfLabourMiningOrDrilling", Flag),
    ("typeOfLabourPeddling", Flag),
    ("typeOfLabourTransportation", Flag),
    ("typeOfLabourOther", Flag),
    ("typeOfLabourNotSpecified", Flag),
    ("typeOfLabourConcatenated", Text),
    ("typeOfSexProstitution", Flag),
    ("typeOfSexPornography", Flag),
    ("typeOfSexRemoteInteractiveServices", Flag),
    ("typeOfSexPrivateSexualServices", Flag),
    ("typeOfSexConcatenated", Text),
    ("isAbduction", Flag),
    ("RecruiterRelationship", Text),
    ("CountryOfExploitation", Country),
    ("recruiterRelationIntimatePartner", Flag),
    ("recruiterRelationFriend", Flag),
    ("recruiterRelationFamily", Flag),
    ("recruiterRelationOther", Flag),
    ("recruiterRelationUnknown", Flag),
];

/// The number of columns of a CTDC record.
pub const COLUMN_COUNT: usize = 63;

/// Finds a column's index by its name, ignoring ASCII case and surrounding white space.
pub fn column_index(name: &str) -> Option<usize> {
    let name = name.trim();
    COLUMNS
        .iter()
        .position(|(column, _)| column.eq_ignore_ascii_case(name))
}

/// The canonical header line, comma-separated.
pub fn canonical_header() -> String {
    COLUMNS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(",")
}

/// One cell's value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cell {
    Year(u16),
    Flag(bool),
    /// A vocabulary code, a country code or free text, in its canonical spelling.
    Text(Box<str>),
}

impl Cell {
    /// The cell as the canonical CSV writes it.
    pub fn to_csv_text(&self) -> String {
        match self {
            Cell::Year(year) => year.to_string(),
            Cell::Flag(true) => "1".to_string(),
            Cell::Flag(false) => "0".to_string(),
            Cell::Text(text) => text.to_string(),
        }
    }
}

/// Why a cell is not a valid value of its column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column `{column}`: {reason} (value `{value}`)")]
pub struct CellError {
    pub column: &'static str,
    pub value: String,
    pub reason: String,
}

/// Whether a raw cell means "missing": empty, or CTDC's older `-99`.
pub fn is_missing(raw: &str) -> bool {
    let raw = raw.trim();
    raw.is_empty() || raw == "-99"
}

/// Parses one raw cell of column `index`; `Ok(None)` is a missing value.
pub fn parse_cell(index: usize, raw: &str) -> Result<Option<Cell>, CellError> {
    let (column, kind) = COLUMNS[index];
    if is_missing(raw) {
        return Ok(None);
    }
    let value = raw.trim();
    let error = |reason: &str| CellError {
        column,
        value: raw.to_string(),
        reason: reason.to_string(),
    };
    let code = |result: Result<&'static str, vocabulary::UnknownCode>| {
        result
            .map(|code| Some(Cell::Text(code.into())))
            .map_err(|e| error(&e.to_string()))
    };
    match kind {
        Year => {
            let digits = value.strip_suffix(".0").unwrap_or(value);
            let year: u16 = digits
                .parse()
                .ok()
                .filter(|_| digits.len() == 4)
                .ok_or_else(|| error("not a year"))?;
            if !(1900..=2100).contains(&year) {
                return Err(error("not a plausible year of registration"));
            }
            Ok(Some(Cell::Year(year)))
        }
        Flag => match value {
            "1" | "1.0" => Ok(Some(Cell::Flag(true))),
            "0" | "0.0" => Ok(Some(Cell::Flag(false))),
            _ => Err(error("a flag must be 1, 0 or empty")),
        },
        Datasource => code(CtdcDatasource::parse_code(value).map(Vocabulary::code)),
        ColumnKind::Gender => code(crate::htcds::Gender::parse_code(value).map(Vocabulary::code)),
        ColumnKind::AgeBroad => code(self::AgeBroad::parse_code(value).map(Vocabulary::code)),
        Majority => code(MajorityStatus::parse_code(value).map(Vocabulary::code)),
        // `ZZ` is the older releases' unknown country: kept, so it stays told apart from missing.
        ColumnKind::Country if value.eq_ignore_ascii_case("ZZ") => {
            Ok(Some(Cell::Text("ZZ".into())))
        }
        ColumnKind::Country => code(crate::country::Country::parse(value).map(|c| c.alpha_2())),
        Text => Ok(Some(Cell::Text(value.into()))),
    }
}

/// A record of the CTDC Global Dataset.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CtdcRecord {
    pub cells: Vec<Option<Cell>>,
}

/// An HTCDS code that a CTDC flag column stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HtcdsCode {
    MethodOfControl(MethodOfControl),
    TypeOfExploitation(TypeOfExploitation),
    TypeOfLabour(TypeOfLabour),
    TypeOfSexExploitation(TypeOfSexExploitation),
    RelationshipToTrafficker(RelationshipToTrafficker),
    MethodOfRecruitment(MethodOfRecruitment),
}

/// The mapping between CTDC flag columns and HTCDS codes. A flag column maps to one or more codes
/// (`isSexAndLabour` is both forced labour and sexual exploitation); the `*NotSpecified` columns map
/// to none and are left out.
pub fn flag_mapping() -> Vec<(&'static str, Vec<HtcdsCode>)> {
    use HtcdsCode as H;
    let mut mapping = Vec::new();
    for (column, _) in COLUMNS.iter().filter(|(_, kind)| *kind == Flag) {
        let codes = if let Some(name) = column.strip_prefix("meansOfControl") {
            MethodOfControl::from_code(name)
                .map(H::MethodOfControl)
                .into_iter()
                .collect()
        } else if let Some(name) = column.strip_prefix("typeOfLabour") {
            TypeOfLabour::from_code(name)
                .map(H::TypeOfLabour)
                .into_iter()
                .collect()
        } else if let Some(name) = column.strip_prefix("typeOfSex") {
            TypeOfSexExploitation::from_code(name)
                .map(H::TypeOfSexExploitation)
                .into_iter()
                .collect()
        } else if let Some(name) = column.strip_prefix("recruiterRelation") {
            RelationshipToTrafficker::from_code(name)
                .map(H::RelationshipToTrafficker)
                .into_iter()
                .collect()
        } else {
            match *column {
                "isForcedLabour" => vec![H::TypeOfExploitation(TypeOfExploitation::ForcedLabour)],
                "isSexualExploit" => vec![H::TypeOfExploitation(
                    TypeOfExploitation::SexualExploitation,
                )],
                "isOtherExploit" => vec![H::TypeOfExploitation(TypeOfExploitation::Other)],
                "isSexAndLabour" => vec![
                    H::TypeOfExploitation(TypeOfExploitation::ForcedLabour),
                    H::TypeOfExploitation(TypeOfExploitation::SexualExploitation),
                ],
                "isForcedMarriage" => {
                    vec![H::TypeOfExploitation(TypeOfExploitation::ForcedMarriage)]
                }
                "isForcedMilitary" => vec![H::TypeOfExploitation(
                    TypeOfExploitation::ForcedMilitaryByNonStateActors,
                )],
                "isOrganRemoval" => vec![H::TypeOfExploitation(TypeOfExploitation::OrganRemoval)],
                "isSlaveryAndPractices" => {
                    vec![H::TypeOfExploitation(TypeOfExploitation::Servitude)]
                }
                "isAbduction" => vec![H::MethodOfRecruitment(MethodOfRecruitment::Abduction)],
                _ => Vec::new(),
            }
        };
        if !codes.is_empty() {
            mapping.push((*column, codes));
        }
    }
    mapping
}

impl CtdcRecord {
    /// A record with every cell missing.
    pub fn empty() -> CtdcRecord {
        CtdcRecord {
            cells: vec![None; COLUMN_COUNT],
        }
    }

    pub fn get(&self, column: &str) -> Option<&Cell> {
        column_index(column).and_then(|index| self.cells[index].as_ref())
    }

    fn text(&self, column: &str) -> Option<&str> {
        match self.get(column) {
            Some(Cell::Text(text)) => Some(text),
            _ => None,
        }
    }

    pub fn year_of_registration(&self) -> Option<u16> {
        match self.get("yearOfRegistration") {
            Some(Cell::Year(year)) => Some(*year),
            _ => None,
        }
    }
    pub fn datasource(&self) -> Option<CtdcDatasource> {
        self.text("Datasource").and_then(CtdcDatasource::from_code)
    }
    pub fn gender(&self) -> Option<Gender> {
        self.text("gender").and_then(Gender::from_code)
    }
    pub fn citizenship(&self) -> Option<Country> {
        self.text("citizenship").and_then(Country::from_code)
    }
    pub fn country_of_exploitation(&self) -> Option<Country> {
        self.text("CountryOfExploitation")
            .and_then(Country::from_code)
    }

    /// The HTCDS codes whose CTDC flags are set in this record.
    pub fn htcds_codes(&self) -> Vec<HtcdsCode> {
        let mut codes = Vec::new();
        for (column, mapped) in flag_mapping() {
            if self.get(column) == Some(&Cell::Flag(true)) {
                for code in mapped {
                    if !codes.contains(&code) {
                        codes.push(code);
                    }
                }
            }
        }
        codes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_are_the_canonical_63() {
        assert_eq!(COLUMNS.len(), COLUMN_COUNT);
        assert!(canonical_header().starts_with("yearOfRegistration,Datasource,gender,ageBroad,"));
        assert!(canonical_header().ends_with(",recruiterRelationOther,recruiterRelationUnknown"));
        assert_eq!(column_index(" GENDER "), Some(2));
    }

    #[test]
    fn cells_parse_by_kind_and_report_errors() {
        let checks: &[(&str, &str, Option<Cell>)] = &[
            ("yearOfRegistration", "2019", Some(Cell::Year(2019))),
            ("yearOfRegistration", "-99", None),
            ("yearOfRegistration", "", None),
            ("isForcedLabour", "1", Some(Cell::Flag(true))),
            ("isForcedLabour", "0", Some(Cell::Flag(false))),
            ("gender", "Female", Some(Cell::Text("Female".into()))),
            ("ageBroad", "18-20", Some(Cell::Text("18--20".into()))),
            ("citizenship", "NA", Some(Cell::Text("NA".into()))),
            ("citizenship", "gtm", Some(Cell::Text("GT".into()))),
            (
                "Datasource",
                "Case Management",
                Some(Cell::Text("Case Management".into())),
            ),
        ];
        for (column, raw, expected) in checks {
            let index = column_index(column).unwrap();
            assert_eq!(&parse_cell(index, raw).unwrap(), expected, "{column}={raw}");
        }
        let bad: &[(&str, &str, &str)] = &[
            ("yearOfRegistration", "20x9", "not a year"),
            ("yearOfRegistration", "19", "not a year"),
            ("isForcedLabour", "yes", "a flag must be 1, 0 or empty"),
            ("citizenship", "Guatemala", "not a ISO 3166-1 country code"),
            ("gender", "Robot", "not a Gender code"),
        ];
        for (column, raw, reason) in bad {
            let error = parse_cell(column_index(column).unwrap(), raw).unwrap_err();
            assert_eq!(error.column, *column);
            assert_eq!(error.value, *raw);
            assert!(error.to_string().contains(reason), "{error}");
        }
    }

    #[test]
    fn every_flag_but_not_specified_maps_to_htcds() {
        let mapping = flag_mapping();
        let flags = COLUMNS.iter().filter(|(_, kind)| *kind == Flag).count();
        // Two `NotSpecified` flags have no HTCDS counterpart.
        assert_eq!(mapping.len(), flags - 2);
        let find = |column: &str| {
            mapping
                .iter()
                .find(|(c, _)| *c == column)
                .map(|(_, codes)| codes.clone())
        };
        assert_eq!(
            find("meansOfControlRestrictsMovement"),
            Some(vec![HtcdsCode::MethodOfControl(
                MethodOfControl::RestrictsMovement
            )])
        );
        assert_eq!(
            find("recruiterRelationFriend"),
            Some(vec![HtcdsCode::RelationshipToTrafficker(
                RelationshipToTrafficker::FriendAcquaintance
            )])
        );
        assert_eq!(find("isSexAndLabour").map(|codes| codes.len()), Some(2));
        assert_eq!(find("typeOfLabourNotSpecified"), None);
    }

    #[test]
    fn a_record_reports_its_htcds_codes() {
        let mut record = CtdcRecord::empty();
        for (column, raw) in [
            ("isSexualExploit", "1"),
            ("meansOfControlThreats", "1"),
            ("isForcedLabour", "0"),
        ] {
            let index = column_index(column).unwrap();
            record.cells[index] = parse_cell(index, raw).unwrap();
        }
        assert_eq!(
            record.htcds_codes(),
            vec![
                HtcdsCode::MethodOfControl(MethodOfControl::Threats),
                HtcdsCode::TypeOfExploitation(TypeOfExploitation::SexualExploitation),
            ]
        );
    }
}
