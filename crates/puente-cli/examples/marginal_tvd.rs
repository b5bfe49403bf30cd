//! The mean total variation distance of every 1- to R-way marginal between two CSV files with the
//! same columns (any order; the second's extra columns are ignored), for `bench/publish.sh`:
//!
//!     marginal_tvd ORIGINAL.csv SYNTHETIC.csv [R]
//!
//! Prints one line per length: `length mean worst marginals`. A flag's 0 counts as empty.

use anyhow::{bail, Context};
use puente_synthesis::evaluate::evaluate;
use puente_synthesis::Microdata;

fn read(path: &str, columns: Option<&[String]>) -> anyhow::Result<Microdata> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .with_context(|| format!("cannot read {path}"))?;
    let header: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
    let wanted: Vec<String> = columns
        .map(<[String]>::to_vec)
        .unwrap_or_else(|| header.clone());
    let mut positions = Vec::new();
    for column in &wanted {
        match header.iter().position(|name| name == column) {
            Some(position) => positions.push(position),
            None => bail!("{path}: no column `{column}`"),
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{path}: bad row"))?;
        rows.push(
            positions
                .iter()
                .map(|position| match record.get(*position).unwrap_or("") {
                    "0" | "-99" => String::new(),
                    value => value.to_string(),
                })
                .collect(),
        );
    }
    Ok(Microdata {
        columns: wanted,
        rows,
    })
}

fn main() -> anyhow::Result<()> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    if arguments.len() < 2 {
        bail!("usage: marginal_tvd ORIGINAL.csv SYNTHETIC.csv [R]");
    }
    let length: usize = arguments
        .get(2)
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(3);
    let original = read(&arguments[0], None)?;
    let synthetic = read(&arguments[1], Some(&original.columns))?;
    let evaluation = evaluate(&original, &synthetic, length)?;
    for length in &evaluation.lengths {
        println!(
            "{} {:.4} {:.4} {}",
            length.length, length.mean_tvd, length.max_tvd, length.marginals
        );
    }
    Ok(())
}
