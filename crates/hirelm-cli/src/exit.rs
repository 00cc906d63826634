//! Exit statuses a CI pipeline can act on: 0 success, 1 a check the command exists to make
//! failed (the evaluation gate, the comparison's claim), 2 the run itself failed (an error, an
//! entry that could not run, bad arguments, as clap's usage errors).

use std::process::ExitCode;

/// The run worked and wrote its reports, and the check it makes failed.
#[derive(Debug)]
pub struct CheckFailed(pub String);

impl std::fmt::Display for CheckFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CheckFailed {}

/// Status 1: a gate or claim failed.
pub const CHECK_FAILED: u8 = 1;
/// Status 2: the run failed.
pub const RUN_FAILED: u8 = 2;

/// The status of a command's result, printing the error.
pub fn status(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hirelm: {err:#}");
            if err.downcast_ref::<CheckFailed>().is_some() {
                ExitCode::from(CHECK_FAILED)
            } else {
                ExitCode::from(RUN_FAILED)
            }
        }
    }
}
