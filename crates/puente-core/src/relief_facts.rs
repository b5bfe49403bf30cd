//! The relief facts and the relief options of `shared/docs/relief.md`: which immigration relief and
//! victim protections a survivor may be able to seek. Owned by the legal-protection work.
//!
//! The codes are a stable interface, like the screening facts: the web form, the CLI, the API and
//! the legal track (a relief application names its [`ReliefOptionKind`]) speak them. The rules that
//! read these facts live in `puente-screening` (module `relief`), never here. The labels are
//! written to read after "met:" or "still to find out:" in an explanation.

crate::vocabulary! {
    /// One relief fact a case worker can learn, in relief.md's order. Serialised as its code.
    pub enum ReliefFact: "relief fact" {
        PresentOnAccount = "rel_present_on_account",
            es: "está en EE. UU. (o en un puerto de entrada) a causa de la trata: la trajeron para ello o la retienen allí",
            en: "is in the US (or at a port of entry) on account of the trafficking: brought in for it, or kept there by it";
        LawEnforcementCooperated = "rel_le_cooperated",
            es: "ha atendido las solicitudes razonables de las autoridades (denunció, declaró)",
            en: "has complied with reasonable requests of law enforcement (reported, gave a statement)";
        LawEnforcementRefused = "rel_le_refused",
            es: "se ha negado a una solicitud razonable de las autoridades",
            en: "has refused a reasonable request of law enforcement";
        TraumaPreventsCooperation = "rel_trauma_prevents_cooperation",
            es: "un trauma físico o psicológico le impide cooperar",
            en: "physical or psychological trauma prevents cooperating";
        ExtremeHardship = "rel_extreme_hardship",
            es: "la expulsión le causaría un sufrimiento extremo, con un daño inusual y grave",
            en: "removal would bring extreme hardship involving unusual and severe harm";
        SubstantialAbuse = "rel_substantial_abuse",
            es: "sufrió un abuso físico o mental considerable a causa del delito",
            en: "suffered substantial physical or mental abuse from the crime";
        HasInformation = "rel_has_information",
            es: "tiene información sobre el delito",
            en: "has information about the crime";
        LawEnforcementCertification = "rel_le_certification",
            es: "hay una certificación de las autoridades firmada (formulario I-918, Suplemento B, de USCIS)",
            en: "a law-enforcement certification is signed (USCIS Form I-918 Supplement B)";
        CrimeInUs = "rel_crime_in_us",
            es: "el delito ocurrió en EE. UU. o violó la ley de EE. UU.",
            en: "the crime happened in the US or violated US law";
        OtherQualifyingCrime = "rel_other_qualifying_crime",
            es: "es víctima de otro delito que da derecho a la visa U (violencia doméstica, agresión sexual, secuestro, extorsión, servidumbre involuntaria, peonaje...)",
            en: "is a victim of another U-visa crime (domestic violence, sexual assault, kidnapping, extortion, involuntary servitude, peonage, ...)";
        PotentialWitness = "rel_potential_witness",
            es: "es posible testigo en una investigación o un proceso penal",
            en: "is a potential witness in an investigation or prosecution";
        ParentAbuseNeglectAbandonment = "rel_parent_abuse_neglect_abandonment",
            es: "sufrió maltrato, negligencia o abandono de uno o ambos progenitores",
            en: "was abused, neglected or abandoned by one or both parents";
        JuvenileCourtFindings = "rel_juvenile_court_findings",
            es: "un tribunal estatal de menores declaró que la reunificación con uno o ambos progenitores no es viable por maltrato, negligencia o abandono, y que volver no es en su interés superior",
            en: "a state juvenile court found that reunification with one or both parents is not viable for abuse, neglect or abandonment and that return is not in the child's best interest";
        FearOfReturn = "rel_fear_of_return",
            es: "teme persecución o un daño grave si la devuelven",
            en: "fears persecution or serious harm if returned";
        ProtectedGround = "rel_protected_ground",
            es: "el daño temido es por raza, religión, nacionalidad, opinión política o pertenencia a un determinado grupo social",
            en: "the feared harm is because of race, religion, nationality, political opinion or membership in a particular social group";
        AbusedByUsCitizenOrResidentFamily = "rel_abused_by_usc_lpr_family",
            es: "sufrió maltrato o crueldad extrema de su cónyuge, padre, madre o hijo adulto con ciudadanía o residencia permanente de EE. UU.",
            en: "was battered or subjected to extreme cruelty by a US-citizen or permanent-resident spouse, parent or adult child";
        CrimeInCountry = "rel_crime_in_country",
            es: "el delito ocurrió en el país donde está ahora",
            en: "the crime happened in the country where the person is now";
        WantsReturn = "rel_wants_return",
            es: "desea volver a su país de nacionalidad",
            en: "wishes to return to the country of nationality";
    }
}

crate::vocabulary! {
    /// One relief option or protection of relief.md, in its order. A relief application of the
    /// legal track names one of these.
    pub enum ReliefOptionKind: "relief option" {
        UsTVisa = "us_t_visa", es: "Visa T (EE. UU.)", en: "T visa (US)";
        UsContinuedPresence = "us_continued_presence",
            es: "Presencia continuada (Continued Presence, EE. UU.)", en: "Continued Presence (US)";
        UsUVisa = "us_u_visa", es: "Visa U (EE. UU.)", en: "U visa (US)";
        UsSijs = "us_sijs",
            es: "Estatus especial de inmigrante juvenil (SIJS, EE. UU.)", en: "Special Immigrant Juvenile Status (SIJS, US)";
        UsAsylum = "us_asylum",
            es: "Asilo, suspensión de la expulsión y protección contra la tortura (EE. UU.)",
            en: "Asylum, withholding of removal and protection against torture (US)";
        UsVawa = "us_vawa",
            es: "Autopetición por violencia doméstica (VAWA, EE. UU.)", en: "VAWA self-petition (US)";
        UsTvpraChild = "us_tvpra_child",
            es: "Procedimientos de la TVPRA para niñas y niños no acompañados (EE. UU.)",
            en: "TVPRA procedures for unaccompanied children (US)";
        UsHhsLetter = "us_hhs_letter",
            es: "Carta de elegibilidad o certificación del HHS (EE. UU.)", en: "HHS eligibility letter or certification (US)";
        MxHumanitarianVisitor = "mx_humanitarian_visitor",
            es: "Condición de visitante por razones humanitarias (México)", en: "Visitor for humanitarian reasons (Mexico)";
        CrSpecialCategory = "cr_special_category",
            es: "Categoría migratoria especial para víctimas de trata (Costa Rica)",
            en: "Special migratory category for victims of trafficking (Costa Rica)";
        NationalProtection = "national_protection",
            es: "Protección nacional a víctimas de trata", en: "National protection for victims of trafficking";
        AssistedReturn = "assisted_return",
            es: "Retorno voluntario asistido", en: "Assisted voluntary return";
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vocabulary;

    #[test]
    fn every_relief_fact_code_starts_with_rel_and_round_trips() {
        assert_eq!(ReliefFact::all().len(), 18);
        for fact in ReliefFact::all() {
            assert!(fact.code().starts_with("rel_"), "{fact}");
            assert_eq!(ReliefFact::from_code(fact.code()), Some(*fact));
            let label = fact.label();
            assert!(!label.es.contains("rel_") && !label.en.contains("rel_"));
        }
        assert!(ReliefFact::from_code("rel_magic").is_none());
    }

    #[test]
    fn the_twelve_options_keep_their_order() {
        let codes: Vec<&str> = ReliefOptionKind::all().iter().map(|o| o.code()).collect();
        assert_eq!(
            codes,
            [
                "us_t_visa",
                "us_continued_presence",
                "us_u_visa",
                "us_sijs",
                "us_asylum",
                "us_vawa",
                "us_tvpra_child",
                "us_hhs_letter",
                "mx_humanitarian_visitor",
                "cr_special_category",
                "national_protection",
                "assisted_return"
            ]
        );
    }
}
