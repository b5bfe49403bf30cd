//! Hotline numbers for next steps. The engine knows the two of domain.md (the US National Human
//! Trafficking Hotline and Mexico's Línea Nacional contra la Trata de Personas); other countries'
//! numbers come from the service directory and are passed in as data
//! ([`crate::ScreeningOptions::hotlines`]).

use puente_core::{Country, Lang};
use serde::{Deserialize, Serialize};

/// A hotline: where it serves, its name in both languages, its phone number and, if any, the
/// number to text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hotline {
    pub country: Country,
    pub name_es: String,
    pub name_en: String,
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Hotline {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Es => &self.name_es,
            Lang::En => &self.name_en,
        }
    }

    /// One line for next steps: `Name (Country): phone, text N`.
    pub fn render(&self, lang: Lang) -> String {
        let mut line = format!(
            "{} ({}): {}",
            self.name(lang),
            self.country.name(lang),
            self.phone
        );
        if let Some(text) = &self.text {
            match lang {
                Lang::Es => line.push_str(&format!(", mensaje de texto al {text}")),
                Lang::En => line.push_str(&format!(", text {text}")),
            }
        }
        line
    }
}

/// The hotlines of domain.md.
pub fn built_in() -> Vec<Hotline> {
    let country = |code: &str| Country::from_alpha_2(code).expect("a built-in country code");
    vec![
        Hotline {
            country: country("US"),
            name_es: "Línea Nacional contra la Trata de Personas de EE. UU. (National Human Trafficking Hotline)".into(),
            name_en: "US National Human Trafficking Hotline".into(),
            phone: "1-888-373-7888".into(),
            text: Some("233733".into()),
        },
        Hotline {
            country: country("MX"),
            name_es: "Línea Nacional contra la Trata de Personas".into(),
            name_en: "Mexico's National Hotline against Trafficking in Persons (Línea Nacional contra la Trata de Personas)".into(),
            phone: "800 5533 000".into(),
            text: None,
        },
    ]
}

/// The hotlines for a country: the built-in ones, then the extra ones, without duplicates of the
/// same number. With no country, every hotline known.
pub fn for_country(country: Option<Country>, extra: &[Hotline]) -> Vec<Hotline> {
    let mut lines: Vec<Hotline> = Vec::new();
    for hotline in built_in().into_iter().chain(extra.iter().cloned()) {
        let serves = country.is_none_or(|c| c == hotline.country);
        let duplicate = lines
            .iter()
            .any(|known| known.country == hotline.country && known.phone == hotline.phone);
        if serves && !duplicate {
            lines.push(hotline);
        }
    }
    lines
}
