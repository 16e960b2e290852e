//! Token verification (ID, access, and whatever a client sends as one): refused, never a
//! panic, and never accepted without the pool's signature.
#![no_main]
use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use pooldesk_core::tokens::{self, Signer};

static SIGNERS: LazyLock<Vec<Arc<Signer>>> =
    LazyLock::new(|| vec![Arc::new(Signer::new(&tokens::generate_key("us-east-1_fuzz", 0).expect("key")).expect("signer"))]);

fuzz_target!(|token: &str| {
    for token_use in ["id", "access"] {
        let verdict = tokens::verify(token, &SIGNERS, "http://127.0.0.1/us-east-1_fuzz", token_use, 0);
        assert!(verdict.is_err(), "a token the fuzzer made was accepted");
    }
});
