//! Text normalisation that knows the region: accent folding, Spanish name splitting with particles,
//! the nickname table and a Spanish phonetic key.
//!
//! Normalised forms are used for comparison only; callers keep the original text for display.

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds text for accent- and case-insensitive comparison: Unicode NFD, combining marks removed,
/// lower case, apostrophes dropped, every other non-alphanumeric character turned into one space,
/// spaces collapsed and trimmed. `"  María-José  O'Brien "` becomes `"maria jose obrien"`.
///
/// Idempotent: `fold(&fold(s)) == fold(s)`.
pub fn fold(text: &str) -> String {
    let once = fold_once(text);
    if once.is_ascii() {
        return once;
    }
    // Lower-casing can produce characters the first pass maps (ẞ → ß → ss): fold again.
    fold_once(&once)
}

fn fold_once(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            for lower in c.to_lowercase() {
                out.push(lower);
            }
        } else if c == '\'' || c == '’' || c == '´' || c == '`' {
            // O'Brien, D'Aubuisson: the apostrophe joins.
        } else {
            pending_space = true;
        }
    };
    if text.is_ascii() {
        for c in text.chars() {
            push(c, &mut out);
        }
    } else {
        for c in text.nfd() {
            if is_combining_mark(c) {
                continue;
            }
            match c {
                'ß' => {
                    push('s', &mut out);
                    push('s', &mut out);
                }
                'æ' | 'Æ' => {
                    push('a', &mut out);
                    push('e', &mut out);
                }
                'ø' | 'Ø' => push('o', &mut out),
                'đ' | 'Đ' => push('d', &mut out),
                'ł' | 'Ł' => push('l', &mut out),
                _ => push(c, &mut out),
            }
        }
    }
    // Lower-casing can produce combining marks (İ -> i + U+0307); drop them for idempotence.
    if !out.is_ascii() {
        out = out.chars().filter(|c| !is_combining_mark(*c)).collect();
    }
    out
}

/// Lower-case words that join the following word into one surname or given-name unit
/// ("de la Cruz", "del Cid", "de los Ángeles", "van der Berg").
const PARTICLES: &[&str] = &[
    "de", "del", "la", "las", "los", "da", "das", "do", "dos", "di", "van", "von", "der", "den",
    "le", "san", "santa",
];

/// Whether a folded word is a name particle.
pub fn is_particle(word: &str) -> bool {
    PARTICLES.contains(&word)
}

/// One surname or given name, with its particles: `"de la cruz"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameUnit {
    /// The folded unit with its particles and spaces: `"de la cruz"`.
    pub full: String,
    /// The unit without particles: `"cruz"` (equal to `full` when there is no particle).
    pub core: String,
    /// The unit with spaces removed: `"delacruz"`, so "Delacruz" and "De la Cruz" agree.
    pub compact: String,
}

/// Splits a folded name field into units, joining particles to the word they precede: `"de la cruz
/// hernandez"` gives `["de la cruz", "hernandez"]`; `"garcia y lopez"` gives `["garcia", "lopez"]`
/// (the conjunction "y" between two surnames is dropped). Particles with nothing after them are kept
/// as a unit of their own ("de" alone).
pub fn split_units(folded: &str) -> Vec<NameUnit> {
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut units = Vec::new();
    let mut particles: Vec<&str> = Vec::new();
    for (index, word) in words.iter().enumerate() {
        let is_last = index + 1 == words.len();
        if *word == "y" && particles.is_empty() && !units.is_empty() && !is_last {
            continue;
        }
        if is_particle(word) && !is_last {
            particles.push(word);
            continue;
        }
        let mut full = String::new();
        let mut compact = String::new();
        for particle in &particles {
            full.push_str(particle);
            full.push(' ');
            compact.push_str(particle);
        }
        full.push_str(word);
        compact.push_str(word);
        units.push(NameUnit {
            full,
            core: (*word).to_string(),
            compact,
        });
        particles.clear();
    }
    units
}

/// A person's name split into given names and surnames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitName {
    pub given: Vec<NameUnit>,
    pub surnames: Vec<NameUnit>,
}

/// Splits a whole name written in one field ("María José Hernández López", "Juan de la Cruz Pérez")
/// the Latin American way: with three or more units, the last two are the paternal and maternal
/// surnames; with two, one given name and one surname; with one, a given name only.
pub fn split_full_name(text: &str) -> SplitName {
    let units = split_units(&fold(text));
    let given_count = match units.len() {
        0 => 0,
        1 => 1,
        2 => 1,
        n => n - 2,
    };
    let mut given = units;
    let surnames = given.split_off(given_count);
    SplitName { given, surnames }
}

/// The nickname table, parsed once from `data/nicknames.tsv`.
#[derive(Debug)]
pub struct Nicknames {
    groups: HashMap<String, Vec<u32>>,
    canonical: Vec<String>,
}

static NICKNAMES: OnceLock<Nicknames> = OnceLock::new();

impl Nicknames {
    /// The built-in Spanish table.
    pub fn spanish() -> &'static Nicknames {
        NICKNAMES.get_or_init(|| Nicknames::parse(include_str!("../data/nicknames.tsv")))
    }

    /// Parses a table: one line per canonical name, `canonical<TAB>nick, nick, ...`; `#` comments.
    pub fn parse(text: &str) -> Nicknames {
        let mut groups: HashMap<String, Vec<u32>> = HashMap::new();
        let mut canonical = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, nicks) = line.split_once('\t').unwrap_or((line, ""));
            let group = canonical.len() as u32;
            canonical.push(name.trim().to_string());
            for key in std::iter::once(name).chain(nicks.split(',')) {
                let key = fold(key);
                if key.is_empty() {
                    continue;
                }
                let entry = groups.entry(key).or_default();
                if !entry.contains(&group) {
                    entry.push(group);
                }
            }
        }
        Nicknames { groups, canonical }
    }

    /// The groups (canonical names) a folded name belongs to, as a name or a nickname.
    pub fn groups(&self, folded: &str) -> &[u32] {
        self.groups.get(folded).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The canonical name of a group.
    pub fn canonical(&self, group: u32) -> &str {
        &self.canonical[group as usize]
    }

    /// The canonical names of a name: `canonical_names("chepe") == ["José"]`.
    pub fn canonical_names(&self, name: &str) -> Vec<&str> {
        self.groups(&fold(name))
            .iter()
            .map(|g| self.canonical[*g as usize].as_str())
            .collect()
    }

    /// Whether two names are the same name or nicknames of a common name ("Chepe" and "José",
    /// "Pepe" and "Chepe").
    pub fn equivalent(&self, a: &str, b: &str) -> bool {
        let (a, b) = (fold(a), fold(b));
        if a == b {
            return true;
        }
        let (ga, gb) = (self.groups(&a), self.groups(&b));
        ga.iter().any(|g| gb.contains(g))
    }
}

/// A Spanish phonetic key of a name: sounds that Spanish speakers write in several ways get one
/// letter. b/v/w → b; s, z and c before e/i → s; c, k, qu → k; ll and y → y; silent h dropped (but
/// "ch" kept); g before e/i and j → j; gu before e/i → g; ph → f; x at the start before a vowel → j
/// (Ximena/Jimena); doubled letters collapsed; accents and case folded first.
pub fn phonetic(text: &str) -> String {
    let folded = fold(text);
    let bytes: Vec<u8> = folded.bytes().filter(|b| *b != b' ').collect();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let is_front = |b: Option<&u8>| matches!(b, Some(b'e') | Some(b'i') | Some(b'y'));
    let is_vowel = |b: Option<&u8>| matches!(b, Some(b'a' | b'e' | b'i' | b'o' | b'u'));
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1);
        let mut skip = 1;
        let code: &[u8] = match c {
            b'b' | b'v' | b'w' => b"b",
            b'z' => b"s",
            b's' => b"s",
            b'c' => {
                if next == Some(&b'h') {
                    skip = 2;
                    b"ch"
                } else if is_front(next) {
                    b"s"
                } else {
                    b"k"
                }
            }
            b'k' => b"k",
            b'q' => {
                if next == Some(&b'u') {
                    skip = 2;
                }
                b"k"
            }
            b'h' => b"",
            b'l' if next == Some(&b'l') => {
                skip = 2;
                b"y"
            }
            b'y' => {
                if i + 1 == bytes.len() || !is_vowel(next) {
                    b"i"
                } else {
                    b"y"
                }
            }
            b'g' => {
                if next == Some(&b'u') && is_front(bytes.get(i + 2)) {
                    skip = 2;
                    b"g"
                } else if is_front(next) {
                    b"j"
                } else {
                    b"g"
                }
            }
            b'j' => b"j",
            b'p' if next == Some(&b'h') => {
                skip = 2;
                b"f"
            }
            b'x' => {
                if i == 0 && is_vowel(next) {
                    b"j"
                } else {
                    b"s"
                }
            }
            _ => std::slice::from_ref(&bytes[i]),
        };
        for b in code {
            if out.last() != Some(b) {
                out.push(*b);
            }
        }
        i += skip;
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_accents_case_and_punctuation() {
        let cases = [
            ("María José", "maria jose"),
            ("  HERNÁNDEZ-López ", "hernandez lopez"),
            ("Peña", "pena"),
            ("Güemes", "guemes"),
            ("O'Brien", "obrien"),
            ("Xicará", "xicara"),
            (" mitchell", "mitchell"),
            ("", ""),
            ("  ,. ", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(fold(input), expected, "{input:?}");
        }
    }

    #[test]
    fn particles_join_the_following_word() {
        let units = split_units(&fold("De la Cruz Hernández"));
        let full: Vec<_> = units.iter().map(|u| u.full.as_str()).collect();
        assert_eq!(full, ["de la cruz", "hernandez"]);
        assert_eq!(units[0].core, "cruz");
        assert_eq!(units[0].compact, "delacruz");
        let full: Vec<_> = split_units("del cid").into_iter().map(|u| u.full).collect();
        assert_eq!(full, ["del cid"]);
        let full: Vec<_> = split_units("garcia y lopez")
            .into_iter()
            .map(|u| u.full)
            .collect();
        assert_eq!(full, ["garcia", "lopez"]);
        let full: Vec<_> = split_units("maria de los angeles")
            .into_iter()
            .map(|u| u.full)
            .collect();
        assert_eq!(full, ["maria", "de los angeles"]);
        let full: Vec<_> = split_units("de").into_iter().map(|u| u.full).collect();
        assert_eq!(full, ["de"]);
    }

    #[test]
    fn full_names_split_into_given_names_and_two_surnames() {
        let check = |text: &str, given: &[&str], surnames: &[&str]| {
            let split = split_full_name(text);
            let g: Vec<_> = split.given.iter().map(|u| u.full.as_str()).collect();
            let s: Vec<_> = split.surnames.iter().map(|u| u.full.as_str()).collect();
            assert_eq!((g.as_slice(), s.as_slice()), (given, surnames), "{text}");
        };
        check(
            "María José Hernández López",
            &["maria", "jose"],
            &["hernandez", "lopez"],
        );
        check("Juan de la Cruz Pérez", &["juan"], &["de la cruz", "perez"]);
        check("Ana De León", &["ana"], &["de leon"]);
        check("Pedro", &["pedro"], &[]);
        check("Rosa del Cid Xicará", &["rosa"], &["del cid", "xicara"]);
    }

    #[test]
    fn nicknames_link_to_their_names() {
        let table = Nicknames::spanish();
        for (a, b) in [
            ("Pepe", "José"),
            ("Chepe", "Jose"),
            ("Pepe", "Chepe"),
            ("Paco", "Francisco"),
            ("Pancho", "Paco"),
            ("Lupe", "Guadalupe"),
            ("Chuy", "Jesús"),
            ("Memo", "Guillermo"),
            ("Nacho", "Ignacio"),
            ("Toño", "Antonio"),
            ("Tono", "Antonio"),
            ("Beto", "Alberto"),
            ("Beto", "Roberto"),
            ("Lalo", "Eduardo"),
            ("Chayo", "Rosario"),
            ("Conchita", "Concepción"),
            ("Lola", "Dolores"),
        ] {
            assert!(table.equivalent(a, b), "{a} ~ {b}");
        }
        assert!(!table.equivalent("Alberto", "Roberto") || table.equivalent("Beto", "Alberto"));
        assert!(!table.equivalent("Pepe", "Francisco"));
        assert_eq!(table.canonical_names("chepe"), ["José"]);
    }

    #[test]
    fn phonetic_key_merges_spanish_spellings() {
        let same = [
            ("Vásquez", "Basquez"),
            ("Velásquez", "Velazquez"),
            ("Zelaya", "Selaya"),
            ("Cecilia", "Sesilia"),
            ("Hernández", "Ernandez"),
            ("Yesenia", "Llesenia"),
            ("Quiñónez", "Kinones"),
            ("Guillermo", "Guiyermo"),
            ("Jimena", "Ximena"),
            ("Gerson", "Jerson"),
            ("Giménez", "Jimenez"),
            ("Villatoro", "Viyatoro"),
            ("Mejía", "Mejia"),
            ("Rodríguez", "Rodrigues"),
            ("Raphael", "Rafael"),
        ];
        for (a, b) in same {
            assert_eq!(phonetic(a), phonetic(b), "{a} ~ {b}");
        }
        assert_ne!(phonetic("García"), phonetic("Garza"));
        assert_ne!(phonetic("Castro"), phonetic("Castillo"));
        assert_eq!(phonetic("Chávez"), "chabes");
        assert_eq!(phonetic(""), "");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn folding_is_idempotent(text in "\\PC{0,40}") {
            let once = fold(&text);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
        }

        #[test]
        fn phonetic_keys_ignore_accents_and_case(text in "[a-zA-ZáéíóúñÁÉÍÓÚÑ ]{0,20}") {
            prop_assert_eq!(phonetic(&text), phonetic(&fold(&text).to_uppercase()));
        }
    }
}
