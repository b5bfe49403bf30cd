//! The relief rules of relief.md, one per file, in its order.
//!
//! Every rule file has the same shape: a doc comment in fixed sections (what it decides, legal
//! source, example), a [`RuleInfo`](crate::rules::RuleInfo) constant `RULE` whose `id` is the
//! option's stable code, and an `assess` function from a [`ReliefCase`](super::ReliefCase) to the
//! option, with its status, the terms, fields and facts met, missing and blocking, the deadline,
//! the explanation and the next steps in the case's language.

pub mod assisted_return;
pub mod cr_special_category;
pub mod mx_humanitarian_visitor;
pub mod national_protection;
pub mod us_asylum;
pub mod us_continued_presence;
pub mod us_hhs_letter;
pub mod us_sijs;
pub mod us_t_visa;
pub mod us_tvpra_child;
pub mod us_u_visa;
pub mod us_vawa;
