//! The SQL of `crate::privacy_budgets`, written once for both backends.

use async_trait::async_trait;
use puente_disclosure::accounting::{BudgetSpent, PrivacyBudget, Rho};
use time::Date;

use super::audit;
use crate::StoreResult;

use super::Backend;
#[allow(unused_imports)]
pub(crate) use crate::privacy_budgets::*;

#[async_trait]
impl PrivacyBudgetStore for Backend {
    async fn privacy_account(
        &self,
        organisation_id: i64,
        default_budget: &PrivacyBudget,
        fresh_key: [u8; 32],
    ) -> StoreResult<PrivacyAccount> {
        let mut transaction = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO privacy_budgets (organisation_id, budget, noise_key) VALUES ($1, $2, $3) ON CONFLICT (organisation_id) DO NOTHING",
        )
        .bind(organisation_id)
        .bind(to_json(default_budget)?)
        .bind(fresh_key.to_vec())
        .execute(&mut *transaction)
        .await?;
        let (budget, noise_key): (String, Vec<u8>) = sqlx::query_as(
            "SELECT budget, noise_key FROM privacy_budgets WHERE organisation_id = $1",
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
            sqlx::query_scalar("SELECT budget FROM privacy_budgets WHERE organisation_id = $1")
                .bind(organisation_id)
                .fetch_one(&mut *transaction)
                .await?;
        let current = from_json(&stored).unwrap_or(account.budget).on(today);
        let period_start = current.period_start.to_string();
        let charged: Option<f64> = sqlx::query_scalar(
            "SELECT rho FROM privacy_charges WHERE organisation_id = $1 AND period_start = $2 AND answer = $3",
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
        sqlx::query("UPDATE privacy_budgets SET budget = $1 WHERE organisation_id = $2")
            .bind(to_json(&charged)?)
            .bind(organisation_id)
            .execute(&mut *transaction)
            .await?;
        sqlx::query(
            "INSERT INTO privacy_charges (organisation_id, period_start, answer, rho, at) VALUES ($1, $2, $3, $4, $5)",
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
