//! Verification of AWS Signature Version 4 (header form) on incoming requests.
//!
//! The canonical request, string-to-sign and signature are computed by the `aws-sigv4` crate
//! (the same code the AWS SDK for Rust signs with); this module only parses the
//! `Authorization` header, feeds `aws-sigv4` exactly the headers the client listed in
//! `SignedHeaders`, checks the clock skew and compares the signatures in constant time.
//!
//! Things `aws-sigv4` does on its own that matter when using it as a verifier:
//! - it always adds `host` (from the headers, else from the URI authority) and `x-amz-date`
//!   (formatted from the signing time, overwriting any header) to the signed headers, so both
//!   must be among the client's `SignedHeaders` or the signatures cannot match; we require
//!   both up front ([`SigV4Error::Incomplete`]);
//! - its default settings exclude `authorization`, `user-agent`, `x-amzn-trace-id` and
//!   `transfer-encoding` from signing; a client may legitimately have signed some of them,
//!   so the exclusion list is cleared (we only pass the headers that were signed anyway);
//! - the path is normalised (`.`/`..`/`//` removed) and percent-encoded once more (the
//!   "double encoding" every AWS service but S3 uses), the query is decoded with
//!   `application/x-www-form-urlencoded` rules (so a literal `+` counts as a space) and
//!   re-encoded with SigV4's unreserved set, then sorted;
//! - header values are trimmed of spaces and runs of spaces collapsed (only `' '`, not tabs);
//!   repeated headers are joined with `,` in the order received.

use std::fmt;
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// The only algorithm accepted in the `Authorization` header.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// How far (in seconds, either way) the request time may be from "now".
pub const MAX_CLOCK_SKEW_SECS: u64 = 5 * 60;
const X_AMZ_DATE: &str = "x-amz-date";
const TERMINATOR: &str = "aws4_request";

/// The parts of an incoming HTTP request that take part in its signature.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// Raw path as received (still percent-encoded), e.g. "/".
    pub path: &'a str,
    /// Raw query string without '?', may be "".
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// A parsed `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    pub access_key_id: &'a str,
    /// The credential scope's date, `YYYYMMDD`.
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    /// As listed by the client (lower-case, `;`-separated, sorted when the client is correct).
    pub signed_headers: Vec<&'a str>,
    pub signature: &'a str,
}

#[derive(Debug, PartialEq, Eq)]
pub enum SigV4Error {
    /// No Authorization header at all -> MissingAuthenticationTokenException
    Missing,
    /// Header present but malformed / missing Credential, SignedHeaders, Signature, or
    /// x-amz-date, or host not signed -> IncompleteSignatureException
    Incomplete(String),
    /// Request time more than 5 minutes from now -> InvalidSignatureException
    Expired(String),
    /// Signature mismatch -> InvalidSignatureException
    Mismatch,
}

const MISMATCH_MESSAGE: &str = "The request signature we calculated does not match the signature you provided. \
Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

impl SigV4Error {
    /// The message AWS puts in the error body for this failure.
    pub fn message(&self) -> String {
        match self {
            SigV4Error::Missing => "Missing Authentication Token".to_owned(),
            SigV4Error::Incomplete(message) | SigV4Error::Expired(message) => message.clone(),
            SigV4Error::Mismatch => MISMATCH_MESSAGE.to_owned(),
        }
    }
}

impl fmt::Display for SigV4Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for SigV4Error {}

/// Parse the `Authorization` header (header form only; a presigned request's `X-Amz-*` query
/// parameters are not supported, such a request is answered as [`SigV4Error::Missing`]).
///
/// Also checks that `x-amz-date` is present and well-formed, that its day matches the
/// credential scope's, and that `host` and `x-amz-date` are signed.
pub fn parse_authorization<'a>(req: &SignedRequest<'a>) -> Result<Authorization<'a>, SigV4Error> {
    let mut values = req.headers.get_all(AUTHORIZATION).iter();
    let Some(raw) = values.next() else {
        return Err(SigV4Error::Missing);
    };
    if values.next().is_some() {
        return Err(incomplete("Only one Authorization header may be given."));
    }
    let header = raw.to_str().map_err(|_| incomplete("Authorization header contains invalid characters."))?.trim();
    if header.is_empty() {
        return Err(SigV4Error::Missing);
    }

    let (algorithm, rest) = header.split_once(|c: char| c.is_ascii_whitespace()).unwrap_or((header, ""));
    if algorithm != ALGORITHM {
        // AWS treats e.g. `Authorization: garbage` as a single key=value pair without '='.
        if !algorithm.contains('=') && rest.is_empty() {
            return Err(SigV4Error::Incomplete(format!(
                "'{algorithm}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
            )));
        }
        return Err(SigV4Error::Incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}'. Only '{ALGORITHM}' is accepted. Authorization={header}"
        )));
    }

    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let Some((key, value)) = part.split_once('=') else {
            return Err(SigV4Error::Incomplete(format!(
                "'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
            )));
        };
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.is_some() {
            return Err(SigV4Error::Incomplete(format!(
                "Authorization header has a duplicate '{}' parameter. Authorization={header}",
                key.trim()
            )));
        }
        *slot = Some(value.trim());
    }

    let x_amz_date = req.headers.get(X_AMZ_DATE);
    let mut missing = String::new();
    for (name, value) in [("Credential", credential), ("Signature", signature), ("SignedHeaders", signed_headers)] {
        if value.is_none_or(str::is_empty) {
            missing.push_str(&format!("Authorization header requires '{name}' parameter. "));
        }
    }
    if x_amz_date.is_none() {
        missing.push_str("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some(x_amz_date)) = (credential, signed_headers, signature, x_amz_date)
    else {
        return Err(SigV4Error::Incomplete(format!("{missing}Authorization={header}")));
    };
    if !missing.is_empty() {
        return Err(SigV4Error::Incomplete(format!("{missing}Authorization={header}")));
    }

    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts.as_slice() else {
        return Err(SigV4Error::Incomplete(format!(
            "Credential should have exactly 5 slash-separated parts \
             (<access key id>/<YYYYMMDD>/<region>/<service>/aws4_request), not '{credential}'."
        )));
    };
    if access_key_id.is_empty() {
        return Err(incomplete("Credential should contain an access key id."));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SigV4Error::Incomplete(format!("Credential should be scoped to a valid date (YYYYMMDD), not '{date}'.")));
    }
    if region.is_empty() {
        return Err(incomplete("Credential should be scoped to a valid region."));
    }
    if service.is_empty() {
        return Err(incomplete("Credential should be scoped to a valid service."));
    }
    if *terminator != TERMINATOR {
        return Err(SigV4Error::Incomplete(format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'."
        )));
    }

    let signed_headers: Vec<&str> = signed_headers.split(';').collect();
    if signed_headers.iter().any(|name| name.is_empty()) {
        return Err(SigV4Error::Incomplete(format!("SignedHeaders contains an empty header name. Authorization={header}")));
    }
    if !signed_headers.iter().any(|name| name.eq_ignore_ascii_case("host")) {
        return Err(incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."));
    }
    if !signed_headers.iter().any(|name| name.eq_ignore_ascii_case(X_AMZ_DATE)) {
        return Err(incomplete("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."));
    }

    let x_amz_date = x_amz_date_str(x_amz_date)?;
    parse_amz_date(x_amz_date)?;
    check_scope_date(date, x_amz_date)?;

    Ok(Authorization { access_key_id, date, region, service, signed_headers, signature })
}

/// Verify the signature given the secret for `auth.access_key_id` and "now" (seconds since
/// the UNIX epoch, injected). `x-amz-security-token` (or any other header) takes part only
/// when it is listed in `SignedHeaders`.
pub fn verify(req: &SignedRequest<'_>, auth: &Authorization<'_>, secret_access_key: &str, now_epoch_secs: u64) -> Result<(), SigV4Error> {
    let x_amz_date = req
        .headers
        .get(X_AMZ_DATE)
        .ok_or_else(|| incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."))
        .and_then(x_amz_date_str)?;
    let request_secs = parse_amz_date(x_amz_date)?;
    check_scope_date(auth.date, x_amz_date)?;
    check_skew(x_amz_date, request_secs, now_epoch_secs)?;
    // aws-sigv4 always signs host and x-amz-date (and panics without a host when the URI
    // has no authority); `Authorization` may have been built by hand, so check again.
    for required in ["host", X_AMZ_DATE] {
        if !auth.signed_headers.iter().any(|name| name.eq_ignore_ascii_case(required)) {
            return Err(SigV4Error::Incomplete(format!("'{required}' must be a 'SignedHeader' in the AWS Authorization.")));
        }
    }

    // Only the headers the client signed, lower-cased, every value of repeated headers in the
    // order received (aws-sigv4 joins them with ',').
    let names: Vec<String> = auth.signed_headers.iter().map(|name| name.to_ascii_lowercase()).collect();
    let mut headers: Vec<(&str, &str)> = Vec::with_capacity(names.len());
    for name in &names {
        let mut found = false;
        for value in req.headers.get_all(name.as_str()) {
            found = true;
            // aws-sigv4 wants &str; a signed value that is not visible ASCII cannot match.
            let value = value.to_str().map_err(|_| SigV4Error::Mismatch)?;
            headers.push((name.as_str(), value));
        }
        if !found {
            tracing::debug!(header = %name, "signed header absent from the request");
            return Err(SigV4Error::Mismatch);
        }
    }

    let uri = match (req.path, req.query) {
        ("", "") => "/".to_owned(),
        ("", query) => format!("/?{query}"),
        (path, "") => path.to_owned(),
        (path, query) => format!("{path}?{query}"),
    };

    let signable = SignableRequest::new(req.method, uri, headers.into_iter(), SignableBody::Bytes(req.body)).map_err(|error| {
        tracing::debug!(%error, "request cannot be canonicalised");
        SigV4Error::Mismatch
    })?;

    let mut settings = SigningSettings::default();
    // Spelled out rather than relying on defaults: what JSON-protocol clients (boto3, the CLI,
    // the SDKs) do for every service but S3.
    settings.percent_encoding_mode = PercentEncodingMode::Double;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Enabled;
    settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
    settings.signature_location = SignatureLocation::Headers;
    settings.session_token_mode = SessionTokenMode::Include;
    settings.excluded_headers = None;

    // No session token in the identity: a signed x-amz-security-token is among `headers`.
    let credentials = Credentials::new(auth.access_key_id, secret_access_key, None, None, "pooldesk-sigv4-verifier");
    let identity = credentials.into();
    let signing_time = UNIX_EPOCH + Duration::from_secs(request_secs);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(signing_time)
        .settings(settings)
        .build()
        .map_err(|error| {
            tracing::debug!(%error, "cannot build signing parameters");
            SigV4Error::Mismatch
        })?
        .into();
    let output = sign(signable, &params).map_err(|error| {
        tracing::debug!(%error, "request cannot be signed");
        SigV4Error::Mismatch
    })?;

    aws_lc_rs::constant_time::verify_slices_are_equal(output.signature().as_bytes(), auth.signature.as_bytes())
        .map_err(|_| SigV4Error::Mismatch)
}

fn incomplete(message: &str) -> SigV4Error {
    SigV4Error::Incomplete(message.to_owned())
}

fn x_amz_date_str(value: &axum::http::HeaderValue) -> Result<&str, SigV4Error> {
    value.to_str().map(str::trim).map_err(|_| incomplete("X-Amz-Date contains invalid characters."))
}

fn check_scope_date(scope_date: &str, x_amz_date: &str) -> Result<(), SigV4Error> {
    let day = x_amz_date.get(..8).unwrap_or(x_amz_date);
    if scope_date == day {
        Ok(())
    } else {
        Err(SigV4Error::Incomplete(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
             '{scope_date}' != '{day}', from '{x_amz_date}'."
        )))
    }
}

fn check_skew(x_amz_date: &str, request_secs: u64, now: u64) -> Result<(), SigV4Error> {
    if request_secs.saturating_add(MAX_CLOCK_SKEW_SECS) < now {
        return Err(SigV4Error::Expired(format!(
            "Signature expired: {x_amz_date} is now earlier than {} ({} - 5 min.)",
            format_amz_date(now - MAX_CLOCK_SKEW_SECS),
            format_amz_date(now)
        )));
    }
    if request_secs > now.saturating_add(MAX_CLOCK_SKEW_SECS) {
        return Err(SigV4Error::Expired(format!(
            "Signature not yet current: {x_amz_date} is still later than {} ({} + 5 min.)",
            format_amz_date(now.saturating_add(MAX_CLOCK_SKEW_SECS)),
            format_amz_date(now)
        )));
    }
    Ok(())
}

/// `YYYYMMDD'T'HHMMSS'Z'` -> seconds since the UNIX epoch; anything else (including dates
/// that do not exist, such as February 30th, and dates before 1970) is an error.
fn parse_amz_date(value: &str) -> Result<u64, SigV4Error> {
    let invalid = || {
        SigV4Error::Incomplete(format!("Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"))
    };
    let bytes = value.as_bytes();
    if bytes.len() != 16 || bytes.get(8) != Some(&b'T') || bytes.get(15) != Some(&b'Z') {
        return Err(invalid());
    }
    let number = |from: usize, to: usize| -> Option<u16> {
        let digits = bytes.get(from..to)?;
        digits.iter().try_fold(0u16, |acc, b| b.is_ascii_digit().then(|| acc * 10 + u16::from(b - b'0')))
    };
    let two = |from: usize| number(from, from + 2).and_then(|n| u8::try_from(n).ok());
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
        (number(0, 4), two(4), two(6), two(9), two(11), two(13))
    else {
        return Err(invalid());
    };
    // Both refuse what does not exist: month 13, February 30th, hour 24, second 60.
    let date = Month::try_from(month).and_then(|month| Date::from_calendar_date(i32::from(year), month, day));
    let time = Time::from_hms(hour, minute, second);
    let (Ok(date), Ok(time)) = (date, time) else {
        return Err(invalid());
    };
    u64::try_from(PrimitiveDateTime::new(date, time).assume_utc().unix_timestamp()).map_err(|_| invalid())
}

/// Seconds since the UNIX epoch -> `YYYYMMDD'T'HHMMSS'Z'` (past 9999, the end of 9999).
fn format_amz_date(epoch_secs: u64) -> String {
    let t = i64::try_from(epoch_secs)
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .unwrap_or_else(|| PrimitiveDateTime::MAX.assume_utc());
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderName, HeaderValue};

    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    /// 2015-08-30T12:36:00Z
    const T0: u64 = 1_440_938_160;

    fn header_map(headers: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn request<'a>(method: &'a str, path: &'a str, query: &'a str, headers: &'a HeaderMap, body: &'a [u8]) -> SignedRequest<'a> {
        SignedRequest { method, path, query, headers, body }
    }

    fn check(req: &SignedRequest<'_>, secret: &str, now: u64) -> Result<(), SigV4Error> {
        let auth = parse_authorization(req)?;
        verify(req, &auth, secret, now)
    }

    /// Signs like a client would (aws-sigv4 with default settings) and returns the headers
    /// with `x-amz-date`, `authorization` (and `x-amz-security-token`) added.
    fn sign_as_client(method: &str, uri: &str, headers: &[(&str, &str)], body: &[u8], session_token: Option<&str>, time: u64) -> HeaderMap {
        let credentials = Credentials::new(AKID, SECRET, session_token.map(str::to_owned), None, "test");
        let identity = credentials.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("cognito-idp")
            .time(UNIX_EPOCH + Duration::from_secs(time))
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let signable = SignableRequest::new(method, uri, headers.iter().copied(), SignableBody::Bytes(body)).unwrap();
        let (instructions, _signature) = sign(signable, &params).unwrap().into_parts();
        let mut map = header_map(headers);
        for (name, value) in instructions.headers() {
            map.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn vanilla_headers(signature: &str) -> HeaderMap {
        header_map(&[
            ("host", "example.amazonaws.com"),
            ("x-amz-date", "20150830T123600Z"),
            (
                "authorization",
                &format!(
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                     SignedHeaders=host;x-amz-date, Signature={signature}"
                ),
            ),
        ])
    }

    const JSON_HEADERS: [(&str, &str); 3] = [
        ("host", "cognito-idp.us-east-1.amazonaws.com"),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", "AWSCognitoIdentityProviderService.ListUserPools"),
    ];
    const JSON_BODY: &[u8] = br#"{"MaxResults":10}"#;

    #[test]
    fn get_vanilla_test_vector() {
        let headers = vanilla_headers("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        let req = request("GET", "/", "", &headers, b"");
        let auth = parse_authorization(&req).unwrap();
        assert_eq!(
            auth,
            Authorization {
                access_key_id: "AKIDEXAMPLE",
                date: "20150830",
                region: "us-east-1",
                service: "service",
                signed_headers: vec!["host", "x-amz-date"],
                signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            }
        );
        assert_eq!(verify(&req, &auth, SECRET, T0), Ok(()));
        // One byte of the secret changed.
        let wrong = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ";
        assert_eq!(verify(&req, &auth, wrong, T0), Err(SigV4Error::Mismatch));
        // Or one hex digit of the signature, or a truncated one.
        let headers = vanilla_headers("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf30");
        assert_eq!(check(&request("GET", "/", "", &headers, b""), SECRET, T0), Err(SigV4Error::Mismatch));
        let headers = vanilla_headers("5fa00fa3");
        assert_eq!(check(&request("GET", "/", "", &headers, b""), SECRET, T0), Err(SigV4Error::Mismatch));
        // Method, path, query and body take part.
        let headers = vanilla_headers("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        assert_eq!(check(&request("POST", "/", "", &headers, b""), SECRET, T0), Err(SigV4Error::Mismatch));
        assert_eq!(check(&request("GET", "/x", "", &headers, b""), SECRET, T0), Err(SigV4Error::Mismatch));
        assert_eq!(check(&request("GET", "/", "a=b", &headers, b""), SECRET, T0), Err(SigV4Error::Mismatch));
        assert_eq!(check(&request("GET", "/", "", &headers, b"x"), SECRET, T0), Err(SigV4Error::Mismatch));
    }

    /// More vectors from the AWS SigV4 test suite (aws-sigv4's `aws-signing-test-suite/v4`).
    #[test]
    fn other_test_suite_vectors() {
        let auth = |signed: &str, signature: &str| {
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                 SignedHeaders={signed}, Signature={signature}"
            )
        };
        // get-header-value-trim (values trimmed, inner runs of spaces collapsed)
        let a = auth("host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
        let headers = header_map(&[
            ("host", "example.amazonaws.com"),
            ("my-header1", "  value1  "),
            ("my-header2", "\"a   b   c\""),
            ("x-amz-date", "20150830T123600Z"),
            ("authorization", &a),
        ]);
        assert_eq!(check(&request("GET", "/", "", &headers, b""), SECRET, T0), Ok(()));

        // get-header-key-duplicate (values joined with ',' in order)
        let a = auth("host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea");
        let headers = header_map(&[
            ("host", "example.amazonaws.com"),
            ("my-header1", "value2"),
            ("my-header1", "value2"),
            ("my-header1", "value1"),
            ("x-amz-date", "20150830T123600Z"),
            ("authorization", &a),
        ]);
        assert_eq!(check(&request("GET", "/", "", &headers, b""), SECRET, T0), Ok(()));

        // post-vanilla-query
        let a = auth("host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11");
        let headers = header_map(&[("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z"), ("authorization", &a)]);
        assert_eq!(check(&request("POST", "/", "Param1=value1", &headers, b""), SECRET, T0), Ok(()));

        // get-vanilla-query-order-key-case (query parameters sorted)
        let a = auth("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
        let headers = header_map(&[("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z"), ("authorization", &a)]);
        assert_eq!(check(&request("GET", "/", "Param2=value2&Param1=value1", &headers, b""), SECRET, T0), Ok(()));

        // post-x-www-form-urlencoded (content-length and x-amz-content-sha256 signed, body hashed)
        let a = auth(
            "content-length;content-type;host;x-amz-content-sha256;x-amz-date",
            "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
        );
        let headers = header_map(&[
            ("content-type", "application/x-www-form-urlencoded"),
            ("host", "example.amazonaws.com"),
            ("content-length", "13"),
            ("x-amz-date", "20150830T123600Z"),
            ("x-amz-content-sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"),
            ("authorization", &a),
        ]);
        assert_eq!(check(&request("POST", "/", "", &headers, b"Param1=value1"), SECRET, T0), Ok(()));
        assert_eq!(check(&request("POST", "/", "", &headers, b"Param1=value2"), SECRET, T0), Err(SigV4Error::Mismatch));
    }

    #[test]
    fn json_request_signed_by_aws_sigv4() {
        let headers = sign_as_client("POST", "/", &JSON_HEADERS, JSON_BODY, None, T0);
        let req = request("POST", "/", "", &headers, JSON_BODY);
        let auth = parse_authorization(&req).unwrap();
        assert_eq!(auth.service, "cognito-idp");
        assert_eq!(auth.signed_headers, vec!["content-type", "host", "x-amz-date", "x-amz-target"]);
        assert_eq!(verify(&req, &auth, SECRET, T0 + 10), Ok(()));

        // Tampered body.
        let tampered = br#"{"MaxResults":60}"#;
        assert_eq!(check(&request("POST", "/", "", &headers, tampered), SECRET, T0), Err(SigV4Error::Mismatch));

        // Tampered target header.
        let mut other = headers.clone();
        other.insert("x-amz-target", HeaderValue::from_static("AWSCognitoIdentityProviderService.DeleteUserPool"));
        assert_eq!(check(&request("POST", "/", "", &other, JSON_BODY), SECRET, T0), Err(SigV4Error::Mismatch));

        // Unsigned headers may change freely; a signed one may not disappear.
        let mut other = headers.clone();
        other.insert("user-agent", HeaderValue::from_static("aws-cli/2"));
        other.insert("x-amzn-trace-id", HeaderValue::from_static("Root=1"));
        assert_eq!(check(&request("POST", "/", "", &other, JSON_BODY), SECRET, T0), Ok(()));
        let mut other = headers.clone();
        other.remove("content-type");
        assert_eq!(check(&request("POST", "/", "", &other, JSON_BODY), SECRET, T0), Err(SigV4Error::Mismatch));

        // The secret of another access key.
        assert_eq!(verify(&req, &auth, "another-secret", T0), Err(SigV4Error::Mismatch));
    }

    #[test]
    fn headers_signed_despite_aws_sigv4_default_exclusions() {
        // A client that signed user-agent: aws-sigv4's default settings would leave it out.
        let mut settings = SigningSettings::default();
        settings.excluded_headers = None;
        let credentials = Credentials::new(AKID, SECRET, None, None, "test");
        let identity = credentials.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("cognito-idp")
            .time(UNIX_EPOCH + Duration::from_secs(T0))
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let mut list = JSON_HEADERS.to_vec();
        list.push(("user-agent", "Boto3/1.34 md/Botocore#1.34"));
        let signable = SignableRequest::new("POST", "/", list.iter().copied(), SignableBody::Bytes(JSON_BODY)).unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        let mut headers = header_map(&list);
        for (name, value) in instructions.headers() {
            headers.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
        }
        let req = request("POST", "/", "", &headers, JSON_BODY);
        assert!(parse_authorization(&req).unwrap().signed_headers.contains(&"user-agent"));
        assert_eq!(check(&req, SECRET, T0), Ok(()));
        headers.insert("user-agent", HeaderValue::from_static("curl/8"));
        assert_eq!(check(&request("POST", "/", "", &headers, JSON_BODY), SECRET, T0), Err(SigV4Error::Mismatch));
    }

    #[test]
    fn path_and_query_canonicalisation_matches_the_signer() {
        for (path, query) in [("/", "b=2&a=1&a=0"), ("/foo%20bar/", "x=%2Fy&empty="), ("/a/./b/../c", ""), ("/%E1%88%B4", "k=v%20w")] {
            let uri = if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") };
            let headers = sign_as_client("GET", &uri, &JSON_HEADERS[..1], b"", None, T0);
            assert_eq!(check(&request("GET", path, query, &headers, b""), SECRET, T0), Ok(()), "{uri}");
        }
    }

    #[test]
    fn clock_skew() {
        let headers = sign_as_client("POST", "/", &JSON_HEADERS, JSON_BODY, None, T0);
        let req = request("POST", "/", "", &headers, JSON_BODY);
        let auth = parse_authorization(&req).unwrap();
        assert_eq!(verify(&req, &auth, SECRET, T0 + 299), Ok(()));
        assert_eq!(verify(&req, &auth, SECRET, T0 + 300), Ok(()));
        assert_eq!(
            verify(&req, &auth, SECRET, T0 + 301),
            Err(SigV4Error::Expired(
                "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T124101Z - 5 min.)".to_owned()
            ))
        );
        assert_eq!(
            verify(&req, &auth, SECRET, T0 + 600).unwrap_err().message(),
            "Signature expired: 20150830T123600Z is now earlier than 20150830T124100Z (20150830T124600Z - 5 min.)"
        );
        assert_eq!(verify(&req, &auth, SECRET, T0 - 299), Ok(()));
        assert_eq!(
            verify(&req, &auth, SECRET, T0 - 301),
            Err(SigV4Error::Expired(
                "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T123059Z + 5 min.)".to_owned()
            ))
        );
        // Expiry is reported even with a wrong secret (checked first, like AWS).
        assert!(matches!(verify(&req, &auth, "wrong", T0 + 301), Err(SigV4Error::Expired(_))));
        assert!(matches!(verify(&req, &auth, SECRET, 0), Err(SigV4Error::Expired(_))));
        assert!(matches!(verify(&req, &auth, SECRET, u64::MAX), Err(SigV4Error::Expired(_))));
    }

    #[test]
    fn parse_errors() {
        let incomplete = |headers: &HeaderMap| -> String {
            match parse_authorization(&request("POST", "/", "", headers, b"")) {
                Err(SigV4Error::Incomplete(message)) => message,
                other => panic!("expected Incomplete, got {other:?}"),
            }
        };
        let with_auth = |auth: &str| header_map(&[("host", "h"), ("x-amz-date", "20150830T123600Z"), ("authorization", auth)]);

        // No header at all.
        let headers = header_map(&[("host", "h"), ("x-amz-date", "20150830T123600Z")]);
        let err = parse_authorization(&request("POST", "/", "", &headers, b"")).unwrap_err();
        assert_eq!(err, SigV4Error::Missing);
        assert_eq!(err.message(), "Missing Authentication Token");

        // Garbage.
        assert_eq!(
            incomplete(&with_auth("garbage")),
            "'garbage' not a valid key=value pair (missing equal-sign) in Authorization header: 'garbage'."
        );
        incomplete(&with_auth("Bearer abc.def"));
        incomplete(&with_auth("AWS4-HMAC-SHA256"));
        incomplete(&with_auth("AWS4-HMAC-SHA256 garbage"));
        incomplete(&with_auth("AWS4-HMAC-SHA1 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab"));

        // No Signature=.
        let message = incomplete(&with_auth(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date",
        ));
        assert!(message.starts_with("Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 "), "{message}");
        // Empty Signature=, no Credential=, no SignedHeaders=.
        incomplete(&with_auth(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=",
        ));
        incomplete(&with_auth("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=ab"));
        incomplete(&with_auth("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/cognito-idp/aws4_request, Signature=ab"));

        // Malformed credential scopes.
        for credential in [
            "AKID",
            "AKID/20150830/us-east-1/cognito-idp",
            "AKID/20150830/us-east-1/cognito-idp/aws4_request/extra",
            "/20150830/us-east-1/cognito-idp/aws4_request",
            "AKID/2015083/us-east-1/cognito-idp/aws4_request",
            "AKID/20150830//cognito-idp/aws4_request",
            "AKID/20150830/us-east-1//aws4_request",
            "AKID/20150830/us-east-1/cognito-idp/aws5_request",
            // Scope date differs from x-amz-date's day.
            "AKID/20150831/us-east-1/cognito-idp/aws4_request",
        ] {
            incomplete(&with_auth(&format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host;x-amz-date, Signature=ab")));
        }

        // host or x-amz-date not signed.
        let message = incomplete(&with_auth(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/cognito-idp/aws4_request, SignedHeaders=x-amz-date, Signature=ab",
        ));
        assert_eq!(message, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        incomplete(&with_auth(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=ab",
        ));
        incomplete(&with_auth(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;;x-amz-date, Signature=ab",
        ));

        // No x-amz-date header, or a malformed one.
        let auth =
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab";
        let message = incomplete(&header_map(&[("host", "h"), ("authorization", auth)]));
        assert!(message.contains("requires existence of either a 'X-Amz-Date' or a 'Date' header"), "{message}");
        for date in [
            "20150830",
            "2015-08-30T12:36:00Z",
            "20150830T123600",
            "20150230T123600Z",
            "20151330T123600Z",
            "20150830T246000Z",
            "19691231T235959Z",
            "2015083OT123600Z",
        ] {
            incomplete(&header_map(&[("host", "h"), ("x-amz-date", date), ("authorization", auth)]));
        }

        // Two Authorization headers.
        incomplete(&header_map(&[("host", "h"), ("x-amz-date", "20150830T123600Z"), ("authorization", auth), ("authorization", auth)]));

        // A well-formed one, without spaces after the commas.
        let headers = with_auth(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/cognito-idp/aws4_request,SignedHeaders=host;x-amz-date,Signature=ab",
        );
        let req = request("POST", "/", "", &headers, b"");
        let parsed = parse_authorization(&req).unwrap();
        assert_eq!((parsed.access_key_id, parsed.region, parsed.signature), ("AKID", "us-east-1", "ab"));
    }

    #[test]
    fn hand_built_authorization_is_checked_too() {
        let headers = vanilla_headers("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        let req = request("GET", "/", "", &headers, b"");
        let good = parse_authorization(&req).unwrap();
        let without_host = Authorization { signed_headers: vec!["x-amz-date"], ..good.clone() };
        assert!(matches!(verify(&req, &without_host, SECRET, T0), Err(SigV4Error::Incomplete(_))));
        let odd_name = Authorization { signed_headers: vec!["host", "x-amz-date", "bad name"], ..good.clone() };
        assert_eq!(verify(&req, &odd_name, SECRET, T0), Err(SigV4Error::Mismatch));
        let other_day = Authorization { date: "20150831", ..good };
        assert!(matches!(verify(&req, &other_day, SECRET, T0), Err(SigV4Error::Incomplete(_))));
    }

    #[test]
    fn mismatch_message_is_aws_wording() {
        assert_eq!(
            SigV4Error::Mismatch.message(),
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
        );
    }

    #[test]
    fn session_token() {
        // Test-suite vector get-vanilla-with-session-token.
        let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
        let headers = header_map(&[
            ("host", "example.amazonaws.com"),
            ("x-amz-security-token", token),
            ("x-amz-date", "20150830T123600Z"),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                 SignedHeaders=host;x-amz-date;x-amz-security-token, \
                 Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
            ),
        ]);
        assert_eq!(check(&request("GET", "/", "", &headers, b""), SECRET, T0), Ok(()));

        // Signed by aws-sigv4 with session credentials.
        let headers = sign_as_client("POST", "/", &JSON_HEADERS, JSON_BODY, Some("FQoGZXIvYXdzEBYaDSessionToken/+="), T0);
        assert_eq!(headers.get("x-amz-security-token").unwrap(), "FQoGZXIvYXdzEBYaDSessionToken/+=");
        let req = request("POST", "/", "", &headers, JSON_BODY);
        let auth = parse_authorization(&req).unwrap();
        assert!(auth.signed_headers.contains(&"x-amz-security-token"));
        assert_eq!(verify(&req, &auth, SECRET, T0), Ok(()));
        let mut other = headers.clone();
        other.insert("x-amz-security-token", HeaderValue::from_static("another-token"));
        assert_eq!(check(&request("POST", "/", "", &other, JSON_BODY), SECRET, T0), Err(SigV4Error::Mismatch));
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_amz_date("20150830T123600Z"), Ok(T0));
        assert_eq!(parse_amz_date("19700101T000000Z"), Ok(0));
        assert_eq!(parse_amz_date("20000229T000000Z"), Ok(951_782_400));
        assert!(parse_amz_date("19000229T000000Z").is_err());
        assert!(parse_amz_date("20150830T123600Zx").is_err());
        assert!(parse_amz_date("2015083\u{e9}T12360Z").is_err());
        for secs in [0, T0, 951_782_400, 4_102_444_799, 253_402_300_799] {
            assert_eq!(parse_amz_date(&format_amz_date(secs)), Ok(secs));
        }
        assert_eq!(format_amz_date(T0), "20150830T123600Z");
    }

    #[test]
    fn dates_at_edge_dates() {
        for (secs, s) in [
            // A leap day, the end of a February without one, and 2100 (divisible by 100 and not
            // by 400: no February 29th).
            (1_709_208_000, "20240229T120000Z"),
            (1_677_628_799, "20230228T235959Z"),
            (1_677_628_800, "20230301T000000Z"),
            (4_107_456_000, "21000228T000000Z"),
            (4_107_542_400, "21000301T000000Z"),
            // The last second of a year and the first of the next; a single-digit day.
            (946_684_799, "19991231T235959Z"),
            (946_684_800, "20000101T000000Z"),
            (1_796_115_600, "20261201T090000Z"),
        ] {
            assert_eq!(format_amz_date(secs), s);
            assert_eq!(parse_amz_date(s), Ok(secs), "{s}");
        }
        for bad in [
            "20230229T000000Z",
            "21000229T000000Z",
            "20251232T000000Z",
            "20251301T000000Z",
            "20250001T000000Z",
            "20250100T000000Z",
            "20251231T240000Z",
            "20251231T236000Z",
            "20251231T235960Z",
            "19691231T235959Z",
            "+2025123T235959Z",
            "2025-12-31T23:5Z",
        ] {
            assert!(parse_amz_date(bad).is_err(), "{bad}");
        }
        // Past 9999 (no clock says so) the end of 9999 is written.
        assert_eq!(format_amz_date(u64::MAX), "99991231T235959Z");
    }
}
