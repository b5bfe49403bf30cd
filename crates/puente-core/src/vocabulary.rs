//! The machinery shared by every controlled vocabulary: a stable code, a Spanish and an English label,
//! lookup by code (accepting the known alternative spellings), and the list of all values.

use crate::lang::{Label, Lang};

/// A controlled vocabulary: a closed set of values, each with a stable code and labels in es and en.
pub trait Vocabulary: Sized + Copy + 'static {
    /// The vocabulary's name as HTCDS or CTDC spells it, for error messages and documentation.
    const NAME: &'static str;
    /// Every value, in the standard's order.
    fn all() -> &'static [Self];
    /// The stable code, as the standard spells it.
    fn code(self) -> &'static str;
    /// The label in both languages.
    fn label(self) -> Label;
    /// Other spellings accepted on import (the standard's spreadsheet and its definitions disagree).
    fn aliases(self) -> &'static [&'static str] {
        &[]
    }
    /// Finds a value by its code or an alias, ignoring ASCII case and surrounding white space.
    fn from_code(code: &str) -> Option<Self> {
        let code = code.trim();
        Self::all().iter().copied().find(|value| {
            value.code().eq_ignore_ascii_case(code)
                || value
                    .aliases()
                    .iter()
                    .any(|alias| alias.eq_ignore_ascii_case(code))
        })
    }
    /// Like [`Vocabulary::from_code`], with an error that names the vocabulary and the value.
    fn parse_code(code: &str) -> Result<Self, UnknownCode> {
        Self::from_code(code).ok_or_else(|| UnknownCode {
            vocabulary: Self::NAME,
            value: code.to_string(),
        })
    }
    fn label_in(self, lang: Lang) -> &'static str {
        self.label().get(lang)
    }
}

/// A code that is not part of a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a {vocabulary} code")]
pub struct UnknownCode {
    pub vocabulary: &'static str,
    pub value: String,
}

/// Defines a controlled vocabulary enum with its codes, labels and aliases, serialised as its code.
///
/// ```
/// puente_core::vocabulary! {
///     /// Example.
///     pub enum Colour: "Colour" {
///         Red = "Red", es: "Rojo", en: "Red";
///         Green = "Green", es: "Verde", en: "Green", aliases: ["Grn"];
///     }
/// }
/// use puente_core::Vocabulary;
/// assert_eq!(Colour::from_code("grn"), Some(Colour::Green));
/// ```
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $vocab_name:literal {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $code:literal, es: $es:literal, en: $en:literal
                $(, aliases: [$($alias:literal),* $(,)?])?
            );* $(;)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
        }

        impl $crate::vocabulary::Vocabulary for $name {
            const NAME: &'static str = $vocab_name;
            fn all() -> &'static [Self] {
                &[ $( $name::$variant, )* ]
            }
            fn code(self) -> &'static str {
                match self { $( $name::$variant => $code, )* }
            }
            fn label(self) -> $crate::lang::Label {
                match self { $( $name::$variant => $crate::lang::Label { es: $es, en: $en }, )* }
            }
            fn aliases(self) -> &'static [&'static str] {
                match self { $( $name::$variant => &[ $($($alias),*)? ], )* }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::vocabulary::Vocabulary::code(*self))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::vocabulary::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$name as $crate::vocabulary::Vocabulary>::parse_code(s)
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::vocabulary::Vocabulary::code(*self))
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as $crate::__serde::Deserialize>::deserialize(deserializer)?;
                <$name as $crate::vocabulary::Vocabulary>::parse_code(&text).map_err($crate::__serde::de::Error::custom)
            }
        }
    };
}
