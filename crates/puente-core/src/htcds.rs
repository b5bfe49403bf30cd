//! The HTCDS 2.0 vocabularies (Human Trafficking Case Data Standard, IOM, CC BY 4.0).
//!
//! Codes are the standard's value names; labels are ours, in Spanish and English. Where the standard's
//! spreadsheet and its definitions file spell a value differently, one spelling is the code and the
//! other is accepted as an alias on import.
//!
//! Every `Unknown` value is labelled "Desconocido"/"Desconocida" ("Unknown"): the question was
//! asked and the answer is not known. A value never recorded is not a vocabulary value: counts
//! show it as "Sin registrar" ("Not recorded"). No other value is labelled "Desconocido": a
//! trafficker with no earlier relationship is a "Persona extraña".

use crate::vocabulary;

vocabulary! {
    /// `org_Type`: the kind of organisation.
    pub enum OrganisationType: "OrganisationType" {
        Ngo = "NGO", es: "ONG", en: "NGO";
        LawEnforcement = "LawEnforcement", es: "Fuerzas del orden", en: "Law enforcement";
        HealthServiceOrganisation = "HealthServiceOrganisation", es: "Servicio de salud", en: "Health service organisation";
        CentralGovernmentOrganisation = "CentralGovernmentOrganisation", es: "Gobierno central", en: "Central government organisation";
        LocalGovernmentOrganisation = "LocalGovernmentOrganisation", es: "Gobierno local", en: "Local government organisation";
        ImmigrationService = "ImmigrationService", es: "Servicio de migración", en: "Immigration service";
        LegalService = "LegalService", es: "Servicio jurídico", en: "Legal service";
        CorporateBusiness = "CorporateBusiness", es: "Empresa", en: "Corporate business";
        InternationalOrganisation = "InternationalOrganisation", es: "Organismo internacional", en: "International organisation";
        Hotline = "Hotline", es: "Línea de ayuda", en: "Hotline";
        Shelter = "Shelter", es: "Albergue", en: "Shelter";
    }
}

vocabulary! {
    /// `prs_Gender`.
    pub enum Gender: "Gender" {
        Female = "Female", es: "Mujer", en: "Female", aliases: ["F", "Femenino", "Mujer"];
        Male = "Male", es: "Hombre", en: "Male", aliases: ["M", "Masculino", "Hombre"];
        TransgenderNonConforming = "Transgender/NonConforming", es: "Transgénero / no conforme", en: "Transgender / non-conforming", aliases: ["TransgenderNonConforming", "X"];
        Unknown = "Unknown", es: "Desconocido", en: "Unknown", aliases: ["U", "Desconocido"];
    }
}

vocabulary! {
    /// `vic_TraffickingStatus`: where the person stands in identification.
    pub enum TraffickingStatus: "TraffickingStatus" {
        PossibleVictimOfTrafficking = "PossibleVictimOfTrafficking", es: "Posible víctima de trata", en: "Possible victim of trafficking";
        ActualVictimOfTrafficking = "ActualVictimOfTrafficking", es: "Víctima de trata identificada", en: "Actual victim of trafficking";
        NotAVictimOfTrafficking = "NotAVictimOfTrafficking", es: "No es víctima de trata", en: "Not a victim of trafficking";
    }
}

vocabulary! {
    /// `vic_TraffickingStatusDecidedBy`: who decided the trafficking status.
    pub enum TraffickingStatusDecidedBy: "TraffickingStatusDecidedBy" {
        SelfIdentified = "SelfIdentified", es: "Autoidentificación", en: "Self-identified";
        Ngo = "NGO", es: "ONG", en: "NGO";
        InternationalOrganisation = "InternationalOrganisation", es: "Organismo internacional", en: "International organisation";
        LawEnforcement = "LawEnforcement", es: "Fuerzas del orden", en: "Law enforcement";
        Prosecutor = "Prosecutor", es: "Fiscalía", en: "Prosecutor";
        Court = "Court", es: "Tribunal", en: "Court";
        GovernmentAgency = "GovernmentAgency", es: "Institución de gobierno", en: "Government agency";
        Other = "Other", es: "Otro", en: "Other";
    }
}

vocabulary! {
    /// `vic_MethodOfRecruitment`.
    pub enum MethodOfRecruitment: "MethodOfRecruitment" {
        Abduction = "Abduction", es: "Secuestro", en: "Abduction";
        EducationalFacility = "EducationalFacility", es: "Centro educativo", en: "Educational facility", aliases: ["Educational Facility"];
        Familial = "Familial", es: "Familiar", en: "Familial";
        Internet = "Internet", es: "Internet (redes sociales, anuncios en línea)", en: "Internet (social media, online advertisement)", aliases: ["Internet (social media, online advertisement)"];
        InternationalMarriageBroker = "InternationalMarriageBroker", es: "Agencia matrimonial internacional", en: "International marriage broker (IMB)", aliases: ["International Marriage Broker (IMB)"];
        IntimatePartner = "IntimatePartner", es: "Pareja íntima o propuesta de matrimonio", en: "Intimate partner / marriage proposition", aliases: ["Intimate partner/marriage proposition"];
        JobOffer = "JobOffer", es: "Oferta o anuncio de empleo", en: "Job offer / advertisement", aliases: ["Job offer/advertisement"];
        PosingAsBenefactor = "PosingAsBenefactor", es: "Haciéndose pasar por benefactor", en: "Posing as benefactor", aliases: ["Posing as Benefactor"];
        PublicArea = "PublicArea", es: "Espacio público", en: "Public area", aliases: ["Public Area"];
        OfferOfAccommodation = "OfferOfAccommodation", es: "Oferta de alojamiento", en: "Offer of accommodation", aliases: ["Offer of Accommodation"];
        Shelter = "Shelter", es: "Albergue", en: "Shelter";
        SmugglingRansom = "SmugglingRansom", es: "Tráfico de migrantes, rescate", en: "Smuggling, ransom", aliases: ["Smuggling, ransom"];
        Work = "Work", es: "Trabajo", en: "Work";
        Other = "Other", es: "Otro", en: "Other";
        Unknown = "Unknown", es: "Desconocido", en: "Unknown";
    }
}

vocabulary! {
    /// `vic_MethodsOfControl`. The definitions file spells one value `RestrictsMovement` and the
    /// spreadsheet `RestrictMovement`; both are accepted.
    pub enum MethodOfControl: "MethodsOfControl" {
        DebtBondage = "DebtBondage", es: "Servidumbre por deudas", en: "Debt bondage";
        TakesEarnings = "TakesEarnings", es: "Se queda con las ganancias", en: "Takes earnings";
        RestrictsFinancialAccess = "RestrictsFinancialAccess", es: "Restringe el acceso a dinero", en: "Restricts financial access";
        Threats = "Threats", es: "Amenazas", en: "Threats", aliases: ["PhysicalThreats"];
        PsychologicalAbuse = "PsychologicalAbuse", es: "Abuso psicológico", en: "Psychological abuse";
        PhysicalAbuse = "PhysicalAbuse", es: "Abuso físico", en: "Physical abuse";
        SexualAbuse = "SexualAbuse", es: "Abuso sexual", en: "Sexual abuse";
        FalsePromises = "FalsePromises", es: "Falsas promesas", en: "False promises";
        PsychoactiveSubstances = "PsychoactiveSubstances", es: "Sustancias psicoactivas", en: "Psychoactive substances", aliases: ["PsychoactiveSubstance"];
        RestrictsMovement = "RestrictsMovement", es: "Restringe la libertad de movimiento", en: "Restricts movement", aliases: ["RestrictMovement"];
        RestrictsMedicalCare = "RestrictsMedicalCare", es: "Restringe la atención médica", en: "Restricts medical care";
        ExcessiveWorkingHours = "ExcessiveWorkingHours", es: "Jornadas excesivas", en: "Excessive working hours";
        UsesChildren = "UsesChildren", es: "Usa a los hijos", en: "Uses children";
        ThreatOfLawEnforcement = "ThreatOfLawEnforcement", es: "Amenaza con las autoridades", en: "Threat of law enforcement", aliases: ["ThreatsLawEnforcement"];
        WithholdsNecessities = "WithholdsNecessities", es: "Priva de necesidades básicas", en: "Withholds necessities";
        WithholdsDocuments = "WithholdsDocuments", es: "Retiene documentos", en: "Withholds documents";
        ThreatensChildrenFamily = "ThreatensChildrenFamily", es: "Amenaza a hijos o familia", en: "Threatens children or family";
        Other = "Other", es: "Otro", en: "Other";
    }
}

vocabulary! {
    /// `vic_TypeOfExploitation`.
    pub enum TypeOfExploitation: "TypeOfExploitation" {
        ForcedLabour = "ForcedLabour", es: "Trabajo forzoso", en: "Forced labour";
        SexualExploitation = "SexualExploitation", es: "Explotación sexual", en: "Sexual exploitation";
        ChildLabour = "ChildLabour", es: "Trabajo infantil", en: "Child labour";
        ForcedMarriage = "ForcedMarriage", es: "Matrimonio forzado", en: "Forced marriage";
        Servitude = "Servitude", es: "Servidumbre", en: "Servitude", aliases: ["SlaveryAndPractices"];
        ForcedMilitaryByNonStateActors = "ForcedMilitaryByNonStateActors", es: "Reclutamiento forzado por grupos armados", en: "Forced military service by non-state actors", aliases: ["ForcedMilitary"];
        OrganRemoval = "OrganRemoval", es: "Extracción de órganos", en: "Organ removal";
        ForcedBegging = "ForcedBegging", es: "Mendicidad forzada", en: "Forced begging";
        ForcedCriminality = "ForcedCriminality", es: "Actividades delictivas forzadas", en: "Forced criminality";
        ForcedAdoption = "ForcedAdoption", es: "Adopción forzada", en: "Forced adoption";
        Surrogacy = "Surrogacy", es: "Gestación subrogada forzada", en: "Surrogacy";
        Other = "Other", es: "Otra", en: "Other";
    }
}

vocabulary! {
    /// `vic_TypeOfLabourExploitation`.
    pub enum TypeOfLabour: "TypeOfLabourExploitation" {
        Agriculture = "Agriculture", es: "Agricultura", en: "Agriculture";
        Aquafarming = "Aquafarming", es: "Acuicultura y pesca", en: "Aquafarming";
        Begging = "Begging", es: "Mendicidad", en: "Begging";
        Construction = "Construction", es: "Construcción", en: "Construction";
        DomesticWork = "DomesticWork", es: "Trabajo doméstico", en: "Domestic work";
        Hospitality = "Hospitality", es: "Hostelería", en: "Hospitality";
        IllicitActivities = "IllicitActivities", es: "Actividades ilícitas", en: "Illicit activities";
        Manufacturing = "Manufacturing", es: "Manufactura", en: "Manufacturing";
        MiningOrDrilling = "MiningOrDrilling", es: "Minería o perforación", en: "Mining or drilling";
        Peddling = "Peddling", es: "Venta ambulante", en: "Peddling";
        Transportation = "Transportation", es: "Transporte", en: "Transportation";
        Other = "Other", es: "Otro", en: "Other";
    }
}

vocabulary! {
    /// `vic_LabourIndustry`: ISIC Rev. 4 sections.
    pub enum LabourIndustry: "LabourIndustry (ISIC Rev.4)" {
        A = "A_AgricultureForestryAndFishing", es: "Agricultura, silvicultura y pesca", en: "Agriculture, forestry and fishing", aliases: ["A"];
        B = "B_MiningAndQuarrying", es: "Explotación de minas y canteras", en: "Mining and quarrying", aliases: ["B"];
        C = "C_Manufacturing", es: "Industrias manufactureras", en: "Manufacturing", aliases: ["C"];
        D = "D_ElectricityGasSteamAndAirConditioningSupply", es: "Suministro de electricidad, gas, vapor y aire acondicionado", en: "Electricity, gas, steam and air conditioning supply", aliases: ["D"];
        E = "E_WaterSupplySewerageWasteManagement", es: "Suministro de agua; alcantarillado y gestión de desechos", en: "Water supply; sewerage, waste management and remediation", aliases: ["E"];
        F = "F_Construction", es: "Construcción", en: "Construction", aliases: ["F"];
        G = "G_WholesaleAndRetailTradeRepairOfMotorVehicles", es: "Comercio al por mayor y al por menor", en: "Wholesale and retail trade; repair of motor vehicles", aliases: ["G"];
        H = "H_TransportationAndStorage", es: "Transporte y almacenamiento", en: "Transportation and storage", aliases: ["H"];
        I = "I_AccommodationAndFoodServiceActivities", es: "Alojamiento y servicio de comidas", en: "Accommodation and food service activities", aliases: ["I"];
        J = "J_InformationAndCommunication", es: "Información y comunicaciones", en: "Information and communication", aliases: ["J"];
        K = "K_FinancialAndInsuranceActivities", es: "Actividades financieras y de seguros", en: "Financial and insurance activities", aliases: ["K"];
        L = "L_RealEstateActivities", es: "Actividades inmobiliarias", en: "Real estate activities", aliases: ["L"];
        M = "M_ProfessionalScientificAndTechnicalActivities", es: "Actividades profesionales, científicas y técnicas", en: "Professional, scientific and technical activities", aliases: ["M"];
        N = "N_AdministrativeAndSupportServiceActivities", es: "Actividades de servicios administrativos y de apoyo", en: "Administrative and support service activities", aliases: ["N"];
        O = "O_PublicAdministrationAndDefence", es: "Administración pública y defensa", en: "Public administration and defence", aliases: ["O"];
        P = "P_Education", es: "Enseñanza", en: "Education", aliases: ["P"];
        Q = "Q_HumanHealthAndSocialWorkActivities", es: "Salud humana y asistencia social", en: "Human health and social work activities", aliases: ["Q"];
        R = "R_ArtsEntertainmentAndRecreation", es: "Artes, entretenimiento y recreación", en: "Arts, entertainment and recreation", aliases: ["R"];
        S = "S_OtherServiceActivities", es: "Otras actividades de servicios", en: "Other service activities", aliases: ["S"];
        T = "T_ActivitiesOfHouseholdsAsEmployers", es: "Hogares como empleadores (trabajo doméstico)", en: "Activities of households as employers", aliases: ["T"];
        U = "U_ActivitiesOfExtraterritorialOrganizations", es: "Organizaciones extraterritoriales", en: "Activities of extraterritorial organizations", aliases: ["U"];
    }
}

vocabulary! {
    /// `vic_TypeOfSexExploitation`.
    pub enum TypeOfSexExploitation: "TypeOfSexExploitation" {
        Prostitution = "Prostitution", es: "Prostitución", en: "Prostitution";
        Pornography = "Pornography", es: "Pornografía", en: "Pornography";
        RemoteInteractiveServices = "RemoteInteractiveServices", es: "Servicios interactivos a distancia", en: "Remote interactive services";
        PrivateSexualServices = "PrivateSexualServices", es: "Servicios sexuales privados", en: "Private sexual services";
    }
}

vocabulary! {
    /// The victim's relationship to the recruiter or trafficker (CTDC's `RecruiterRelationship`).
    pub enum RelationshipToTrafficker: "RelationshipToTrafficker" {
        IntimatePartner = "IntimatePartner", es: "Pareja íntima", en: "Intimate partner", aliases: ["Intimate Partner"];
        FamilyRelative = "FamilyRelative", es: "Familiar", en: "Family / relative", aliases: ["Family/Relative", "Family"];
        FriendAcquaintance = "FriendAcquaintance", es: "Amistad o conocido", en: "Friend / acquaintance", aliases: ["Friend/Acquaintance", "Friend"];
        Employer = "Employer", es: "Empleador", en: "Employer";
        Stranger = "Stranger", es: "Persona extraña (sin relación previa)", en: "Stranger (no earlier relationship)";
        Other = "Other", es: "Otra", en: "Other";
        Unknown = "Unknown", es: "Desconocida", en: "Unknown", aliases: ["Not Specified", "NotSpecified"];
    }
}

vocabulary! {
    /// `per_RoleInProcess`: a perpetrator's role.
    pub enum PerpetratorRole: "RoleInProcess" {
        TravellingPartner = "TravellingPartner", es: "Acompañante de viaje", en: "Travelling partner";
        Transporter = "Transporter", es: "Transportista", en: "Transporter";
        RecruiterOrIntermediary = "RecruiterOrIntermediary", es: "Reclutador o intermediario", en: "Recruiter or intermediary", aliases: ["Recruiter"];
        BrokerTravelAgent = "BrokerTravelAgent", es: "Agente de viajes o gestor", en: "Broker / travel agent";
        TransferredIndividual = "TransferredIndividual", es: "Trasladó a la persona", en: "Transferred the individual";
        HarbouredIndividual = "HarbouredIndividual", es: "Acogió u ocultó a la persona", en: "Harboured the individual";
        SoldIndividual = "SoldIndividual", es: "Vendió a la persona", en: "Sold the individual";
        BoughtIndividual = "BoughtIndividual", es: "Compró a la persona", en: "Bought the individual";
        ReceivedIndividual = "ReceivedIndividual", es: "Recibió a la persona", en: "Received the individual";
        ControlledIndividual = "ControlledIndividual", es: "Controló a la persona", en: "Controlled the individual";
        Smuggler = "Smuggler", es: "Traficante de migrantes (coyote)", en: "Smuggler";
        Abuser = "Abuser", es: "Abusador", en: "Abuser";
        Kidnapper = "Kidnapper", es: "Secuestrador", en: "Kidnapper";
        Exploiter = "Exploiter", es: "Explotador", en: "Exploiter";
        Other = "Other", es: "Otro", en: "Other";
    }
}

vocabulary! {
    /// `hte_Type`: a step in the route of a case.
    pub enum TraffickingEventType: "TraffickingEventType" {
        Recruitment = "Recruitment", es: "Captación", en: "Recruitment";
        Transit = "Transit", es: "Tránsito", en: "Transit";
        Exploitation = "Exploitation", es: "Explotación", en: "Exploitation";
    }
}

vocabulary! {
    /// `cas_Status`.
    pub enum CaseStatus: "CaseStatus" {
        Active = "Active", es: "Activo", en: "Active";
        FollowUp = "FollowUp", es: "Seguimiento", en: "Follow-up";
        Closed = "Closed", es: "Cerrado", en: "Closed";
        ClosedReferred = "ClosedReferred", es: "Cerrado por remisión", en: "Closed (referred)";
    }
}

vocabulary! {
    /// `cas_ReasonForIncomingReferral` and `cas_ReasonForOutgoingReferral`.
    pub enum ReferralReason: "ReasonForReferral" {
        AdditionalServicesRequired = "AdditionalServicesRequired", es: "Se requieren servicios adicionales", en: "Additional services required";
        MigrationOrChangeOfLocation = "MigrationOrChangeOfLocation", es: "Migración o cambio de ubicación", en: "Migration or change of location";
        Other = "Other", es: "Otro", en: "Other";
    }
}

vocabulary! {
    /// `spl_Type`: a support-plan service type, also the needs the service directory matches.
    pub enum SupportType: "SupportPlanType" {
        Accommodation = "Accommodation", es: "Albergue", en: "Shelter", aliases: ["Shelter"];
        Health = "Health", es: "Atención médica", en: "Medical care", aliases: ["Medical"];
        Psychosocial = "Psychosocial", es: "Atención psicológica", en: "Psychological support", aliases: ["Psychological"];
        Legal = "Legal", es: "Asesoría legal", en: "Legal aid";
        ImmigrationRelief = "ImmigrationRelief", es: "Protección migratoria", en: "Immigration relief", aliases: ["Immigration"];
        ReturnAndReintegration = "ReturnAndReintegration", es: "Retorno y reintegración", en: "Return and reintegration", aliases: ["Return"];
        Livelihood = "Livelihood", es: "Medios de vida", en: "Livelihood";
        Education = "Education", es: "Educación", en: "Education";
        Financial = "Financial", es: "Apoyo económico", en: "Financial support";
        SocialCare = "SocialCare", es: "Atención social", en: "Social care";
        Other = "Other", es: "Otro", en: "Other";
    }
}

vocabulary! {
    /// `spl_Status`: where a support-plan item stands.
    pub enum SupportStatus: "SupportPlanStatus" {
        Planned = "Planned", es: "Planificado", en: "Planned";
        InProgress = "InProgress", es: "En curso", en: "In progress";
        Completed = "Completed", es: "Completado", en: "Completed";
        Declined = "Declined", es: "Rechazado por la persona", en: "Declined";
        Cancelled = "Cancelled", es: "Cancelado", en: "Cancelled";
    }
}

vocabulary! {
    /// `con_`: what a consent covers. Each part of a case that may be shared with another
    /// organisation is a scope.
    pub enum ConsentScope: "ConsentScope" {
        ManagePersonalData = "ManagePersonalData", es: "Gestionar datos personales", en: "Manage personal data";
        Identity = "identity", es: "Identidad (nombres, fecha de nacimiento)", en: "Identity (names, date of birth)";
        Contact = "contact", es: "Datos de contacto", en: "Contact details";
        Screening = "screening", es: "Resultados de la evaluación", en: "Screening results";
        Events = "events", es: "Ruta (captación, tránsito, explotación)", en: "Route (recruitment, transit, exploitation)";
        Notes = "notes", es: "Notas del caso", en: "Case notes";
        Documents = "documents", es: "Documentos adjuntos", en: "Attached documents";
        DeidentifiedStatistics = "DeidentifiedStatistics", es: "Estadísticas anonimizadas", en: "De-identified statistics";
        Matching = "matching", es: "Búsqueda con organizaciones aliadas (sin compartir nombres)", en: "Matching with partner organisations (without sharing names)";
    }
}

vocabulary! {
    /// `vic_Vulnerabilities`.
    pub enum Vulnerability: "Vulnerabilities" {
        Addiction = "Addiction", es: "Adicción", en: "Addiction";
        Caste = "Caste", es: "Casta", en: "Caste";
        Discrimination = "Discrimination", es: "Discriminación", en: "Discrimination";
        Poverty = "Poverty", es: "Pobreza", en: "Poverty";
        DisabilityAndPhysicalHealth = "DisabilityAndPhysicalHealth", es: "Discapacidad y salud física", en: "Disability and physical health";
        MentalHealth = "MentalHealth", es: "Salud mental", en: "Mental health", aliases: ["Mental health"];
        Migration = "Migration", es: "Migración", en: "Migration";
        Homelessness = "Homelessness", es: "Situación de calle", en: "Homelessness";
        AbuseSocialMedia = "AbuseSocialMedia", es: "Abuso en redes sociales", en: "Abuse - social media";
        AbusePhysical = "AbusePhysical", es: "Abuso físico", en: "Abuse - physical";
        Education = "Education", es: "Educación", en: "Education";
        WorkEnvironment = "WorkEnvironment", es: "Entorno laboral", en: "Work environment", aliases: ["Work environment"];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::vocabulary::Vocabulary;

    fn check_vocabulary<V: Vocabulary + std::fmt::Debug + PartialEq>() {
        let mut codes = std::collections::HashSet::new();
        for value in V::all() {
            assert!(
                codes.insert(value.code().to_ascii_lowercase()),
                "{} repeats {}",
                V::NAME,
                value.code()
            );
            assert_eq!(V::from_code(value.code()), Some(*value));
            for alias in value.aliases() {
                assert_eq!(
                    V::from_code(alias),
                    Some(*value),
                    "{} alias {alias}",
                    V::NAME
                );
            }
            for lang in Lang::ALL {
                assert!(!value.label_in(lang).is_empty());
            }
            // "Desconocido" means one thing only: the answer is not known.
            let unknown_label = value.label_in(Lang::Es).starts_with("Desconocid")
                || value.label_in(Lang::En) == "Unknown";
            assert_eq!(
                unknown_label,
                value.code() == "Unknown",
                "{} {}: {:?}",
                V::NAME,
                value.code(),
                value.label()
            );
        }
        assert!(V::parse_code("surely-not-a-code").is_err());
    }

    #[test]
    fn every_vocabulary_round_trips_its_codes_and_aliases() {
        check_vocabulary::<OrganisationType>();
        check_vocabulary::<Gender>();
        check_vocabulary::<TraffickingStatus>();
        check_vocabulary::<TraffickingStatusDecidedBy>();
        check_vocabulary::<MethodOfRecruitment>();
        check_vocabulary::<MethodOfControl>();
        check_vocabulary::<TypeOfExploitation>();
        check_vocabulary::<TypeOfLabour>();
        check_vocabulary::<LabourIndustry>();
        check_vocabulary::<TypeOfSexExploitation>();
        check_vocabulary::<RelationshipToTrafficker>();
        check_vocabulary::<PerpetratorRole>();
        check_vocabulary::<TraffickingEventType>();
        check_vocabulary::<CaseStatus>();
        check_vocabulary::<ReferralReason>();
        check_vocabulary::<SupportType>();
        check_vocabulary::<SupportStatus>();
        check_vocabulary::<ConsentScope>();
        check_vocabulary::<Vulnerability>();
    }

    #[test]
    fn both_spellings_of_restricts_movement_are_accepted() {
        assert_eq!(
            MethodOfControl::from_code("RestrictsMovement"),
            Some(MethodOfControl::RestrictsMovement)
        );
        assert_eq!(
            MethodOfControl::from_code("RestrictMovement"),
            Some(MethodOfControl::RestrictsMovement)
        );
        assert_eq!(
            MethodOfControl::RestrictsMovement.code(),
            "RestrictsMovement"
        );
    }

    #[test]
    fn codes_serialise_as_the_standard_spells_them() {
        let json =
            serde_json::to_string(&[CaseStatus::ClosedReferred, CaseStatus::FollowUp]).unwrap();
        assert_eq!(json, r#"["ClosedReferred","FollowUp"]"#);
        let back: Vec<CaseStatus> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, vec![CaseStatus::ClosedReferred, CaseStatus::FollowUp]);
        let error = serde_json::from_str::<CaseStatus>(r#""Open""#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("`Open` is not a CaseStatus code"), "{error}");
        assert_eq!(
            Gender::TransgenderNonConforming.label_in(Lang::Es),
            "Transgénero / no conforme"
        );
    }
}
