//! How facts and missing elements are worded for a reader: each fact by its label in the reader's
//! language, in Spanish agreeing with the person's sex. The vocabulary's Spanish labels agree with
//! "la persona" (feminine), which is right for a woman and for a person whose sex is not known;
//! for a man or a boy the masculine forms below are used. English labels have no gender.

use puente_core::screening_facts::Fact;
use puente_core::{Lang, Vocabulary};

use crate::input::Sex;

/// The label of a fact in the language, worded for the person's sex.
pub fn fact_label(fact: Fact, lang: Lang, sex: Option<Sex>) -> &'static str {
    if lang == Lang::Es && sex == Some(Sex::Male) {
        if let Some(masculine) = masculine_spanish_label(fact) {
            return masculine;
        }
    }
    fact.label_in(lang)
}

/// The masculine Spanish label of the facts whose label has a gender; `None` for the others.
pub fn masculine_spanish_label(fact: Fact) -> Option<&'static str> {
    use Fact::*;
    Some(match fact {
        ActRecruited => "Reclutado, contratado, atraído o engañado para venir",
        ActTransported => "Trasladado, dentro de un país o a través de una frontera",
        ActTransferred => "Entregado de una persona o grupo a otro",
        ActHarboured => "Alojado, escondido o retenido",
        ActReceived => "Recibido por quien lo explota",
        ActivityCriminal => "Obligado a cometer delitos",
        ActivityMarriage => "Casado o prometido en matrimonio por otros",
        ActivityArmedGroup => "Utilizado por un grupo armado o pandilla",
        MigrHandedOverEnRoute => "Entregado a otro grupo durante el viaje",
        MigrKidnappedEnRoute => "Secuestrado, retenido por rescate o extorsionado en la ruta",
        UrgentUnderControlNow => "Sigue bajo el control de quien lo explota",
        UrgentControllerPresent => "Alguien habla por él, lo acompaña o lo espera",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_worded_for_a_boy_in_the_masculine() {
        assert_eq!(
            fact_label(Fact::ActRecruited, Lang::Es, Some(Sex::Male)),
            "Reclutado, contratado, atraído o engañado para venir"
        );
        assert_eq!(
            fact_label(Fact::ActRecruited, Lang::Es, Some(Sex::Female)),
            "Reclutada, contratada, atraída o engañada para venir"
        );
        assert_eq!(
            fact_label(Fact::ActRecruited, Lang::En, Some(Sex::Male)),
            "Recruited, hired, enticed or lured"
        );
        assert_eq!(
            fact_label(Fact::MeansThreats, Lang::Es, Some(Sex::Male)),
            "Amenazas"
        );
    }

    #[test]
    fn every_feminine_spanish_label_has_its_masculine_form() {
        // A Spanish label that opens with a feminine participle or speaks of the person as "ella"
        // must have a masculine form, or a boy would be worded in the feminine. "Entrada" is a
        // noun (the entry), not a participle of the person.
        for fact in Fact::all() {
            let label = fact.label_in(Lang::Es);
            let first_word = label.split([' ', ',']).next().unwrap_or_default();
            let feminine = (first_word.ends_with("ada") || first_word.ends_with("ida"))
                && first_word != "Entrada"
                || label.contains("la explota")
                || label.contains("por ella");
            if feminine {
                assert!(
                    masculine_spanish_label(*fact).is_some(),
                    "{} has no masculine label: {label}",
                    fact.code()
                );
            }
        }
    }
}
