//! Answers in GitHub's shape: a JSON body, a status, and GitHub's error
//! bodies (`message`, `documentation_url`, and for 422 the `errors` list).

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const DOCS: &str = "https://docs.github.com/rest";

/// One answer.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
    pub headers: Vec<(&'static str, String)>,
}

pub type Answer = Result<Reply, Reply>;

impl Reply {
    pub fn ok(body: Value) -> Reply {
        Reply::with(StatusCode::OK, body)
    }

    pub fn created(body: Value) -> Reply {
        Reply::with(StatusCode::CREATED, body)
    }

    pub fn with(status: StatusCode, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    pub fn no_content() -> Reply {
        Reply {
            status: StatusCode::NO_CONTENT,
            body: None,
            headers: Vec::new(),
        }
    }

    pub fn header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }

    /// An error with GitHub's `message`.
    pub fn error(status: StatusCode, message: &str) -> Reply {
        Reply::with(
            status,
            json!({
                "message": message,
                "documentation_url": DOCS,
                "status": status.as_u16().to_string(),
            }),
        )
    }

    pub fn not_found() -> Reply {
        Reply::error(StatusCode::NOT_FOUND, "Not Found")
    }

    /// 422 with one entry in `errors`, as GitHub reports a validation failure.
    pub fn invalid(resource: &str, field: &str, code: &str, message: Option<&str>) -> Reply {
        let mut error = json!({ "resource": resource, "field": field, "code": code });
        if let Some(message) = message {
            error["message"] = json!(message);
        }
        Reply::with(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({
                "message": "Validation Failed",
                "errors": [error],
                "documentation_url": DOCS,
                "status": "422",
            }),
        )
    }

    /// 422 with only a message, as the Git Data endpoints answer.
    pub fn unprocessable(message: &str) -> Reply {
        Reply::error(StatusCode::UNPROCESSABLE_ENTITY, message)
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = match self.body {
            Some(body) => (self.status, axum::Json(body)).into_response(),
            None => self.status.into_response(),
        };
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(name), value);
            }
        }
        response
    }
}

/// A request body as JSON, or GitHub's 400.
pub fn parse(body: &[u8]) -> Result<Value, Reply> {
    if body.is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body)
        .map_err(|_| Reply::error(StatusCode::BAD_REQUEST, "Problems parsing JSON"))
}

/// The string field `name` of `body`, or GitHub's 422 for a missing field.
pub fn required<'b>(body: &'b Value, resource: &str, name: &str) -> Result<&'b str, Reply> {
    body[name]
        .as_str()
        .ok_or_else(|| Reply::invalid(resource, name, "missing_field", None))
}
