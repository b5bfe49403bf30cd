//! Privacy accounting in zero-concentrated differential privacy (zCDP, Bun and Steinke 2016).
//!
//! Every private answer costs a `ρ` (rho). Costs add up: answering queries of `ρ₁` and `ρ₂` is
//! `(ρ₁ + ρ₂)`-zCDP. A total `ρ` converts to `(ε, δ)`-differential privacy for any `δ > 0` by the
//! standard bound `ε = ρ + 2·sqrt(ρ·ln(1/δ))` (Bun and Steinke 2016, proposition 1.3).
//!
//! - The discrete Gaussian of variance parameter `σ²` on a query of L2 sensitivity `Δ` is
//!   `Δ² / (2σ²)`-zCDP (Canonne, Kamath and Steinke 2020, theorem 14).
//! - The discrete Laplace of scale `s` on a query of L1 sensitivity `Δ` is `(Δ/s)`-differentially
//!   private, hence `(Δ/s)² / 2`-zCDP.
//!
//! An organisation's [`PrivacyBudget`] is a plain value: the server stores it, asks it to charge a
//! query and stores what comes back; a charge that does not fit leaves it as it was and says when
//! the budget renews.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

/// A `ρ` of zero-concentrated differential privacy.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize, Deserialize)]
pub struct Rho(pub f64);

impl Rho {
    /// The sum of the costs of several answers (sequential composition).
    pub fn compose(costs: impl IntoIterator<Item = Rho>) -> Rho {
        Rho(costs.into_iter().map(|rho| rho.0).sum())
    }

    /// The `ε` of `(ε, δ)`-differential privacy this `ρ` implies: `ρ + 2·sqrt(ρ·ln(1/δ))`.
    pub fn epsilon(self, delta: f64) -> f64 {
        if self.0 <= 0.0 {
            return 0.0;
        }
        self.0 + 2.0 * (self.0 * (1.0 / delta).ln()).sqrt()
    }

    /// The largest `ρ` whose `(ε, δ)` conversion is at most `epsilon`: the positive root of
    /// `ρ + 2·sqrt(ρ·L) = ε` with `L = ln(1/δ)`, `ρ = (sqrt(L + ε) - sqrt(L))²`.
    pub fn for_epsilon(epsilon: f64, delta: f64) -> Rho {
        let log_inverse_delta = (1.0 / delta).ln();
        let root = (log_inverse_delta + epsilon).sqrt() - log_inverse_delta.sqrt();
        Rho(root * root)
    }

    /// The cost of the discrete Gaussian of variance parameter `sigma_squared` on a query of
    /// squared L2 sensitivity `sensitivity_squared`.
    pub fn of_gaussian(sensitivity_squared: f64, sigma_squared: f64) -> Rho {
        Rho(sensitivity_squared / (2.0 * sigma_squared))
    }

    /// The cost of the discrete Laplace of scale `scale` on a query of L1 sensitivity
    /// `sensitivity`.
    pub fn of_laplace(sensitivity: f64, scale: f64) -> Rho {
        let epsilon = sensitivity / scale;
        Rho(epsilon * epsilon / 2.0)
    }
}

/// The `δ` SDS and Puente use by default for a data set of `records` records: `1 / (n·ln n)`, under
/// one over the number of people, so that no one person's record is likely to be given away whole.
pub fn default_delta(records: usize) -> f64 {
    let n = records.max(3) as f64;
    1.0 / (n * n.ln())
}

/// The `δ` of every answer of the dashboard and the statistics API.
pub const DEFAULT_DELTA: f64 = 1e-6;

/// The `ρ` of one table of the dashboard or the statistics API by default. With the sensitivities
/// of [`crate::private`] a one-way table then has noise of standard deviation about 4.5 and a
/// two-way table about 5.5.
pub const DEFAULT_RHO_PER_QUERY: Rho = Rho(0.05);

/// The `ρ` an organisation may spend per period by default: 10 different tables a month (asking
/// the same table again on the same data is free, since it gets the same answer), an `ε` of about
/// 5.8 at `δ = 10⁻⁶` for the month as a whole.
pub const DEFAULT_RHO_PER_PERIOD: Rho = Rho(0.5);

/// How long a budget lasts before it renews.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "unit", content = "length")]
pub enum BudgetPeriod {
    Days(u16),
    Months(u8),
}

impl BudgetPeriod {
    /// The first day after the period that starts on `start`.
    pub fn end(self, start: Date) -> Date {
        match self {
            BudgetPeriod::Days(days) => start + Duration::days(i64::from(days.max(1))),
            BudgetPeriod::Months(months) => add_months(start, u32::from(months.max(1))),
        }
    }
}

fn add_months(date: Date, months: u32) -> Date {
    let month_index = date.month() as u32 - 1 + months;
    let year = date.year() + (month_index / 12) as i32;
    let month = Month::try_from((month_index % 12 + 1) as u8).expect("a month from 1 to 12");
    let last_day = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last_day)).expect("a day within the month")
}

/// A charge that does not fit in what is left of the period.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "privacy budget spent: this answer needs rho {needed:.4}, {left:.4} is left until {renews_on}"
)]
pub struct BudgetSpent {
    pub needed: f64,
    pub left: f64,
    pub renews_on: Date,
}

/// An organisation's privacy budget for a period: what it may spend and what it has spent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrivacyBudget {
    pub rho_per_period: Rho,
    pub period: BudgetPeriod,
    pub period_start: Date,
    pub rho_spent: Rho,
}

impl PrivacyBudget {
    /// A fresh budget for the period that starts on `period_start`.
    pub fn new(rho_per_period: Rho, period: BudgetPeriod, period_start: Date) -> PrivacyBudget {
        PrivacyBudget {
            rho_per_period,
            period,
            period_start,
            rho_spent: Rho(0.0),
        }
    }

    /// The first day of the next period.
    pub fn renews_on(&self) -> Date {
        self.period.end(self.period_start)
    }

    /// The budget as it stands on `today`: the same one within its period, a fresh one (for the
    /// period that contains `today`) after it.
    pub fn on(&self, today: Date) -> PrivacyBudget {
        let mut start = self.period_start;
        while self.period.end(start) <= today {
            start = self.period.end(start);
        }
        if start == self.period_start {
            self.clone()
        } else {
            PrivacyBudget::new(self.rho_per_period, self.period, start)
        }
    }

    /// What is left on `today`.
    pub fn rho_left(&self, today: Date) -> Rho {
        let current = self.on(today);
        Rho((current.rho_per_period.0 - current.rho_spent.0).max(0.0))
    }

    /// The budget after paying `cost` on `today`, or why it cannot be paid (nothing is spent then).
    pub fn charge(&self, cost: Rho, today: Date) -> Result<PrivacyBudget, BudgetSpent> {
        let mut current = self.on(today);
        let left = current.rho_per_period.0 - current.rho_spent.0;
        // A tolerance of one part in a billion keeps a budget split in equal parts payable.
        if cost.0 > left + current.rho_per_period.0 * 1e-9 {
            return Err(BudgetSpent {
                needed: cost.0,
                left: left.max(0.0),
                renews_on: current.renews_on(),
            });
        }
        current.rho_spent = Rho(current.rho_spent.0 + cost.0);
        Ok(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn epsilon_and_rho_are_inverse() {
        for (epsilon, delta) in [(0.5, 1e-6), (4.0, 1e-6), (1.0, 1e-9), (10.0, 0.01)] {
            let rho = Rho::for_epsilon(epsilon, delta);
            assert!(
                (rho.epsilon(delta) - epsilon).abs() < 1e-9,
                "{epsilon} {delta}"
            );
        }
    }

    #[test]
    fn the_standard_bound_on_known_values() {
        // rho 0.5, delta e^-8: 0.5 + 2·sqrt(4) = 4.5.
        assert!((Rho(0.5).epsilon((-8.0f64).exp()) - 4.5).abs() < 1e-12);
        assert_eq!(Rho(0.0).epsilon(1e-6), 0.0);
        assert!((Rho::of_gaussian(2.0, 20.0).0 - 0.05).abs() < 1e-15);
        assert!((Rho::of_laplace(1.0, 2.0).0 - 0.125).abs() < 1e-15);
        assert!((Rho::compose([Rho(0.1), Rho(0.25), Rho(0.05)]).0 - 0.4).abs() < 1e-15);
    }

    #[test]
    fn a_budget_charges_until_spent_and_renews_with_the_period() {
        let budget = PrivacyBudget::new(Rho(0.1), BudgetPeriod::Months(1), date!(2026 - 01 - 31));
        assert_eq!(budget.renews_on(), date!(2026 - 02 - 28));
        let once = budget.charge(Rho(0.06), date!(2026 - 02 - 10)).unwrap();
        let spent = once.charge(Rho(0.06), date!(2026 - 02 - 11)).unwrap_err();
        assert_eq!(spent.renews_on, date!(2026 - 02 - 28));
        assert!((spent.left - 0.04).abs() < 1e-12);
        assert!((once.rho_left(date!(2026 - 02 - 27)).0 - 0.04).abs() < 1e-12);
        // The next period starts afresh.
        let renewed = once.charge(Rho(0.06), date!(2026 - 03 - 01)).unwrap();
        assert_eq!(renewed.period_start, date!(2026 - 02 - 28));
        assert!((renewed.rho_spent.0 - 0.06).abs() < 1e-12);
        // Equal parts of the budget are payable to the last one.
        let mut tenths = PrivacyBudget::new(Rho(1.0), BudgetPeriod::Days(7), date!(2026 - 05 - 04));
        for _ in 0..10 {
            tenths = tenths.charge(Rho(0.1), date!(2026 - 05 - 05)).unwrap();
        }
        let refused = tenths.charge(Rho(0.1), date!(2026 - 05 - 10)).unwrap_err();
        assert_eq!(refused.renews_on, date!(2026 - 05 - 11));
    }
}
