//! `puente screen`: glue between the terminal and the pure screening engine.
//!
//! - `puente screen --facts FILE.json [--format json|text] [--lang es|en]` screens a facts file
//!   (`-` reads standard input).
//! - `puente screen --interactive [--lang es|en] [--questionnaire quick|full|child] [--save FILE.json]`
//!   asks the questions one by one on standard input (s/sí/y/yes, n/no, ? for unknown; `q` stops),
//!   then prints the result and can save the facts file.
//! - `puente screen --list-facts [--format json|text]` prints the indicator catalogue.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use puente_core::{Country, Lang, Vocabulary};
use puente_screening::catalogue;
use puente_screening::questionnaire::{
    Answer, AnswerKind, Answers, Questionnaire, QuestionnaireKind, Section,
};
use puente_screening::rules;
use puente_screening::{screen, FactGroup, Level, ScreeningInput, ScreeningResult, TvpaVerdict};

/// Screen a person for indicators of trafficking, smuggling and related harms. The result is an
/// aid for a case worker, never a legal determination.
#[derive(Debug, clap::Args)]
#[command(group(
    clap::ArgGroup::new("mode")
        .required(true)
        .args(["facts", "interactive", "list_facts"])
))]
pub struct ScreenArgs {
    /// A facts file: `{"person": {...}, "facts": [...]}` (screening.md). `-` reads standard input.
    #[arg(long, value_name = "FILE.json")]
    facts: Option<PathBuf>,

    /// Ask the questions of a questionnaire in the terminal, then screen the answers.
    #[arg(long)]
    interactive: bool,

    /// Print the indicator catalogue: every fact, its group, HTCDS code, sources and questions.
    #[arg(long)]
    list_facts: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Language of questions, explanations and next steps: es or en.
    #[arg(long, default_value = "es", value_parser = parse_lang)]
    lang: Lang,

    /// The questionnaire for --interactive.
    #[arg(long, value_enum, default_value_t = QuestionnaireArg::Quick, requires = "interactive")]
    questionnaire: QuestionnaireArg,

    /// With --interactive: write the facts learned to this file (the --facts format).
    #[arg(long, value_name = "FILE.json", requires = "interactive")]
    save: Option<PathBuf>,

    /// With --interactive: the country where the person is now (ISO 3166 code), for hotlines and
    /// immigration relief.
    #[arg(long, value_name = "CODE", requires = "interactive", value_parser = parse_country)]
    country: Option<Country>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum QuestionnaireArg {
    Quick,
    Full,
    Child,
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    text.parse()
}

fn parse_country(text: &str) -> Result<Country, String> {
    Country::parse(text).map_err(|error| error.to_string())
}

pub fn run(args: ScreenArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.list_facts {
        list_facts(&mut out, args.format, args.lang)?;
    } else if let Some(path) = &args.facts {
        let input = read_facts(path)?;
        let result = screen(&input, args.lang);
        print_result(&mut out, &result, args.format, args.lang)?;
    } else {
        let stdin = std::io::stdin();
        // With JSON output, the questions go to standard error so that standard output is JSON.
        let report = if args.format == Format::Json {
            let stderr = std::io::stderr();
            interactive(&args, &mut stdin.lock(), &mut stderr.lock())?
        } else {
            interactive(&args, &mut stdin.lock(), &mut out)?
        };
        write!(out, "{report}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn read_facts(path: &PathBuf) -> anyhow::Result<ScreeningInput> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .context("cannot read the facts from standard input")?;
        text
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the facts file {}", path.display()))?
    };
    let shown = if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    // A byte-order mark (as some editors on Windows write) is not part of the JSON.
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        bail!(
            "cannot screen {shown}: it is empty (expected a facts file: {{\"person\": {{...}}, \"facts\": [...]}})"
        );
    }
    ScreeningInput::from_json(text).with_context(|| format!("cannot screen {shown}"))
}

fn print_result(
    out: &mut impl Write,
    result: &ScreeningResult,
    format: Format,
    lang: Lang,
) -> anyhow::Result<()> {
    match format {
        Format::Json => writeln!(out, "{}", result.to_json_pretty())?,
        Format::Text => write!(out, "{}", render_text(result, lang))?,
    }
    Ok(())
}

/// The result, readable in a terminal.
fn render_text(result: &ScreeningResult, lang: Lang) -> String {
    let es = lang == Lang::Es;
    let t = |es_text: &'static str, en_text: &'static str| if es { es_text } else { en_text };
    let mut text = String::new();
    let mut line = |s: String| {
        text.push_str(&s);
        text.push('\n');
    };
    let marker = match result.level {
        Level::StrongIndicators => "!!",
        Level::SomeIndicators => "! ",
        Level::NoIndicators => "  ",
    };
    line(format!(
        "{marker} {}: {} ({})",
        t("Resultado", "Result"),
        result.level.label().get(lang),
        result.level
    ));
    let minor = match result.minor {
        Some(true) => t("sí", "yes"),
        Some(false) => t("no", "no"),
        None => t("desconocido (edad desconocida)", "unknown (age unknown)"),
    };
    line(format!("   {}: {minor}", t("Menor de edad", "Minor")));
    line(String::new());

    line(t("Marcos jurídicos", "Legal frameworks").to_string());
    let frameworks = &result.frameworks;
    let tvpa = |verdict: &TvpaVerdict| {
        (
            verdict.met,
            verdict
                .missing
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>(),
        )
    };
    let rows = [
        (
            rules::palermo::RULE,
            frameworks.palermo.met,
            frameworks
                .palermo
                .missing
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>(),
        ),
        (
            rules::tvpa_sex::RULE,
            tvpa(&frameworks.tvpa_sex).0,
            tvpa(&frameworks.tvpa_sex).1,
        ),
        (
            rules::tvpa_labor::RULE,
            tvpa(&frameworks.tvpa_labor).0,
            tvpa(&frameworks.tvpa_labor).1,
        ),
        (
            rules::ilo_forced_labour::RULE,
            frameworks.ilo_forced_labour.met,
            frameworks
                .ilo_forced_labour
                .missing
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>(),
        ),
    ];
    for (rule, met, missing) in rows {
        let verdict = if met {
            t("se cumple", "met").to_string()
        } else {
            format!(
                "{} ({}: {})",
                t("no se cumple", "not met"),
                t("falta", "missing"),
                missing.join(", ")
            )
        };
        line(format!(
            "  [{}] {:<18} {} — {verdict}",
            if met { "x" } else { " " },
            rule.id,
            rule.name.get(lang)
        ));
    }
    let smuggling = &result.smuggling;
    line(format!(
        "  [{}] {:<18} {} — {}",
        if smuggling.indicated { "x" } else { " " },
        rules::smuggling::RULE.id,
        rules::smuggling::RULE.name.get(lang),
        if smuggling.indicated {
            t("indicado", "indicated")
        } else {
            t("no indicado", "not indicated")
        }
    ));
    for sign in &smuggling.conversion_signs {
        line(format!(
            "        {}: {}",
            t("señal de trata", "sign of trafficking"),
            sign.sign.label().get(lang)
        ));
    }
    if !result.urgent.is_empty() {
        line(String::new());
        line(t("URGENTE", "URGENT").to_string());
        for fact in &result.urgent {
            line(format!("  - {} ({fact})", fact.label_in(lang)));
        }
    }
    line(String::new());
    line(t("Próximos pasos", "Next steps").to_string());
    for (number, step) in result.next_steps.iter().enumerate() {
        line(format!("  {}. {step}", number + 1));
    }
    line(String::new());
    line(t("Explicación", "Explanation").to_string());
    for reason in &result.explanation {
        line(format!("  - {reason}"));
    }
    line(String::new());
    line(format!(
        "{} {}. {}",
        t("Reglas, versión", "Rule set version"),
        result.rule_set_version,
        t(
            "Este resultado es una ayuda para quien atiende el caso, nunca una determinación jurídica.",
            "This result is an aid for a case worker, never a legal determination."
        )
    ));
    text
}

fn list_facts(out: &mut impl Write, format: Format, lang: Lang) -> anyhow::Result<()> {
    if format == Format::Json {
        let json = serde_json::to_string_pretty(catalogue::all())?;
        writeln!(out, "{json}")?;
        return Ok(());
    }
    let (htcds_word, source_word, adult_word, child_word) = match lang {
        Lang::Es => ("HTCDS", "Fuentes", "Pregunta", "A niñas y niños"),
        Lang::En => ("HTCDS", "Sources", "Question", "To children"),
    };
    for group in FactGroup::all() {
        writeln!(out, "{} ({})", group.label_in(lang), group.code())?;
        for row in catalogue::all().iter().filter(|row| row.group() == *group) {
            writeln!(out, "  {:<30} {}", row.fact.code(), row.fact.label_in(lang))?;
            if !row.htcds.is_empty() {
                writeln!(out, "      {htcds_word}: {}", row.htcds.join(", "))?;
            }
            let sources: Vec<String> = row.sources.iter().map(|s| s.citation()).collect();
            writeln!(out, "      {source_word}: {}", sources.join("; "))?;
            writeln!(out, "      {adult_word}: {}", row.question.adult.get(lang))?;
            writeln!(out, "      {child_word}: {}", row.question.child.get(lang))?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} {}",
        match lang {
            Lang::Es => "Reglas, versión",
            Lang::En => "Rule set version",
        },
        puente_screening::RULE_SET_VERSION
    )?;
    Ok(())
}

/// Runs a questionnaire: reads answers from `input`, writes the questions to `out`, and returns
/// the report (the result, the TVPRA record, where the facts were saved) for standard output.
/// End of input, or `q`, stops the questionnaire: what was answered is screened.
fn interactive(
    args: &ScreenArgs,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> anyhow::Result<String> {
    let lang = args.lang;
    let kind = match args.questionnaire {
        QuestionnaireArg::Quick => QuestionnaireKind::Quick,
        QuestionnaireArg::Full => QuestionnaireKind::Full,
        QuestionnaireArg::Child => QuestionnaireKind::Child,
    };
    let questionnaire = Questionnaire::of_kind(kind);
    let mut answers = Answers::default();
    let (intro, hint_yes_no, hint_number, stop_word) = match lang {
        Lang::Es => (
            "Responda s (sí), n (no) o ? (no se sabe). Escriba q para terminar en cualquier momento.",
            "[s/n/?]",
            "[número/?]",
            "Cuestionario detenido: se evalúa lo respondido hasta ahora.",
        ),
        Lang::En => (
            "Answer y (yes), n (no) or ? (unknown). Type q to stop at any time.",
            "[y/n/?]",
            "[number/?]",
            "Questionnaire stopped: screening what was answered so far.",
        ),
    };
    writeln!(out, "{intro}")?;
    let mut section: Option<Section> = None;
    let mut line = String::new();
    'questions: while let Some(question) = questionnaire.next_question(&answers) {
        if section != Some(question.section) {
            section = Some(question.section);
            writeln!(out, "\n== {} ==", question.section.label().get(lang))?;
        }
        let progress = questionnaire.progress(&answers);
        let hint = match question.kind() {
            AnswerKind::YesNo => hint_yes_no,
            AnswerKind::Number => hint_number,
        };
        let text = question.text(lang, questionnaire.audience(&answers));
        loop {
            write!(
                out,
                "({}/{}) {text} {hint} ",
                progress.answered + 1,
                progress.total()
            )?;
            out.flush()?;
            line.clear();
            let read = input
                .read_line(&mut line)
                .context("cannot read the answer")?;
            let typed = line.trim();
            // Piped answers that end before the questionnaire does are not a decision to stop:
            // the screening would rest on answers that were never given.
            if read == 0 && !input_is_terminal() {
                bail!(
                    "the answers on standard input ended at question {} of about {}, before the questionnaire was done: end them with q to screen what was answered",
                    progress.answered + 1,
                    progress.total()
                );
            }
            if read == 0
                || matches!(
                    typed.to_lowercase().as_str(),
                    "q" | "quit" | "stop" | "salir"
                )
            {
                writeln!(out, "\n{stop_word}")?;
                break 'questions;
            }
            match Answer::parse(typed, question.kind()) {
                Ok(answer) => {
                    answers.record(question, answer)?;
                    if !input_is_terminal() {
                        writeln!(out, "{typed}")?;
                    }
                    break;
                }
                Err(error) => writeln!(out, "\n  {error}")?,
            }
        }
    }

    let outcome = questionnaire.outcome(&answers);
    let mut screening_input = outcome.input;
    screening_input.person.current_country = args.country;
    writeln!(out)?;
    out.flush()?;
    let result = screen(&screening_input, lang);
    let mut report = Vec::new();
    print_result(&mut report, &result, args.format, lang)?;
    // The TVPRA record and the saved file's name follow the result in text; with JSON output
    // they go with the questions, so that standard output stays one JSON document.
    let mut notes = Vec::new();
    if let Some(tvpra) = outcome.tvpra {
        writeln!(notes)?;
        writeln!(
            notes,
            "{}",
            match lang {
                Lang::Es => "TVPRA (8 U.S.C. 1232), evaluación de 48 horas:",
                Lang::En => "TVPRA (8 U.S.C. 1232), 48-hour screening:",
            }
        )?;
        for line in tvpra.lines(lang) {
            writeln!(notes, "  - {line}")?;
        }
    }
    if let Some(path) = &args.save {
        std::fs::write(path, screening_input.to_json_pretty() + "\n")
            .with_context(|| format!("cannot write the facts file {}", path.display()))?;
        writeln!(
            notes,
            "{} {}",
            match lang {
                Lang::Es => "Hechos guardados en",
                Lang::En => "Facts saved to",
            },
            path.display()
        )?;
    }
    if args.format == Format::Json {
        out.write_all(&notes)?;
        out.flush()?;
    } else {
        report.extend(notes);
    }
    Ok(String::from_utf8(report)?)
}

/// When answers are piped in, they are echoed after each question so that the transcript reads
/// as a conversation.
fn input_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal()
}
