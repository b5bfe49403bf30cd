//! Spanish and English for every page and message, with Fluent. The `.ftl` files are embedded at
//! compile time; a test checks that both languages define the same message ids.
//!
//! The language of a request is the `puente_lang` cookie (set by the switch on every page, and to
//! the user's setting at login and when they change it), else the user's setting, else the
//! browser's `Accept-Language`, else Spanish.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use puente_core::Lang;

/// The Spanish messages.
pub const SPANISH_SOURCE: &str = concat!(
    include_str!("../locales/es/main.ftl"),
    include_str!("../locales/es/legal.ftl"),
    include_str!("../locales/es/records.ftl"),
    include_str!("../locales/es/accounts.ftl"),
    include_str!("../locales/es/casework.ftl")
);
/// The English messages.
pub const ENGLISH_SOURCE: &str = concat!(
    include_str!("../locales/en/main.ftl"),
    include_str!("../locales/en/legal.ftl"),
    include_str!("../locales/en/records.ftl"),
    include_str!("../locales/en/accounts.ftl"),
    include_str!("../locales/en/casework.ftl")
);

/// Both languages' messages, parsed once.
pub struct Translations {
    spanish: FluentBundle<FluentResource>,
    english: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Translations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Translations")
    }
}

/// Why a message file cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("the {lang} messages do not parse: {details}")]
pub struct TranslationError {
    pub lang: Lang,
    pub details: String,
}

fn bundle(
    lang: Lang,
    source: &'static str,
) -> Result<FluentBundle<FluentResource>, TranslationError> {
    let resource =
        FluentResource::try_new(source.to_string()).map_err(|(_, errors)| TranslationError {
            lang,
            details: format!("{errors:?}"),
        })?;
    let language: unic_langid::LanguageIdentifier = match lang {
        Lang::Es => unic_langid::langid!("es"),
        Lang::En => unic_langid::langid!("en"),
    };
    let mut bundle = FluentBundle::new_concurrent(vec![language]);
    // Pages are HTML: the Unicode isolation marks Fluent puts around arguments would show up in
    // copied text and break tests that look for plain strings.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| TranslationError {
            lang,
            details: format!("{errors:?}"),
        })?;
    Ok(bundle)
}

impl Translations {
    /// Parses both languages' messages.
    pub fn load() -> Result<Translations, TranslationError> {
        Ok(Translations {
            spanish: bundle(Lang::Es, SPANISH_SOURCE)?,
            english: bundle(Lang::En, ENGLISH_SOURCE)?,
        })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Es => &self.spanish,
            Lang::En => &self.english,
        }
    }

    /// The message `id` in `lang`. A missing message shows its id (and a test keeps that from
    /// happening).
    pub fn text(&self, lang: Lang, id: &str) -> String {
        self.text_with(lang, id, &[])
    }

    /// The message `id` in `lang`, with arguments.
    pub fn text_with(&self, lang: Lang, id: &str, arguments: &[(&str, FluentValue<'_>)]) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) else {
            tracing::warn!(id, %lang, "missing translation");
            return id.to_string();
        };
        let mut fluent_arguments = FluentArgs::new();
        for (name, value) in arguments {
            fluent_arguments.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_arguments), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, %lang, ?errors, "translation formatting problem");
        }
        text.into_owned()
    }

    /// Whether a message exists.
    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.bundle(lang).has_message(id)
    }
}

/// The message ids defined in a Fluent source, read from the parsed resource.
pub fn message_ids(source: &str) -> BTreeSet<String> {
    let resource = match FluentResource::try_new(source.to_string()) {
        Ok(resource) => resource,
        Err((resource, _)) => resource,
    };
    resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_string()),
            _ => None,
        })
        .collect()
}

static TRANSLATIONS: LazyLock<Translations> = LazyLock::new(|| {
    // The sources are compiled in and tested; a parse failure is a build defect.
    Translations::load().expect("the embedded Fluent messages parse")
});

/// The process-wide translations.
pub fn translations() -> &'static Translations {
    &TRANSLATIONS
}

/// Shorthand: the message `id` in `lang`.
pub fn t(lang: Lang, id: &str) -> String {
    translations().text(lang, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_parse_and_define_the_same_message_ids() {
        Translations::load().unwrap();
        let spanish = message_ids(SPANISH_SOURCE);
        let english = message_ids(ENGLISH_SOURCE);
        assert!(spanish.len() > 50, "only {} messages", spanish.len());
        let only_spanish: Vec<_> = spanish.difference(&english).collect();
        let only_english: Vec<_> = english.difference(&spanish).collect();
        assert!(only_spanish.is_empty(), "only in Spanish: {only_spanish:?}");
        assert!(only_english.is_empty(), "only in English: {only_english:?}");
    }

    #[test]
    fn messages_differ_by_language_and_take_arguments() {
        let translations = Translations::load().unwrap();
        assert_eq!(translations.text(Lang::Es, "login-title"), "Iniciar sesión");
        assert_eq!(translations.text(Lang::En, "login-title"), "Log in");
        let text = translations.text_with(
            Lang::En,
            "error-too_many_attempts",
            &[("seconds", 60.into())],
        );
        assert!(text.contains("60"), "{text}");
        assert_eq!(
            translations.text(Lang::En, "no-such-message"),
            "no-such-message"
        );
    }
}
