//! Consent texts as shown, stored once under their version (SHA-256) before
//! any evidence names them: `text/{version}`. Every place that records
//! consent (signup, resubscribe, import) stores its text here.

use doi_core::{ConsentVersion, Locale};
use serde::{Deserialize, Serialize};

use crate::ctx::{Ctx, Net};
use crate::http::ApiError;
use crate::keys;
use crate::store::{PutOptions, Store};

/// What `text/{version}` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredText {
    /// The exact text.
    pub text: String,
    /// Its language.
    pub locale: Locale,
    /// The form that showed it (`import` for imported consents).
    pub form: String,
}

/// Stores `stored` under `version` unless it is there already.
pub async fn store<S: Store, N: Net>(
    ctx: &Ctx<S, N>,
    version: &ConsentVersion,
    stored: &StoredText,
) -> Result<(), ApiError> {
    let key = keys::consent_text(version);
    if ctx.store.get(&key).await?.is_some() {
        return Ok(());
    }
    let json = serde_json::to_string(stored).map_err(|_| ApiError::StorageUnavailable)?;
    ctx.store.put(&key, &json, PutOptions::default()).await?;
    Ok(())
}
