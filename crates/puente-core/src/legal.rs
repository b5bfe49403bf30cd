//! The legal track of a case: reports to authorities, the criminal proceeding and its stages, the
//! survivor's participation and the support given for it, law-enforcement certifications, and
//! relief applications. Owned by the legal-protection work.
//!
//! HTCDS 2.0 has no fields for any of these, and the CTDC Global Dataset none either (it records
//! victims, not proceedings), so they are Puente's own vocabulary. Where HTCDS has a neighbouring
//! concept the mapping is a method here and is documented on it:
//!
//! | Puente | HTCDS 2.0 |
//! | --- | --- |
//! | [`AuthorityKind`] | `TraffickingStatusDecidedBy` ([`AuthorityKind::htcds_decided_by`]): police, federal law enforcement and immigration are `LawEnforcement`, the prosecutor `Prosecutor`, a court `Court`, the labour inspectorate and child protection `GovernmentAgency`, a consulate `GovernmentAgency` |
//! | [`ParticipationSupport`] | `SupportType` ([`ParticipationSupport::htcds_support_type`]): psychological support is `Psychosocial`, travel costs `Financial`, the rest (representation, interpreter, accompaniment, protection measures, remote testimony) `Legal` |
//! | a relief application ([`crate::relief_facts::ReliefOptionKind`]) | `SupportType` `ImmigrationRelief` (assisted return: `ReturnAndReintegration`; national protection: `Legal`) ([`relief_support_type`]) |
//! | a verdict of conviction | none in HTCDS; CTDC none. Counted in the annual report's prosecutions and convictions |
//!
//! Dates are ISO calendar dates (`YYYY-MM-DD`); the store checks them on every write.

use crate::htcds::{SupportType, TraffickingStatusDecidedBy};
use crate::relief_facts::ReliefOptionKind;

crate::vocabulary! {
    /// The authority a report is made to.
    pub enum AuthorityKind: "authority" {
        Police = "police", es: "Policía", en: "Police";
        Prosecutor = "prosecutor", es: "Fiscalía o Ministerio Público", en: "Prosecutor";
        LabourInspectorate = "labour_inspectorate", es: "Inspección de trabajo", en: "Labour inspectorate";
        FederalLawEnforcement = "federal_law_enforcement",
            es: "Autoridad federal de investigación (HSI, FBI...)", en: "Federal law enforcement (HSI, FBI, ...)";
        Immigration = "immigration", es: "Autoridad migratoria", en: "Immigration authority";
        ChildProtection = "child_protection", es: "Protección de la niñez", en: "Child protection";
        Court = "court", es: "Juzgado o tribunal", en: "Court";
        Consulate = "consulate", es: "Consulado", en: "Consulate";
        Other = "other", es: "Otra autoridad", en: "Other authority";
    }
}

impl AuthorityKind {
    /// The nearest HTCDS `TraffickingStatusDecidedBy` value.
    pub fn htcds_decided_by(self) -> TraffickingStatusDecidedBy {
        match self {
            AuthorityKind::Police
            | AuthorityKind::FederalLawEnforcement
            | AuthorityKind::Immigration => TraffickingStatusDecidedBy::LawEnforcement,
            AuthorityKind::Prosecutor => TraffickingStatusDecidedBy::Prosecutor,
            AuthorityKind::Court => TraffickingStatusDecidedBy::Court,
            AuthorityKind::LabourInspectorate
            | AuthorityKind::ChildProtection
            | AuthorityKind::Consulate => TraffickingStatusDecidedBy::GovernmentAgency,
            AuthorityKind::Other => TraffickingStatusDecidedBy::Other,
        }
    }
}

crate::vocabulary! {
    /// A stage of a criminal proceeding, in the order a proceeding goes through them.
    pub enum ProceedingStage: "proceeding stage" {
        Investigation = "investigation", es: "Investigación", en: "Investigation";
        Charges = "charges", es: "Acusación o imputación", en: "Charges";
        Trial = "trial", es: "Juicio", en: "Trial";
        Verdict = "verdict", es: "Sentencia (fallo)", en: "Verdict";
        Sentence = "sentence", es: "Pena impuesta", en: "Sentence";
        Closed = "closed", es: "Archivada o sobreseída", en: "Closed or dismissed";
    }
}

crate::vocabulary! {
    /// The outcome of a verdict.
    pub enum VerdictOutcome: "verdict outcome" {
        Conviction = "conviction", es: "Condena", en: "Conviction";
        PartialConviction = "partial_conviction",
            es: "Condena por otro delito (no por trata)", en: "Conviction for another offence (not trafficking)";
        Acquittal = "acquittal", es: "Absolución", en: "Acquittal";
    }
}

impl VerdictOutcome {
    /// Counted as a conviction in the annual report (for trafficking or another offence).
    pub fn is_conviction(self) -> bool {
        matches!(
            self,
            VerdictOutcome::Conviction | VerdictOutcome::PartialConviction
        )
    }
}

crate::vocabulary! {
    /// How the survivor took part in a proceeding.
    pub enum ParticipationKind: "participation" {
        Statement = "statement", es: "Declaración", en: "Statement";
        Testimony = "testimony", es: "Testimonio en juicio", en: "Testimony at trial";
        AdvanceTestimony = "advance_testimony",
            es: "Prueba anticipada (declaración grabada)", en: "Advance testimony (recorded statement)";
        Identification = "identification", es: "Reconocimiento de personas", en: "Identification of suspects";
        Declined = "declined", es: "Decidió no participar", en: "Chose not to take part";
    }
}

crate::vocabulary! {
    /// Support given to the survivor for taking part in a proceeding.
    pub enum ParticipationSupport: "participation support" {
        LegalRepresentation = "legal_representation", es: "Representación legal", en: "Legal representation";
        Interpreter = "interpreter", es: "Intérprete", en: "Interpreter";
        Accompaniment = "accompaniment", es: "Acompañamiento", en: "Accompaniment";
        ProtectionMeasures = "protection_measures", es: "Medidas de protección", en: "Protection measures";
        PsychologicalSupport = "psychological_support", es: "Apoyo psicológico", en: "Psychological support";
        TravelCosts = "travel_costs", es: "Gastos de traslado", en: "Travel costs";
        RemoteTestimony = "remote_testimony",
            es: "Declaración a distancia o en cámara Gesell", en: "Remote testimony or testimony room";
    }
}

impl ParticipationSupport {
    /// The nearest HTCDS `SupportType`.
    pub fn htcds_support_type(self) -> SupportType {
        match self {
            ParticipationSupport::LegalRepresentation => SupportType::Legal,
            ParticipationSupport::PsychologicalSupport => SupportType::Psychosocial,
            ParticipationSupport::TravelCosts => SupportType::Financial,
            ParticipationSupport::Interpreter
            | ParticipationSupport::Accompaniment
            | ParticipationSupport::ProtectionMeasures
            | ParticipationSupport::RemoteTestimony => SupportType::Legal,
        }
    }
}

crate::vocabulary! {
    /// A certification or endorsement asked of an authority for a survivor.
    pub enum CertificationKind: "certification" {
        UsUVisaCertification = "us_u_visa_certification",
            es: "Certificación para la visa U (I-918, Suplemento B)", en: "U-visa certification (I-918 Supplement B)";
        UsTVisaDeclaration = "us_t_visa_declaration",
            es: "Declaración para la visa T (I-914, Suplemento B)", en: "T-visa declaration (I-914 Supplement B)";
        UsContinuedPresence = "us_continued_presence_request",
            es: "Solicitud de presencia continuada", en: "Continued Presence request";
        CrVictimAccreditation = "cr_victim_accreditation",
            es: "Acreditación como víctima (ERI, Costa Rica)", en: "Accreditation as a victim (ERI, Costa Rica)";
        VictimRecognition = "victim_recognition",
            es: "Reconocimiento de la calidad de víctima", en: "Recognition as a victim";
        Other = "other", es: "Otra certificación", en: "Other certification";
    }
}

crate::vocabulary! {
    /// Where a certification stands.
    pub enum CertificationStatus: "certification status" {
        Asked = "asked", es: "Solicitada", en: "Asked for";
        Signed = "signed", es: "Firmada", en: "Signed";
        Refused = "refused", es: "Denegada", en: "Refused";
    }
}

crate::vocabulary! {
    /// Where a relief application stands.
    pub enum ApplicationStatus: "relief application status" {
        Preparing = "preparing", es: "En preparación", en: "Being prepared";
        Filed = "filed", es: "Presentada", en: "Filed";
        Receipt = "receipt", es: "Con acuse de recibo", en: "Receipt received";
        Granted = "granted", es: "Concedida", en: "Granted";
        Denied = "denied", es: "Denegada", en: "Denied";
        Withdrawn = "withdrawn", es: "Retirada", en: "Withdrawn";
    }
}

impl ApplicationStatus {
    /// Counted as relief sought in the annual report: filed, whatever came of it.
    pub fn is_sought(self) -> bool {
        !matches!(self, ApplicationStatus::Preparing)
    }
}

/// The HTCDS `SupportType` a relief application of this kind is recorded under.
pub fn relief_support_type(kind: ReliefOptionKind) -> SupportType {
    match kind {
        ReliefOptionKind::AssistedReturn => SupportType::ReturnAndReintegration,
        ReliefOptionKind::NationalProtection => SupportType::Legal,
        _ => SupportType::ImmigrationRelief,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vocabulary;

    fn check<V: Vocabulary + std::fmt::Debug + PartialEq>() {
        for value in V::all() {
            assert_eq!(V::from_code(value.code()), Some(*value));
            let label = value.label();
            assert!(!label.es.is_empty() && !label.en.is_empty());
        }
    }

    #[test]
    fn every_legal_vocabulary_round_trips_with_both_labels() {
        check::<AuthorityKind>();
        check::<ProceedingStage>();
        check::<VerdictOutcome>();
        check::<ParticipationKind>();
        check::<ParticipationSupport>();
        check::<CertificationKind>();
        check::<CertificationStatus>();
        check::<ApplicationStatus>();
    }

    #[test]
    fn the_htcds_mapping_names_the_nearest_concepts() {
        assert_eq!(
            AuthorityKind::Police.htcds_decided_by(),
            TraffickingStatusDecidedBy::LawEnforcement
        );
        assert_eq!(
            AuthorityKind::LabourInspectorate.htcds_decided_by(),
            TraffickingStatusDecidedBy::GovernmentAgency
        );
        assert_eq!(
            relief_support_type(ReliefOptionKind::UsTVisa),
            SupportType::ImmigrationRelief
        );
        assert_eq!(
            relief_support_type(ReliefOptionKind::AssistedReturn),
            SupportType::ReturnAndReintegration
        );
        assert!(VerdictOutcome::PartialConviction.is_conviction());
        assert!(!ApplicationStatus::Preparing.is_sought());
    }
}
