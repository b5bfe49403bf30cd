//! Each organisation's privacy budget (a `puente_disclosure::accounting::PrivacyBudget`, stored as
//! JSON) and its secret noise key, and the answers charged in each period. The same question on
//! the same data gets the same answer, so it is charged once a period; a charge that does not fit
//! changes nothing.

use async_trait::async_trait;
use puente_disclosure::accounting::{BudgetSpent, PrivacyBudget, Rho};
use time::Date;

use crate::audit;
use crate::sqlite::SqliteStore;
use crate::{StoreError, StoreResult};

/// An organisation's budget and noise key.
#[derive(Clone)]
pub struct PrivacyAccount {
    pub budget: PrivacyBudget,
    pub noise_key: Vec<u8>,
}

impl std::fmt::Debug for PrivacyAccount {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PrivacyAccount")
            .field("budget", &self.budget)
            .field("noise_key", &"..")
            .finish()
    }
}

#[async_trait]
pub trait PrivacyBudgetStore: Send + Sync {
    /// The organisation's account, created with `default_budget` and `fresh_key` when it has none.
    async fn privacy_account(
        &self,
        organisation_id: i64,
        default_budget: &PrivacyBudget,
        fresh_key: [u8; 32],
    ) -> StoreResult<PrivacyAccount>;
    /// Charges `cost` for the answer identified by `answer` on `today`: nothing when that answer
    /// was charged in the current period, the refusal (and nothing spent) when it does not fit.
    async fn charge_privacy(
        &self,
        organisation_id: i64,
        answer: &str,
        cost: Rho,
        today: Date,
        default_budget: &PrivacyBudget,
        fresh_key: [u8; 32],
    ) -> StoreResult<Result<PrivacyBudget, BudgetSpent>>;
}

fn to_json(budget: &PrivacyBudget) -> StoreResult<String> {
    serde_json::to_string(budget).map_err(|error| StoreError::Invalid(error.to_string()))
}

fn from_json(text: &str) -> StoreResult<PrivacyBudget> {
    serde_json::from_str(text)
        .map_err(|error| StoreError::Invalid(format!("stored privacy budget: {error}")))
}

#[async_trait]
impl PrivacyBudgetStore for SqliteStore {
    async fn privacy_account(
        &self,
        organisation_id: i64,
        default_budget: &PrivacyBudget,
        fresh_key: [u8; 32],
    ) -> StoreResult<PrivacyAccount> {
        let mut transaction = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO privacy_budgets (organisation_id, budget, noise_key) VALUES (?, ?, ?) ON CONFLICT (organisation_id) DO NOTHING",
        )
        .bind(organisation_id)
        .bind(to_json(default_budget)?)
        .bind(fresh_key.to_vec())
        .execute(&mut *transaction)
        .await?;
        let (budget, noise_key): (String, Vec<u8>) = sqlx::query_as(
            "SELECT budget, noise_key FROM privacy_budgets WHERE organisation_id = ?",
        )
        .bind(organisation_id)
        .fetch_one(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(PrivacyAccount {
            budget: from_json(&budget)?,
            noise_key,
        })
    }

    async fn charge_privacy(
        &self,
        organisation_id: i64,
        answer: &str,
        cost: Rho,
        today: Date,
        default_budget: &PrivacyBudget,
        fresh_key: [u8; 32],
    ) -> StoreResult<Result<PrivacyBudget, BudgetSpent>> {
        let account = self
            .privacy_account(organisation_id, default_budget, fresh_key)
            .await?;
        let mut transaction = self.begin_write().await?;
        let stored: String =
            sqlx::query_scalar("SELECT budget FROM privacy_budgets WHERE organisation_id = ?")
                .bind(organisation_id)
                .fetch_one(&mut *transaction)
                .await?;
        let current = from_json(&stored).unwrap_or(account.budget).on(today);
        let period_start = current.period_start.to_string();
        let charged: Option<f64> = sqlx::query_scalar(
            "SELECT rho FROM privacy_charges WHERE organisation_id = ? AND period_start = ? AND answer = ?",
        )
        .bind(organisation_id)
        .bind(&period_start)
        .bind(answer)
        .fetch_optional(&mut *transaction)
        .await?;
        if charged.is_some() {
            return Ok(Ok(current));
        }
        let charged = match current.charge(cost, today) {
            Ok(charged) => charged,
            Err(spent) => return Ok(Err(spent)),
        };
        sqlx::query("UPDATE privacy_budgets SET budget = ? WHERE organisation_id = ?")
            .bind(to_json(&charged)?)
            .bind(organisation_id)
            .execute(&mut *transaction)
            .await?;
        sqlx::query(
            "INSERT INTO privacy_charges (organisation_id, period_start, answer, rho, at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(organisation_id)
        .bind(&period_start)
        .bind(answer)
        .bind(cost.0)
        .bind(audit::now())
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(Ok(charged))
    }
}
