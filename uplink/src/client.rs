//! The kiosk's HTTP client for the platform: signs every request and
//! sorts every failure into "try again later" or "the platform said no".

use onevisit_core::platform::PlatformError;
use onevisit_core::platform::contract::{
    self, ApiError, AttachmentStatus, CaseAccepted, CaseStatus, Heartbeat, MaterialStored, Rating,
};
use onevisit_core::platform::sign;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Why a client could not be built from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "platform_ca_file: not a PEM certificate bundle ({0}); give the platform CA's certificate in PEM form"
    )]
    BadCertificate(String),
    #[error("the HTTP client could not start ({0})")]
    Build(String),
    #[error(
        "the platform's admin endpoint refused the request ({0}); is `onevisit platform serve` running at that address?"
    )]
    Admin(String),
}

impl ClientError {
    /// A stable code for logs and diagnostics.
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::BadCertificate(_) => "platform_ca_invalid",
            ClientError::Build(_) => "http_client_failed",
            ClientError::Admin(_) => "platform_admin_failed",
        }
    }
}

/// Sets the reference platform's fault injection (`PUT /v1/admin/faults`),
/// for tests and demos; unsigned, as the reference platform's admin API is.
/// Answers the platform's reply (the settings now in force).
pub async fn put_admin_faults(
    base_url: &str,
    settings: &impl serde::Serialize,
) -> Result<String, ClientError> {
    let admin = |e: reqwest::Error| ClientError::Admin(e.to_string());
    reqwest::Client::new()
        .put(format!(
            "{}/v1/admin/faults",
            base_url.trim_end_matches('/')
        ))
        .json(settings)
        .send()
        .await
        .map_err(admin)?
        .error_for_status()
        .map_err(admin)?
        .text()
        .await
        .map_err(admin)
}

#[derive(Clone)]
pub struct PlatformClient {
    http: reqwest::Client,
    base: String,
    kiosk_id: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for PlatformClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformClient")
            .field("base", &self.base)
            .field("kiosk_id", &self.kiosk_id)
            .finish_non_exhaustive()
    }
}

impl PlatformClient {
    /// `base` is `http://host:port/` or `https://…/` (rustls, web PKI roots).
    pub fn new(base: &str, kiosk_id: &str, key: &[u8], timeout: Duration) -> PlatformClient {
        Self::with_root_ca(base, kiosk_id, key, timeout, None)
            .expect("a client without extra roots builds")
    }

    /// Like [`PlatformClient::new`], also trusting the PEM certificate(s)
    /// in `ca_pem` (a platform with its own CA, or the reference platform's
    /// test certificate).
    pub fn with_root_ca(
        base: &str,
        kiosk_id: &str,
        key: &[u8],
        timeout: Duration,
        ca_pem: Option<&[u8]>,
    ) -> Result<PlatformClient, ClientError> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)));
        if let Some(pem) = ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| ClientError::BadCertificate(e.to_string()))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Build(e.to_string()))?;
        Ok(PlatformClient {
            http,
            base: base.trim_end_matches('/').to_string(),
            kiosk_id: kiosk_id.to_string(),
            key: key.to_vec(),
        })
    }

    /// Sends one signed request and reads a JSON answer.
    pub async fn send<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Result<T, PlatformError> {
        let ts = chrono::Utc::now().timestamp();
        let nonce = onevisit_core::outbox::random_key();
        let url = reqwest::Url::parse(&format!("{}{path}", self.base)).map_err(|e| {
            PlatformError::Permanent {
                status: 0,
                code: "bad_platform_url".into(),
                message: e.to_string(),
            }
        })?;
        // Sign the path as the server will see it, including any prefix
        // of the base URL (a platform behind /api/, say).
        let signed_path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let sig = sign::sign(&self.key, method.as_str(), &signed_path, ts, &nonce, &body);
        let mut req = self
            .http
            .request(method, url)
            .header(sign::H_KIOSK, &self.kiosk_id)
            .header(sign::H_TIMESTAMP, ts.to_string())
            .header(sign::H_NONCE, nonce)
            .header(sign::H_SIGNATURE, sig)
            .header("content-type", "application/json")
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.map_err(|e| PlatformError::Retryable {
            reason: describe(&e),
            retry_after: None,
        })?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = resp.bytes().await.map_err(|e| PlatformError::Retryable {
            reason: format!("answer cut off: {}", describe(&e)),
            retry_after: None,
        })?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| PlatformError::Retryable {
                reason: format!("unreadable answer ({status}): {e}"),
                retry_after: None,
            });
        }
        let err: ApiError = serde_json::from_slice(&bytes).unwrap_or_else(|_| ApiError {
            code: format!("http_{}", status.as_u16()),
            message: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
        });
        let code = status.as_u16();
        if code == 408 || code == 429 || status.is_server_error() {
            Err(PlatformError::Retryable {
                reason: format!("{code} {}: {}", err.code, err.message),
                retry_after,
            })
        } else {
            Err(PlatformError::Permanent {
                status: code,
                code: err.code,
                message: err.message,
            })
        }
    }

    /// Creates the case once per idempotency key. `body` is the
    /// submission's JSON exactly as queued.
    pub async fn create_case(
        &self,
        idempotency_key: &str,
        body: Vec<u8>,
    ) -> Result<CaseAccepted, PlatformError> {
        self.send(
            reqwest::Method::POST,
            "/v1/cases",
            body,
            &[("idempotency-key", idempotency_key)],
        )
        .await
    }

    /// Uploads a material image; idempotent by its content hash.
    pub async fn upload_material(
        &self,
        sha256: &str,
        receipt: &str,
        bytes: Vec<u8>,
    ) -> Result<MaterialStored, PlatformError> {
        self.send(
            reqwest::Method::PUT,
            &format!("/v1/materials/{sha256}"),
            bytes,
            &[("x-onevisit-receipt", receipt)],
        )
        .await
    }

    /// How much of attachment `sha256` the platform holds (`None`: none).
    pub async fn attachment_status(
        &self,
        sha256: &str,
    ) -> Result<Option<AttachmentStatus>, PlatformError> {
        let answer = self
            .send(
                reqwest::Method::GET,
                &format!("/v1/attachments/{sha256}"),
                Vec::new(),
                &[],
            )
            .await;
        match answer {
            Ok(s) => Ok(Some(s)),
            Err(PlatformError::Permanent {
                status: 404, code, ..
            }) if code == "unknown_attachment" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Sends one chunk of attachment `sha256` (`total` bytes) at `offset`,
    /// with the chunk's own SHA-256 for the platform to check.
    pub async fn put_chunk(
        &self,
        sha256: &str,
        receipt: &str,
        offset: u64,
        total: u64,
        chunk: &[u8],
    ) -> Result<AttachmentStatus, PlatformError> {
        use sha2::{Digest, Sha256};
        let chunk_sha = hex::encode(Sha256::digest(chunk));
        let (offset, total) = (offset.to_string(), total.to_string());
        self.send(
            reqwest::Method::PUT,
            &format!("/v1/attachments/{sha256}"),
            chunk.to_vec(),
            &[
                (contract::H_OFFSET, &offset),
                (contract::H_TOTAL, &total),
                (contract::H_CHUNK_SHA256, &chunk_sha),
                (contract::H_RECEIPT, receipt),
            ],
        )
        .await
    }

    /// 电子证照 this person holds among `materials` (only with the
    /// applicant's consent).
    pub async fn elicences(
        &self,
        query: &contract::ElicenceQuery,
    ) -> Result<Vec<onevisit_core::visit::materials::HeldLicence>, PlatformError> {
        let answer: contract::ElicenceAnswer = self
            .send(
                reqwest::Method::POST,
                "/v1/elicences/lookup",
                serde_json::to_vec(query).expect("json"),
                &[],
            )
            .await?;
        Ok(answer.licences)
    }

    /// The applicant's progress query.
    pub async fn case_status(&self, receipt: &str) -> Result<CaseStatus, PlatformError> {
        self.send(
            reqwest::Method::GET,
            &format!("/v1/cases/{receipt}"),
            Vec::new(),
            &[],
        )
        .await
    }

    /// The platform's shared data on an existing licence: `None` when it
    /// holds none (404 `unknown_licence`).
    pub async fn licence(
        &self,
        uscc: &str,
    ) -> Result<Option<onevisit_core::platform::contract::SharedLicence>, PlatformError> {
        let answer = self
            .send(
                reqwest::Method::GET,
                &format!("/v1/licences/{uscc}"),
                Vec::new(),
                &[],
            )
            .await;
        match answer {
            Ok(l) => Ok(Some(l)),
            Err(PlatformError::Permanent {
                status: 404, code, ..
            }) if code == "unknown_licence" => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn post_rating(
        &self,
        receipt: &str,
        idempotency_key: &str,
        rating: &Rating,
    ) -> Result<serde_json::Value, PlatformError> {
        self.send(
            reqwest::Method::POST,
            &format!("/v1/cases/{receipt}/rating"),
            serde_json::to_vec(rating).expect("json"),
            &[("idempotency-key", idempotency_key)],
        )
        .await
    }

    pub async fn heartbeat(&self, hb: &Heartbeat) -> Result<serde_json::Value, PlatformError> {
        self.send(
            reqwest::Method::POST,
            "/v1/heartbeats",
            serde_json::to_vec(hb).expect("json"),
            &[],
        )
        .await
    }
}

fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "connection failed"
    };
    // The error chain names the cause (refused, reset, …) without any body.
    let mut s = format!("{what}: {e}");
    let mut src = std::error::Error::source(e);
    while let Some(c) = src {
        s.push_str(&format!(": {c}"));
        src = c.source();
    }
    s.chars().take(300).collect()
}
