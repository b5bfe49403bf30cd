//! The screening facts vocabulary of `shared/docs/screening.md`. Owned by the screening work.
//!
//! Every code of screening.md is a [`Fact`]; each fact belongs to one [`FactGroup`] (the element of
//! the definition it speaks to: act, means, activity, conditions, migration, urgency). The codes are
//! a stable interface: the web form, the CLI, imports and the API all speak them. The rules that
//! read these facts live in `puente-screening`, never here.

use crate::vocabulary::Vocabulary;

crate::vocabulary! {
    /// The element of a definition a fact speaks to, in the order a screener asks about them.
    pub enum FactGroup: "screening fact group" {
        Act = "act", es: "Acto", en: "Act";
        Means = "means", es: "Medios", en: "Means";
        Activity = "activity", es: "Actividad", en: "Activity";
        Conditions = "conditions", es: "Condiciones", en: "Conditions";
        Migration = "migration", es: "Migración", en: "Migration";
        Urgency = "urgency", es: "Urgencia", en: "Urgency";
    }
}

crate::vocabulary! {
    /// One fact a screener can learn about a person's situation. Serialised as its code.
    ///
    /// The order of the variants is the order of screening.md; sets of facts (`BTreeSet<Fact>`) list
    /// them in that order.
    pub enum Fact: "screening fact" {
        ActRecruited = "act_recruited",
            es: "Reclutada, contratada, atraída o engañada para venir", en: "Recruited, hired, enticed or lured";
        ActTransported = "act_transported",
            es: "Trasladada, dentro de un país o a través de una frontera", en: "Moved, within a country or across a border";
        ActTransferred = "act_transferred",
            es: "Entregada de una persona o grupo a otro", en: "Handed over from one person or group to another";
        ActHarboured = "act_harboured",
            es: "Alojada, escondida o retenida", en: "Housed, hidden or kept";
        ActReceived = "act_received",
            es: "Recibida por quien la explota", en: "Received by the person who exploits";

        MeansPhysicalViolence = "means_physical_violence",
            es: "Violencia física", en: "Physical violence";
        MeansSexualViolence = "means_sexual_violence",
            es: "Violencia sexual", en: "Sexual violence";
        MeansThreats = "means_threats",
            es: "Amenazas", en: "Threats";
        MeansThreatsToFamily = "means_threats_to_family",
            es: "Amenazas a la familia o a los hijos", en: "Threats to family or children";
        MeansThreatOfAuthorities = "means_threat_of_authorities",
            es: "Amenaza de deportación, arresto o denuncia", en: "Threat of deportation, arrest or denunciation";
        MeansAbduction = "means_abduction",
            es: "Secuestro o rapto", en: "Abduction";
        MeansDeception = "means_deception",
            es: "Engaño o falsas promesas", en: "Deception or false promises";
        MeansAbuseOfVulnerability = "means_abuse_of_vulnerability",
            es: "Abuso de una situación de vulnerabilidad", en: "Abuse of a position of vulnerability";
        MeansDebtBondage = "means_debt_bondage",
            es: "Servidumbre por deudas", en: "Debt bondage";
        MeansWithholdsDocuments = "means_withholds_documents",
            es: "Retención de documentos de identidad", en: "Identity documents withheld";
        MeansWithholdsEarnings = "means_withholds_earnings",
            es: "Retención o apropiación de ganancias", en: "Earnings withheld or taken";
        MeansRestrictsMovement = "means_restricts_movement",
            es: "Restricción de la libertad de movimiento", en: "Freedom of movement restricted";
        MeansIsolation = "means_isolation",
            es: "Aislamiento de familia, comunidad o teléfono", en: "Isolated from family, community or phone";
        MeansPsychoactiveSubstances = "means_psychoactive_substances",
            es: "Uso de drogas o alcohol para controlar", en: "Drugs or alcohol used to control";
        MeansPsychologicalAbuse = "means_psychological_abuse",
            es: "Abuso psicológico", en: "Psychological abuse";
        MeansWithholdsNecessities = "means_withholds_necessities",
            es: "Privación de comida, sueño o atención médica", en: "Food, sleep or medical care withheld";
        MeansPaymentToController = "means_payment_to_controller",
            es: "Pago a quien tenía control sobre la persona (vendida, comprada, regalada)",
            en: "Payment to someone in control of the person (sold, bought, given away)";

        ActivityCommercialSex = "activity_commercial_sex",
            es: "Comercio sexual (incluido sexo por supervivencia e imágenes sexuales)",
            en: "Commercial sex (including survival sex and sexual images)";
        ActivityLabour = "activity_labour",
            es: "Trabajo o servicios en beneficio de otra persona", en: "Labour or services for another's benefit";
        ActivityDomesticWork = "activity_domestic_work",
            es: "Trabajo doméstico", en: "Domestic work";
        ActivityCriminal = "activity_criminal",
            es: "Obligada a cometer delitos", en: "Made to commit crimes";
        ActivityBegging = "activity_begging",
            es: "Mendicidad", en: "Begging";
        ActivityMarriage = "activity_marriage",
            es: "Casada o prometida en matrimonio por otros", en: "Married, or promised in marriage, by others";
        ActivityArmedGroup = "activity_armed_group",
            es: "Utilizada por un grupo armado o pandilla", en: "Used by an armed group or gang";
        ActivityOrganRemoval = "activity_organ_removal",
            es: "Extracción de órganos", en: "Organ removal";

        CondExcessiveHours = "cond_excessive_hours",
            es: "Jornadas excesivas", en: "Excessive working hours";
        CondLittleOrNoPay = "cond_little_or_no_pay",
            es: "Poco o ningún pago", en: "Little or no pay";
        CondHazardousOrDegrading = "cond_hazardous_or_degrading",
            es: "Trabajo peligroso o condiciones de vida degradantes", en: "Dangerous work or degrading living conditions";
        CondCannotLeave = "cond_cannot_leave",
            es: "No es libre de renunciar, irse o negarse", en: "Not free to quit, leave or refuse";

        MigrCrossedBorder = "migr_crossed_border",
            es: "Cruzó una frontera internacional", en: "Crossed an international border";
        MigrIrregularEntry = "migr_irregular_entry",
            es: "Entrada irregular (sin autorización, evadiendo controles o con documentos falsos)",
            en: "Irregular entry (without authorisation, evading controls or with false documents)";
        MigrPaidSmuggler = "migr_paid_smuggler",
            es: "Pagó, o debe, a alguien por facilitar el cruce", en: "Paid, or owes, someone for facilitating the crossing";
        MigrConsentedToMove = "migr_consented_to_move",
            es: "Aceptó el viaje", en: "Agreed to the journey";
        MigrSmugglingDebt = "migr_smuggling_debt",
            es: "Debe dinero por el viaje", en: "Owes money for the journey";
        MigrHandedOverEnRoute = "migr_handed_over_en_route",
            es: "Entregada a otro grupo durante el viaje", en: "Passed to another group during the journey";
        MigrKidnappedEnRoute = "migr_kidnapped_en_route",
            es: "Secuestrada, retenida por rescate o extorsionada en la ruta",
            en: "Kidnapped, held for ransom or extorted on the route";

        UrgentUnderControlNow = "urgent_under_control_now",
            es: "Sigue bajo el control de quien la explota", en: "Still under the control of the exploiter";
        UrgentControllerPresent = "urgent_controller_present",
            es: "Alguien habla por ella, la acompaña o la espera", en: "Someone speaks for, accompanies or waits for the person";
        UrgentMedicalNeed = "urgent_medical_need",
            es: "Necesidad médica urgente", en: "Urgent medical need";
        UrgentSelfHarmRisk = "urgent_self_harm_risk",
            es: "Riesgo de autolesión", en: "Risk of self-harm";
    }
}

impl Fact {
    /// The element of the definition this fact speaks to, read from its code's prefix.
    pub fn group(self) -> FactGroup {
        let code = self.code();
        if code.starts_with("act_") {
            FactGroup::Act
        } else if code.starts_with("means_") {
            FactGroup::Means
        } else if code.starts_with("activity_") {
            FactGroup::Activity
        } else if code.starts_with("cond_") {
            FactGroup::Conditions
        } else if code.starts_with("migr_") {
            FactGroup::Migration
        } else {
            FactGroup::Urgency
        }
    }

    /// Every fact of a group, in vocabulary order.
    pub fn in_group(group: FactGroup) -> impl Iterator<Item = Fact> {
        Fact::all()
            .iter()
            .copied()
            .filter(move |fact| fact.group() == group)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_screening_md_is_a_fact_with_its_group() {
        assert_eq!(Fact::all().len(), 45);
        let counts: Vec<usize> = FactGroup::all()
            .iter()
            .map(|group| Fact::in_group(*group).count())
            .collect();
        assert_eq!(counts, [5, 17, 8, 4, 7, 4]);
        assert_eq!(
            Fact::from_code("means_debt_bondage"),
            Some(Fact::MeansDebtBondage)
        );
        assert_eq!(Fact::MeansDebtBondage.group(), FactGroup::Means);
        assert!(Fact::from_code("urgent_self_harm_risk").is_some());
        let error = Fact::parse_code("means_magic").unwrap_err();
        assert_eq!(
            error.to_string(),
            "`means_magic` is not a screening fact code"
        );
    }

    #[test]
    fn facts_serialise_as_their_codes() {
        let json = serde_json::to_string(&[Fact::ActRecruited, Fact::UrgentMedicalNeed]).unwrap();
        assert_eq!(json, r#"["act_recruited","urgent_medical_need"]"#);
        let back: Vec<Fact> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, [Fact::ActRecruited, Fact::UrgentMedicalNeed]);
    }
}
