//! The report page of `puente publish synthetic`: the privacy parameters, the TVD of the marginals
//! by length, the worst marginals and the combinations suppressed and fabricated, as HTML with
//! inline SVG charts, in Spanish and English. It is computed on the original data, so it is for
//! the publisher and says so.

use puente_synthesis::evaluate::Evaluation;
use puente_synthesis::k_anonymity::KAnonymityReport;
use puente_synthesis::marginals::MarginalsReport;
use std::fmt::Write as _;

pub enum ReportMode<'a> {
    Dp(&'a MarginalsReport),
    KAnon(&'a KAnonymityReport),
}

pub struct ReportInput<'a> {
    pub source: &'a str,
    pub columns: &'a [String],
    pub records: usize,
    pub published_records: usize,
    pub mode: ReportMode<'a>,
    pub evaluation: &'a Evaluation,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart: one bar per (label, value), scaled to the largest value.
fn bar_chart(title: &str, bars: &[(String, f64)], format: impl Fn(f64) -> String) -> String {
    let bar_height = 22;
    let label_width = 330;
    let chart_width = 360;
    let height = bars.len() * bar_height + 40;
    let largest = bars
        .iter()
        .map(|(_, value)| *value)
        .fold(0.0, f64::max)
        .max(1e-12);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\"><title>{}</title>",
        label_width + chart_width + 90,
        label_width + chart_width + 90,
        escape(title)
    );
    for (index, (label, value)) in bars.iter().enumerate() {
        let y = 30 + index * bar_height;
        let width = (value / largest * chart_width as f64).max(1.0);
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text><rect x=\"{}\" y=\"{}\" width=\"{width:.1}\" height=\"{}\" fill=\"#2a6f97\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{}</text>",
            label_width - 6,
            y + 15,
            escape(label),
            label_width,
            y + 3,
            bar_height - 6,
            label_width as f64 + width + 4.0,
            y + 15,
            escape(&format(*value))
        );
    }
    svg.push_str("</svg>");
    svg
}

fn row(out: &mut String, label_es: &str, label_en: &str, value: String) {
    let _ = write!(
        out,
        "<tr><th>{} <span class=\"en\">/ {}</span></th><td>{}</td></tr>",
        escape(label_es),
        escape(label_en),
        escape(&value)
    );
}

pub fn write_report(input: &ReportInput<'_>) -> String {
    let mut out = String::from(
        "<!DOCTYPE html><html lang=\"es\"><head><meta charset=\"utf-8\"><title>Informe de publicación / Release report</title>\
         <style>body{font-family:sans-serif;max-width:62em;margin:2em auto;color:#1b1b1b}table{border-collapse:collapse;margin:1em 0}\
         th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}.en{color:#555}.warning{background:#fff4d6;padding:.8em;border-left:4px solid #c98a00}</style></head><body>",
    );
    out.push_str("<h1>Informe de publicación <span class=\"en\">/ Release report</span></h1>");
    out.push_str("<p class=\"warning\">Este informe compara la publicación con los datos originales: es para quien publica y no se publica con ella. <span class=\"en\">This report compares the release with the original data: it is for the publisher and is not published with it.</span></p>");

    out.push_str(
        "<h2>Parámetros de privacidad <span class=\"en\">/ Privacy parameters</span></h2><table>",
    );
    row(&mut out, "Fuente", "Source", input.source.to_string());
    row(&mut out, "Columnas", "Columns", input.columns.join(", "));
    row(
        &mut out,
        "Registros originales",
        "Original records",
        input.records.to_string(),
    );
    row(
        &mut out,
        "Registros publicados",
        "Published records",
        input.published_records.to_string(),
    );
    match &input.mode {
        ReportMode::Dp(report) => {
            row(&mut out, "Método", "Method", "differential privacy: DP marginals (exact discrete Gaussian, zCDP), synthetic records fitted to them".into());
            row(
                &mut out,
                "Épsilon",
                "Epsilon",
                format!("{:.4}", report.epsilon),
            );
            row(&mut out, "Delta", "Delta", format!("{:.3e}", report.delta));
            row(
                &mut out,
                "Rho (zCDP)",
                "Rho (zCDP)",
                format!("{:.5}", report.rho),
            );
            row(
                &mut out,
                "Longitud de reporte",
                "Reporting length",
                report.reporting_length.to_string(),
            );
            row(
                &mut out,
                "Registros (con ruido)",
                "Records (noisy)",
                format!("{:.0}", report.noisy_records),
            );
            for length in &report.lengths {
                row(
                    &mut out,
                    &format!("Combinaciones de {}", length.length),
                    &format!("{}-way combinations", length.length),
                    format!(
                        "rho {:.5}, sigma {:.2}; {} tables, {} cells measured, {} kept",
                        length.rho,
                        length.sigma,
                        length.tables,
                        length.candidate_cells,
                        length.kept_cells
                    ),
                );
            }
        }
        ReportMode::KAnon(report) => {
            row(
                &mut out,
                "Método",
                "Method",
                format!("k-anonymity, k = {}", report.k),
            );
            row(
                &mut out,
                "Valores suprimidos",
                "Values suppressed",
                report.suppressed_values.to_string(),
            );
            row(
                &mut out,
                "Registros omitidos",
                "Records left out",
                report.removed_records.to_string(),
            );
            for (column, count) in input.columns.iter().zip(&report.suppressed_by_column) {
                row(
                    &mut out,
                    &format!("Suprimidos en {column}"),
                    &format!("Suppressed in {column}"),
                    count.to_string(),
                );
            }
        }
    }
    out.push_str("</table>");

    out.push_str("<h2>Distancia de variación total por longitud <span class=\"en\">/ Total variation distance by length</span></h2>");
    out.push_str("<p>TVD = ½·Σ|p − q| entre la distribución original y la publicada de cada conjunto de columnas (0 es idéntica, 1 es disjunta). <span class=\"en\">Between the original and the published distribution of every set of columns (0 identical, 1 disjoint).</span></p>");
    let mut bars = Vec::new();
    for length in &input.evaluation.lengths {
        bars.push((
            format!(
                "{}-way, mean ({} marginals)",
                length.length, length.marginals
            ),
            length.mean_tvd,
        ));
        bars.push((format!("{}-way, worst", length.length), length.max_tvd));
    }
    out.push_str(&bar_chart("TVD by length", &bars, |value| {
        format!("{value:.4}")
    }));

    out.push_str("<h2>Marginales peores <span class=\"en\">/ Worst marginals</span></h2>");
    for length in &input.evaluation.lengths {
        let bars: Vec<(String, f64)> = length
            .worst
            .iter()
            .map(|marginal| (marginal.columns.join(" × "), marginal.tvd))
            .collect();
        let _ = write!(out, "<h3>{}-way</h3>", length.length);
        out.push_str(&bar_chart(
            &format!("Worst {}-way marginals", length.length),
            &bars,
            |value| format!("{value:.4}"),
        ));
    }

    out.push_str("<h2>Combinaciones suprimidas y fabricadas <span class=\"en\">/ Combinations suppressed and fabricated</span></h2>");
    out.push_str("<p>Suprimidas: combinaciones de valores de los datos originales que la publicación no tiene. Fabricadas: combinaciones de la publicación que los datos originales no tienen. <span class=\"en\">Suppressed: combinations of values of the original data that the release lacks. Fabricated: combinations of the release that the original data lacks.</span></p><table><tr><th>Longitud / Length</th><th>Originales / Original</th><th>Suprimidas / Suppressed</th><th>Fabricadas / Fabricated</th></tr>");
    let mut combination_bars = Vec::new();
    for length in &input.evaluation.lengths {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            length.length,
            length.original_combinations,
            length.suppressed_combinations,
            length.fabricated_combinations
        );
        combination_bars.push((
            format!("{}-way suppressed", length.length),
            length.suppressed_combinations as f64,
        ));
        combination_bars.push((
            format!("{}-way fabricated", length.length),
            length.fabricated_combinations as f64,
        ));
    }
    out.push_str("</table>");
    out.push_str(&bar_chart(
        "Combinations suppressed and fabricated",
        &combination_bars,
        |value| format!("{value:.0}"),
    ));
    out.push_str("</body></html>\n");
    out
}
