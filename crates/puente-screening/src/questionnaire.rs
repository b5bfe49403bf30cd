//! The questionnaires, built on the [catalogue](crate::catalogue), as pure state machines that a
//! terminal or a web page drives one question at a time.
//!
//! - [`Questionnaire::quick`](crate::questionnaire::Questionnaire::quick): about ten questions, stoppable at any time (QYIT/TVIT-style).
//! - [`Questionnaire::full`](crate::questionnaire::Questionnaire::full): every fact, grouped by element: act, means, purpose (activity),
//!   conditions, migration, urgency.
//! - [`Questionnaire::child`](crate::questionnaire::Questionnaire::child): child-appropriate wording, plus the three questions the US TVPRA asks
//!   within 48 hours of an unaccompanied child's apprehension (8 U.S.C. 1232(a)(2), (a)(4)): victim
//!   of or at risk of trafficking; credible fear; able to make an independent decision (under 14:
//!   presumed unable, and the question is not asked).
//!
//! The state is only the [`Answers`](crate::questionnaire::Answers) so far: [`Questionnaire::next_question`](crate::questionnaire::Questionnaire::next_question) returns the first
//! relevant unanswered question, or `None` when done. Skip logic: a follow-up is relevant only when
//! an earlier answer makes it so (payment to a smuggler only after a border crossing). The person
//! may stop at any time: [`Questionnaire::outcome`](crate::questionnaire::Questionnaire::outcome) turns whatever was answered into a
//! [`ScreeningInput`]. Answers map to facts ("yes" adds the fact; "no" and "unknown" add nothing);
//! the engine never sees raw answers. Answers and keys serialise as plain strings, so a web form
//! can post them.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use puente_core::screening_facts::Fact;
use puente_core::{Label, Lang, Vocabulary};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::catalogue;
pub use crate::catalogue::Audience;
use crate::input::{PersonContext, ScreeningInput, AGE_OF_MAJORITY};

/// The three questions of the US TVPRA's 48-hour screening of an unaccompanied child.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TvpraQuestion {
    /// Is the child a victim of a severe form of trafficking, or at risk of trafficking?
    VictimOrAtRisk,
    /// Does the child have a credible fear of persecution if returned?
    CredibleFear,
    /// Is the child able to make an independent decision to withdraw the application for
    /// admission? (Under 14: presumed unable.)
    IndependentDecision,
}

/// What a question asks about: the person's age, whether a child is unaccompanied, one fact, or
/// one TVPRA question. Serialised as `age`, `unaccompanied`, the fact code, or `tvpra_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QuestionKey {
    Age,
    Unaccompanied,
    Fact(Fact),
    Tvpra(TvpraQuestion),
}

impl QuestionKey {
    pub fn is_age(self) -> bool {
        self == QuestionKey::Age
    }
    /// The kind of answer the question takes.
    pub fn kind(self) -> AnswerKind {
        match self {
            QuestionKey::Age => AnswerKind::Number,
            _ => AnswerKind::YesNo,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            QuestionKey::Age => "age",
            QuestionKey::Unaccompanied => "unaccompanied",
            QuestionKey::Fact(fact) => fact.code(),
            QuestionKey::Tvpra(TvpraQuestion::VictimOrAtRisk) => "tvpra_victim_or_at_risk",
            QuestionKey::Tvpra(TvpraQuestion::CredibleFear) => "tvpra_credible_fear",
            QuestionKey::Tvpra(TvpraQuestion::IndependentDecision) => "tvpra_independent_decision",
        }
    }
}

impl fmt::Display for QuestionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for QuestionKey {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let keys = [
            QuestionKey::Age,
            QuestionKey::Unaccompanied,
            QuestionKey::Tvpra(TvpraQuestion::VictimOrAtRisk),
            QuestionKey::Tvpra(TvpraQuestion::CredibleFear),
            QuestionKey::Tvpra(TvpraQuestion::IndependentDecision),
        ];
        if let Some(key) = keys.into_iter().find(|key| key.code() == text.trim()) {
            return Ok(key);
        }
        Fact::parse_code(text)
            .map(QuestionKey::Fact)
            .map_err(|_| format!("`{text}` is not a question of the screening questionnaires"))
    }
}

impl Serialize for QuestionKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for QuestionKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The kind of answer a question takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// Yes, no or unknown.
    YesNo,
    /// A whole number (the age in years), or unknown.
    Number,
}

/// An answer: yes, no, unknown (also: skipped, does not want to say), or a number for the age.
/// Serialised as `"yes"`, `"no"`, `"unknown"` or the number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    Unknown,
    Number(u32),
}

impl Answer {
    /// Reads a typed answer: `s`, `sí`, `si`, `y`, `yes` (yes); `n`, `no` (no); `?`, an empty
    /// line, `ns`, `no sé`, `unknown` (unknown); a whole number for a number question.
    pub fn parse(text: &str, kind: AnswerKind) -> Result<Answer, AnswerError> {
        let text = text.trim().to_lowercase();
        match text.as_str() {
            "" | "?" | "ns" | "no sé" | "no se" | "nose" | "unknown" | "dk" | "desconocido" => {
                return Ok(Answer::Unknown)
            }
            _ => {}
        }
        match kind {
            AnswerKind::YesNo => match text.as_str() {
                "s" | "sí" | "si" | "y" | "yes" => Ok(Answer::Yes),
                "n" | "no" => Ok(Answer::No),
                _ => Err(AnswerError::NotYesNo(text)),
            },
            AnswerKind::Number => match text.parse::<u32>() {
                Ok(years) if years <= 130 => Ok(Answer::Number(years)),
                _ => Err(AnswerError::NotANumber(text)),
            },
        }
    }

    fn code(self) -> String {
        match self {
            Answer::Yes => "yes".into(),
            Answer::No => "no".into(),
            Answer::Unknown => "unknown".into(),
            Answer::Number(n) => n.to_string(),
        }
    }
}

impl Serialize for Answer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Answer::Number(n) => serializer.serialize_u32(*n),
            other => serializer.serialize_str(&other.code()),
        }
    }
}

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AnswerVisitor;
        impl serde::de::Visitor<'_> for AnswerVisitor {
            type Value = Answer;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"yes\", \"no\", \"unknown\" or a whole number")
            }
            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Answer, E> {
                u32::try_from(value)
                    .map(Answer::Number)
                    .map_err(|_| E::custom(format_args!("{value} is too large")))
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Answer, E> {
                match value {
                    "yes" => Ok(Answer::Yes),
                    "no" => Ok(Answer::No),
                    "unknown" => Ok(Answer::Unknown),
                    other => Answer::parse(other, AnswerKind::Number).map_err(E::custom),
                }
            }
        }
        deserializer.deserialize_any(AnswerVisitor)
    }
}

/// An answer that does not fit its question.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("`{0}` is not an answer: answer s/sí/y/yes, n/no, or ? if unknown")]
    NotYesNo(String),
    #[error("`{0}` is not an age: answer a whole number of years, or ? if unknown")]
    NotANumber(String),
    #[error("question `{key}` takes {expected}, not {answer:?}")]
    WrongKind {
        key: QuestionKey,
        expected: &'static str,
        answer: Answer,
    },
}

/// The answers so far: the whole state of a questionnaire run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers {
    answers: BTreeMap<QuestionKey, Answer>,
}

impl Answers {
    /// Records an answer to a question, checking that it is of the question's kind.
    pub fn record(&mut self, question: &Question, answer: Answer) -> Result<(), AnswerError> {
        self.set(question.key, answer)
    }

    /// Records an answer by key, checking that it is of the question's kind.
    pub fn set(&mut self, key: QuestionKey, answer: Answer) -> Result<(), AnswerError> {
        let fits = matches!(
            (key.kind(), answer),
            (_, Answer::Unknown)
                | (AnswerKind::Number, Answer::Number(_))
                | (AnswerKind::YesNo, Answer::Yes | Answer::No)
        );
        if !fits {
            return Err(AnswerError::WrongKind {
                key,
                expected: match key.kind() {
                    AnswerKind::Number => "a number",
                    AnswerKind::YesNo => "yes, no or unknown",
                },
                answer,
            });
        }
        self.answers.insert(key, answer);
        Ok(())
    }

    pub fn get(&self, key: QuestionKey) -> Option<Answer> {
        self.answers.get(&key).copied()
    }

    /// Records an age already known (from the case), so that it is not asked again; an unknown
    /// age leaves the question to be asked.
    pub fn know_age(&mut self, age: Option<u32>) {
        if let Some(years) = age {
            self.answers.insert(QuestionKey::Age, Answer::Number(years));
        }
    }

    fn is_yes(&self, key: QuestionKey) -> bool {
        self.get(key) == Some(Answer::Yes)
    }

    fn age(&self) -> Option<u32> {
        match self.get(QuestionKey::Age) {
            Some(Answer::Number(years)) => Some(years),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        self.answers.len()
    }
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

/// The part of a questionnaire a question belongs to, in the order of the full assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Person,
    Act,
    Means,
    Activity,
    Conditions,
    Migration,
    Urgency,
    Tvpra,
}

impl Section {
    pub fn label(self) -> Label {
        match self {
            Section::Person => Label {
                es: "La persona",
                en: "The person",
            },
            Section::Act => Label {
                es: "Acto: cómo llegó a la situación",
                en: "Act: how the person came into the situation",
            },
            Section::Means => Label {
                es: "Medios",
                en: "Means",
            },
            Section::Activity => Label {
                es: "Finalidad: lo que le hicieron hacer",
                en: "Purpose: what the person was made to do",
            },
            Section::Conditions => Label {
                es: "Condiciones",
                en: "Conditions",
            },
            Section::Migration => Label {
                es: "Migración",
                en: "Migration",
            },
            Section::Urgency => Label {
                es: "Urgencia",
                en: "Urgency",
            },
            Section::Tvpra => Label {
                es: "TVPRA: evaluación de 48 horas de una niña o niño no acompañado",
                en: "TVPRA: 48-hour screening of an unaccompanied child",
            },
        }
    }
}

/// When a question is relevant, given the answers so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Always,
    /// When any of these questions was answered yes.
    AnyYes(&'static [QuestionKey]),
    /// When the age given is under 18.
    Child,
    /// When the age is unknown or at least 14 (under 14, a child is presumed unable to decide).
    NotUnder14,
    /// Unless this question was answered no (the TVPRA questions are for unaccompanied children).
    UnlessNo(QuestionKey),
    /// When both conditions hold.
    Both(&'static When, &'static When),
}

/// One question of a questionnaire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question {
    pub key: QuestionKey,
    pub section: Section,
    pub when: When,
}

impl Question {
    const fn new(key: QuestionKey, section: Section, when: When) -> Question {
        Question { key, section, when }
    }

    pub fn kind(&self) -> AnswerKind {
        self.key.kind()
    }

    /// The question's text, in the language and wording for the audience.
    pub fn text(&self, lang: Lang, audience: Audience) -> &'static str {
        let both = |es, en| Label { es, en };
        let label = match (self.key, audience) {
            (QuestionKey::Fact(fact), _) => return catalogue::indicator(fact).question.get(lang, audience),
            (QuestionKey::Age, Audience::Adult) => both("¿Cuántos años tiene? (Si la explotación ocurrió antes, ¿cuántos tenía entonces?)", "How old are you? (If the exploitation happened earlier, how old were you then?)"),
            (QuestionKey::Age, Audience::Child) => both("¿Cuántos años tienes?", "How old are you?"),
            (QuestionKey::Unaccompanied, Audience::Adult) => both("¿Viaja o está sin su madre, su padre o un tutor legal?", "Are you travelling or living without your mother, father or legal guardian?"),
            (QuestionKey::Unaccompanied, Audience::Child) => both("¿Estás sin tu mamá, tu papá o la persona que te cuida?", "Are you here without your mother, your father or the person who looks after you?"),
            (QuestionKey::Tvpra(TvpraQuestion::VictimOrAtRisk), _) => both(
                "Para quien entrevista: según lo conversado, ¿la niña o el niño es víctima de una forma grave de trata, o está en riesgo de serlo?",
                "For the screener: from what you have learned, is the child a victim of a severe form of trafficking, or at risk of trafficking?"),
            (QuestionKey::Tvpra(TvpraQuestion::CredibleFear), Audience::Adult) => both(
                "Para quien entrevista: ¿la niña o el niño tiene un temor creíble de persecución o daño si regresa a su país?",
                "For the screener: does the child have a credible fear of persecution or harm if returned to their country?"),
            (QuestionKey::Tvpra(TvpraQuestion::CredibleFear), Audience::Child) => both(
                "¿Tienes miedo de volver a tu país porque alguien allá te podría hacer daño?",
                "Are you afraid to go back to your country because someone there could hurt you?"),
            (QuestionKey::Tvpra(TvpraQuestion::IndependentDecision), _) => both(
                "Para quien entrevista: ¿la niña o el niño puede tomar por sí mismo la decisión independiente de retirar su solicitud de admisión y regresar? (A menores de 14 años se les presume incapaces.)",
                "For the screener: is the child able to make an independent decision to withdraw the application for admission and return? (Children under 14 are presumed unable.)"),
        };
        label.get(lang)
    }
}

/// Which questionnaire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionnaireKind {
    Quick,
    Full,
    Child,
}

impl FromStr for QuestionnaireKind {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_lowercase().as_str() {
            "quick" => Ok(QuestionnaireKind::Quick),
            "full" => Ok(QuestionnaireKind::Full),
            "child" => Ok(QuestionnaireKind::Child),
            _ => Err(format!(
                "unknown questionnaire `{text}`: expected quick, full or child"
            )),
        }
    }
}

/// A questionnaire: an ordered list of questions with their skip logic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Questionnaire {
    kind: QuestionnaireKind,
    questions: Vec<Question>,
}

const fn fact(fact: Fact) -> QuestionKey {
    QuestionKey::Fact(fact)
}

const CROSSED: &[QuestionKey] = &[fact(Fact::MigrCrossedBorder)];
const CROSSED_OR_MOVED: &[QuestionKey] =
    &[fact(Fact::MigrCrossedBorder), fact(Fact::ActTransported)];
const PAID_SMUGGLER: &[QuestionKey] = &[fact(Fact::MigrPaidSmuggler)];
const ANY_ACTIVITY: &[QuestionKey] = &[
    fact(Fact::ActivityCommercialSex),
    fact(Fact::ActivityLabour),
    fact(Fact::ActivityDomesticWork),
    fact(Fact::ActivityCriminal),
    fact(Fact::ActivityBegging),
    fact(Fact::ActivityMarriage),
    fact(Fact::ActivityArmedGroup),
    fact(Fact::ActivityOrganRemoval),
];
const WORK: &[QuestionKey] = &[
    fact(Fact::ActivityCommercialSex),
    fact(Fact::ActivityLabour),
    fact(Fact::ActivityDomesticWork),
    fact(Fact::ActivityCriminal),
    fact(Fact::ActivityBegging),
    fact(Fact::ActivityArmedGroup),
];
/// The TVPRA questions: unless the child is known to be accompanied.
const UNACCOMPANIED: When = When::UnlessNo(QuestionKey::Unaccompanied);
const LABOUR_OR_SEX: &[QuestionKey] = &[
    fact(Fact::ActivityLabour),
    fact(Fact::ActivityCommercialSex),
];

impl Questionnaire {
    /// The quick screen: about ten questions, with follow-ups only where an answer calls for them.
    pub fn quick() -> Questionnaire {
        use Fact::*;
        use Section as S;
        let q = |f, section, when| Question::new(fact(f), section, when);
        Questionnaire {
            kind: QuestionnaireKind::Quick,
            questions: vec![
                Question::new(QuestionKey::Age, S::Person, When::Always),
                q(ActivityLabour, S::Activity, When::Always),
                q(ActivityCommercialSex, S::Activity, When::Always),
                q(ActRecruited, S::Act, When::AnyYes(LABOUR_OR_SEX)),
                q(MeansDeception, S::Means, When::Always),
                q(MeansThreats, S::Means, When::Always),
                q(MeansPhysicalViolence, S::Means, When::Always),
                q(MeansWithholdsDocuments, S::Means, When::Always),
                q(MeansDebtBondage, S::Means, When::Always),
                q(CondCannotLeave, S::Conditions, When::Always),
                q(MigrCrossedBorder, S::Migration, When::Always),
                q(MigrIrregularEntry, S::Migration, When::AnyYes(CROSSED)),
                q(MigrPaidSmuggler, S::Migration, When::AnyYes(CROSSED)),
                q(MigrKidnappedEnRoute, S::Migration, When::AnyYes(CROSSED)),
                q(UrgentUnderControlNow, S::Urgency, When::Always),
            ],
        }
    }

    /// The full assessment: every fact, by element (act, means, purpose, conditions, migration,
    /// urgency). Conditions are asked only after an activity; migration details only after a
    /// border crossing or a move; the journey's debt only after a payment to a smuggler.
    pub fn full() -> Questionnaire {
        use puente_core::screening_facts::FactGroup;
        let mut questions = vec![
            Question::new(QuestionKey::Age, Section::Person, When::Always),
            Question::new(QuestionKey::Unaccompanied, Section::Person, When::Child),
        ];
        for fact_ in Fact::all().iter().copied() {
            let (section, when) = match fact_.group() {
                FactGroup::Act => (Section::Act, When::Always),
                FactGroup::Means => (Section::Means, When::Always),
                FactGroup::Activity => (Section::Activity, When::Always),
                FactGroup::Conditions => (Section::Conditions, When::AnyYes(ANY_ACTIVITY)),
                FactGroup::Migration => match fact_ {
                    Fact::MigrCrossedBorder => (Section::Migration, When::Always),
                    Fact::MigrSmugglingDebt => (Section::Migration, When::AnyYes(PAID_SMUGGLER)),
                    _ => (Section::Migration, When::AnyYes(CROSSED_OR_MOVED)),
                },
                FactGroup::Urgency => (Section::Urgency, When::Always),
            };
            questions.push(Question::new(fact(fact_), section, when));
        }
        Questionnaire {
            kind: QuestionnaireKind::Full,
            questions,
        }
    }

    /// The child screen: child-appropriate wording, and the TVPRA 48-hour questions at the end.
    pub fn child() -> Questionnaire {
        use Fact::*;
        use Section as S;
        let q = |f, section, when| Question::new(fact(f), section, when);
        let always = When::Always;
        let after_activity = When::AnyYes(ANY_ACTIVITY);
        Questionnaire {
            kind: QuestionnaireKind::Child,
            questions: vec![
                Question::new(QuestionKey::Age, S::Person, always),
                Question::new(QuestionKey::Unaccompanied, S::Person, always),
                q(ActivityLabour, S::Activity, always),
                q(ActivityDomesticWork, S::Activity, always),
                q(ActivityCommercialSex, S::Activity, always),
                q(ActivityCriminal, S::Activity, always),
                q(ActivityBegging, S::Activity, always),
                q(ActivityArmedGroup, S::Activity, always),
                q(ActivityMarriage, S::Activity, always),
                q(ActRecruited, S::Act, after_activity),
                q(ActTransported, S::Act, after_activity),
                q(ActHarboured, S::Act, after_activity),
                q(CondExcessiveHours, S::Conditions, When::AnyYes(WORK)),
                q(CondLittleOrNoPay, S::Conditions, When::AnyYes(WORK)),
                q(CondHazardousOrDegrading, S::Conditions, When::AnyYes(WORK)),
                q(CondCannotLeave, S::Conditions, after_activity),
                q(MeansPhysicalViolence, S::Means, always),
                q(MeansSexualViolence, S::Means, always),
                q(MeansThreats, S::Means, after_activity),
                q(MeansDeception, S::Means, after_activity),
                q(MeansWithholdsDocuments, S::Means, after_activity),
                q(MeansDebtBondage, S::Means, after_activity),
                q(MeansPaymentToController, S::Means, after_activity),
                q(MigrCrossedBorder, S::Migration, always),
                q(MigrIrregularEntry, S::Migration, When::AnyYes(CROSSED)),
                q(MigrPaidSmuggler, S::Migration, When::AnyYes(CROSSED)),
                q(MigrSmugglingDebt, S::Migration, When::AnyYes(PAID_SMUGGLER)),
                q(MigrHandedOverEnRoute, S::Migration, When::AnyYes(CROSSED)),
                q(MigrKidnappedEnRoute, S::Migration, When::AnyYes(CROSSED)),
                q(UrgentUnderControlNow, S::Urgency, always),
                q(UrgentControllerPresent, S::Urgency, always),
                q(UrgentMedicalNeed, S::Urgency, always),
                q(UrgentSelfHarmRisk, S::Urgency, always),
                Question::new(
                    QuestionKey::Tvpra(TvpraQuestion::VictimOrAtRisk),
                    S::Tvpra,
                    UNACCOMPANIED,
                ),
                Question::new(
                    QuestionKey::Tvpra(TvpraQuestion::CredibleFear),
                    S::Tvpra,
                    UNACCOMPANIED,
                ),
                Question::new(
                    QuestionKey::Tvpra(TvpraQuestion::IndependentDecision),
                    S::Tvpra,
                    When::Both(&UNACCOMPANIED, &When::NotUnder14),
                ),
            ],
        }
    }

    pub fn of_kind(kind: QuestionnaireKind) -> Questionnaire {
        match kind {
            QuestionnaireKind::Quick => Questionnaire::quick(),
            QuestionnaireKind::Full => Questionnaire::full(),
            QuestionnaireKind::Child => Questionnaire::child(),
        }
    }

    pub fn kind(&self) -> QuestionnaireKind {
        self.kind
    }

    /// Every question, relevant or not, in order.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// Whether a question is relevant given the answers so far.
    pub fn is_relevant(&self, question: &Question, answers: &Answers) -> bool {
        match question.when {
            When::Always => true,
            When::AnyYes(keys) => keys.iter().any(|key| answers.is_yes(*key)),
            When::Child => answers.age().is_some_and(|age| age < AGE_OF_MAJORITY),
            When::NotUnder14 => answers.age().is_none_or(|age| age >= 14),
            When::UnlessNo(key) => answers.get(key) != Some(Answer::No),
            When::Both(first, second) => {
                self.is_relevant(
                    &Question {
                        when: *first,
                        ..*question
                    },
                    answers,
                ) && self.is_relevant(
                    &Question {
                        when: *second,
                        ..*question
                    },
                    answers,
                )
            }
        }
    }

    /// The next question to ask: the first relevant one not yet answered; `None` when done.
    pub fn next_question(&self, answers: &Answers) -> Option<&Question> {
        self.questions.iter().find(|question| {
            answers.get(question.key).is_none() && self.is_relevant(question, answers)
        })
    }

    /// The wording to use: child wording in the child screen, or once the age given is under 18.
    pub fn audience(&self, answers: &Answers) -> Audience {
        let child_by_age = answers.age().is_some_and(|age| age < AGE_OF_MAJORITY);
        if self.kind == QuestionnaireKind::Child || child_by_age {
            Audience::Child
        } else {
            Audience::Adult
        }
    }

    /// How far along: questions answered (and still relevant), and relevant questions left.
    pub fn progress(&self, answers: &Answers) -> Progress {
        let relevant = self
            .questions
            .iter()
            .filter(|q| self.is_relevant(q, answers));
        let (answered, left): (Vec<&Question>, Vec<&Question>) =
            relevant.partition(|q| answers.get(q.key).is_some());
        Progress {
            answered: answered.len(),
            left: left.len(),
        }
    }

    /// Turns the answers so far into the engine's input (and, for the child screen, the TVPRA
    /// record). Only answers to questions that are still relevant count. Nothing else of the
    /// person (nationality, current country) is asked: the caller fills it in.
    pub fn outcome(&self, answers: &Answers) -> Outcome {
        let mut input = ScreeningInput {
            person: PersonContext::default(),
            facts: Default::default(),
        };
        for question in &self.questions {
            if !self.is_relevant(question, answers) {
                continue;
            }
            match (question.key, answers.get(question.key)) {
                (QuestionKey::Age, Some(Answer::Number(years))) => input.person.age = Some(years),
                (QuestionKey::Unaccompanied, Some(Answer::Yes)) => {
                    input.person.unaccompanied = Some(true)
                }
                (QuestionKey::Unaccompanied, Some(Answer::No)) => {
                    input.person.unaccompanied = Some(false)
                }
                (QuestionKey::Fact(fact), Some(Answer::Yes)) => {
                    input.facts.insert(fact);
                }
                _ => {}
            }
        }
        let unaccompanied = answers.get(QuestionKey::Unaccompanied) != Some(Answer::No);
        let tvpra = (self.kind == QuestionnaireKind::Child && unaccompanied).then(|| {
            let yes_no = |question| match answers.get(QuestionKey::Tvpra(question)) {
                Some(Answer::Yes) => Some(true),
                Some(Answer::No) => Some(false),
                _ => None,
            };
            let presumed_unable = answers.age().is_some_and(|age| age < 14);
            TvpraRecord {
                victim_or_at_risk: yes_no(TvpraQuestion::VictimOrAtRisk),
                credible_fear: yes_no(TvpraQuestion::CredibleFear),
                able_to_decide_independently: if presumed_unable {
                    Some(false)
                } else {
                    yes_no(TvpraQuestion::IndependentDecision)
                },
                presumed_unable_under_14: presumed_unable,
            }
        });
        Outcome {
            complete: self.next_question(answers).is_none(),
            input,
            tvpra,
        }
    }
}

/// How far a run is: the questions answered and the relevant questions still to ask. The total
/// is approximate, since a yes opens follow-up questions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub answered: usize,
    pub left: usize,
}

impl Progress {
    /// Answered plus left: the number of questions the run has now, "about" that many.
    pub fn total(self) -> usize {
        self.answered + self.left
    }
}

/// The three TVPRA determinations for an unaccompanied child (8 U.S.C. 1232(a)(2), (a)(4)): each
/// true, false, or null when not answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TvpraRecord {
    pub victim_or_at_risk: Option<bool>,
    pub credible_fear: Option<bool>,
    pub able_to_decide_independently: Option<bool>,
    /// Under 14: presumed unable to make an independent decision; the question was not asked.
    pub presumed_unable_under_14: bool,
}

impl TvpraRecord {
    /// Lines for a terminal or a form, in the language.
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        let word = |value: Option<bool>| match (value, lang) {
            (Some(true), Lang::Es) => "sí",
            (Some(true), Lang::En) => "yes",
            (Some(false), _) => "no",
            (None, Lang::Es) => "sin respuesta",
            (None, Lang::En) => "not answered",
        };
        let mut lines = match lang {
            Lang::Es => vec![
                format!(
                    "Víctima de trata o en riesgo: {}",
                    word(self.victim_or_at_risk)
                ),
                format!("Temor creíble: {}", word(self.credible_fear)),
                format!(
                    "Capaz de decidir de forma independiente: {}",
                    word(self.able_to_decide_independently)
                ),
            ],
            Lang::En => vec![
                format!(
                    "Victim of or at risk of trafficking: {}",
                    word(self.victim_or_at_risk)
                ),
                format!("Credible fear: {}", word(self.credible_fear)),
                format!(
                    "Able to make an independent decision: {}",
                    word(self.able_to_decide_independently)
                ),
            ],
        };
        if self.presumed_unable_under_14 {
            lines[2].push_str(match lang {
                Lang::Es => " (menor de 14 años: se presume que no puede)",
                Lang::En => " (under 14: presumed unable)",
            });
        }
        lines
    }
}

/// What a questionnaire run produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The engine's input: the facts answered yes and the person's age (and, for a child,
    /// whether unaccompanied).
    pub input: ScreeningInput,
    /// The TVPRA record, for the child screen only, unless the child is known to be accompanied.
    pub tvpra: Option<TvpraRecord>,
    /// False when the person stopped before the last relevant question.
    pub complete: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        questionnaire: &Questionnaire,
        answer: impl Fn(&Question) -> Answer,
    ) -> (Answers, usize) {
        let mut answers = Answers::default();
        let mut asked = 0;
        while let Some(question) = questionnaire.next_question(&answers) {
            asked += 1;
            answers.record(question, answer(question)).unwrap();
        }
        (answers, asked)
    }

    #[test]
    fn the_quick_screen_is_about_ten_questions_and_follow_ups_need_a_yes() {
        let quick = Questionnaire::quick();
        let (_, asked_all_no) = run(&quick, |q| {
            if q.key.is_age() {
                Answer::Number(30)
            } else {
                Answer::No
            }
        });
        assert_eq!(asked_all_no, 11);
        let (answers, asked_all_yes) = run(&quick, |q| {
            if q.key.is_age() {
                Answer::Number(30)
            } else {
                Answer::Yes
            }
        });
        assert_eq!(asked_all_yes, 15);
        let outcome = quick.outcome(&answers);
        assert!(outcome.complete);
        assert!(outcome.input.facts.contains(&Fact::MigrPaidSmuggler));
        assert_eq!(outcome.input.person.age, Some(30));
        assert!(outcome.tvpra.is_none());
    }

    #[test]
    fn a_person_may_stop_at_any_time() {
        let quick = Questionnaire::quick();
        let mut answers = Answers::default();
        answers.set(QuestionKey::Age, Answer::Number(17)).unwrap();
        answers
            .set(fact(Fact::ActivityLabour), Answer::Yes)
            .unwrap();
        let outcome = quick.outcome(&answers);
        assert!(!outcome.complete);
        assert_eq!(outcome.input.facts.len(), 1);
        assert_eq!(quick.audience(&answers), Audience::Child);
        assert_eq!(
            quick.progress(&answers),
            Progress {
                answered: 2,
                left: 10
            }
        );
        assert_eq!(quick.progress(&answers).total(), 12);
    }

    #[test]
    fn answers_to_questions_no_longer_relevant_do_not_count() {
        let quick = Questionnaire::quick();
        let mut answers = Answers::default();
        answers
            .set(fact(Fact::MigrCrossedBorder), Answer::Yes)
            .unwrap();
        answers
            .set(fact(Fact::MigrPaidSmuggler), Answer::Yes)
            .unwrap();
        answers
            .set(fact(Fact::MigrCrossedBorder), Answer::No)
            .unwrap();
        assert!(quick.outcome(&answers).input.facts.is_empty());
    }

    #[test]
    fn the_full_assessment_asks_every_fact_by_element() {
        let full = Questionnaire::full();
        assert_eq!(full.questions().len(), 2 + 45);
        let order: Vec<Section> = full.questions().iter().map(|q| q.section).collect();
        let mut sections = order.clone();
        sections.dedup();
        assert_eq!(
            sections,
            [
                Section::Person,
                Section::Act,
                Section::Means,
                Section::Activity,
                Section::Conditions,
                Section::Migration,
                Section::Urgency
            ]
        );
        let (_, asked) = run(&full, |q| {
            if q.key.is_age() {
                Answer::Number(40)
            } else {
                Answer::No
            }
        });
        // No activity, no crossing: conditions and migration details are skipped; adult: no
        // unaccompanied question.
        assert_eq!(asked, 1 + 5 + 17 + 8 + 1 + 4);
    }

    #[test]
    fn the_child_screen_records_the_tvpra_questions() {
        let child = Questionnaire::child();
        let (answers, _) = run(&child, |q| match q.key {
            QuestionKey::Age => Answer::Number(15),
            QuestionKey::Tvpra(TvpraQuestion::CredibleFear) => Answer::Unknown,
            _ => Answer::Yes,
        });
        let outcome = child.outcome(&answers);
        let tvpra = outcome.tvpra.unwrap();
        assert_eq!(tvpra.victim_or_at_risk, Some(true));
        assert_eq!(tvpra.credible_fear, None);
        assert_eq!(tvpra.able_to_decide_independently, Some(true));
        assert_eq!(outcome.input.person.unaccompanied, Some(true));

        let (answers, _) = run(&child, |q| match q.key {
            QuestionKey::Age => Answer::Number(12),
            QuestionKey::Unaccompanied => Answer::Yes,
            _ => Answer::No,
        });
        assert!(answers
            .get(QuestionKey::Tvpra(TvpraQuestion::IndependentDecision))
            .is_none());
        let tvpra = child.outcome(&answers).tvpra.unwrap();
        assert!(tvpra.presumed_unable_under_14);
        assert_eq!(tvpra.able_to_decide_independently, Some(false));
        assert_eq!(child.audience(&Answers::default()), Audience::Child);

        // An accompanied child: no TVPRA questions, no record.
        let (answers, _) = run(&child, |q| match q.key {
            QuestionKey::Age => Answer::Number(15),
            _ => Answer::No,
        });
        assert!(answers
            .get(QuestionKey::Tvpra(TvpraQuestion::CredibleFear))
            .is_none());
        assert!(child.outcome(&answers).tvpra.is_none());
    }

    #[test]
    fn the_child_screen_can_find_smuggling() {
        let child = Questionnaire::child();
        let (answers, _) = run(&child, |q| match q.key {
            QuestionKey::Age => Answer::Number(15),
            QuestionKey::Fact(
                Fact::MigrCrossedBorder | Fact::MigrIrregularEntry | Fact::MigrPaidSmuggler,
            ) => Answer::Yes,
            _ => Answer::No,
        });
        let outcome = child.outcome(&answers);
        assert!(outcome.input.facts.contains(&Fact::MigrIrregularEntry));
        let result = crate::screen(&outcome.input, Lang::Es);
        assert!(result.smuggling.indicated);
    }

    #[test]
    fn an_age_the_case_knows_is_not_asked_again() {
        let child = Questionnaire::child();
        let mut answers = Answers::default();
        answers.know_age(Some(12));
        let first = child.next_question(&answers).unwrap();
        assert_eq!(first.key, QuestionKey::Unaccompanied);
        assert_eq!(child.progress(&answers).answered, 1);
        assert_eq!(child.outcome(&answers).input.person.age, Some(12));
        // An unknown age is asked.
        let mut answers = Answers::default();
        answers.know_age(None);
        assert!(child.next_question(&answers).unwrap().key.is_age());
    }

    #[test]
    fn typed_answers_accept_spanish_and_english() {
        for yes in ["s", "Sí", "si", "y", "YES"] {
            assert_eq!(Answer::parse(yes, AnswerKind::YesNo), Ok(Answer::Yes));
        }
        for no in ["n", "No"] {
            assert_eq!(Answer::parse(no, AnswerKind::YesNo), Ok(Answer::No));
        }
        assert_eq!(Answer::parse("?", AnswerKind::YesNo), Ok(Answer::Unknown));
        assert_eq!(
            Answer::parse(" 16 ", AnswerKind::Number),
            Ok(Answer::Number(16))
        );
        assert!(Answer::parse("maybe", AnswerKind::YesNo).is_err());
        assert!(Answer::parse("sixteen", AnswerKind::Number).is_err());
        let mut answers = Answers::default();
        assert!(answers.set(QuestionKey::Age, Answer::Yes).is_err());
    }

    #[test]
    fn answers_serialise_as_plain_strings_for_a_web_form() {
        let mut answers = Answers::default();
        answers.set(QuestionKey::Age, Answer::Number(16)).unwrap();
        answers.set(fact(Fact::MeansThreats), Answer::Yes).unwrap();
        answers
            .set(
                QuestionKey::Tvpra(TvpraQuestion::CredibleFear),
                Answer::Unknown,
            )
            .unwrap();
        let json = serde_json::to_string(&answers).unwrap();
        assert_eq!(
            json,
            r#"{"age":16,"means_threats":"yes","tvpra_credible_fear":"unknown"}"#
        );
        let back: Answers = serde_json::from_str(&json).unwrap();
        assert_eq!(back, answers);
    }
}
