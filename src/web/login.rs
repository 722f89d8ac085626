//! `/login` and `/logout`. Logging in goes through the user's PDS exactly as the XRPC
//! `createSession` does (their PDS checks the app password; `AuthFactorTokenRequired` asks
//! for the emailed code); the browser then holds the sealed session cookie. Logging out ends
//! the session here and at the PDS.

use super::page::{self, Layout};
use super::visitor::Visitor;
use crate::auth::session::SessionError;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use std::sync::Arc;

/// The login form's state.
#[derive(Default)]
pub struct LoginForm {
    /// Where to go after logging in.
    pub next: String,
    /// What went wrong last time.
    pub error: Option<String>,
    /// The identifier typed last time.
    pub identifier: String,
    /// Whether the PDS asked for an emailed code.
    pub factor: bool,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    login: LoginForm,
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage {
    layout: Layout,
}

/// `?next=`.
#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// The posted login form.
#[derive(Deserialize)]
pub struct LoginInput {
    csrf: String,
    identifier: String,
    password: String,
    token: Option<String>,
    next: Option<String>,
}

/// The posted logout form.
#[derive(Deserialize)]
pub struct LogoutInput {
    csrf: String,
}

fn form(state: &AppState, v: &Visitor, status: StatusCode, login: LoginForm) -> Response {
    let page = LoginPage {
        layout: Layout::new(state, v, "Log in · Aerie", "/login"),
        login,
    };
    page::html(v, status, &page)
}

/// `GET /login`.
pub async fn show(
    State(state): State<Arc<AppState>>,
    v: Visitor,
    Query(q): Query<Next>,
) -> Response {
    if v.user.is_some() {
        return page::redirect(q.next.as_deref().unwrap_or("/"), &[]);
    }
    let login = LoginForm {
        next: page::local_path(q.next.as_deref()),
        ..Default::default()
    };
    form(&state, &v, StatusCode::OK, login)
}

/// `POST /login`.
pub async fn submit(
    State(state): State<Arc<AppState>>,
    v: Visitor,
    Form(input): Form<LoginInput>,
) -> Response {
    let next = page::local_path(input.next.as_deref());
    let again = |status, error: String, factor| {
        let login = LoginForm {
            next: next.clone(),
            error: Some(error),
            identifier: input.identifier.clone(),
            factor,
        };
        form(&state, &v, status, login)
    };
    if !v.form_ok(&state, &input.csrf) {
        return again(
            StatusCode::FORBIDDEN,
            "The form expired; please try again.".into(),
            false,
        );
    }
    let token = input.token.as_deref().filter(|t| !t.trim().is_empty());
    match state
        .sessions
        .create(input.identifier.trim(), &input.password, token)
        .await
    {
        Ok((_, tokens, _)) => page::redirect(&next, &[v.login_cookie(&state, &tokens.refresh)]),
        Err(SessionError::Pds {
            error,
            message,
            status,
            ..
        }) => {
            let factor = error == "AuthFactorTokenRequired";
            let text = if message.is_empty() { error } else { message };
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED);
            again(status, text, factor)
        }
        Err(SessionError::Identifier(m)) => again(StatusCode::BAD_REQUEST, m, false),
        Err(e) => {
            tracing::warn!("login: {e}");
            again(
                StatusCode::BAD_GATEWAY,
                "Your server could not be reached. Try again in a moment.".into(),
                false,
            )
        }
    }
}

/// `GET /logout`: a confirmation (logging out changes state, so it is a form).
pub async fn confirm(State(state): State<Arc<AppState>>, v: Visitor) -> Response {
    if v.user.is_none() {
        return page::redirect("/", &[]);
    }
    let page = LogoutPage {
        layout: Layout::new(&state, &v, "Log out · Aerie", "/logout"),
    };
    page::html(&v, StatusCode::OK, &page)
}

/// `POST /logout`.
pub async fn submit_logout(
    State(state): State<Arc<AppState>>,
    v: Visitor,
    Form(input): Form<LogoutInput>,
) -> Response {
    if !v.form_ok(&state, &input.csrf) {
        return page::error(
            &state,
            &v,
            StatusCode::FORBIDDEN,
            "The form expired; please try again.",
        );
    }
    if let Some(refresh) = &v.refresh {
        if let Err(e) = state.sessions.delete(refresh).await {
            tracing::warn!("logout: {e}");
        }
    }
    page::redirect("/", &[v.logout_cookie()])
}
