//! Each organisation's privacy budget (a `puente_disclosure::accounting::PrivacyBudget`, stored as
//! JSON) and its secret noise key, and the answers charged in each period. The same question on
//! the same data gets the same answer, so it is charged once a period; a charge that does not fit
//! changes nothing.

use async_trait::async_trait;
use puente_disclosure::accounting::{BudgetSpent, PrivacyBudget, Rho};
use time::Date;

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

pub(crate) fn to_json(budget: &PrivacyBudget) -> StoreResult<String> {
    serde_json::to_string(budget).map_err(|error| StoreError::Invalid(error.to_string()))
}

pub(crate) fn from_json(text: &str) -> StoreResult<PrivacyBudget> {
    serde_json::from_str(text)
        .map_err(|error| StoreError::Invalid(format!("stored privacy budget: {error}")))
}
