//! Page forms, typed. A leaf module: it knows the error type and the framework, nothing else.
//!
//! A posted form arrives as [`FormFields`], the raw form: its decoded `(name, value)` pairs in the
//! order sent. A page's form is a type of its own (`TaskForm`, `LoginForm`, ...) read from the raw
//! form with `impl TryFrom<FormFields> for XForm` (with [`FormFields::typed`]); a handler takes it
//! directly:
//! - [`TypedForm<T>`] when a refused form is an error page (the refusal's error, its status);
//! - [`CheckedForm<T>`] when the page comes back filled in: the handler gets the form or the
//!   [`FormRefusal`], which keeps the raw fields and names the field refused, so that the message
//!   goes next to it.

use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, PageError};

/// The raw form: the decoded `(name, value)` pairs, in the order sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// The first value of a field, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    }

    /// The first value of a field, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }

    /// The first value of a field exactly as typed (a password, where spaces count); empty when
    /// absent.
    pub fn as_typed(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }

    /// Whether a field was sent with the value `yes` (a checkbox or a confirmation).
    pub fn is_yes(&self, name: &str) -> bool {
        self.get(name) == Some("yes")
    }

    /// Every non-blank value of a field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
            .collect()
    }

    /// A required whole number (a version, an id).
    pub fn number(&self, name: &str) -> Result<i64, AppError> {
        self.get(name)
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| AppError::BadRequest(format!("the form lacks a valid `{name}`")))
    }

    /// A required whole number, its refusal naming the field.
    pub fn required_number(&self, name: &'static str) -> Result<i64, FieldRefusal> {
        self.number(name).map_err(refused(name))
    }

    /// An optional whole number: absent or blank is `None`, anything else must be one.
    pub fn optional_number(&self, name: &'static str) -> Result<Option<i64>, FieldRefusal> {
        match self.get(name) {
            None => Ok(None),
            Some(_) => self.required_number(name).map(Some),
        }
    }

    /// Reads a typed form from the raw one: `read` sees the fields; a refusal keeps them.
    pub fn typed<T>(
        self,
        read: impl FnOnce(&FormFields) -> Result<T, FieldRefusal>,
    ) -> Result<T, FormRefusal> {
        match read(&self) {
            Ok(form) => Ok(form),
            Err(FieldRefusal { field, error }) => Err(FormRefusal {
                fields: self,
                field,
                error,
            }),
        }
    }
}

/// One field of a form refused: its name and why.
#[derive(Debug)]
pub struct FieldRefusal {
    pub field: &'static str,
    pub error: AppError,
}

/// Makes an error the refusal of a field (for `map_err`).
pub fn refused(field: &'static str) -> impl FnOnce(AppError) -> FieldRefusal {
    move |error| FieldRefusal { field, error }
}

/// A form that does not convert: the raw fields as sent (to show the form again filled in), the
/// field refused and the error (its message goes next to the field).
#[derive(Debug)]
pub struct FormRefusal {
    pub fields: FormFields,
    pub field: &'static str,
    pub error: AppError,
}

/// A refused form, as an error page.
impl From<FormRefusal> for PageError {
    fn from(refusal: FormRefusal) -> PageError {
        PageError(refusal.error)
    }
}

/// Reads the raw form of a request; a body that is not a form is the framework's rejection (the
/// response layer shows it as an error page).
async fn raw_form<S: Send + Sync>(request: Request, state: &S) -> Result<FormFields, Response> {
    axum::Form::<Vec<(String, String)>>::from_request(request, state)
        .await
        .map(|axum::Form(pairs)| FormFields(pairs))
        .map_err(IntoResponse::into_response)
}

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        raw_form(request, state).await
    }
}

/// A typed page form; a refused one answers the refusal's error page.
#[derive(Debug)]
pub struct TypedForm<T>(pub T);

impl<S, T> FromRequest<S> for TypedForm<T>
where
    S: Send + Sync,
    T: TryFrom<FormFields, Error = FormRefusal>,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let CheckedForm(form) = CheckedForm::<T>::from_request(request, state).await?;
        form.map(TypedForm)
            .map_err(|refusal| PageError::from(refusal).into_response())
    }
}

/// A typed page form or its refusal, for a page that comes back filled in when refused.
#[derive(Debug)]
pub struct CheckedForm<T>(pub Result<T, FormRefusal>);

impl<S, T> FromRequest<S> for CheckedForm<T>
where
    S: Send + Sync,
    T: TryFrom<FormFields, Error = FormRefusal>,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let fields = raw_form(request, state).await?;
        Ok(CheckedForm(T::try_from(fields)))
    }
}

/// Builds the raw form of a test from `(name, value)` pairs.
#[cfg(test)]
pub fn fields_of(pairs: &[(&str, &str)]) -> FormFields {
    FormFields(
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct VersionForm {
        version: i64,
        assignee: Option<i64>,
    }

    impl TryFrom<FormFields> for VersionForm {
        type Error = FormRefusal;
        fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
            fields.typed(|fields| {
                Ok(VersionForm {
                    version: fields.required_number("version")?,
                    assignee: fields.optional_number("assignee")?,
                })
            })
        }
    }

    #[test]
    fn a_good_form_converts_and_a_refusal_keeps_the_fields_and_names_the_field() {
        let form = VersionForm::try_from(fields_of(&[("version", " 3 "), ("assignee", "")]))
            .ok()
            .unwrap();
        assert_eq!((form.version, form.assignee), (3, None));
        let sent = fields_of(&[("version", "3"), ("assignee", "someone")]);
        let refusal = VersionForm::try_from(sent.clone()).err().unwrap();
        assert_eq!(refusal.field, "assignee");
        assert_eq!(refusal.fields, sent);
        assert!(matches!(refusal.error, AppError::BadRequest(_)));
        let refusal = VersionForm::try_from(fields_of(&[])).err().unwrap();
        assert_eq!(refusal.field, "version");
    }

    #[test]
    fn values_are_trimmed_except_as_typed() {
        let fields = fields_of(&[("password", " secret "), ("name", "  "), ("ok", "yes")]);
        assert_eq!(fields.as_typed("password"), " secret ");
        assert_eq!(fields.get("name"), None);
        assert_eq!(fields.text("password"), "secret");
        assert!(fields.is_yes("ok") && !fields.is_yes("name"));
    }
}
