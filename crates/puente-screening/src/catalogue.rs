//! The indicator catalogue, as data: for every fact of screening.md, its group, its HTCDS 2.0
//! MethodsOfControl code where HTCDS has the same concept, its sources, and the question a
//! screener asks to learn it, in Spanish and English, in adult wording and in child-appropriate
//! wording. Every question is asked so that "yes" means the fact is present.
//!
//! The questionnaires are built on this table; `puente screen --list-facts` prints it.

use puente_core::screening_facts::{Fact, FactGroup};
use puente_core::{Label, Lang, Vocabulary};
use serde::{Serialize, Serializer};

/// Where an indicator comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Palermo Protocol, art. 3 (act, means, purpose).
    Palermo,
    /// US TVPA, 22 U.S.C. 7102.
    Tvpa,
    /// One of the ILO's 11 indicators of forced labour (1 to 11).
    Ilo(u8),
    /// UNODC's list of human trafficking indicators.
    Unodc,
    /// Smuggling of Migrants Protocol art. 3, and the UNODC / US HSTC smuggling-versus-trafficking criteria.
    Smuggling,
    /// Screening practice: HHS "Look Beneath the Surface", Vera's TVIT, the DHS Blue Campaign card.
    Practice,
}

/// The names of the ILO's 11 indicators of forced labour, by number.
pub const ILO_INDICATORS: [&str; 11] = [
    "Abuse of vulnerability",
    "Deception",
    "Restriction of movement",
    "Isolation",
    "Physical and sexual violence",
    "Intimidation and threats",
    "Retention of identity documents",
    "Withholding of wages",
    "Debt bondage",
    "Abusive working and living conditions",
    "Excessive overtime",
];

impl Source {
    /// The citation, e.g. `Palermo art. 3` or `ILO indicator 9 (Debt bondage)`.
    pub fn citation(self) -> String {
        match self {
            Source::Palermo => "Palermo art. 3".into(),
            Source::Tvpa => "22 U.S.C. 7102".into(),
            Source::Ilo(number) => format!(
                "ILO indicator {number} ({})",
                ILO_INDICATORS[usize::from(number) - 1]
            ),
            Source::Unodc => "UNODC indicator list".into(),
            Source::Smuggling => "Smuggling Protocol art. 3; UNODC/HSTC criteria".into(),
            Source::Practice => "HHS Look Beneath the Surface; Vera TVIT".into(),
        }
    }
}

impl Serialize for Source {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.citation())
    }
}

/// The question that learns one fact, in adult and child wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Questions {
    pub adult: Label,
    pub child: Label,
}

/// For whom a question is worded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    #[default]
    Adult,
    Child,
}

impl Questions {
    pub fn get(&self, lang: Lang, audience: Audience) -> &'static str {
        match audience {
            Audience::Adult => self.adult.get(lang),
            Audience::Child => self.child.get(lang),
        }
    }
}

/// One row of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Indicator {
    pub fact: Fact,
    /// The HTCDS 2.0 MethodsOfControl code(s), where HTCDS has the same concept.
    pub htcds: &'static [&'static str],
    pub sources: &'static [Source],
    pub question: Questions,
}

impl Indicator {
    pub fn group(&self) -> FactGroup {
        self.fact.group()
    }
    pub fn label(&self) -> Label {
        self.fact.label()
    }
}

impl Serialize for Indicator {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut row = serializer.serialize_struct("Indicator", 6)?;
        row.serialize_field("code", &self.fact)?;
        row.serialize_field("group", &self.group())?;
        row.serialize_field("label", &self.label())?;
        row.serialize_field("htcds", &self.htcds)?;
        row.serialize_field("sources", &self.sources)?;
        row.serialize_field("question", &self.question)?;
        row.end()
    }
}

/// The catalogue row of a fact.
pub fn indicator(fact: Fact) -> &'static Indicator {
    CATALOGUE
        .iter()
        .find(|row| row.fact == fact)
        .expect("the catalogue has a row for every fact (tested)")
}

/// The whole catalogue, in vocabulary order.
pub fn all() -> &'static [Indicator] {
    CATALOGUE
}

macro_rules! row {
    ($fact:ident, [$($htcds:literal),*], [$($source:expr),*],
     $adult_es:literal, $adult_en:literal, $child_es:literal, $child_en:literal) => {
        Indicator {
            fact: Fact::$fact,
            htcds: &[$($htcds),*],
            sources: &[$($source),*],
            question: Questions {
                adult: Label { es: $adult_es, en: $adult_en },
                child: Label { es: $child_es, en: $child_en },
            },
        }
    };
}

use Source::{Ilo, Palermo, Practice, Smuggling, Tvpa, Unodc};

static CATALOGUE: &[Indicator] = &[
    // Act
    row!(ActRecruited, [], [Palermo, Tvpa, Unodc],
        "¿Alguien le ofreció este trabajo o esta situación, le contrató o le convenció de venir (una oferta de empleo, una relación, una beca, un arreglo familiar)?",
        "Did someone offer you this job or situation, hire you, or talk you into coming (a job offer, a relationship, a scholarship, a family arrangement)?",
        "¿Alguien te ofreció un trabajo, un viaje o algo bonito para que te fueras con esa persona?",
        "Did someone offer you a job, a trip or something nice so that you would go with them?"),
    row!(ActTransported, [], [Palermo, Tvpa, Unodc],
        "¿Alguien le llevó o le trasladó de un lugar a otro, dentro del país o a otro país?",
        "Did someone take you or move you from one place to another, within the country or to another country?",
        "¿Alguien te llevó de un lugar a otro, en tu país o a otro país?",
        "Did someone take you from one place to another, in your country or to another country?"),
    row!(ActTransferred, [], [Palermo, Unodc],
        "¿Le entregaron de una persona o grupo a otro?",
        "Were you handed over from one person or group to another?",
        "¿Una persona te entregó a otra persona o a otro grupo?",
        "Did one person hand you over to another person or group?"),
    row!(ActHarboured, [], [Palermo, Tvpa, Unodc],
        "¿Alguien le dio alojamiento, le escondió o le mantuvo en un lugar?",
        "Did someone house you, hide you or keep you somewhere?",
        "¿Alguien te tuvo viviendo, escondida o escondido, o encerrado en algún lugar?",
        "Did someone keep you living, hidden or shut in somewhere?"),
    row!(ActReceived, [], [Palermo, Unodc],
        "Al llegar, ¿le recibió la persona para la que tuvo que trabajar o hacer cosas?",
        "When you arrived, were you received by the person you then had to work or do things for?",
        "Cuando llegaste, ¿te recibió la persona para la que tuviste que trabajar o hacer cosas?",
        "When you arrived, did the person you then had to work or do things for meet you?"),
    // Means
    row!(MeansPhysicalViolence, ["PhysicalAbuse"], [Palermo, Tvpa, Ilo(5), Unodc],
        "¿Alguien le golpeó, le hirió o le hizo daño físico?",
        "Has anyone hit you, injured you or physically hurt you?",
        "¿Alguien te pegó o te lastimó el cuerpo?",
        "Did anyone hit you or hurt your body?"),
    row!(MeansSexualViolence, ["SexualAbuse"], [Palermo, Tvpa, Ilo(5), Unodc],
        "¿Alguien le obligó a tener contacto sexual o le tocó sin que usted quisiera?",
        "Has anyone forced you into sexual contact or touched you when you did not want it?",
        "¿Alguien te tocó tus partes íntimas o te obligó a hacer algo sexual que no querías?",
        "Did anyone touch your private parts or make you do something sexual you did not want to?"),
    row!(MeansThreats, ["PhysicalThreats"], [Palermo, Tvpa, Ilo(6), Unodc],
        "¿Alguien le amenazó con hacerle daño?",
        "Has anyone threatened to hurt you?",
        "¿Alguien te dijo que te iba a hacer daño?",
        "Did anyone say they would hurt you?"),
    row!(MeansThreatsToFamily, ["ThreatensChildrenFamily"], [Palermo, Tvpa, Ilo(6), Unodc],
        "¿Alguien amenazó a su familia o a sus hijos, o amenazó con hacerles daño?",
        "Has anyone threatened your family or your children, or threatened to hurt them?",
        "¿Alguien dijo que le haría daño a tu familia?",
        "Did anyone say they would hurt your family?"),
    row!(MeansThreatOfAuthorities, ["ThreatsLawEnforcement"], [Tvpa, Ilo(6), Unodc],
        "¿Alguien le amenazó con llamar a la policía o a migración, con hacer que le deporten o le arresten?",
        "Has anyone threatened to call the police or immigration on you, or to have you deported or arrested?",
        "¿Alguien te dijo que si hablabas te llevaría la policía o migración?",
        "Did anyone tell you the police or immigration would take you away if you talked?"),
    row!(MeansAbduction, [], [Palermo, Tvpa, Unodc],
        "¿Alguien se le llevó a la fuerza o le secuestró?",
        "Did anyone take you by force or kidnap you?",
        "¿Alguien se te llevó a la fuerza, sin que tú o tu familia quisieran?",
        "Did anyone take you away by force, when you or your family did not want it?"),
    row!(MeansDeception, ["FalsePromises"], [Palermo, Tvpa, Ilo(2), Unodc],
        "¿El trabajo, el pago, las condiciones, el lugar o la persona resultaron distintos de lo que le prometieron?",
        "Did the job, the pay, the conditions, the place or the person turn out different from what you were promised?",
        "¿Te prometieron algo que después no fue verdad?",
        "Did someone promise you something that turned out not to be true?"),
    row!(MeansAbuseOfVulnerability, [], [Palermo, Ilo(1), Unodc],
        "¿Alguien se aprovechó de su situación (no tener papeles, pobreza, edad, discapacidad, idioma o depender de esa persona)?",
        "Did someone take advantage of your situation (having no papers, poverty, age, disability, language, or depending on them)?",
        "¿Alguien se aprovechó de que eras menor, de que no tenías a dónde ir o de que dependías de esa persona?",
        "Did someone take advantage of you being young, having nowhere to go, or depending on them?"),
    row!(MeansDebtBondage, ["DebtBondage"], [Palermo, Tvpa, Ilo(9), Unodc],
        "¿Tiene una deuda con esa persona que no deja de crecer o que nunca termina de pagar con su trabajo?",
        "Do you owe that person a debt that keeps growing or that your work never pays off?",
        "¿Te dicen que debes dinero y que tienes que trabajar para pagarlo, y nunca se termina?",
        "Do they say you owe money and must work to pay it back, and it never ends?"),
    row!(MeansWithholdsDocuments, ["WithholdsDocuments"], [Tvpa, Ilo(7), Unodc],
        "¿Alguien le quitó o le guarda su pasaporte o sus documentos de identidad, y no se los devuelve cuando los pide?",
        "Has anyone taken or kept your passport or identity papers, and not given them back when you asked?",
        "¿Alguien te quitó tus papeles o tu pasaporte?",
        "Did anyone take your papers or your passport?"),
    row!(MeansWithholdsEarnings, ["TakesEarnings"], [Ilo(8), Unodc],
        "¿Alguien se queda con su dinero o su pago?",
        "Does someone keep your money or your pay?",
        "¿Alguien se queda con el dinero que ganas?",
        "Does someone keep the money you earn?"),
    row!(MeansRestrictsMovement, ["RestrictsMovement"], [Palermo, Tvpa, Ilo(3), Unodc],
        "¿Le encierran, le vigilan o le acompañan a todas partes, o no puede salir cuando quiere?",
        "Are you locked in, watched or escorted everywhere, or unable to go out when you want?",
        "¿Te encierran o te vigilan todo el tiempo, o no te dejan salir?",
        "Are you locked in or watched all the time, or not allowed to go out?"),
    row!(MeansIsolation, [], [Ilo(4), Unodc],
        "¿Le impiden comunicarse con su familia o con otras personas, o le quitaron el teléfono?",
        "Are you kept from contacting your family or other people, or was your phone taken?",
        "¿No te dejan hablar con tu familia o te quitaron el teléfono?",
        "Are you not allowed to talk to your family, or was your phone taken away?"),
    row!(MeansPsychoactiveSubstances, ["PsychoactiveSubstance"], [Palermo, Unodc],
        "¿Alguien le dio drogas o alcohol para controlarle o para que siguiera trabajando?",
        "Has anyone given you drugs or alcohol to control you or to keep you working?",
        "¿Alguien te dio drogas o alcohol para que hicieras lo que te pedían?",
        "Did anyone give you drugs or alcohol so that you would do what they asked?"),
    row!(MeansPsychologicalAbuse, ["PsychologicalAbuse"], [Tvpa, Ilo(6), Unodc],
        "¿Alguien le humilla, le insulta o le hace sentir miedo o culpa para controlarle?",
        "Does someone humiliate you, insult you, or make you feel afraid or guilty to control you?",
        "¿Alguien te grita, te insulta o te hace sentir miedo para que obedezcas?",
        "Does someone shout at you, call you names or scare you so that you obey?"),
    row!(MeansWithholdsNecessities, ["WithholdsNecessities", "RestrictsMedicalCare"], [Tvpa, Ilo(10), Unodc],
        "¿Le han negado comida, descanso, sueño o atención médica?",
        "Have you been denied food, rest, sleep or medical care?",
        "¿Te han dejado sin comer, sin dormir o sin ir al médico cuando estabas enfermo o enferma?",
        "Have they left you without food or sleep, or not let you see a doctor when you were sick?"),
    row!(MeansPaymentToController, [], [Palermo, Unodc],
        "¿Alguien pagó o recibió dinero u otra cosa a cambio de usted (le vendieron, le compraron o le regalaron)?",
        "Did someone pay or receive money or anything else in exchange for you (were you sold, bought or given away)?",
        "¿Alguien le dio o le pagó dinero a otra persona para quedarse contigo?",
        "Did someone give or pay money to another person to take you?"),
    // Activity
    row!(ActivityCommercialSex, [], [Palermo, Tvpa, Unodc],
        "¿Alguien le ha pedido u obligado a tener sexo, o a hacer fotos o videos sexuales, a cambio de dinero, comida, un lugar donde quedarse u otra cosa?",
        "Has anyone asked or made you have sex, or make sexual pictures or videos, in exchange for money, food, a place to stay or anything else?",
        "¿Alguien te pidió o te obligó a hacer cosas sexuales, o fotos o videos sexuales, a cambio de dinero, comida, un lugar donde dormir u otra cosa?",
        "Did anyone ask or make you do sexual things, or sexual pictures or videos, for money, food, a place to sleep or anything else?"),
    row!(ActivityLabour, [], [Palermo, Tvpa, Ilo(11)],
        "¿Ha trabajado o hecho servicios para otra persona (campo, fábrica, construcción, restaurante, ventas u otro)?",
        "Have you worked or done services for someone else (farm, factory, construction, restaurant, selling or other)?",
        "¿Has tenido que trabajar para alguien, por ejemplo en el campo, en una tienda, en la calle o en una fábrica?",
        "Have you had to work for someone, for example on a farm, in a shop, on the street or in a factory?"),
    row!(ActivityDomesticWork, [], [Palermo, Tvpa, Unodc],
        "¿Ha hecho trabajo doméstico en una casa ajena (limpiar, cocinar, cuidar niños o personas mayores)?",
        "Have you done domestic work in someone else's home (cleaning, cooking, looking after children or older people)?",
        "¿Has tenido que limpiar, cocinar o cuidar niños en la casa de otras personas?",
        "Have you had to clean, cook or look after children in other people's home?"),
    row!(ActivityCriminal, [], [Palermo, Unodc],
        "¿Le obligaron a cometer delitos (vender o llevar drogas, extorsionar, vigilar, robar)?",
        "Were you made to commit crimes (selling or carrying drugs, extortion, acting as a lookout, theft)?",
        "¿Te obligaron a hacer cosas contra la ley, como llevar o vender drogas, cobrar extorsiones, vigilar o robar?",
        "Did anyone make you do things against the law, like carrying or selling drugs, collecting extortion, keeping watch or stealing?"),
    row!(ActivityBegging, [], [Palermo, Unodc],
        "¿Le obligaron a pedir dinero en la calle?",
        "Were you made to beg for money?",
        "¿Te pusieron a pedir dinero en la calle?",
        "Did anyone make you ask for money on the street?"),
    row!(ActivityMarriage, [], [Palermo, Unodc],
        "¿Le casaron, o le prometieron en matrimonio, otras personas?",
        "Were you married, or promised in marriage, by other people?",
        "¿Te casaron o te prometieron para casarte con alguien?",
        "Did anyone marry you off, or promise you to someone to marry?"),
    row!(ActivityArmedGroup, [], [Palermo, Unodc],
        "¿Un grupo armado o una pandilla le usó como combatiente, guardia, mensajero o vigía?",
        "Did an armed group or gang use you as a fighter, guard, messenger or lookout?",
        "¿Una pandilla o un grupo armado te hizo llevar mensajes, vigilar, cuidar cosas o pelear?",
        "Did a gang or armed group make you carry messages, keep watch, guard things or fight?"),
    row!(ActivityOrganRemoval, [], [Palermo, Unodc],
        "¿Le extrajeron un órgano, o le presionaron para que lo diera?",
        "Was an organ removed from you, or were you pressed to give one?",
        "¿Te operaron para sacarte un órgano, o te presionaron para que lo dieras?",
        "Did anyone operate on you to take an organ, or press you to give one?"),
    // Conditions
    row!(CondExcessiveHours, ["ExcessiveWorkingHours"], [Ilo(11), Unodc],
        "¿Trabaja jornadas muy largas o sin días de descanso?",
        "Do you work very long hours, or without days off?",
        "¿Trabajas muchas horas, casi sin descansar?",
        "Do you work many hours, with almost no rest?"),
    row!(CondLittleOrNoPay, [], [Ilo(8), Unodc],
        "¿Le pagan muy poco o nada?",
        "Are you paid very little or nothing?",
        "¿Te pagan muy poco o nada?",
        "Do they pay you very little or nothing?"),
    row!(CondHazardousOrDegrading, [], [Ilo(10), Unodc],
        "¿El trabajo es peligroso, o vive en condiciones degradantes (hacinamiento, sin agua, sin baño)?",
        "Is the work dangerous, or do you live in degrading conditions (overcrowded, no water, no toilet)?",
        "¿Tu trabajo es peligroso, o el lugar donde duermes está muy mal?",
        "Is your work dangerous, or is the place where you sleep very bad?"),
    row!(CondCannotLeave, [], [Palermo, Tvpa, Ilo(3), Unodc],
        "Si quisiera dejar este trabajo o irse, ¿se lo impedirían, o no podría negarse a lo que le piden?",
        "If you wanted to quit or leave, would you be stopped, or could you not refuse what you are asked to do?",
        "Si quisieras irte o decir que no, ¿te lo impedirían?",
        "If you wanted to leave or say no, would they stop you?"),
    // Migration
    row!(MigrCrossedBorder, [], [Smuggling],
        "¿Ha cruzado una frontera entre países?",
        "Have you crossed a border between countries?",
        "¿Cruzaste una frontera para llegar a otro país?",
        "Did you cross a border into another country?"),
    row!(MigrIrregularEntry, [], [Smuggling],
        "¿Entró al país sin autorización, evitando los controles o con documentos falsos?",
        "Did you enter the country without permission, avoiding the checkpoints or with false papers?",
        "¿Entraste al país sin pasar por migración o con papeles que no eran tuyos?",
        "Did you come into the country without going through immigration, or with papers that were not yours?"),
    row!(MigrPaidSmuggler, [], [Smuggling],
        "¿Pagó, o debe, a alguien (un coyote, un pollero) por ayudarle a cruzar?",
        "Did you pay, or do you owe, someone (a coyote, a smuggler) for helping you cross?",
        "¿Alguien pagó, o se debe dinero, a una persona (un coyote) para que te ayudara a cruzar?",
        "Did someone pay, or owe money to, a person (a coyote) to help you cross?"),
    row!(MigrConsentedToMove, [], [Smuggling],
        "¿Estuvo de acuerdo con hacer el viaje?",
        "Did you agree to make the journey?",
        "¿Tú querías hacer el viaje?",
        "Did you want to make the trip?"),
    row!(MigrSmugglingDebt, [], [Smuggling, Ilo(9)],
        "¿Debe dinero por el viaje?",
        "Do you owe money for the journey?",
        "¿Te dicen que debes dinero por el viaje?",
        "Do they tell you that you owe money for the trip?"),
    row!(MigrHandedOverEnRoute, [], [Smuggling, Unodc],
        "Durante el viaje, ¿le pasaron de un grupo a otro?",
        "During the journey, were you passed from one group to another?",
        "En el viaje, ¿te dejaron con otras personas o con otro grupo?",
        "On the trip, were you left with other people or with another group?"),
    row!(MigrKidnappedEnRoute, [], [Smuggling, Unodc],
        "En la ruta, ¿le secuestraron, le retuvieron para pedir rescate o le extorsionaron?",
        "On the route, were you kidnapped, held for ransom or extorted?",
        "En el camino, ¿alguien te encerró y pidió dinero a tu familia para soltarte?",
        "On the way, did anyone lock you up and ask your family for money to let you go?"),
    // Urgency
    row!(UrgentUnderControlNow, [], [Practice],
        "¿Sigue ahora bajo el control de la persona que le hizo trabajar o hacer estas cosas?",
        "Are you still under the control of the person who made you work or do these things?",
        "¿Todavía estás con la persona que te obligaba, o tienes que volver con ella?",
        "Are you still with the person who made you do these things, or do you have to go back to them?"),
    row!(UrgentControllerPresent, [], [Practice],
        "¿Hay alguien que habla por usted, que le acompaña o que le espera afuera?",
        "Is there someone who speaks for you, who came with you, or who is waiting for you outside?",
        "¿Alguien vino contigo o te está esperando afuera?",
        "Did someone come with you, or is someone waiting for you outside?"),
    row!(UrgentMedicalNeed, [], [Practice],
        "¿Está herido o herida, enfermo o enferma, o necesita un médico ahora?",
        "Are you hurt or sick, or do you need a doctor now?",
        "¿Te duele algo o necesitas un doctor ahora?",
        "Does something hurt, or do you need a doctor now?"),
    row!(UrgentSelfHarmRisk, [], [Practice],
        "¿Ha pensado en hacerse daño o en quitarse la vida?",
        "Have you thought about hurting yourself or ending your life?",
        "¿Has pensado en hacerte daño?",
        "Have you thought about hurting yourself?"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fact_has_exactly_one_row_in_vocabulary_order() {
        let facts: Vec<Fact> = CATALOGUE.iter().map(|row| row.fact).collect();
        assert_eq!(facts, Fact::all());
    }

    #[test]
    fn every_row_has_questions_and_a_source() {
        for row in CATALOGUE {
            assert!(!row.sources.is_empty(), "{}", row.fact);
            for lang in Lang::ALL {
                for audience in [Audience::Adult, Audience::Child] {
                    let question = row.question.get(lang, audience);
                    assert!(question.ends_with('?'), "{} {lang}: {question}", row.fact);
                }
            }
            for source in row.sources {
                if let Source::Ilo(number) = source {
                    assert!((1..=11).contains(number));
                }
            }
        }
    }

    #[test]
    fn htcds_codes_are_the_ones_screening_md_names() {
        assert_eq!(indicator(Fact::MeansDeception).htcds, ["FalsePromises"]);
        assert_eq!(
            indicator(Fact::MeansWithholdsNecessities).htcds,
            ["WithholdsNecessities", "RestrictsMedicalCare"]
        );
        assert_eq!(
            indicator(Fact::CondExcessiveHours).htcds,
            ["ExcessiveWorkingHours"]
        );
        let with_htcds = CATALOGUE.iter().filter(|row| !row.htcds.is_empty()).count();
        assert_eq!(with_htcds, 14);
        assert_eq!(Source::Ilo(9).citation(), "ILO indicator 9 (Debt bondage)");
    }
}
