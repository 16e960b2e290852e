//! Remembered devices through the API layer: a new device key at sign-in, ConfirmDevice with
//! a device SRP verifier, signing in again with device SRP (DEVICE_SRP_AUTH, then
//! DEVICE_PASSWORD_VERIFIER), a remembered device standing in for MFA, the device in refresh,
//! and the device operations with the errors clients branch on. The client side is PoolDesk's
//! own SRP client, which the SRP known answers tie to amazon-cognito-identity-js; the e2e suite
//! (`tests/e2e/test_devices.py`) drives the real library and pycognito.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::*;
use pooldesk_api::CallError;
use pooldesk_core::{srp, totp};
use serde_json::{Value, json};

/// The secret the app keeps for its device (amazon-cognito-identity-js draws 40 random bytes).
const DEVICE_SECRET: &str = "c2VjcmV0LW9mLXRoaXMtZGV2aWNlLWtlcHQtYnktdGhlLWFwcA==";

fn claims(jwt: &Value) -> Value {
    let payload = jwt.as_str().expect("a token").split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON claims")
}

#[track_caller]
fn named(answer: &Result<Value, CallError>, name: &str) -> Value {
    let answer = answer.as_ref().unwrap_or_else(|e| panic!("expected {name}, got {e:?}"));
    assert_eq!(answer["ChallengeName"], json!(name), "{answer}");
    answer.clone()
}

/// A pool remembering devices as `config` says, a client, and the user "dana".
fn device_app(desk: &Desk, config: Value) -> App {
    let pool_id = desk.pool(json!({ "DeviceConfiguration": config }));
    let client_id = desk.client(&pool_id, json!({}));
    desk.user(&pool_id, "dana", &[]);
    App { pool_id, client_id }
}

fn initiate(desk: &Desk, app: &App, device_key: Option<&str>) -> Result<Value, CallError> {
    let mut params = json!({ "USERNAME": "dana", "PASSWORD": PASSWORD });
    if let Some(key) = device_key {
        params["DEVICE_KEY"] = json!(key);
    }
    desk.call("InitiateAuth", json!({ "ClientId": app.client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params }))
}

/// A device the app registered: its key, the user's group key, and its verifier's secret.
struct Registered {
    key: String,
    group: String,
}

/// Signs in from a new device and confirms it, as the JS SDK does; the sign-in's tokens too.
fn register(desk: &Desk, app: &App) -> (Registered, Value) {
    let result = initiate(desk, app, None).expect("sign-in")["AuthenticationResult"].clone();
    let metadata = &result["NewDeviceMetadata"];
    let device = Registered {
        key: metadata["DeviceKey"].as_str().expect("a device key").to_owned(),
        group: metadata["DeviceGroupKey"].as_str().expect("a group key").to_owned(),
    };
    let (salt, verifier) = srp::SrpClient::device_verifier_config(&device.group, &device.key, DEVICE_SECRET).unwrap();
    desk.ok(
        "ConfirmDevice",
        json!({
            "AccessToken": result["AccessToken"],
            "DeviceKey": device.key,
            "DeviceName": "Dana's laptop",
            "DeviceSecretVerifierConfig": { "Salt": salt, "PasswordVerifier": verifier },
        }),
    );
    (device, result)
}

/// DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER answered with `secret`, from the
/// DEVICE_SRP_AUTH challenge `pending`; `with_session` false answers as pycognito does.
fn prove(desk: &Desk, app: &App, device: &Registered, pending: &Value, secret: &str, with_session: bool) -> Result<Value, CallError> {
    let client = srp::SrpClient::for_device(&device.group).unwrap();
    let mut request = json!({
        "ClientId": app.client_id,
        "ChallengeName": "DEVICE_SRP_AUTH",
        "ChallengeResponses": { "USERNAME": "dana", "DEVICE_KEY": device.key, "SRP_A": client.srp_a_hex() },
    });
    if with_session {
        request["Session"] = pending["Session"].clone();
    }
    let verifier = named(&desk.call("RespondToAuthChallenge", request), "DEVICE_PASSWORD_VERIFIER");
    let p = &verifier["ChallengeParameters"];
    let text = |name: &str| p[name].as_str().unwrap_or_else(|| panic!("no {name} in {verifier}")).to_owned();
    assert_eq!(text("DEVICE_KEY"), device.key);
    let timestamp = srp::format_timestamp(desk.now_secs());
    let block = STANDARD.decode(text("SECRET_BLOCK")).unwrap();
    let signature = client.password_claim(&device.key, secret, &text("SALT"), &text("SRP_B"), &block, &timestamp).unwrap();
    let mut answer = json!({
        "ClientId": app.client_id,
        "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
        "ChallengeResponses": {
            "USERNAME": "dana",
            "DEVICE_KEY": device.key,
            "PASSWORD_CLAIM_SECRET_BLOCK": text("SECRET_BLOCK"),
            "PASSWORD_CLAIM_SIGNATURE": signature,
            "TIMESTAMP": timestamp,
        },
    });
    if with_session {
        answer["Session"] = verifier["Session"].clone();
    }
    desk.call("RespondToAuthChallenge", answer)
}

#[test]
fn a_pool_without_device_configuration_hands_out_no_device_keys() {
    let desk = Desk::new();
    let app = desk.app();
    desk.user(&app.pool_id, "dana", &[]);
    let result = initiate(&desk, &app, None).unwrap()["AuthenticationResult"].clone();
    assert!(result.get("NewDeviceMetadata").is_none(), "{result}");
    assert!(claims(&result["AccessToken"]).get("device_key").is_none());
    // A DEVICE_KEY is ignored where devices are not remembered, as Cognito does.
    assert!(initiate(&desk, &app, Some("us-east-1_0123abcd")).unwrap()["AuthenticationResult"].is_object());
}

#[test]
fn a_confirmed_device_signs_in_with_device_srp_and_is_listed() {
    let desk = Desk::new();
    let app = device_app(&desk, json!({ "ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": false }));
    let first = initiate(&desk, &app, None).unwrap()["AuthenticationResult"].clone();
    let metadata = &first["NewDeviceMetadata"];
    let key = metadata["DeviceKey"].as_str().unwrap();
    assert!(key.starts_with(&format!("{}_", app.pool_id.split('_').next().unwrap())), "{key}: <region>_<uuid>");
    assert!(metadata["DeviceGroupKey"].as_str().is_some_and(|g| g.starts_with('-')), "{metadata}");
    assert_eq!(claims(&first["AccessToken"])["device_key"], json!(key), "the access token names the new device");

    let (device, _) = register(&desk, &app);
    desk.advance(60);
    let pending = named(&initiate(&desk, &app, Some(&device.key)), "DEVICE_SRP_AUTH");
    assert_eq!(pending["ChallengeParameters"]["DEVICE_KEY"], json!(device.key));
    let result = prove(&desk, &app, &device, &pending, DEVICE_SECRET, true).unwrap()["AuthenticationResult"].clone();
    assert!(result.get("NewDeviceMetadata").is_none(), "a known device gets no new key: {result}");
    assert_eq!(claims(&result["AccessToken"])["device_key"], json!(device.key));

    let listed = desk.ok("ListDevices", json!({ "AccessToken": result["AccessToken"] }));
    let devices = listed["Devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1, "only confirmed devices are listed: {listed}");
    let attributes: Vec<(String, String)> = devices[0]["DeviceAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["Name"].as_str().unwrap().to_owned(), a["Value"].as_str().unwrap().to_owned()))
        .collect();
    assert!(attributes.contains(&("device_name".into(), "Dana's laptop".into())), "{attributes:?}");
    assert!(attributes.contains(&("dev:device_remembered_status".into(), "remembered".into())), "{attributes:?}");
    assert_eq!(devices[0]["DeviceLastAuthenticatedDate"], json!(desk.now_secs() as f64), "{listed}");
    let admin = desk.ok("AdminGetDevice", json!({ "UserPoolId": app.pool_id, "Username": "dana", "DeviceKey": device.key }));
    assert_eq!(admin["Device"], devices[0]);
}

#[test]
fn a_wrong_device_secret_or_an_unknown_device_is_refused() {
    let desk = Desk::new();
    let app = device_app(&desk, json!({ "ChallengeRequiredOnNewDevice": false }));
    let (device, _) = register(&desk, &app);
    let pending = named(&initiate(&desk, &app, Some(&device.key)), "DEVICE_SRP_AUTH");
    let wrong = prove(&desk, &app, &device, &pending, "not-the-secret", true);
    assert_eq!(wrong.unwrap_err().code, "NotAuthorizedException");

    // A key the user has no device under: ResourceNotFound, on which the JS SDK forgets it.
    let unknown = initiate(&desk, &app, Some("us-east-1_00000000-0000-0000-0000-000000000000")).unwrap_err();
    assert_eq!((unknown.code.as_str(), unknown.message.as_str()), ("ResourceNotFoundException", "Device does not exist."));
}

#[test]
fn pycognito_answers_the_device_challenges_without_the_session() {
    let desk = Desk::new();
    let app = device_app(&desk, json!({ "ChallengeRequiredOnNewDevice": true }));
    let (device, _) = register(&desk, &app);
    let pending = named(&initiate(&desk, &app, Some(&device.key)), "DEVICE_SRP_AUTH");
    let result = prove(&desk, &app, &device, &pending, DEVICE_SECRET, false).unwrap();
    assert_eq!(claims(&result["AuthenticationResult"]["AccessToken"])["device_key"], json!(device.key));
}

/// A pool with an authenticator app required, remembering devices, and dana enrolled.
fn mfa_device_app(desk: &Desk, config: Value) -> (App, String) {
    let app = device_app(desk, config);
    desk.ok(
        "SetUserPoolMfaConfig",
        json!({ "UserPoolId": app.pool_id, "MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": { "Enabled": true } }),
    );
    let access = initiate(desk, &app, None).unwrap()["AuthenticationResult"]["AccessToken"].clone();
    let secret = desk.ok("AssociateSoftwareToken", json!({ "AccessToken": access }))["SecretCode"].as_str().unwrap().to_owned();
    desk.ok("VerifySoftwareToken", json!({ "AccessToken": access, "UserCode": totp::code_at_time(&secret, desk.now_secs()) }));
    desk.ok(
        "SetUserMFAPreference",
        json!({ "AccessToken": access, "SoftwareTokenMfaSettings": { "Enabled": true, "PreferredMfa": true } }),
    );
    desk.advance(30);
    (app, secret)
}

/// A device registered through a sign-in that passed MFA.
fn register_with_mfa(desk: &Desk, app: &App, totp_secret: &str) -> Registered {
    let mfa = named(&initiate(desk, app, None), "SOFTWARE_TOKEN_MFA");
    let code = totp::code_at_time(totp_secret, desk.now_secs()).unwrap();
    let result = desk.respond(&app.client_id, &mfa, "SOFTWARE_TOKEN_MFA", json!({ "USERNAME": "dana", "SOFTWARE_TOKEN_MFA_CODE": code }));
    let result = result.unwrap()["AuthenticationResult"].clone();
    let metadata = &result["NewDeviceMetadata"];
    let device =
        Registered { key: metadata["DeviceKey"].as_str().unwrap().into(), group: metadata["DeviceGroupKey"].as_str().unwrap().into() };
    let (salt, verifier) = srp::SrpClient::device_verifier_config(&device.group, &device.key, DEVICE_SECRET).unwrap();
    let confirmed = desk.ok(
        "ConfirmDevice",
        json!({ "AccessToken": result["AccessToken"], "DeviceKey": device.key,
                "DeviceSecretVerifierConfig": { "Salt": salt, "PasswordVerifier": verifier } }),
    );
    let on_prompt = desk.ok("DescribeUserPool", json!({ "UserPoolId": app.pool_id }))["UserPool"]["DeviceConfiguration"]["DeviceOnlyRememberedOnUserPrompt"]
        == json!(true);
    assert_eq!(confirmed["UserConfirmationNecessary"], json!(on_prompt));
    desk.advance(30);
    device
}

#[test]
fn a_remembered_device_stands_in_for_mfa_when_the_pool_says_so() {
    let desk = Desk::new();
    let (app, secret) = mfa_device_app(&desk, json!({ "ChallengeRequiredOnNewDevice": true }));
    let device = register_with_mfa(&desk, &app, &secret);
    // Password, then the device instead of a code.
    let pending = named(&initiate(&desk, &app, Some(&device.key)), "DEVICE_SRP_AUTH");
    let result = prove(&desk, &app, &device, &pending, DEVICE_SECRET, true).unwrap();
    assert!(result["AuthenticationResult"]["AccessToken"].is_string(), "{result}");
    let events = desk.ok("AdminListUserAuthEvents", json!({ "UserPoolId": app.pool_id, "Username": "dana" }));
    assert_eq!(events["AuthEvents"][0]["EventResponse"], json!("Pass"), "{events}");
    // A sign-in that names no device still needs the code.
    named(&initiate(&desk, &app, None), "SOFTWARE_TOKEN_MFA");
}

#[test]
fn a_device_not_remembered_still_needs_mfa_then_proves_itself() {
    let desk = Desk::new();
    let (app, secret) = mfa_device_app(&desk, json!({ "ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": true }));
    let device = register_with_mfa(&desk, &app, &secret);
    // The user did not opt in: MFA first, then device SRP.
    let mfa = named(&initiate(&desk, &app, Some(&device.key)), "SOFTWARE_TOKEN_MFA");
    let code = totp::code_at_time(&secret, desk.now_secs()).unwrap();
    let answer = json!({ "USERNAME": "dana", "SOFTWARE_TOKEN_MFA_CODE": code, "DEVICE_KEY": device.key });
    let pending = named(&desk.respond(&app.client_id, &mfa, "SOFTWARE_TOKEN_MFA", answer), "DEVICE_SRP_AUTH");
    let result = prove(&desk, &app, &device, &pending, DEVICE_SECRET, true).unwrap()["AuthenticationResult"].clone();

    // Opting in (UpdateDeviceStatus) skips the code from then on.
    let status = json!({ "AccessToken": result["AccessToken"], "DeviceKey": device.key, "DeviceRememberedStatus": "remembered" });
    desk.ok("UpdateDeviceStatus", status);
    desk.advance(30);
    named(&initiate(&desk, &app, Some(&device.key)), "DEVICE_SRP_AUTH");
    // And an admin can take it back.
    let back =
        json!({ "UserPoolId": app.pool_id, "Username": "dana", "DeviceKey": device.key, "DeviceRememberedStatus": "not_remembered" });
    desk.ok("AdminUpdateDeviceStatus", back);
    named(&initiate(&desk, &app, Some(&device.key)), "SOFTWARE_TOKEN_MFA");
}

#[test]
fn confirm_device_takes_only_the_key_its_sign_in_was_given_and_only_once() {
    let desk = Desk::new();
    let app = device_app(&desk, json!({ "ChallengeRequiredOnNewDevice": true }));
    let (device, first) = register(&desk, &app);
    let (salt, verifier) = srp::SrpClient::device_verifier_config(&device.group, &device.key, DEVICE_SECRET).unwrap();
    let config = json!({ "Salt": salt, "PasswordVerifier": verifier });
    let confirm = |access: &Value, key: &str, config: Value| {
        desk.call("ConfirmDevice", json!({ "AccessToken": access, "DeviceKey": key, "DeviceSecretVerifierConfig": config }))
    };
    assert_eq!(confirm(&first["AccessToken"], &device.key, config.clone()).unwrap_err().code, "DeviceKeyExistsException");
    let other = initiate(&desk, &app, None).unwrap()["AuthenticationResult"].clone();
    assert_eq!(confirm(&other["AccessToken"], &device.key, config.clone()).unwrap_err().code, "ResourceNotFoundException");
    let key = other["NewDeviceMetadata"]["DeviceKey"].as_str().unwrap();
    let not_srp = json!({ "Salt": "AA==", "PasswordVerifier": "AA==" });
    assert_eq!(confirm(&other["AccessToken"], key, not_srp).unwrap_err().code, "InvalidParameterException");
    assert_eq!(confirm(&other["AccessToken"], key, json!({})).unwrap_err().code, "InvalidParameterException");
    assert_eq!(confirm(&other["AccessToken"], "not a key", config).unwrap_err().code, "InvalidParameterException");
}

#[test]
fn a_forgotten_device_is_gone_from_sign_in_refresh_and_lists() {
    let desk = Desk::new();
    let app = device_app(&desk, json!({ "ChallengeRequiredOnNewDevice": true }));
    let (device, tokens) = register(&desk, &app);
    let refresh = |key: &str| {
        desk.call(
            "InitiateAuth",
            json!({ "ClientId": app.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "AuthParameters": { "REFRESH_TOKEN": tokens["RefreshToken"], "DEVICE_KEY": key } }),
        )
    };
    let refreshed = refresh(&device.key).unwrap()["AuthenticationResult"].clone();
    assert_eq!(claims(&refreshed["AccessToken"])["device_key"], json!(device.key), "a refresh names its device");

    let forget = json!({ "AccessToken": tokens["AccessToken"], "DeviceKey": device.key });
    desk.ok("ForgetDevice", forget.clone());
    assert_eq!(desk.call("ForgetDevice", forget).unwrap_err().code, "ResourceNotFoundException");
    assert_eq!(refresh(&device.key).unwrap_err().code, "ResourceNotFoundException");
    assert_eq!(initiate(&desk, &app, Some(&device.key)).unwrap_err().code, "ResourceNotFoundException");
    let listed = desk.ok("AdminListDevices", json!({ "UserPoolId": app.pool_id, "Username": "dana" }));
    assert_eq!(listed["Devices"], json!([]));
    let gone = desk.call("AdminGetDevice", json!({ "UserPoolId": app.pool_id, "Username": "dana", "DeviceKey": device.key }));
    assert_eq!(gone.unwrap_err().code, "ResourceNotFoundException");
}

#[test]
fn devices_are_listed_a_page_at_a_time_and_admin_calls_name_unknown_users() {
    let desk = Desk::new();
    let app = device_app(&desk, json!({ "ChallengeRequiredOnNewDevice": true }));
    let keys: Vec<String> = (0..5).map(|_| register(&desk, &app).0.key).collect();
    let list = |token: Option<&str>| {
        let mut request = json!({ "UserPoolId": app.pool_id, "Username": "dana", "Limit": 2 });
        if let Some(t) = token {
            request["PaginationToken"] = json!(t);
        }
        desk.ok("AdminListDevices", request)
    };
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = list(token.as_deref());
        seen.extend(page["Devices"].as_array().unwrap().iter().map(|d| d["DeviceKey"].as_str().unwrap().to_owned()));
        match page["PaginationToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, keys, "every device once, oldest first");
    let too_many = desk.call("AdminListDevices", json!({ "UserPoolId": app.pool_id, "Username": "dana", "Limit": 61 }));
    assert_eq!(too_many.unwrap_err().code, "InvalidParameterException");
    let nobody = desk.call("AdminListDevices", json!({ "UserPoolId": app.pool_id, "Username": "nobody" }));
    assert_eq!(nobody.unwrap_err().code, "ResourceNotFoundException", "AdminListDevices' model has no UserNotFoundException");
    let forget = json!({ "UserPoolId": app.pool_id, "Username": "nobody", "DeviceKey": keys[0] });
    assert_eq!(desk.call("AdminForgetDevice", forget).unwrap_err().code, "UserNotFoundException");
}

#[test]
fn a_remembered_device_does_not_replace_mfa_unless_the_pool_says_so() {
    let desk = Desk::new();
    let (app, secret) = mfa_device_app(&desk, json!({ "ChallengeRequiredOnNewDevice": false }));
    let device = register_with_mfa(&desk, &app, &secret);
    let mfa = named(&initiate(&desk, &app, Some(&device.key)), "SOFTWARE_TOKEN_MFA");
    let code = totp::code_at_time(&secret, desk.now_secs()).unwrap();
    let answer = json!({ "USERNAME": "dana", "SOFTWARE_TOKEN_MFA_CODE": code, "DEVICE_KEY": device.key });
    let pending = named(&desk.respond(&app.client_id, &mfa, "SOFTWARE_TOKEN_MFA", answer), "DEVICE_SRP_AUTH");
    prove(&desk, &app, &device, &pending, DEVICE_SECRET, true).unwrap();
}

#[test]
fn a_stray_device_answer_cannot_end_or_take_over_a_sign_in() {
    let desk = Desk::new();
    let app = device_app(&desk, json!({ "ChallengeRequiredOnNewDevice": true }));
    let (device, _) = register(&desk, &app);
    let pending = named(&initiate(&desk, &app, Some(&device.key)), "DEVICE_SRP_AUTH");
    let stray = |responses: Value| {
        desk.call(
            "RespondToAuthChallenge",
            json!({ "ClientId": app.client_id, "ChallengeName": "DEVICE_SRP_AUTH", "ChallengeResponses": responses }),
        )
    };
    // Found by client and device alone, an answer must name the user...
    let client = srp::SrpClient::for_device(&device.group).unwrap();
    assert_eq!(stray(json!({ "DEVICE_KEY": device.key, "SRP_A": client.srp_a_hex() })).unwrap_err().code, "InvalidParameterException");
    // ...and one that is not the device's answer leaves the sign-in to the device.
    assert_eq!(
        stray(json!({ "USERNAME": "dana", "DEVICE_KEY": device.key, "SRP_A": "00" })).unwrap_err().code,
        "InvalidParameterException"
    );
    let result = prove(&desk, &app, &device, &pending, DEVICE_SECRET, true).unwrap();
    assert_eq!(claims(&result["AuthenticationResult"]["AccessToken"])["device_key"], json!(device.key));
    // Answered once under either id, the challenge is gone under both.
    let replay = stray(json!({ "USERNAME": "dana", "DEVICE_KEY": device.key, "SRP_A": client.srp_a_hex() }));
    assert_eq!(replay.unwrap_err().code, "NotAuthorizedException");
}
