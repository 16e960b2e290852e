//! ListUsers' `Filter` parser: any text is parsed or refused, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = pooldesk_core::filter::parse(input);
});
